using System.Text.Json;
using System.Text.Json.Nodes;
using ClaimLedger.Transparency;

namespace ClaimLedger.UnitTests.Transparency;

/// <summary>
/// Claim proof bundles (docs/ledger-format.md "Claim proof bundles") built from a small ledger in a tiled tree, then
/// verified, round-tripped through JSON, and damaged in every way the verifier must catch.
/// </summary>
public sealed class ClaimProofBundleTests : IDisposable
{
    private const string Claim = "claims/c1";
    private const int LedgerSize = 300;

    private readonly NoteSigner _log = NoteSigner.Generate("claimledger.local/test");
    private readonly List<string> _leaves = [];
    private readonly InMemoryTileStore _store = new();

    public ClaimProofBundleTests()
    {
        Add("api_key.created", "apiKeys/k1", new JsonObject { ["display_name"] = "desk", ["role"] = "EDITOR" });       // 1
        Add("source.created", "sources/s1", Source("https://a.example/1"));                                           // 2
        Add("source.created", "sources/s2", Source("https://a.example/2"));                                           // 3
        Add("claim.created", Claim, ClaimChanges("UNVERIFIED", "sources/s1"));                                        // 4
        Add("claim.created", "claims/c10", ClaimChanges("UNVERIFIED", "sources/s2"));                                 // 5
        Add("evidence.added", Claim + "/evidence/e2", new JsonObject { ["source"] = "sources/s3", ["stance"] = "REFUTES", ["excerpt"] = "\"quoted\"\n😀" }); // 6
        Add("source.created", "sources/s3", Source("https://b.example/3"));                                           // 7
        Add("source.updated", "sources/s1", Source("https://a.example/1?v=2"));                                       // 8
        Add("claim.updated", Claim, ClaimChanges("IN_REVIEW"));                                                       // 9
        Add("source.created", "sources/s4", Source("https://c.example/4"));                                           // 10
        while (_leaves.Count < LedgerSize)
        {
            Add("claim.updated", "claims/c10", ClaimChanges("IN_REVIEW"));
        }

        var update = new TileWriter(_store).AppendAsync(0, [.. _leaves.Select(l => ReferenceMerkleTree.HashLeaf(System.Text.Encoding.UTF8.GetBytes(l)))])
            .AsTask().GetAwaiter().GetResult();
        _store.Write(update.Tiles);
        Root = update.Root;
    }

    private byte[] Root { get; }

    public void Dispose() => _log.Dispose();

    [Fact]
    public async Task ABundleOfTheClaimItsEvidenceAndCitedSources_Verifies()
    {
        var bundle = await BundleAsync(2, 4, 6, 7, 8, 9);
        var result = ClaimProofVerifier.Verify(bundle, _log.VerifierKey);
        result.IsValid.ShouldBeTrue(result.ToString());
        result.Checkpoint!.Size.ShouldBe(LedgerSize);
        result.Entries.Select(e => e.Sequence).ShouldBe([2, 4, 6, 7, 8, 9]);
        result.Entries[2].Subject.ShouldBe(Claim + "/evidence/e2");
        result.Entries[2].Changes["excerpt"]!.GetValue<string>().ShouldBe("\"quoted\"\n😀");
        result.Entries[1].Action.ShouldBe("claim.created");
        result.Entries[1].Actor.ShouldBe("desk");
        result.Entries[1].Time.ShouldBe("2026-11-25T00:50:00.000004Z");
    }

    [Fact]
    public async Task ABundle_SurvivesItsJson_InTheDocumentedShape()
    {
        var bundle = await BundleAsync(2, 4, 6, 7, 8, 9);
        var json = bundle.ToJson();

        using (var document = JsonDocument.Parse(json))
        {
            var root = document.RootElement;
            root.GetProperty("format").GetString().ShouldBe("claimledger.claim-proof.v1");
            root.GetProperty("claim").GetString().ShouldBe(Claim);
            root.GetProperty("checkpoint").GetString().ShouldBe(bundle.Checkpoint);
            var first = root.GetProperty("entries")[0];
            first.GetProperty("sequence").GetInt64().ShouldBe(2);
            first.GetProperty("leaf").GetString().ShouldBe(_leaves[1]);
            first.GetProperty("inclusion_proof").GetArrayLength().ShouldBe(MerkleHashing.InclusionProofLength(1, LedgerSize));
        }

        json.ShouldContain("— claimledger.local/test");
        var parsed = ClaimProofBundle.Parse(json);
        parsed.ToJson().ShouldBe(json);
        ClaimProofVerifier.Verify(json, _log.VerifierKey).IsValid.ShouldBeTrue();
    }

