using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Features.Evidence;
using static ClaimLedger.UnitTests.Features.ValidationAssertions;

namespace ClaimLedger.UnitTests.Features;

public sealed class AddEvidenceValidatorTests
{
    private static readonly AddEvidence.Validator Validator = new();

    private static readonly EvidenceInput ValidInput = new(SourceA, Stance.Refutes, "No shipments were recorded.", "table 2", Credibility.Unspecified);

    private static readonly AddEvidence.Command Valid = new(ClaimA, ValidInput, "add-1");

    [Fact]
    public void ValidCommand_Passes() => Validator.ShouldBeValid(Valid);

    [Theory]
    [InlineData(Stance.Origin)]
    [InlineData(Stance.Supports)]
    [InlineData(Stance.Context)]
    public void EveryDefinedStance_Passes(Stance stance) => Validator.ShouldBeValid(Valid with { Evidence = ValidInput with { Stance = stance } });

    [Theory]
    [InlineData(SourceA)]
    [InlineData("claims/1")]
    [InlineData("")]
    public void ParentThatIsNotAClaim_FailsOnParent(string parent) => Validator.ShouldFailOnlyOn(Valid with { Parent = parent }, "parent");

    [Theory]
    [InlineData(ClaimA)]
    [InlineData("sources/XYZ")]
    [InlineData("")]
    public void SourceThatIsNotASource_FailsOnEvidenceSource(string source) =>
        Validator.ShouldFailOnlyOn(Valid with { Evidence = ValidInput with { Source = source } }, "evidence.source");

    [Theory]
    [InlineData(Stance.Unspecified)]
    [InlineData((Stance)8)]
    public void UnspecifiedOrUndefinedStance_FailsOnEvidenceStance(Stance stance) =>
        Validator.ShouldFailOnlyOn(Valid with { Evidence = ValidInput with { Stance = stance } }, "evidence.stance");

    [Fact]
    public void ExcerptOf5000Characters_Passes() => Validator.ShouldBeValid(Valid with { Evidence = ValidInput with { Excerpt = Text(5000) } });

    [Fact]
    public void ExcerptOver5000Characters_FailsOnEvidenceExcerpt() =>
        Validator.ShouldFailOnlyOn(Valid with { Evidence = ValidInput with { Excerpt = Text(5001) } }, "evidence.excerpt");

    [Fact]
    public void LocatorOver200Characters_FailsOnEvidenceLocator() =>
        Validator.ShouldFailOnlyOn(Valid with { Evidence = ValidInput with { Locator = Text(201) } }, "evidence.locator");

    [Fact]
    public void UndefinedCredibility_FailsOnEvidenceCredibility() =>
        Validator.ShouldFailOnlyOn(Valid with { Evidence = ValidInput with { Credibility = (Credibility)7 } }, "evidence.credibility");

    [Fact]
    public void OverlongRequestId_FailsOnRequestId() => Validator.ShouldFailOnlyOn(Valid with { RequestId = Text(129) }, "request_id");

    [Fact]
    public void EvidenceInputFromNull_IsInvalidOnSourceAndStance()
    {
        var result = Validator.Validate(Valid with { Evidence = EvidenceInput.From(null) });

        result.Errors.Select(e => e.PropertyName).ShouldBe(["evidence.source", "evidence.stance"], ignoreOrder: true);
    }
}

public sealed class RemoveEvidenceValidatorTests
{
    private static readonly RemoveEvidence.Validator Validator = new();

    private static readonly RemoveEvidence.Command Valid = new($"{ClaimA}/evidence/{EvidenceIdA}", "\"1\"", "");

    [Fact]
    public void ValidCommand_Passes() => Validator.ShouldBeValid(Valid);

    [Theory]
    [InlineData(ClaimA)]
    [InlineData(SourceA)]
    public void NameThatIsNotEvidence_FailsOnName(string name) => Validator.ShouldFailOnlyOn(Valid with { Name = name }, "name");

    [Fact]
    public void OverlongEtag_FailsOnEtag() => Validator.ShouldFailOnlyOn(Valid with { Etag = Text(65) }, "etag");
}

public sealed class ListEvidenceValidatorTests
{
    private static readonly ListEvidence.Validator Validator = new();

    private static readonly ListEvidence.Query Valid = new(ClaimA, 0, "", Stance.Unspecified, false);

    [Fact]
    public void ValidQuery_Passes() => Validator.ShouldBeValid(Valid);

    [Fact]
    public void BadParent_FailsOnParent() => Validator.ShouldFailOnlyOn(Valid with { Parent = SourceA }, "parent");

    [Fact]
    public void NegativePageSize_FailsOnPageSize() => Validator.ShouldFailOnlyOn(Valid with { PageSize = -3 }, "page_size");

    [Fact]
    public void UndefinedStance_FailsOnStance() => Validator.ShouldFailOnlyOn(Valid with { Stance = (Stance)99 }, "stance");
}
