using ClaimLedger.Contracts.V1;
using ClaimLedger.IntegrationTests.Infrastructure;
using ClaimLedger.Server.Domain;
using Google.Rpc;
using Grpc.Core;

namespace ClaimLedger.IntegrationTests;

/// <summary>
/// Near-duplicate detection gives the same answers on both engines: candidates share a MinHash band key with the text
/// (claim_bands, ADR 21) and are scored by TextSimilarity on both.
/// </summary>
public sealed class NearDuplicateEngineTests(ClaimLedgerServer server) : IClassFixture<ClaimLedgerServer>
{
    private readonly ClaimService.ClaimServiceClient _claims = server.Claims();

    [Theory]
    [InlineData("The Tarnow reservoir held 41 million cubic metres of water in March.", "the TARNÓW reservoir held 41 million cubic metres of water in March!")]
    [InlineData("Lomza's new tram line will open in September with eleven stops.", "Lomza's new tram line will open in Setpember with eleven stops.")]
    [InlineData("Plock city council approved a budget of 900 million zloty for schools.", "Plock city council approved a budget of 900 million zloty for its schools.")]
    [InlineData("Водохранилище в Твери в марте вмещало сорок один миллион кубометров воды", "Водохранилище в Твери в марте вмещало сорок один милион кубометров воды")]
    // The pair with the lowest trigram similarity (0.58) of those measured at TextSimilarity 0.8 (ADR 6).
    [InlineData("verdict expired review was due 2026 11 25t01 23 35z interval 00 01 00",
        "verdict expired review was due 2026 11 25t01 23 35z interval 00 01 00 stalenessruns 01a2104d196b7b18a8524af106efd703")]
    public async Task ATwin_IsRefusedAsANearDuplicate(string original, string twin)
    {
        TextSimilarity.Similarity(TextSimilarity.Normalize(original), TextSimilarity.Normalize(twin)).ShouldBeGreaterThanOrEqualTo(TextSimilarity.DuplicateThreshold);
        var first = await _claims.CreateClaimAsync(TestData.NewClaim(original));

        var status = await RpcAssert.Fails(StatusCode.AlreadyExists, _claims.CreateClaimAsync(TestData.NewClaim(twin)));

        status.GetDetail<ErrorInfo>().Metadata["similar_claims"].ShouldBe(first.Name);
    }

    [Fact]
    public async Task FindSimilarClaims_ScoresWithTextSimilarity_MostSimilarFirst_AboveMinSimilarity()
    {
        string[] texts =
        [
            "The Gniezno bridge carried 12,000 vehicles a day before it closed in 2024.",
            "The Gniezno bridge carried 12,500 vehicles a day before it closed in 2024.",
            "The Gniezno bridge carried about 12,000 lorries a day until it closed.",
            "Gniezno's bridge closed in 2024.",
        ];
        var names = new List<string>();
        foreach (var text in texts)
        {
            var request = TestData.NewClaim(text);
            request.AllowDuplicate = true;
            names.Add((await _claims.CreateClaimAsync(request)).Name);
        }

        var query = "the gniezno bridge carried 12000 vehicles a day before it closed in 2024";
        var expected = texts.Select((t, i) => (Name: names[i], Similarity: TextSimilarity.Similarity(TextSimilarity.Normalize(query), TextSimilarity.Normalize(t))))
            .Where(e => e.Similarity >= 0.5)
            .OrderByDescending(e => e.Similarity)
            .ToList();

        var similar = await _claims.FindSimilarClaimsAsync(new FindSimilarClaimsRequest { Text = query, MinSimilarity = 0.5 });

        similar.Claims.Select(c => c.Claim.Name).ShouldBe(expected.Select(e => e.Name));
        similar.Claims.Select(c => c.Similarity).ShouldBe(expected.Select(e => e.Similarity));
        expected.Count.ShouldBeGreaterThanOrEqualTo(3);
    }