    [Fact]
    public async Task ACheckpointByAnotherKey_IsRejectedFirst()
    {
        using var other = NoteSigner.Generate("claimledger.local/test");
        var bundle = await BundleAsync(4, 9);
        var forged = new ClaimProofBundle(Claim, new Checkpoint(other.Name, LedgerSize, Root).Sign(other), bundle.Entries);
        var result = ClaimProofVerifier.Verify(forged, _log.VerifierKey);
        result.Failure.ShouldBe(ClaimProofFailure.InvalidCheckpoint);
        result.CheckpointResult!.Failure.ShouldBe(CheckpointFailure.NoSignatureByKey);
    }

    [Fact]
    public async Task ACheckpointOfAnotherRoot_FailsTheInclusionProofs()
    {
        var bundle = await BundleAsync(4, 9);
        var wrongRoot = (byte[])Root.Clone();
        wrongRoot[0] ^= 1;
        var other = new ClaimProofBundle(Claim, new Checkpoint(_log.Name, LedgerSize, wrongRoot).Sign(_log), bundle.Entries);
        var result = ClaimProofVerifier.Verify(other, _log.VerifierKey);
        result.Failure.ShouldBe(ClaimProofFailure.InvalidInclusionProof);
        result.Sequence.ShouldBe(4);
        result.ProofResult!.Failure.ShouldBe(MerkleProofFailure.RootMismatch);
    }

    [Fact]
    public async Task AChangedLeaf_FailsItsInclusionProof()
    {
        var bundle = await BundleAsync(4, 9);
        var result = Verify(bundle, 1, e => e with { Leaf = e.Leaf.Replace("IN_REVIEW", "VERIFIED", StringComparison.Ordinal) });
        result.Failure.ShouldBe(ClaimProofFailure.InvalidInclusionProof);
        result.Sequence.ShouldBe(9);
        result.Message.ShouldContain("Entry 9");
    }

    [Fact]
    public async Task ADamagedProofHash_OrAMissingOne_FailsTheInclusionProof()
    {
        var bundle = await BundleAsync(4, 9);
        Verify(bundle, 0, e => e with { InclusionProof = [.. e.InclusionProof.Select((h, i) => i == 2 ? Flip(h) : h)] })
            .Failure.ShouldBe(ClaimProofFailure.InvalidInclusionProof);
        var shortProof = Verify(bundle, 0, e => e with { InclusionProof = e.InclusionProof.Skip(1).ToList() });
        shortProof.Failure.ShouldBe(ClaimProofFailure.InvalidInclusionProof);
        shortProof.ProofResult!.Failure.ShouldBe(MerkleProofFailure.WrongProofLength);
    }

    [Fact]
    public async Task ANonCanonicalLeaf_IsRejectedAsSuch()
    {
        var bundle = await BundleAsync(4, 9);
        Verify(bundle, 0, e => e with { Leaf = e.Leaf.Replace(",\"actor\":", ", \"actor\":", StringComparison.Ordinal) })
            .Failure.ShouldBe(ClaimProofFailure.NonCanonicalLeaf);
        Verify(bundle, 0, e => e with { Leaf = e.Leaf.Replace("\"desk\"", "\"d\\u0065sk\"", StringComparison.Ordinal) })
            .Failure.ShouldBe(ClaimProofFailure.NonCanonicalLeaf);
        Verify(bundle, 0, e => e with { Leaf = e.Leaf.Replace("\"sequence\":4", "\"sequence\":4.0", StringComparison.Ordinal) })
            .Failure.ShouldBe(ClaimProofFailure.MalformedLeaf);
        Verify(bundle, 0, e => e with { Leaf = e.Leaf.Replace("{\"action\":\"claim.created\",\"actor\":\"desk\",", "{\"actor\":\"desk\",\"action\":\"claim.created\",", StringComparison.Ordinal) })
            .Failure.ShouldBe(ClaimProofFailure.NonCanonicalLeaf);
    }

    public static TheoryData<string> MalformedLeaves => new()
    {
        "not json",
        "[]",
        """{"action":"a","actor":"b","changes":{},"sequence":4,"subject":"claims/c1"}""",
        """{"action":"a","actor":"b","changes":{},"extra":1,"sequence":4,"subject":"claims/c1","time":"t"}""",
        """{"action":"a","actor":"b","changes":"{}","sequence":4,"subject":"claims/c1","time":"t"}""",
        """{"action":"a","actor":"b","changes":{},"sequence":"4","subject":"claims/c1","time":"t"}""",
        """{"action":1,"actor":"b","changes":{},"sequence":4,"subject":"claims/c1","time":"t"}""",
        """{"action":"a","actor":"b","changes":{},"sequence":4,"subject":null,"time":"t"}""",
        """{"action":"a","action":"a","actor":"b","changes":{},"sequence":4,"subject":"claims/c1","time":"t"}""",
    };

