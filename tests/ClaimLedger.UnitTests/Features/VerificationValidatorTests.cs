using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Features.Verification;
using static ClaimLedger.UnitTests.Features.ValidationAssertions;

namespace ClaimLedger.UnitTests.Features;

public sealed class SubmitVerdictValidatorTests
{
    private static readonly SubmitVerdict.Validator Validator = new();

    private static readonly SubmitVerdict.Command Valid = new(
        Name: ClaimA,
        Rating: Rating.MostlyFalse,
        Rationale: "Shipping records show no such deliveries.",
        Evidence: [$"{ClaimA}/evidence/{EvidenceIdA}", $"{ClaimA}/evidence/{EvidenceIdB}"],
        Etag: "\"2\"",
        RequestId: "verdict-1");

    [Fact]
    public void ValidCommand_Passes() => Validator.ShouldBeValid(Valid);

    [Fact]
    public void UnprovenWithoutEvidence_Passes() => Validator.ShouldBeValid(Valid with { Rating = Rating.Unproven, Evidence = [] });

    [Fact]
    public void BadName_FailsOnName() =>
        Validator.ShouldFailOnlyOn(Valid with { Name = "claims/x", Evidence = [] }, "name");

    [Theory]
    [InlineData(Rating.Unspecified)]
    [InlineData((Rating)42)]
    public void UnspecifiedOrUndefinedRating_FailsOnRating(Rating rating) =>
        Validator.ShouldFailOnlyOn(Valid with { Rating = rating }, "rating");

    [Theory]
    [InlineData("")]
    [InlineData("  \n ")]
    public void MissingRationale_FailsOnRationale(string rationale) =>
        Validator.ShouldFailOnlyOn(Valid with { Rationale = rationale }, "rationale");

    [Fact]
    public void RationaleOf10000Characters_Passes() => Validator.ShouldBeValid(Valid with { Rationale = Text(10_000) });

    [Fact]
    public void RationaleOver10000Characters_FailsOnRationale() =>
        Validator.ShouldFailOnlyOn(Valid with { Rationale = Text(10_001) }, "rationale");

    [Fact]
    public void EvidenceOfAnotherClaim_FailsOnThatItem() =>
        Validator.ShouldFailOnlyOn(Valid with { Evidence = [$"{ClaimA}/evidence/{EvidenceIdA}", $"{ClaimB}/evidence/{EvidenceIdB}"] }, "evidence[1]");

    [Theory]
    [InlineData(SourceA)]
    [InlineData(ClaimA)]
    [InlineData("claims/0123456789abcdef0123456789abcdef/verdicts/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1")]
    [InlineData("")]
    public void ItemThatIsNotEvidence_FailsOnThatItem(string item) =>
        Validator.ShouldFailOnlyOn(Valid with { Evidence = [item] }, "evidence[0]");

    [Fact]
    public void RepeatedEvidence_FailsOnEvidence() =>
        Validator.ShouldFailOnlyOn(Valid with { Evidence = [$"{ClaimA}/evidence/{EvidenceIdA}", $"{ClaimA}/evidence/{EvidenceIdA}"] }, "evidence");

    [Fact]
    public void HundredEvidenceItems_Pass() =>
        Validator.ShouldBeValid(Valid with { Evidence = Enumerable.Range(0, 100).Select(i => $"{ClaimA}/evidence/{i:x32}").ToList() });

    [Fact]
    public void HundredAndOneEvidenceItems_FailOnEvidence() =>
        Validator.ShouldFailOnlyOn(Valid with { Evidence = Enumerable.Range(0, 101).Select(i => $"{ClaimA}/evidence/{i:x32}").ToList() }, "evidence");

    [Fact]
    public void AThousandMalformedEvidenceItems_AreOneViolationOnTheCount_NotOnePerItem()
    {
        var failures = Validator.ShouldFailOnlyOn(Valid with { Evidence = Enumerable.Range(0, 1000).Select(i => $"not evidence {i}").ToList() }, "evidence");

        failures.Single().ErrorMessage.ShouldBe("must have at most 100 items");
    }

