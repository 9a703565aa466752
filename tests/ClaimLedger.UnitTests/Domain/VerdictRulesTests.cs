using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Domain;

namespace ClaimLedger.UnitTests.Domain;

public sealed class VerdictRulesTests
{
    [Theory]
    [InlineData(Rating.True, 1.0)]
    [InlineData(Rating.MostlyTrue, 0.75)]
    [InlineData(Rating.Mixed, 0.5)]
    [InlineData(Rating.MostlyFalse, 0.25)]
    [InlineData(Rating.False, 0.0)]
    public void Score_OfATruthRating_IsItsNormalisedScore(Rating rating, double expected)
    {
        VerdictRules.Score(rating).ShouldBe(expected);
    }

    [Theory]
    [InlineData(Rating.Misleading)]
    [InlineData(Rating.Unproven)]
    [InlineData(Rating.Unspecified)]
    public void Score_OfARatingThatIsNotAboutTruth_IsNull(Rating rating)
    {
        VerdictRules.Score(rating).ShouldBeNull();
    }

    [Fact]
    public void EvidenceSuffices_Unproven_NeedsNoEvidence()
    {
        VerdictRules.EvidenceSuffices(Rating.Unproven, []).ShouldBeTrue();
    }

    [Theory]
    [InlineData(Rating.True)]
    [InlineData(Rating.MostlyTrue)]
    [InlineData(Rating.Mixed)]
    [InlineData(Rating.MostlyFalse)]
    [InlineData(Rating.False)]
    [InlineData(Rating.Misleading)]
    public void EvidenceSuffices_OtherRatingsWithNoEvidence_IsFalse(Rating rating)
    {
        VerdictRules.EvidenceSuffices(rating, []).ShouldBeFalse();
    }

    [Theory]
    [InlineData(Rating.True, Stance.Supports)]
    [InlineData(Rating.False, Stance.Refutes)]
    [InlineData(Rating.Misleading, Stance.Supports)]
    [InlineData(Rating.Mixed, Stance.Refutes)]
    public void EvidenceSuffices_WithOneSupportsOrRefutesItem_IsTrue(Rating rating, Stance stance)
    {
        VerdictRules.EvidenceSuffices(rating, [stance]).ShouldBeTrue();
    }

    [Theory]
    [InlineData(Rating.True)]
    [InlineData(Rating.False)]
    [InlineData(Rating.Misleading)]
    public void EvidenceSuffices_WithOnlyOriginAndContextItems_IsFalse(Rating rating)
    {
        VerdictRules.EvidenceSuffices(rating, [Stance.Origin, Stance.Context, Stance.Origin]).ShouldBeFalse();
    }

    [Fact]
    public void EvidenceSuffices_WithOriginAndContextPlusOneRefutes_IsTrue()
    {
        VerdictRules.EvidenceSuffices(Rating.False, [Stance.Origin, Stance.Context, Stance.Refutes]).ShouldBeTrue();
    }

    [Fact]
    public void EvidenceSuffices_UnprovenWithOnlyContext_IsTrue()
    {
        VerdictRules.EvidenceSuffices(Rating.Unproven, [Stance.Context]).ShouldBeTrue();
    }
}
