using ClaimLedger.Contracts.V1;
using ClaimLedger.IntegrationTests.Infrastructure;

namespace ClaimLedger.IntegrationTests;

/// <summary>SearchClaims ranks the most recent Search:RankingWindow matches (ADR 0016); here the window is 3.</summary>
public sealed class SearchRankingWindowTests : IAsyncLifetime
{
    private readonly ClaimLedgerServer _server = new() { Settings = { ["Search:RankingWindow"] = "3" } };

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task AQueryMatchingMoreThanTheWindow_RanksTheNewestMatches_ByBm25()
    {
        var claims = _server.Claims();
        // The oldest is the best match by far, but four newer claims also match.
        var best = await claims.CreateClaimAsync(TestData.NewClaim("Wombat wombat wombat: the wombat survey counted wombats."));
        var newer = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            newer.Add((await claims.CreateClaimAsync(TestData.NewClaim($"A long report on rainfall, rivers and roads that mentions a wombat once, number {i} {Guid.NewGuid():N}"))).Name);
        }

        var all = await claims.SearchClaimsAsync(new SearchClaimsRequest { Query = "wombat", PageSize = 10 });

        all.Results.Select(r => r.Claim.Name).ShouldBe(newer.Skip(1).Reverse(), ignoreOrder: true);
        all.Results.Select(r => r.Claim.Name).ShouldNotContain(best.Name);
        all.NextPageToken.ShouldBeEmpty();

        // A narrower query reaches the older claim.
        var narrow = await claims.SearchClaimsAsync(new SearchClaimsRequest { Query = "wombat AND survey" });
        narrow.Results.Select(r => r.Claim.Name).ShouldBe([best.Name]);
        narrow.Results[0].Snippet.ShouldContain("<mark>");
    }

    [Fact]
    public async Task WithAStatusFilter_TheWindowCountsOnlyClaimsInThatStatus()
    {
        var claims = _server.Claims();
        var reviewed = await claims.CreateClaimAsync(TestData.NewClaim($"Numbat sighting reported near the fence {Guid.NewGuid():N}"));
        await claims.StartReviewAsync(new StartReviewRequest { Name = reviewed.Name });
        for (var i = 0; i < 4; i++)
        {
            await claims.CreateClaimAsync(TestData.NewClaim($"Numbat count {i} along another fence line {Guid.NewGuid():N}"));
        }

        var inReview = await claims.SearchClaimsAsync(new SearchClaimsRequest { Query = "numbat", Status = ClaimStatus.InReview });

        inReview.Results.Select(r => r.Claim.Name).ShouldBe([reviewed.Name]);
    }
}