    [Theory]
    [MemberData(nameof(MalformedLeaves))]
    public async Task AMalformedLeaf_IsRejectedAsSuch(string leaf)
    {
        var bundle = await BundleAsync(4, 9);
        var result = Verify(bundle, 0, e => e with { Leaf = leaf });
        result.Failure.ShouldBe(ClaimProofFailure.MalformedLeaf, result.Message);
        result.Sequence.ShouldBe(4);
    }

    [Fact]
    public async Task ALeafOfAnotherSequence_IsASequenceMismatch()
    {
        var bundle = await BundleAsync(4, 9);
        var result = Verify(bundle, 1, e => e with { Sequence = 10, InclusionProof = bundle.Entries[1].InclusionProof });
        result.Failure.ShouldBe(ClaimProofFailure.SequenceMismatch);
        result.Sequence.ShouldBe(10);
    }

    [Fact]
    public async Task AnEntryBeyondTheCheckpoint_IsRejected()
    {
        var bundle = await BundleAsync(4, 9);
        var builder = new ProofBuilder(_store);
        ClaimProofEntry[] entries = [bundle.Entries[0] with { InclusionProof = await builder.InclusionProofAsync(3, 8) }, bundle.Entries[1]];
        var smaller = new ClaimProofBundle(Claim, new Checkpoint(_log.Name, 8, await builder.RootAsync(8)).Sign(_log), entries);
        var result = ClaimProofVerifier.Verify(smaller, _log.VerifierKey);
        result.Failure.ShouldBe(ClaimProofFailure.BeyondCheckpoint);
        result.Sequence.ShouldBe(9);
    }

    [Fact]
    public async Task EntriesAboutAnotherClaim_ANamesakePrefix_OrAnUncitedSource_AreForeign()
    {
        ClaimProofVerifier.Verify(await BundleAsync(4, 5, 9), _log.VerifierKey).Failure.ShouldBe(ClaimProofFailure.ForeignSubject); // claims/c10
        ClaimProofVerifier.Verify(await BundleAsync(3, 4, 9), _log.VerifierKey).Failure.ShouldBe(ClaimProofFailure.ForeignSubject); // s2, cited by c10 only
        var uncited = ClaimProofVerifier.Verify(await BundleAsync(4, 9, 10), _log.VerifierKey);                                        // s4
        uncited.Failure.ShouldBe(ClaimProofFailure.ForeignSubject);
        uncited.Message.ShouldContain("sources/s4");
        ClaimProofVerifier.Verify(await BundleAsync(1, 4), _log.VerifierKey).Failure.ShouldBe(ClaimProofFailure.ForeignSubject);     // an API key

        // A source cited only by an evidence entry that is not in the bundle is not cited.
        ClaimProofVerifier.Verify(await BundleAsync(4, 7, 9), _log.VerifierKey).Failure.ShouldBe(ClaimProofFailure.ForeignSubject);
    }

    [Fact]
    public async Task SequencesOutOfOrderOrRepeated_AreRejected()
    {
        var bundle = await BundleAsync(4, 9);
        var swapped = new ClaimProofBundle(Claim, bundle.Checkpoint, [bundle.Entries[1], bundle.Entries[0]]);
        ClaimProofVerifier.Verify(swapped, _log.VerifierKey).Failure.ShouldBe(ClaimProofFailure.SequencesNotIncreasing);
        var repeated = new ClaimProofBundle(Claim, bundle.Checkpoint, [bundle.Entries[0], bundle.Entries[0], bundle.Entries[1]]);
        var result = ClaimProofVerifier.Verify(repeated, _log.VerifierKey);
        result.Failure.ShouldBe(ClaimProofFailure.SequencesNotIncreasing);
        result.Sequence.ShouldBe(4);
    }

    [Fact]
    public async Task ABundleWithoutAnEntryAboutTheClaimItself_SaysNothingAndIsRejected()
    {
        ClaimProofVerifier.Verify(await BundleAsync(), _log.VerifierKey).Failure.ShouldBe(ClaimProofFailure.NoClaimEntry);
        ClaimProofVerifier.Verify(await BundleAsync(6), _log.VerifierKey).Failure.ShouldBe(ClaimProofFailure.NoClaimEntry);
    }