    [Fact]
    public async Task RetractedClaims_AreNotDuplicates_NorSimilar()
    {
        var retracted = await _claims.CreateClaimAsync(TestData.NewClaim("The Opole ferry carried 9,000 passengers over the Easter weekend."));
        await _claims.RetractClaimAsync(new RetractClaimRequest { Name = retracted.Name, Reason = RetractionReason.Withdrawn });

        var twin = await _claims.CreateClaimAsync(TestData.NewClaim("The Opole ferry carried 9,000 passengers over the Easter weekend!"));
        var similar = await _claims.FindSimilarClaimsAsync(new FindSimilarClaimsRequest { Text = "the opole ferry carried 9000 passengers over the easter weekend" });

        similar.Claims.Select(c => c.Claim.Name).ShouldBe([twin.Name]);
    }

    /// <summary>
    /// A new database has no statistics until autovacuum's first ANALYZE; meanwhile PostgreSQL guesses 0.5 % of the rows
    /// for an equality, so the plain join of the same-text look-up was planned as a scan of every claim comparing texts
    /// (6.6 ms per check at 20,000 claims, ADR 26). The statement must read the key's claims by primary key whatever
    /// the statistics say.
    /// </summary>
    [PostgresFact("the plan PostgreSQL makes for the same-text look-up before any ANALYZE")]
    public async Task SameText_ReadsClaimsByKey_BeforeTheFirstAnalyze()
    {
        using var fresh = new ClaimLedgerServer();
        var text = "The Kalisz water tower held 2,000 cubic metres before its repair in 2019.";
        var claim = await fresh.Claims().CreateClaimAsync(TestData.NewClaim(text));
        await using var connection = new Npgsql.NpgsqlConnection(TestEngine.ConnectionStringFor(fresh.DataDirectory));
        await connection.OpenAsync();
        await using (var fill = connection.CreateCommand())
        {
            // 20,000 other claims with 32 band keys each, written behind the service's back, with autovacuum kept away.
            fill.CommandText = """
                ALTER TABLE claims SET (autovacuum_enabled = off);
                ALTER TABLE claim_bands SET (autovacuum_enabled = off);
                INSERT INTO claims (id, text, normalized_text, claimant, language_code, status, create_time, update_time)
                SELECT 'filler' || g, 'filler claim ' || g, 'filler claim ' || g, 'someone', 'en', 'UNVERIFIED', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z'
                FROM generate_series(1, 20000) AS g;
                INSERT INTO claim_bands (band_key, claim_seq)
                SELECT hashint8(c.seq * 32 + k), c.seq FROM claims c CROSS JOIN generate_series(0, 31) AS k WHERE c.id LIKE 'filler%'
                ON CONFLICT DO NOTHING;
                """;
            await fill.ExecuteNonQueryAsync();
        }

        Db.Scalar(fresh.DatabasePath, "SELECT count(*) FROM pg_stats WHERE tablename IN ('claims', 'claim_bands')").ShouldBe(0, "no statistics yet");
        var normalized = TextSimilarity.Normalize(text);
        var sql = new Server.Infrastructure.Search.PostgresMinHashCandidates(null!, Microsoft.Extensions.Options.Options.Create(new Server.Features.Claims.SearchClaims.Options())).SameTextSql;
        await using var explain = new Npgsql.NpgsqlCommand("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, connection);
        explain.Parameters.AddWithValue("Key", MinHashBands.Default.Keys(normalized)[0]);
        explain.Parameters.AddWithValue("Since", 0L);
        explain.Parameters.AddWithValue("Normalized", normalized);
        explain.Parameters.AddWithValue("IncludeRetracted", false);
        var plan = System.Text.Json.JsonDocument.Parse((string)(await explain.ExecuteScalarAsync())!).RootElement[0].GetProperty("Plan");

        Nodes(plan).Where(n => n.GetProperty("Node Type").GetString() == "Seq Scan").Select(n => n.GetProperty("Relation Name").GetString()).ShouldBeEmpty();
        plan.GetProperty("Actual Rows").GetInt64().ShouldBe(1, $"the claim {claim.Name} itself");
    }

    private static IEnumerable<System.Text.Json.JsonElement> Nodes(System.Text.Json.JsonElement plan) =>
        plan.TryGetProperty("Plans", out var children) ? [plan, .. children.EnumerateArray().SelectMany(Nodes)] : [plan];
}
