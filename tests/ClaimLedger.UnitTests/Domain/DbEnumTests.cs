using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Domain;

namespace ClaimLedger.UnitTests.Domain;

public sealed class DbEnumTests
{
    [Theory]
    [InlineData(ClaimStatus.Unspecified, "CLAIM_STATUS_UNSPECIFIED")]
    [InlineData(ClaimStatus.Unverified, "UNVERIFIED")]
    [InlineData(ClaimStatus.InReview, "IN_REVIEW")]
    [InlineData(ClaimStatus.Verified, "VERIFIED")]
    [InlineData(ClaimStatus.Stale, "STALE")]
    [InlineData(ClaimStatus.Retracted, "RETRACTED")]
    public void ToDb_ClaimStatus_UsesTheProtoName(ClaimStatus value, string expected)
    {
        DbEnum.ToDb(value).ShouldBe(expected);
    }

    [Theory]
    [InlineData(Rating.True, "TRUE")]
    [InlineData(Rating.MostlyTrue, "MOSTLY_TRUE")]
    [InlineData(Rating.Mixed, "MIXED")]
    [InlineData(Rating.MostlyFalse, "MOSTLY_FALSE")]
    [InlineData(Rating.False, "FALSE")]
    [InlineData(Rating.Misleading, "MISLEADING")]
    [InlineData(Rating.Unproven, "UNPROVEN")]
    public void ToDb_Rating_UsesTheProtoName(Rating value, string expected)
    {
        DbEnum.ToDb(value).ShouldBe(expected);
    }

    [Theory]
    [InlineData(Stance.Origin, "ORIGIN")]
    [InlineData(Stance.Supports, "SUPPORTS")]
    [InlineData(Stance.Refutes, "REFUTES")]
    [InlineData(Stance.Context, "CONTEXT")]
    public void ToDb_Stance_UsesTheProtoName(Stance value, string expected)
    {
        DbEnum.ToDb(value).ShouldBe(expected);
    }

    [Theory]
    [InlineData(SourceKind.NewsArticle, "NEWS_ARTICLE")]
    [InlineData(SourceKind.OfficialStatement, "OFFICIAL_STATEMENT")]
    [InlineData(SourceKind.PrimaryDocument, "PRIMARY_DOCUMENT")]
    [InlineData(SourceKind.SocialPost, "SOCIAL_POST")]
    [InlineData(SourceKind.Dataset, "DATASET")]
    [InlineData(SourceKind.Other, "OTHER")]
    public void ToDb_SourceKind_UsesTheProtoName(SourceKind value, string expected)
    {
        DbEnum.ToDb(value).ShouldBe(expected);
    }

    [Fact]
    public void ToDb_PrefixedProtoNames_KeepTheirPrefix()
    {
        DbEnum.ToDb(Reliability.BUsuallyReliable).ShouldBe("RELIABILITY_B_USUALLY_RELIABLE");
        DbEnum.ToDb(Credibility._2ProbablyTrue).ShouldBe("CREDIBILITY_2_PROBABLY_TRUE");
        DbEnum.ToDb(RetractionReason.OutOfScope).ShouldBe("OUT_OF_SCOPE");
    }

    [Fact]
    public void ParseOfToDb_RoundTripsEveryClaimStatus() => AssertRoundTrips<ClaimStatus>();

    [Fact]
    public void ParseOfToDb_RoundTripsEveryRating() => AssertRoundTrips<Rating>();

    [Fact]
    public void ParseOfToDb_RoundTripsEveryStance() => AssertRoundTrips<Stance>();

    [Fact]
    public void ParseOfToDb_RoundTripsEverySourceKind() => AssertRoundTrips<SourceKind>();

    [Fact]
    public void ParseOfToDb_RoundTripsEveryReliabilityCredibilityAndRetractionReason()
    {
        AssertRoundTrips<Reliability>();
        AssertRoundTrips<Credibility>();
        AssertRoundTrips<RetractionReason>();
    }

    [Theory]
    [InlineData("IN_REVIEW", ClaimStatus.InReview)]
    [InlineData("RETRACTED", ClaimStatus.Retracted)]
    public void Parse_ProtoName_GivesTheValue(string name, ClaimStatus expected)
    {
        DbEnum.Parse<ClaimStatus>(name).ShouldBe(expected);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("in_review")]  // names are case-sensitive
    [InlineData("InReview")]   // the C# name is not the stored name
    [InlineData("NO_SUCH_STATUS")]
    public void Parse_UnknownOrNull_GivesTheDefault(string? name)
    {
        DbEnum.Parse<ClaimStatus>(name).ShouldBe(ClaimStatus.Unspecified);
    }

    [Fact]
    public void Parse_Null_GivesTheDefaultOfEveryEnum()
    {
        DbEnum.Parse<Rating>(null).ShouldBe(Rating.Unspecified);
        DbEnum.Parse<Stance>(null).ShouldBe(Stance.Unspecified);
        DbEnum.Parse<SourceKind>(null).ShouldBe(SourceKind.Unspecified);
    }

    [Fact]
    public void ToDbOrNull_Unspecified_IsNull()
    {
        DbEnum.ToDbOrNull(ClaimStatus.Unspecified).ShouldBeNull();
        DbEnum.ToDbOrNull(Rating.Unspecified).ShouldBeNull();
        DbEnum.ToDbOrNull(Stance.Unspecified).ShouldBeNull();
        DbEnum.ToDbOrNull(Reliability.Unspecified).ShouldBeNull();
    }

    [Fact]
    public void ToDbOrNull_DefinedValue_IsTheProtoName()
    {
        DbEnum.ToDbOrNull(ClaimStatus.Verified).ShouldBe("VERIFIED");
        DbEnum.ToDbOrNull(Credibility._6CannotBeJudged).ShouldBe("CREDIBILITY_6_CANNOT_BE_JUDGED");
    }

    [Fact]
    public void ToDb_UndefinedValue_Throws()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => DbEnum.ToDb((ClaimStatus)99));
    }

    private static void AssertRoundTrips<T>() where T : struct, Enum
    {
        var values = Enum.GetValues<T>();
        values.Length.ShouldBeGreaterThan(1);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            var name = DbEnum.ToDb(value);
            names.Add(name).ShouldBeTrue($"{typeof(T).Name}.{value} shares the stored name \"{name}\"");
            name.ShouldMatch("^[A-Z0-9_]+$");
            DbEnum.Parse<T>(name).ShouldBe(value);
        }
    }
}
