using ClaimLedger.Server.Features.Claims;
using static ClaimLedger.UnitTests.Features.ValidationAssertions;

namespace ClaimLedger.UnitTests.Features;

public sealed class UpdateClaimValidatorTests
{
    private static readonly UpdateClaim.Validator Validator = new();

    private static readonly UpdateClaim.Command Valid = new(
        Name: ClaimA,
        Etag: "\"3\"",
        Paths: ["text", "claimant", "claim_time", "language_code", "topics", "review_interval"],
        Text: "Iran supplies military drones to Russia",
        Claimant: "A. Minister",
        Claimants: [],
        ClaimTime: null,
        LanguageCode: "pt-br",
        Topics: ["drones"],
        ReviewIntervalSeconds: 3600,
        RequestId: "");

    [Fact]
    public void ValidCommand_Passes() => Validator.ShouldBeValid(Valid);

    [Theory]
    [InlineData("")]
    [InlineData("sources/0123456789abcdef0123456789abcdef")]
    [InlineData("claims/123")]
    public void BadName_FailsOnClaimName(string name) => Validator.ShouldFailOnlyOn(Valid with { Name = name }, "claim.name");

    [Fact]
    public void EmptyMask_FailsOnUpdateMask() => Validator.ShouldFailOnlyOn(Valid with { Paths = [] }, "update_mask");

    [Fact]
    public void UnknownMaskPath_FailsOnUpdateMaskNamingThePath()
    {
        var failures = Validator.ShouldFailOnlyOn(Valid with { Paths = ["text", "status"] }, "update_mask");

        failures.Single().ErrorMessage.ShouldContain("status");
    }

    [Theory]
    [InlineData("name")]
    [InlineData("etag")]
    [InlineData("Text")]
    public void NonUpdatableMaskPath_IsRejected(string path) =>
        Validator.Validate(Valid with { Paths = [path] }).IsValid.ShouldBeFalse();

    [Fact]
    public void FieldsOutsideTheMask_AreNotValidated() =>
        Validator.ShouldBeValid(Valid with { Paths = ["claimant"], Text = "", LanguageCode = "english", Topics = [""], ReviewIntervalSeconds = -1 });

    [Fact]
    public void EmptyTextInTheMask_FailsOnClaimText() =>
        Validator.ShouldFailOnlyOn(Valid with { Paths = ["text"], Text = " " }, "claim.text");

    [Fact]
    public void OverlongTextInTheMask_FailsOnClaimText() =>
        Validator.ShouldFailOnlyOn(Valid with { Paths = ["text"], Text = Text(2001) }, "claim.text");

    [Fact]
    public void OverlongClaimantInTheMask_FailsOnClaimClaimant() =>
        Validator.ShouldFailOnlyOn(Valid with { Paths = ["claimant"], Claimant = Text(301) }, "claim.claimant");

    [Fact]
    public void BadLanguageInTheMask_FailsOnClaimLanguageCode() =>
        Validator.ShouldFailOnlyOn(Valid with { Paths = ["language_code"], LanguageCode = "en_GB" }, "claim.language_code");

    [Fact]
    public void TooManyTopicsInTheMask_FailsOnClaimTopics() =>
        Validator.ShouldFailOnlyOn(Valid with { Paths = ["topics"], Topics = Enumerable.Range(0, 21).Select(i => $"t{i}").ToList() }, "claim.topics");

    [Fact]
    public void BadReviewIntervalInTheMask_FailsOnClaimReviewInterval() =>
        Validator.ShouldFailOnlyOn(Valid with { Paths = ["review_interval"], ReviewIntervalSeconds = 0 }, "claim.review_interval");

    [Fact]
    public void OverlongEtag_FailsOnClaimEtag() => Validator.ShouldFailOnlyOn(Valid with { Etag = Text(65) }, "claim.etag");

    [Fact]
    public void EmptyEtag_Passes() => Validator.ShouldBeValid(Valid with { Etag = "" });
}
