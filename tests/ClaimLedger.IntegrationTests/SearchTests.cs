using ClaimLedger.Contracts.V1;
using ClaimLedger.IntegrationTests.Infrastructure;

namespace ClaimLedger.IntegrationTests;

public sealed class SearchTests(ClaimLedgerServer server) : IClassFixture<ClaimLedgerServer>
{
    private readonly ClaimService.ClaimServiceClient _claims = server.Claims();

    [Fact]
    public async Task SearchClaims_RanksByBm25_AndHighlightsMatches()
    {
        var strong = await _claims.CreateClaimAsync(TestData.NewClaim("Zanzibar drones: the zanzibar ministry confirmed zanzibar drone purchases."));
        var weak = await _claims.CreateClaimAsync(TestData.NewClaim("A long statement about harbour fees, fishing quotas, ferry schedules and, once, Zanzibar."));
        await _claims.CreateClaimAsync(TestData.NewClaim("A statement that never mentions the island at all, about tariffs."));

        var result = await _claims.SearchClaimsAsync(new SearchClaimsRequest { Query = "zanzibar" });

        result.Results.Select(r => r.Claim.Name).ShouldBe([strong.Name, weak.Name]);
        result.Results[0].Relevance.ShouldBeGreaterThan(result.Results[1].Relevance);
        result.Results[0].Snippet.ShouldContain("<mark>Zanzibar</mark>");
    }

    [Fact]
    public async Task SearchClaims_SupportsPhrasesPrefixesAndStatusFilter_AndPages()
    {
        var names = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            names.Add((await _claims.CreateClaimAsync(TestData.NewClaim($"Quokka census number {i * 1000 + 17} counted on Rottnest island {Guid.NewGuid():N}"))).Name);
        }

        await _claims.StartReviewAsync(new StartReviewRequest { Name = names[2] });

        var phrase = await _claims.SearchClaimsAsync(new SearchClaimsRequest { Query = "\"rottnest island\" AND quok*", PageSize = 2 });
        phrase.Results.Count.ShouldBe(2);
        var page2 = await _claims.SearchClaimsAsync(new SearchClaimsRequest { Query = "\"rottnest island\" AND quok*", PageSize = 2, PageToken = phrase.NextPageToken });
        var page3 = await _claims.SearchClaimsAsync(new SearchClaimsRequest { Query = "\"rottnest island\" AND quok*", PageSize = 2, PageToken = page2.NextPageToken });
        phrase.Results.Concat(page2.Results).Concat(page3.Results).Select(r => r.Claim.Name).Order().ShouldBe(names.Order());
        page3.NextPageToken.ShouldBeEmpty();

        var inReview = await _claims.SearchClaimsAsync(new SearchClaimsRequest { Query = "quokka", Status = ClaimStatus.InReview });
        inReview.Results.Select(r => r.Claim.Name).ShouldBe([names[2]]);
    }

    [Theory]
    [InlineData("\"unterminated")]
    [InlineData("AND OR")]
    [InlineData("nosuchcolumn: drones")]
    [InlineData("(drones")]
    public async Task SearchClaims_MalformedQuery_IsInvalidArgumentOnQuery(string query)
    {
        var badRequest = await RpcAssert.InvalidArgument(_claims.SearchClaimsAsync(new SearchClaimsRequest { Query = query }), "query");
        badRequest.FieldViolations[0].Description.ShouldContain("syntax");
    }

    [Fact]
    public async Task SearchClaims_EmptyOrHugeQuery_IsInvalidArgument()
    {
        await RpcAssert.InvalidArgument(_claims.SearchClaimsAsync(new SearchClaimsRequest { Query = " " }), "query");
        await RpcAssert.InvalidArgument(_claims.SearchClaimsAsync(new SearchClaimsRequest { Query = new string('a', 501) }), "query");
    }

    [Fact]
    public async Task FindSimilarClaims_ReturnsCloseTextsMostSimilarFirst()
    {
        var exact = await _claims.CreateClaimAsync(TestData.NewClaim("The Kestrel dam holds back forty million cubic metres of water."));
        var close = await _claims.CreateClaimAsync(new CreateClaimRequest
        {
            Claim = new Claim { Text = "The Kestrel dam holds back forty-one million cubic metres of water.", Claimant = "x", LanguageCode = "en" },
            AllowDuplicate = true,
        });

        var similar = await _claims.FindSimilarClaimsAsync(new FindSimilarClaimsRequest { Text = "the kestrel dam holds back forty million cubic metres of water" });

        similar.Claims.Select(c => c.Claim.Name).ShouldBe([exact.Name, close.Name]);
        similar.Claims[0].Similarity.ShouldBe(1.0);
        similar.Claims[1].Similarity.ShouldBeInRange(0.8, 0.99);

        var loose = await _claims.FindSimilarClaimsAsync(new FindSimilarClaimsRequest { Text = "The Kestrel dam is empty", MinSimilarity = 0.2 });
        loose.Claims.Select(c => c.Claim.Name).ShouldContain(exact.Name);
        await RpcAssert.InvalidArgument(_claims.FindSimilarClaimsAsync(new FindSimilarClaimsRequest { Text = "x", MinSimilarity = 2 }), "min_similarity");
    }
}
