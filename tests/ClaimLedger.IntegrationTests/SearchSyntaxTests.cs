using ClaimLedger.Contracts.V1;
using ClaimLedger.IntegrationTests.Infrastructure;

namespace ClaimLedger.IntegrationTests;

/// <summary>
/// SearchClaims's query syntax — words, "phrases", AND/OR/NOT, prefix*, NEAR(a b [, N]), parentheses — finds the same
/// claims on both engines (SQLite: FTS5; PostgreSQL: tsquery), and malformed queries are refused in the same words.
/// Every query here names the test's own marker word, so claims of other tests never match.
/// </summary>
public sealed class SearchSyntaxTests(ClaimLedgerServer server) : IClassFixture<ClaimLedgerServer>
{
    private const string Hint = "; quote words containing punctuation, e.g. \"S-400\"";

    private readonly ClaimService.ClaimServiceClient _claims = server.Claims();

    [Fact]
    public async Task EveryDocumentedConstruct_FindsTheSameClaims()
    {
        var m = Marker();
        var c = await CreateAsync(
            $"{m} drones were seen over the northern harbour at dawn",
            $"{m} harbour officials denied that any drones were seen",
            $"{m} the northern harbour reopened after the storm",
            $"{m} Zürich police confirmed the drone sighting",
            $"{m} The S-400 system was deployed near the harbour",
            $"{m} Officials don't expect further sightings");

        (await FoundAsync($"{m} drones")).ShouldBe([c[0], c[1]], ignoreOrder: true);
        (await FoundAsync($"{m} AND drones")).ShouldBe([c[0], c[1]], ignoreOrder: true);
        (await FoundAsync($"{m} drone*")).ShouldBe([c[0], c[1], c[3]], ignoreOrder: true);
        (await FoundAsync($"{m} \"northern harbour\"")).ShouldBe([c[0], c[2]], ignoreOrder: true);
        (await FoundAsync($"{m} \"northern harb\"*")).ShouldBe([c[0], c[2]], ignoreOrder: true);
        (await FoundAsync($"{m} AND (drones OR storm)")).ShouldBe([c[0], c[1], c[2]], ignoreOrder: true);
        (await FoundAsync($"{m} drones OR {m} storm")).ShouldBe([c[0], c[1], c[2]], ignoreOrder: true);
        (await FoundAsync($"{m} harbour NOT drones")).ShouldBe([c[2], c[4]], ignoreOrder: true);
        (await FoundAsync($"{m} police + confirmed")).ShouldBe([c[3]]);
        (await FoundAsync($"{m} \"S-400\"")).ShouldBe([c[4]]);
        (await FoundAsync($"{m} \"don't\"")).ShouldBe([c[5]]);
        (await FoundAsync($"{m} and drones")).ShouldBeEmpty(); // lower-case "and" is a word, which no claim here has
    }

    [Fact]
    public async Task Near_CountsTheTokensBetween_InEitherOrder()
    {
        var m = Marker();
        // drones … harbour: five tokens between in the first claim, four (harbour … drones) in the second.
        var c = await CreateAsync(
            $"{m} drones were seen over the northern harbour at dawn",
            $"{m} harbour officials denied that any drones were seen",
            $"{m} the northern harbour reopened after the storm");

        (await FoundAsync($"{m} NEAR(drones harbour, 3)")).ShouldBeEmpty();
        (await FoundAsync($"{m} NEAR(drones harbour, 4)")).ShouldBe([c[1]]);
        (await FoundAsync($"{m} NEAR(drones harbour, 5)")).ShouldBe([c[0], c[1]], ignoreOrder: true);
        (await FoundAsync($"{m} NEAR(drones harbour)")).ShouldBe([c[0], c[1]], ignoreOrder: true);
        (await FoundAsync($"{m} NEAR(\"northern harbour\" storm, 3)")).ShouldBe([c[2]]);
        (await FoundAsync($"{m} NEAR(\"northern harbour\" storm, 2)")).ShouldBeEmpty();
        // Three phrases: officials … seen span six tokens from the start of one to the start of the other.
        (await FoundAsync($"{m} NEAR(drones seen officials, 4)")).ShouldBeEmpty();
        (await FoundAsync($"{m} NEAR(drones seen officials, 5)")).ShouldBe([c[1]]);
    }

    [Fact]
    public async Task CaseAndAccents_AreFolded_BothWays()
    {
        var m = Marker();
        var c = await CreateAsync($"{m} Zürich police confirmed the sighting", $"{m} the ZURICH office denied it", $"{m} São Paulo kept quiet");

        (await FoundAsync($"{m} zurich")).ShouldBe([c[0], c[1]], ignoreOrder: true);
        (await FoundAsync($"{m} ZÜRICH")).ShouldBe([c[0], c[1]], ignoreOrder: true);
        (await FoundAsync($"{m} \"sao paulo\"")).ShouldBe([c[2]]);
        (await FoundAsync($"{m} zür*")).ShouldBe([c[0], c[1]], ignoreOrder: true);
    }

    [Fact]
    public async Task PhrasesWithoutLetters_MatchNothing_AsInFts5()
    {
        var m = Marker();
        var c = await CreateAsync($"{m} the harbour – reopened", $"{m} the storm");

        (await FoundAsync($"{m} \"–\"")).ShouldBe(c, ignoreOrder: true); // vanishes from an implicit AND
        (await FoundAsync($"{m} AND \"–\"")).ShouldBeEmpty();            // makes an explicit AND match nothing
        (await FoundAsync($"{m} NOT \"–\"")).ShouldBe(c, ignoreOrder: true);
        (await FoundAsync("\"–\"")).ShouldBeEmpty();
    }

