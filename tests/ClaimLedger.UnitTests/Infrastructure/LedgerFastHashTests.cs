using System.Text.Json.Nodes;
using ClaimLedger.Server.Features.Ledger;
using ClaimLedger.Server.Infrastructure.Ledger;
using ClaimLedger.Transparency;
using Shouldly;

namespace ClaimLedger.UnitTests.Infrastructure;

/// <summary>VerifyLedger's fast path must hash exactly what the general canonicalising path hashes, or step aside.</summary>
public sealed class LedgerFastHashTests
{
    private const string Previous = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    public static TheoryData<string, string, string, string> Entries => new()
    {
        { "2026-01-05T09:00:00.000Z", "desk-editor", "claim.created", """{"evidence":[{"excerpt":"a \"quoted\" line\nnext","source":"sources/ab"}],"status":"UNVERIFIED","text":"Grain exports rose 12% – ministry ✓"}""" },
        { "2026-11-25T23:59:59.999Z", "system:staleness", "claim.marked_stale", """{"findings":[],"status":"STALE","verdict":{"name":"claims/x/verdicts/y","rating":"FALSE"}}""" },
        { "2026-01-05T09:00:00.000Z", "admin", "api_key.created", "{}" },
        { "2026-01-05T09:00:00.000Z", "a", "b", """{"emoji":"😀","control":"\u0001","n":-9007199254740991}""" },
    };

    [Theory]
    [MemberData(nameof(Entries))]
    public void TryEntryHash_EqualsTheCanonicalisingPath(string time, string actor, string action, string changes)
    {
        var canonicalChanges = CanonicalJson.ToText(JsonNode.Parse(changes));
        var expected = LedgerChain.EntryHash(Previous, LedgerChain.CanonicalEntry(42, time, actor, action, "claims/0123abcd", JsonNode.Parse(canonicalChanges)));
        var hash = new byte[32];

        LedgerChain.TryEntryHash(Previous, 42, time, actor, action, "claims/0123abcd", canonicalChanges, hash).ShouldBeTrue();

        Convert.ToHexStringLower(hash).ShouldBe(expected);
    }

    [Theory]
    [MemberData(nameof(Entries))]
    public void CanonicalEntryBytes_TheMerkleLeaf_EqualsTheCanonicalisingPath(string time, string actor, string action, string changes)
    {
        var canonicalChanges = CanonicalJson.ToText(JsonNode.Parse(changes));
        var expected = LedgerChain.CanonicalEntry(42, time, actor, action, "claims/0123abcd", JsonNode.Parse(canonicalChanges));

        LedgerChain.CanonicalEntryBytes(42, time, actor, action, "claims/0123abcd", canonicalChanges).ShouldBe(expected);
        // A field that needs escaping takes the general path and still agrees.
        LedgerChain.CanonicalEntryBytes(42, time, "Zoë \"Z\"", action, "claims/0123abcd", canonicalChanges)
            .ShouldBe(LedgerChain.CanonicalEntry(42, time, "Zoë \"Z\"", action, "claims/0123abcd", JsonNode.Parse(canonicalChanges)));
    }

    [Fact]
    public void TryEntryHash_OfNonCanonicalChanges_DiffersFromTheCanonicalHash()
    {
        const string spaced = """{ "status": "TRUE" }""";
        var expected = LedgerChain.EntryHash(Previous, LedgerChain.CanonicalEntry(1, "t", "a", "b", "s", JsonNode.Parse(spaced)));
        var hash = new byte[32];

        LedgerChain.TryEntryHash(Previous, 1, "t", "a", "b", "s", spaced, hash).ShouldBeTrue();

        Convert.ToHexStringLower(hash).ShouldNotBe(expected);
    }

    [Theory]
    [InlineData("Zoë", "claims/1")]
    [InlineData("say \"hi\"", "claims/1")]
    [InlineData("back\\slash", "claims/1")]
    [InlineData("tab\there", "claims/1")]
    [InlineData("desk", "claims/ü")]
    public void TryEntryHash_StepsAside_ForStringsThatMightNeedEscaping(string actor, string subject)
    {
        LedgerChain.TryEntryHash(Previous, 1, "2026-01-05T09:00:00.000Z", actor, "claim.created", subject, "{}", new byte[32]).ShouldBeFalse();
    }

    [Fact]
    public void TryEntryHash_StepsAside_ForAMalformedPreviousHash()
    {
        LedgerChain.TryEntryHash("xyz", 1, "t", "a", "b", "s", "{}", new byte[32]).ShouldBeFalse();
    }

    [Theory]
    [InlineData("""{"status":"VERIFIED","text":"x","verdict":{"name":"claims/a/verdicts/b","rating":"FALSE","evidence":["e"]}}""", "VERIFIED", "claims/a/verdicts/b", "FALSE")]
    [InlineData("""{"evidence":[{"status":"nested, ignored"}],"status":"UNVERIFIED"}""", "UNVERIFIED", null, null)]
    [InlineData("""{"status":"IN_REVIEW","verdict":null}""", "IN_REVIEW", null, null)]
    [InlineData("""{"text":"no status"}""", null, null, null)]
    [InlineData("""[]""", null, null, null)]
    public void LedgerClaimState_ReadsTopLevelStatusAndVerdict(string changes, string? status, string? verdict, string? rating)
    {
        LedgerClaimState.Read(changes).ShouldBe(new LedgerClaimState(status, verdict, rating));
    }
}
