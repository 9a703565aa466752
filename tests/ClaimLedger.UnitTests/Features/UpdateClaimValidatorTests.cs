using ClaimLedger.Contracts.V1;
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

    [Fact]
    public void AHugeMaskPath_IsQuotedShortened()
    {
        var failures = Validator.ShouldFailOnlyOn(Valid with { Paths = ["text", new string('p', 40 * 1024)] }, "update_mask");

        failures.Single().ErrorMessage.ShouldStartWith($"names fields that cannot be updated (\"{new string('p', 63)}…\"); updatable: text,");
    }

    [Fact]
    public void AThousandUnknownMaskPaths_QuoteTheFirstFiveAndCountTheRest()
    {
        var failures = Validator.ShouldFailOnlyOn(Valid with { Paths = Enumerable.Range(0, 1000).Select(i => $"no_such_{i}").ToList() }, "update_mask");

        failures.Single().ErrorMessage.ShouldStartWith("names fields that cannot be updated (\"no_such_0\", \"no_such_1\", \"no_such_2\", \"no_such_3\", \"no_such_4\" and 995 more)");
    }

    [Fact]
    public void AThousandMalformedClaimantsInTheMask_AreOneViolationOnTheCount() =>
        Validator.ShouldFailOnlyOn(Valid with { Paths = ["claimants"], Claimants = Enumerable.Repeat(new Party(), 1000).ToList() }, "claim.claimants")
            .Single().ErrorMessage.ShouldBe("must have at most 20 entries");
}