    [Fact]
    public async Task Snippets_MarkMatchedWords_AccentedOnesToo_AndSayWhereTextWasCut()
    {
        var m = Marker();
        var filler = string.Join(' ', Enumerable.Range(1, 30).Select(i => "word" + (char)('a' + (i % 26))));
        await CreateAsync($"{m} Zürich police confirmed the sighting", $"{filler} {m} harbour {filler}.");

        var accented = await _claims.SearchClaimsAsync(new SearchClaimsRequest { Query = $"{m} zurich" });
        accented.Results.Single().Snippet.ShouldBe($"<mark>{m}</mark> <mark>Zürich</mark> police confirmed the sighting");

        var cut = await _claims.SearchClaimsAsync(new SearchClaimsRequest { Query = $"{m} harbour" });
        var snippet = cut.Results.Single().Snippet;
        snippet.ShouldStartWith("…");
        snippet.ShouldEndWith("…");
        snippet.ShouldContain($"<mark>{m}</mark> <mark>harbour</mark>");
        snippet.Replace("<mark>", "").Replace("</mark>", "").Trim('…').Split(' ').Length.ShouldBeLessThanOrEqualTo(24);
    }

    [Fact]
    public async Task NegatedWords_AreNotMarked()
    {
        var m = Marker();
        await CreateAsync($"{m} harbour reopened", $"{m} storm harbour");

        var result = await _claims.SearchClaimsAsync(new SearchClaimsRequest { Query = $"({m} reopened) OR ({m} NOT harbour)" });

        result.Results.Single().Snippet.ShouldBe($"<mark>{m}</mark> harbour <mark>reopened</mark>");
    }

    [Fact]
    public async Task Relevance_IsHigherForMoreMatches_AndPagesCoverEveryMatchOnce()
    {
        var m = Marker();
        var strong = (await CreateAsync($"{m} {m} {m}: the {m} report"))[0];
        var weak = await CreateAsync(Enumerable.Range(0, 5).Select(i => $"A long statement about harbour fees number {i}, fishing quotas and, once, {m}").ToArray());

        var first = await _claims.SearchClaimsAsync(new SearchClaimsRequest { Query = m, PageSize = 4 });
        var second = await _claims.SearchClaimsAsync(new SearchClaimsRequest { Query = m, PageSize = 4, PageToken = first.NextPageToken });

        first.Results[0].Claim.Name.ShouldBe(strong);
        first.Results[0].Relevance.ShouldBeGreaterThan(first.Results[1].Relevance);
        first.Results.Concat(second.Results).Select(r => r.Relevance).ShouldBeInOrder(SortDirection.Descending);
        first.Results.Concat(second.Results).Select(r => r.Claim.Name).ShouldBe(weak.Prepend(strong), ignoreOrder: true);
        second.NextPageToken.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("\"unterminated", "unterminated string")]
    [InlineData("AND OR", "fts5: syntax error near \"AND\"")]
    [InlineData("drones AND", "fts5: syntax error near \"\"")]
    [InlineData("NOT drones", "fts5: syntax error near \"NOT\"")]
    [InlineData("(drones", "fts5: syntax error near \"\"")]
    [InlineData("(a OR b) c", "fts5: syntax error near \"c\"")]
    [InlineData("U.S. drones", "fts5: syntax error near \".\"")]
    [InlineData("S-400", "no such column: 400")]
    [InlineData("nosuchcolumn: drones", "no such column: nosuchcolumn")]
    [InlineData("near(drones harbour)", "fts5: syntax error near \"near\"")]
    [InlineData("NEAR(drones harbour, 5x)", "expected integer, got \"5x\"")]
    [InlineData("*reads", "unknown special query: reads")]
    [InlineData("* drones", "unknown special query: drones")]
    public async Task MalformedQueries_AreInvalidArgument_InTheSameWordsOnBothEngines(string query, string problem)
    {
        var badRequest = await RpcAssert.InvalidArgument(_claims.SearchClaimsAsync(new SearchClaimsRequest { Query = query }), "query");

        badRequest.FieldViolations.Single().Description.ShouldBe($"is not valid search syntax ({problem}){Hint}");
    }

    [Fact]
    public async Task ColumnFilters_WorkOnSqlite_AndAreRefusedOnPostgreSql()
    {
        // Column filters are FTS5 syntax the API does not document; claims.search_vector does not know the columns.
        var m = Marker();
        var c = await CreateAsync($"{m} harbour reopened");

        if (TestEngine.IsPostgreSql)
        {
            var badRequest = await RpcAssert.InvalidArgument(_claims.SearchClaimsAsync(new SearchClaimsRequest { Query = $"text: {m}" }), "query");
            badRequest.FieldViolations.Single().Description.ShouldBe($"is not valid search syntax (column filters (such as text:) are not supported){Hint}");
        }
        else
        {
            (await FoundAsync($"text: {m}")).ShouldBe(c);
        }
    }

    private static string Marker() => "zq" + string.Concat(Guid.NewGuid().ToString("N").Where(char.IsLetter).Take(8));

    private async Task<IReadOnlyList<string>> CreateAsync(params string[] texts)
    {
        var names = new List<string>();
        foreach (var text in texts)
        {
            var request = TestData.NewClaim(text);
            request.AllowDuplicate = true;
            names.Add((await _claims.CreateClaimAsync(request)).Name);
        }

        return names;
    }

    private async Task<IReadOnlyList<string>> FoundAsync(string query) =>
        (await _claims.SearchClaimsAsync(new SearchClaimsRequest { Query = query, PageSize = 100 })).Results.Select(r => r.Claim.Name).ToList();
}
