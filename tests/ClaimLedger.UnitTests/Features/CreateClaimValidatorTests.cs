using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Features.Claims;
using ClaimLedger.Server.Features.Evidence;
using static ClaimLedger.UnitTests.Features.ValidationAssertions;

namespace ClaimLedger.UnitTests.Features;

public sealed class CreateClaimValidatorTests
{
    private static readonly CreateClaim.Validator Validator = new();

    private static readonly EvidenceInput ValidEvidence = new(SourceA, Stance.Origin, "He said it on air.", "00:12:30", Credibility._2ProbablyTrue);

    private static readonly CreateClaim.Command Valid = new(
        Text: "Iran supplies military drones to Russia",
        Claimant: "A. Minister",
        Claimants: [],
        ClaimTime: new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero),
        LanguageCode: "en-GB",
        Topics: ["ukraine", "drones"],
        ReviewIntervalSeconds: 86_400,
        Evidence: [ValidEvidence],
        AllowDuplicate: false,
        RequestId: "req-1");

    [Fact]
    public void ValidCommand_Passes() => Validator.ShouldBeValid(Valid);

    [Fact]
    public void StructuredClaimants_WithoutAClaimantString_Pass() =>
        Validator.ShouldBeValid(Valid with { Claimant = "", Claimants = [new Party { Name = "A. Minister", Type = Party.Types.Type.Person, SameAs = { "https://example.org/minister" } }] });

    [Fact]
    public void AClaimantWhoseUrlIsNotHttp_FailsOnThatClaimant() =>
        Validator.ShouldFailOnlyOn(Valid with { Claimants = [new Party { Name = "A. Minister", Url = "javascript:alert(1)" }] }, "claim.claimants[0].url");

    [Fact]
    public void MoreThanTwentyClaimants_FailsOnClaimants() =>
        Validator.ShouldFailOnlyOn(Valid with { Claimants = Enumerable.Range(0, 21).Select(i => new Party { Name = $"P{i}" }).ToList() }, "claim.claimants");

    [Fact]
    public void FactCheckEvidence_CarryingAReview_Passes() =>
        Validator.ShouldBeValid(Valid with
        {
            Evidence = [ValidEvidence with { Stance = Stance.FactCheck, Review = new PublishedReview { Url = "https://checks.example.org/r/1", Rating = new PublishedRating { Label = "Falso", Rating = Rating.False } } }],
        });

    [Fact]
    public void AReviewOnEvidenceThatIsNotAFactCheck_FailsOnTheReview() =>
        Validator.ShouldFailOnlyOn(Valid with { Evidence = [ValidEvidence with { Review = new PublishedReview { Url = "https://checks.example.org/r/1" } }] }, "evidence[0].review");

    [Theory]
    [InlineData(253402300800L, 0)]
    [InlineData(-62135596801L, 0)]
    [InlineData(0L, -1)]
    [InlineData(0L, 1_000_000_000)]
    public void AReviewPublishTimeOutOfRange_FailsOnThatTime_NotLater(long seconds, int nanos) =>
        Validator.ShouldFailOnlyOn(Valid with
        {
            Evidence = [ValidEvidence with { Stance = Stance.FactCheck, Review = new PublishedReview { PublishTime = new Google.Protobuf.WellKnownTypes.Timestamp { Seconds = seconds, Nanos = nanos } } }],
        }, "evidence[0].review.publish_time");

    [Fact]
    public void MinimalCommand_Passes() =>
        Validator.ShouldBeValid(Valid with { ClaimTime = null, Topics = [], ReviewIntervalSeconds = null, Evidence = [], RequestId = "" });

    [Fact]
    public void TextAtTheLimitOf2000Characters_Passes() => Validator.ShouldBeValid(Valid with { Text = Text(2000) });

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void MissingText_FailsOnClaimText(string text) => Validator.ShouldFailOnlyOn(Valid with { Text = text }, "claim.text");

    [Fact]
    public void TextOver2000Characters_FailsOnClaimText() => Validator.ShouldFailOnlyOn(Valid with { Text = Text(2001) }, "claim.text");

    [Theory]
    [InlineData("")]
    [InlineData(" \t")]
    public void MissingClaimant_FailsOnClaimClaimant(string claimant) =>
        Validator.ShouldFailOnlyOn(Valid with { Claimant = claimant }, "claim.claimant");

    [Fact]
    public void ClaimantAtTheLimitOf300Characters_Passes() => Validator.ShouldBeValid(Valid with { Claimant = Text(300) });

    [Fact]
    public void ClaimantOver300Characters_FailsOnClaimClaimant() =>
        Validator.ShouldFailOnlyOn(Valid with { Claimant = Text(301) }, "claim.claimant");

    [Theory]
    [InlineData("")]
    [InlineData("english")]
    [InlineData("en_GB")]
    [InlineData("en-")]
    public void MalformedLanguageCode_FailsOnClaimLanguageCode(string code) =>
        Validator.ShouldFailOnlyOn(Valid with { LanguageCode = code }, "claim.language_code");

    [Fact]
    public void LanguageCodeWithATrailingNewline_FailsOnClaimLanguageCode() =>
        Validator.ShouldFailOnlyOn(Valid with { LanguageCode = "en\n" }, "claim.language_code");

    [Fact]
    public void TwentyTopics_Pass() =>
        Validator.ShouldBeValid(Valid with { Topics = Enumerable.Range(0, 20).Select(i => $"topic-{i}").ToList() });

    [Fact]
    public void TwentyOneTopics_FailOnClaimTopics() =>
        Validator.ShouldFailOnlyOn(Valid with { Topics = Enumerable.Range(0, 21).Select(i => $"topic-{i}").ToList() }, "claim.topics");

    [Fact]
    public void TopicOf64Characters_Passes() => Validator.ShouldBeValid(Valid with { Topics = [Text(64)] });

    [Theory]
    [InlineData(65)]
    [InlineData(300)]
    public void TopicLongerThan64Characters_FailsOnClaimTopics(int length) =>
        Validator.ShouldFailOnlyOn(Valid with { Topics = ["ok", Text(length)] }, "claim.topics");

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("bad\ttopic")]
    [InlineData("line\nbreak")]
    public void BlankOrControlCharacterTopic_FailsOnClaimTopics(string topic) =>
        Validator.ShouldFailOnlyOn(Valid with { Topics = [topic] }, "claim.topics");

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    [InlineData(3651L * 86_400)]
    public void ReviewIntervalNotPositiveOrOver3650Days_FailsOnClaimReviewInterval(long seconds) =>
        Validator.ShouldFailOnlyOn(Valid with { ReviewIntervalSeconds = seconds }, "claim.review_interval");

    [Theory]
    [InlineData(1L)]
    [InlineData(3650L * 86_400)]
    public void ReviewIntervalWithinRange_Passes(long seconds) => Validator.ShouldBeValid(Valid with { ReviewIntervalSeconds = seconds });

    [Fact]
    public void FiftyEvidenceItems_Pass() => Validator.ShouldBeValid(Valid with { Evidence = Enumerable.Repeat(ValidEvidence, 50).ToList() });

    [Fact]
    public void FiftyOneEvidenceItems_FailOnEvidence() =>
        Validator.ShouldFailOnlyOn(Valid with { Evidence = Enumerable.Repeat(ValidEvidence, 51).ToList() }, "evidence");

    [Fact]
    public void EvidenceWithABadSource_FailsOnThatItemsSourcePath() =>
        Validator.ShouldFailOnlyOn(Valid with { Evidence = [ValidEvidence, ValidEvidence with { Source = ClaimA }] }, "evidence[1].source");

    [Fact]
    public void EvidenceWithoutStance_FailsOnThatItemsStancePath() =>
        Validator.ShouldFailOnlyOn(Valid with { Evidence = [ValidEvidence with { Stance = Stance.Unspecified }] }, "evidence[0].stance");

    [Fact]
    public void EvidenceWithAnOverlongExcerpt_FailsOnThatItemsExcerptPath() =>
        Validator.ShouldFailOnlyOn(Valid with { Evidence = [ValidEvidence, ValidEvidence, ValidEvidence with { Excerpt = Text(5001) }] }, "evidence[2].excerpt");

    [Fact]
    public void RequestIdOver128Characters_FailsOnRequestId() =>
        Validator.ShouldFailOnlyOn(Valid with { RequestId = Text(129) }, "request_id");

    [Fact]
    public void SeveralInvalidFields_AreAllReported()
    {
        var result = Validator.Validate(Valid with { Text = "", Claimant = "", LanguageCode = "english" });

        result.Errors.Select(e => e.PropertyName).ShouldBe(["claim.text", "claim.claimant", "claim.language_code"], ignoreOrder: true);
    }

    [Fact]
    public void AThousandMalformedEvidenceItems_AreOneViolationOnTheCount_NotOnePerItem()
    {
        var failures = Validator.ShouldFailOnlyOn(Valid with { Evidence = Enumerable.Repeat(ValidEvidence with { Source = "x", Stance = (Stance)99 }, 1000).ToList() }, "evidence");

        failures.Single().ErrorMessage.ShouldBe("must have at most 50 items");
    }

    [Fact]
    public void AThousandMalformedClaimants_AreOneViolationOnTheCount_NotOnePerItem()
    {
        var failures = Validator.ShouldFailOnlyOn(Valid with { Claimants = Enumerable.Repeat(new Party { Type = (Party.Types.Type)99 }, 1000).ToList() }, "claim.claimants");

        failures.Single().ErrorMessage.ShouldBe("must have at most 20 entries");
    }

    [Fact]
    public void TextWithUFFFE_WhichCannotBeNormalized_FailsOnTheText() =>
        Validator.ShouldFailOnlyOn(Valid with { Text = "Drones \uFFFE were supplied" }, "claim.text");

    [Fact]
    public void TextWithALoneSurrogate_WhichCannotBeNormalized_FailsOnTheText() =>
        Validator.ShouldFailOnlyOn(Valid with { Text = "Drones " + '\uD800' + " were supplied" }, "claim.text");

    [Fact]
    public void TextWithOtherOddCharacters_Passes() =>
        Validator.ShouldBeValid(Valid with { Text = "Drones \u202Ewere\u200F supplied \uFFFF \U0001F600" });
}
