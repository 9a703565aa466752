using System.Text.RegularExpressions;
using ClaimLedger.Server.Domain;

namespace ClaimLedger.UnitTests.Domain;

public sealed class ResourceNamesTests
{
    private const string IdA = "0123456789abcdef0123456789abcdef";
    private const string IdB = "fedcba9876543210fedcba9876543210";

    [Fact]
    public void NewId_Is32LowerCaseHexCharacters()
    {
        var id = ResourceNames.NewId();

        id.Length.ShouldBe(32);
        Regex.IsMatch(id, "^[0-9a-f]{32}$").ShouldBeTrue($"\"{id}\" is not 32 lower-case hex characters");
    }

    [Fact]
    public void NewId_IsDifferentOnEveryCall()
    {
        var ids = Enumerable.Range(0, 200).Select(_ => ResourceNames.NewId()).ToList();

        ids.Distinct(StringComparer.Ordinal).Count().ShouldBe(200);
    }

    [Fact]
    public void NewId_IsAVersion7Uuid()
    {
        var id = ResourceNames.NewId();

        // The 13th hex digit is the UUID version.
        id[12].ShouldBe('7');
    }

    [Fact]
    public void Claim_FormatsAndParsesBack()
    {
        var name = ResourceNames.Claim(IdA);

        name.ShouldBe("claims/" + IdA);
        ResourceNames.TryParseClaim(name, out var id).ShouldBeTrue();
        id.ShouldBe(IdA);
    }

    [Fact]
    public void Source_FormatsAndParsesBack()
    {
        var name = ResourceNames.Source(IdB);

        name.ShouldBe("sources/" + IdB);
        ResourceNames.TryParseSource(name, out var id).ShouldBeTrue();
        id.ShouldBe(IdB);
    }

    [Fact]
    public void Evidence_FormatsAndParsesBackToBothIds()
    {
        var name = ResourceNames.Evidence(IdA, IdB);

        name.ShouldBe($"claims/{IdA}/evidence/{IdB}");
        ResourceNames.TryParseEvidence(name, out var claimId, out var evidenceId).ShouldBeTrue();
        claimId.ShouldBe(IdA);
        evidenceId.ShouldBe(IdB);
    }

    [Fact]
    public void Verdict_FormatsUnderTheClaim()
    {
        ResourceNames.Verdict(IdA, IdB).ShouldBe($"claims/{IdA}/verdicts/{IdB}");
    }

    [Fact]
    public void NewId_RoundTripsThroughEveryName()
    {
        var id = ResourceNames.NewId();

        ResourceNames.TryParseClaim(ResourceNames.Claim(id), out var claimId).ShouldBeTrue();
        claimId.ShouldBe(id);
        ResourceNames.TryParseSource(ResourceNames.Source(id), out var sourceId).ShouldBeTrue();
        sourceId.ShouldBe(id);
    }

    [Theory]
    [InlineData("sources/" + IdA)]                          // wrong collection
    [InlineData("claim/" + IdA)]
    [InlineData("claims/0123456789ABCDEF0123456789ABCDEF")] // upper-case hex
    [InlineData("claims/" + IdA + "/evidence/" + IdB)]      // extra segments
    [InlineData("claims/" + IdA + "/")]
    [InlineData("/claims/" + IdA)]
    [InlineData("claims/0123456789abcdef0123456789abcde")]  // 31 characters
    [InlineData("claims/0123456789abcdef0123456789abcdef0")] // 33 characters
    [InlineData("claims/0123456789abcdef0123456789abcdeg")] // not hex
    [InlineData("")]
    [InlineData(null)]
    public void TryParseClaim_RejectsAnythingButAClaimName(string? name)
    {
        ResourceNames.TryParseClaim(name, out var id).ShouldBeFalse();
        id.ShouldBeEmpty();
        ResourceNames.IsClaim(name).ShouldBeFalse();
    }

    [Theory]
    [InlineData("claims/" + IdA)]
    [InlineData("sources/0123456789ABCDEF0123456789ABCDEF")]
    [InlineData("sources/" + IdA + "/evidence/" + IdB)]
    [InlineData("")]
    [InlineData(null)]
    public void TryParseSource_RejectsAnythingButASourceName(string? name)
    {
        ResourceNames.TryParseSource(name, out var id).ShouldBeFalse();
        id.ShouldBeEmpty();
        ResourceNames.IsSource(name).ShouldBeFalse();
    }

    [Theory]
    [InlineData("claims/" + IdA)]
    [InlineData("sources/" + IdA + "/evidence/" + IdB)]
    [InlineData("claims/" + IdA + "/verdicts/" + IdB)]
    [InlineData("claims/" + IdA + "/evidence/" + IdB + "/x")]
    [InlineData("claims/" + IdA + "/evidence/FEDCBA9876543210FEDCBA9876543210")]
    [InlineData(null)]
    public void TryParseEvidence_RejectsAnythingButAnEvidenceName(string? name)
    {
        ResourceNames.TryParseEvidence(name, out var claimId, out var evidenceId).ShouldBeFalse();
        claimId.ShouldBeEmpty();
        evidenceId.ShouldBeEmpty();
        ResourceNames.IsEvidence(name).ShouldBeFalse();
    }

    [Fact]
    public void TryParseClaim_WithATrailingNewline_IsRejected()
    {
        ResourceNames.IsClaim($"claims/{IdA}\n").ShouldBeFalse();
    }

    [Fact]
    public void TryParseSource_WithATrailingNewline_IsRejected()
    {
        ResourceNames.IsSource($"sources/{IdA}\n").ShouldBeFalse();
    }

    [Fact]
    public void TryParseEvidence_WithATrailingNewline_IsRejected()
    {
        ResourceNames.IsEvidence($"claims/{IdA}/evidence/{IdB}\n").ShouldBeFalse();
    }
}
