using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Features.Claims;
using ClaimLedger.Server.Features.History;
using static ClaimLedger.UnitTests.Features.ValidationAssertions;

namespace ClaimLedger.UnitTests.Features;

public sealed class ListClaimsValidatorTests
{
    private static readonly ListClaims.Validator Validator = new();

    private static readonly ListClaims.Query Valid = new(
        PageSize: 50, PageToken: "", Status: ClaimStatus.Verified, Topic: "drones", Claimant: "A. Minister", Source: SourceA, OrderBy: "update_time desc");

    [Fact]
    public void ValidQuery_Passes() => Validator.ShouldBeValid(Valid);

    [Fact]
    public void EmptyQuery_Passes() => Validator.ShouldBeValid(new ListClaims.Query(0, "", ClaimStatus.Unspecified, "", "", "", ""));

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("create_time")]
    [InlineData("update_time")]
    [InlineData("create_time desc")]
    [InlineData("create_time asc")]
    [InlineData("  update_time   desc ")]
    public void SupportedOrderBy_Passes(string orderBy) => Validator.ShouldBeValid(Valid with { OrderBy = orderBy });

    [Theory]
    [InlineData("text")]
    [InlineData("create_time up")]
    [InlineData("create_time desc, update_time")]
    [InlineData("create_time desc extra")]
    [InlineData("CREATE_TIME")]
    [InlineData("create_time DESC")]
    [InlineData("desc")]
    public void UnsupportedOrderBy_FailsOnOrderBy(string orderBy) => Validator.ShouldFailOnlyOn(Valid with { OrderBy = orderBy }, "order_by");

    [Fact]
    public void NegativePageSize_FailsOnPageSize() => Validator.ShouldFailOnlyOn(Valid with { PageSize = -1 }, "page_size");

    [Fact]
    public void UndefinedStatus_FailsOnStatus() => Validator.ShouldFailOnlyOn(Valid with { Status = (ClaimStatus)6 }, "status");

    [Fact]
    public void TopicOver64Characters_FailsOnTopic() => Validator.ShouldFailOnlyOn(Valid with { Topic = Text(65) }, "topic");

    [Fact]
    public void ClaimantOver300Characters_FailsOnClaimant() => Validator.ShouldFailOnlyOn(Valid with { Claimant = Text(301) }, "claimant");

    [Theory]
    [InlineData(ClaimA)]
    [InlineData("sources/1")]
    public void SourceThatIsNotASourceName_FailsOnSource(string source) => Validator.ShouldFailOnlyOn(Valid with { Source = source }, "source");

    [Theory]
    [InlineData("create_time", "create_time", false)]
    [InlineData("create_time asc", "create_time", false)]
    [InlineData("update_time desc", "update_time", true)]
    [InlineData("", "create_time", true)]
    public void Ordering_ParsesColumnAndDirection(string orderBy, string column, bool descending)
    {
        ListClaims.Ordering.TryParse(orderBy, out var ordering).ShouldBeTrue();
        ordering.Column.ShouldBe(column);
        ordering.Descending.ShouldBe(descending);
    }
}

public sealed class SearchClaimsValidatorTests
{
    private static readonly SearchClaims.Validator Validator = new();

    private static readonly SearchClaims.Query Valid = new("drones AND russia", 10, "", ClaimStatus.Unspecified);

    [Fact]
    public void ValidQuery_Passes() => Validator.ShouldBeValid(Valid);

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void MissingText_FailsOnQuery(string text) => Validator.ShouldFailOnlyOn(Valid with { Text = text }, "query");

    [Fact]
    public void TextOf500Characters_Passes() => Validator.ShouldBeValid(Valid with { Text = Text(500) });

    [Fact]
    public void TextOver500Characters_FailsOnQuery() => Validator.ShouldFailOnlyOn(Valid with { Text = Text(501) }, "query");

    [Fact]
    public void NegativePageSize_FailsOnPageSize() => Validator.ShouldFailOnlyOn(Valid with { PageSize = -1 }, "page_size");

    [Fact]
    public void UndefinedStatus_FailsOnStatus() => Validator.ShouldFailOnlyOn(Valid with { Status = (ClaimStatus)10 }, "status");
}

public sealed class FindSimilarClaimsValidatorTests
{
    private static readonly FindSimilarClaims.Validator Validator = new();

    private static readonly FindSimilarClaims.Query Valid = new("Iran supplies drones to Russia", 10, 0.6);

    [Fact]
    public void ValidQuery_Passes() => Validator.ShouldBeValid(Valid);

    [Fact]
    public void MissingText_FailsOnText() => Validator.ShouldFailOnlyOn(Valid with { Text = " " }, "text");

    [Theory]
    [InlineData(-1)]
    [InlineData(101)]
    public void PageSizeOutside0To100_FailsOnPageSize(int size) => Validator.ShouldFailOnlyOn(Valid with { PageSize = size }, "page_size");

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.01)]
    public void MinSimilarityOutside0To1_FailsOnMinSimilarity(double min) =>
        Validator.ShouldFailOnlyOn(Valid with { MinSimilarity = min }, "min_similarity");
}

public sealed class GetClaimAndHistoryValidatorTests
{
    [Fact]
    public void GetClaim_ClaimName_Passes() => new GetClaim.Validator().ShouldBeValid(new GetClaim.Query(ClaimA));

    [Theory]
    [InlineData(SourceA)]
    [InlineData("claims/")]
    [InlineData("")]
    public void GetClaim_OtherName_FailsOnName(string name) => new GetClaim.Validator().ShouldFailOnlyOn(new GetClaim.Query(name), "name");

    [Fact]
    public void ListClaimHistory_ValidQuery_Passes() => new ListClaimHistory.Validator().ShouldBeValid(new ListClaimHistory.Query(ClaimA, 5, ""));

    [Fact]
    public void ListClaimHistory_NegativePageSize_FailsOnPageSize() =>
        new ListClaimHistory.Validator().ShouldFailOnlyOn(new ListClaimHistory.Query(ClaimA, -1, ""), "page_size");
}