    [Fact]
    public void OverlongEtag_FailsOnEtag() => Validator.ShouldFailOnlyOn(Valid with { Etag = Text(65) }, "etag");

    [Fact]
    public void OverlongRequestId_FailsOnRequestId() => Validator.ShouldFailOnlyOn(Valid with { RequestId = Text(129) }, "request_id");
}

public sealed class RetractClaimValidatorTests
{
    private static readonly RetractClaim.Validator Validator = new();

    private static readonly RetractClaim.Command Valid = new(ClaimA, RetractionReason.Withdrawn, "The claimant withdrew it.", "", "\"4\"", "");

    [Fact]
    public void WithdrawnWithoutDuplicateOf_Passes() => Validator.ShouldBeValid(Valid);

    [Fact]
    public void OutOfScope_Passes() => Validator.ShouldBeValid(Valid with { Reason = RetractionReason.OutOfScope, Note = "" });

    [Fact]
    public void DuplicateOfAnotherClaim_Passes() =>
        Validator.ShouldBeValid(Valid with { Reason = RetractionReason.Duplicate, DuplicateOf = ClaimB });

    [Fact]
    public void DuplicateWithoutDuplicateOf_FailsOnDuplicateOf() =>
        Validator.ShouldFailOnlyOn(Valid with { Reason = RetractionReason.Duplicate, DuplicateOf = "" }, "duplicate_of");

    [Theory]
    [InlineData(SourceA)]
    [InlineData("claims/abc")]
    public void DuplicateOfSomethingThatIsNotAClaim_FailsOnDuplicateOf(string duplicateOf) =>
        Validator.ShouldFailOnlyOn(Valid with { Reason = RetractionReason.Duplicate, DuplicateOf = duplicateOf }, "duplicate_of");

    [Fact]
    public void DuplicateOfItself_FailsOnDuplicateOf() =>
        Validator.ShouldFailOnlyOn(Valid with { Reason = RetractionReason.Duplicate, DuplicateOf = ClaimA }, "duplicate_of");

    [Theory]
    [InlineData(RetractionReason.Withdrawn)]
    [InlineData(RetractionReason.OutOfScope)]
    public void DuplicateOfWithAnotherReason_FailsOnDuplicateOf(RetractionReason reason) =>
        Validator.ShouldFailOnlyOn(Valid with { Reason = reason, DuplicateOf = ClaimB }, "duplicate_of");

    [Theory]
    [InlineData(RetractionReason.Unspecified)]
    [InlineData((RetractionReason)9)]
    public void UnspecifiedOrUndefinedReason_FailsOnReason(RetractionReason reason) =>
        Validator.ShouldFailOnlyOn(Valid with { Reason = reason }, "reason");

    [Fact]
    public void BadName_FailsOnName() => Validator.ShouldFailOnlyOn(Valid with { Name = "claims/ABC" }, "name");

    [Fact]
    public void EmptyNameWithoutDuplicateOf_FailsOnlyOnName() => Validator.ShouldFailOnlyOn(Valid with { Name = "" }, "name");

    [Fact]
    public void NoteOver2000Characters_FailsOnNote() => Validator.ShouldFailOnlyOn(Valid with { Note = Text(2001) }, "note");

    [Fact]
    public void OverlongEtag_FailsOnEtag() => Validator.ShouldFailOnlyOn(Valid with { Etag = Text(65) }, "etag");
}

public sealed class StartReviewValidatorTests
{
    private static readonly StartReview.Validator Validator = new();

    private static readonly StartReview.Command Valid = new(ClaimA, "\"1\"", "Taking this one.", "");

    [Fact]
    public void ValidCommand_Passes() => Validator.ShouldBeValid(Valid);

    [Fact]
    public void BadName_FailsOnName() => Validator.ShouldFailOnlyOn(Valid with { Name = SourceA }, "name");

    [Fact]
    public void NoteOver2000Characters_FailsOnNote() => Validator.ShouldFailOnlyOn(Valid with { Note = Text(2001) }, "note");

    [Fact]
    public void OverlongRequestId_FailsOnRequestId() => Validator.ShouldFailOnlyOn(Valid with { RequestId = Text(129) }, "request_id");
}