    [Fact]
    public async Task TheFirstProblemInEntryOrder_IsTheOneNamed()
    {
        var bundle = await BundleAsync(4, 6, 9);
        var entries = bundle.Entries.ToList();
        entries[0] = entries[0] with { InclusionProof = [.. entries[0].InclusionProof.Select(Flip)] };
        entries[2] = entries[2] with { Leaf = "not json" };
        var result = ClaimProofVerifier.Verify(new ClaimProofBundle(Claim, bundle.Checkpoint, entries), _log.VerifierKey);
        result.Failure.ShouldBe(ClaimProofFailure.InvalidInclusionProof);
        result.Sequence.ShouldBe(4);
    }

    public static TheoryData<string> MalformedBundles => new()
    {
        "",
        "[]",
        """{"format":"claimledger.claim-proof.v2","claim":"claims/c1","checkpoint":"x","entries":[]}""",
        """{"claim":"claims/c1","checkpoint":"x","entries":[]}""",
        """{"format":"claimledger.claim-proof.v1","claim":"sources/s1","checkpoint":"x","entries":[]}""",
        """{"format":"claimledger.claim-proof.v1","claim":"claims/c1/evidence/e1","checkpoint":"x","entries":[]}""",
        """{"format":"claimledger.claim-proof.v1","claim":"claims/c1","checkpoint":"x","entries":{}}""",
        """{"format":"claimledger.claim-proof.v1","claim":"claims/c1","checkpoint":"x","entries":[{"sequence":0,"leaf":"{}","inclusion_proof":[]}]}""",
        """{"format":"claimledger.claim-proof.v1","claim":"claims/c1","checkpoint":"x","entries":[{"sequence":1.5,"leaf":"{}","inclusion_proof":[]}]}""",
        """{"format":"claimledger.claim-proof.v1","claim":"claims/c1","checkpoint":"x","entries":[{"sequence":1,"leaf":{},"inclusion_proof":[]}]}""",
        """{"format":"claimledger.claim-proof.v1","claim":"claims/c1","checkpoint":"x","entries":[{"sequence":1,"leaf":"{}","inclusion_proof":["not base64!"]}]}""",
        """{"format":"claimledger.claim-proof.v1","claim":"claims/c1","claim":"claims/c2","checkpoint":"x","entries":[]}""",
    };

    [Theory]
    [MemberData(nameof(MalformedBundles))]
    public void AMalformedBundle_IsRejectedAsSuch(string json)
    {
        Should.Throw<FormatException>(() => ClaimProofBundle.Parse(json));
        ClaimProofVerifier.Verify(json, _log.VerifierKey).Failure.ShouldBe(ClaimProofFailure.MalformedBundle);
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private void Add(string action, string subject, JsonObject changes)
    {
        var sequence = _leaves.Count + 1;
        _leaves.Add(CanonicalJson.ToText(new JsonObject
        {
            ["action"] = action,
            ["actor"] = "desk",
            ["changes"] = changes,
            ["sequence"] = sequence,
            ["subject"] = subject,
            ["time"] = $"2026-11-25T00:50:00.{sequence:D6}Z",
        }));
    }

    private static JsonObject Source(string url) => new() { ["url"] = url, ["title"] = "T", ["reliability"] = "0.5" };

    private static JsonObject ClaimChanges(string status, params string[] sources) => new()
    {
        ["text"] = "Grain exports rose 12%",
        ["status"] = status,
        ["verdict"] = null,
        ["evidence"] = new JsonArray([.. sources.Select(s => (JsonNode)new JsonObject { ["source"] = s, ["stance"] = "SUPPORTS" })]),
    };

    private async Task<ClaimProofBundle> BundleAsync(params long[] sequences)
    {
        var proofs = await new ProofBuilder(_store).InclusionProofsAsync([.. sequences.Select(s => s - 1)], LedgerSize);
        var checkpoint = new Checkpoint(_log.Name, LedgerSize, Root).Sign(_log);
        return new ClaimProofBundle(Claim, checkpoint, [.. sequences.Select((s, i) => new ClaimProofEntry(s, _leaves[(int)s - 1], proofs[i]))]);
    }

    private ClaimProofVerification Verify(ClaimProofBundle bundle, int entry, Func<ClaimProofEntry, ClaimProofEntry> change)
    {
        var entries = bundle.Entries.ToList();
        entries[entry] = change(entries[entry]);
        return ClaimProofVerifier.Verify(new ClaimProofBundle(bundle.Claim, bundle.Checkpoint, entries), _log.VerifierKey);
    }

    private static byte[] Flip(byte[] hash)
    {
        var copy = (byte[])hash.Clone();
        copy[7] ^= 0x10;
        return copy;
    }
}
