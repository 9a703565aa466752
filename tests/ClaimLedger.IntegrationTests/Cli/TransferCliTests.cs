using System.Text.Json;
using ClaimLedger.IntegrationTests.Infrastructure;

namespace ClaimLedger.IntegrationTests.Cli;

/// <summary>`claimledger import` and `claimledger export` against the real service on loopback TCP.</summary>
public sealed class TransferCliTests(CliServer server) : IClassFixture<CliServer>, IDisposable
{
    private readonly CliRunner _cli = new(server);
    private readonly string _dir = Directory.CreateTempSubdirectory("claimledger-transfer-").FullName;

    private string File(string name, string content)
    {
        var path = Path.Combine(_dir, name);
        System.IO.File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public async Task Import_TheSeedArticleSample_CreatesEveryClaim_AndImportingItAgainCreatesNothing()
    {
        var sample = Path.Combine(AppContext.BaseDirectory, "seed-article.claims.jsonl");
        var lines = System.IO.File.ReadAllLines(sample).Count(l => l.Length > 0);

        var first = await _cli.RunAsync("import", sample, "--json");
        var claimsAfterFirst = Db.Scalar(server.DatabasePath, "SELECT count(*) FROM claims");
        var second = await _cli.RunAsync("import", sample, "--json");

        first.ExitCode.ShouldBe(0, first.ToString());
        first.Json().Int64("created").ShouldBe(lines);
        first.Json().Items("results").Select(r => r.Text("outcome")).Distinct().ShouldBe(["CREATED"]);
        second.ExitCode.ShouldBe(0, second.ToString());
        second.Json().Int64("created").ShouldBe(0);
        second.Json().Int64("duplicates").ShouldBe(lines);
        second.Json().Items("results").Select(r => r.Text("claim")).ShouldBe(first.Json().Items("results").Select(r => r.Text("claim")));
        Db.Scalar(server.DatabasePath, "SELECT count(*) FROM claims").ShouldBe(claimsAfterFirst);
        Db.Scalar(server.DatabasePath, "SELECT count(*) FROM verdicts").ShouldBe(0);
        Db.Scalar(server.DatabasePath, "SELECT count(*) FROM claims WHERE status = 'IN_REVIEW'").ShouldBe(3);
    }

    [Fact]
    public async Task Import_JsonLinesWithAMalformedLine_ReportsItByLine_ImportsTheRest_AndExitsOne()
    {
        var good = $$$"""{"claim": {"text": "{{{TestData.UniqueText()}}}", "claimant": "CLI import", "languageCode": "en"}}""";
        var invalidOnServer = """{"claim": {"text": "", "claimant": "CLI import", "languageCode": "en"}}""";
        var path = File("mixed.jsonl", string.Join('\n', good, "{ this is not json", "", invalidOnServer));

        var result = await _cli.RunAsync("import", path, "--json");

        result.ExitCode.ShouldBe(1, result.ToString());
        var rows = result.JsonWhateverTheExitCode().Items("results");
        rows.Select(r => (r.Int64("line"), r.Text("outcome"))).ShouldBe([(1L, "CREATED"), (2L, "INVALID"), (4L, "INVALID")]);
        rows[1].Text("reason").ShouldContain("not a ClaimRecord");
        rows[2].Text("reason").ShouldContain("record.claim.text");
        result.JsonWhateverTheExitCode().Int64("created").ShouldBe(1);
    }

    [Fact]
    public async Task Import_AnotherPublishersClaimReview_IsFactCheckEvidenceWithItsRating_NeverOurVerdict()
    {
        var text = $"The example river flooded all of Exampleton in {Random.Shared.Next(1800, 1900)} ({Guid.NewGuid():N}).";
        var reviewUrl = $"https://checks.example.org/r/{Guid.NewGuid():N}";
        var path = File("reviews.jsonld", $$$"""
            {"@context": "https://schema.org", "@graph": [
              {"@type": "ClaimReview", "url": "{{{reviewUrl}}}", "claimReviewed": "{{{text}}}", "inLanguage": "en", "datePublished": "2024-05-03",
               "author": {"@type": "Organization", "name": "Example Checks", "url": "https://checks.example.org/"},
               "itemReviewed": {"@type": "Claim", "author": {"@type": "Person", "name": "A. Speaker"}, "datePublished": "2024-05-01",
                                "appearance": [{"@type": "CreativeWork", "url": "https://news.example.org/{{{Guid.NewGuid():N}}}"}]},
               "reviewRating": {"@type": "Rating", "ratingValue": 2, "bestRating": 5, "worstRating": 1, "alternateName": "Pants on Fire"}},
              {"@type": "ClaimReview", "claimReviewed": ""}
            ]}
            """);

        var result = await _cli.RunAsync("import", path, "--json");
        var created = result.JsonWhateverTheExitCode().Items("results")[0].Text("claim");
        var claim = (await _cli.RunAsync("claim", "show", created, "--json")).Json();
        var evidence = (await _cli.RunAsync("evidence", "list", created, "--json")).Json().Items("evidence");

        result.ExitCode.ShouldBe(1, result.ToString()); // the second review has no claim text
        result.JsonWhateverTheExitCode().Items("results").Select(r => r.Text("outcome")).ShouldBe(["CREATED", "INVALID"]);
        claim.Text("text").ShouldBe(text);
        claim.Text("claimant").ShouldBe("A. Speaker");
        claim.Text("status").ShouldBe("UNVERIFIED");
        claim.Has("verdict").ShouldBeFalse();
        evidence.Select(e => e.Text("stance")).ShouldBe(["ORIGIN", "FACT_CHECK"]);
        var review = evidence[1].GetProperty("review");
        review.Text("url").ShouldBe(reviewUrl);
        review.Text("publishTime").ShouldStartWith("2024-05-03");
        review.GetProperty("rating").Text("label").ShouldBe("Pants on Fire");
        review.GetProperty("rating").Text("rating").ShouldBe("FALSE"); // the words win over ratingValue 2 (MOSTLY_FALSE)
        review.GetProperty("rating").GetProperty("value").GetDouble().ShouldBe(2);
        review.GetProperty("author").Text("name").ShouldBe("Example Checks");
    }

    [Fact]
    public async Task Import_Csv_WithAnOriginColumn_AttachesTheOriginAndReportsABadDate()
    {
        var url = $"https://news.example.org/csv/{Guid.NewGuid():N}";
        var path = File("claims.csv", $"""
            text,claimant,language,topics,claim_time,origin_url,excerpt
            "{TestData.UniqueText()}, said the minister",Minister,en,economy;trade,2026-01-02,{url},"quoted, with a comma"
            "{TestData.UniqueText()}",Someone,en,,not-a-date,,
            """);

        var result = await _cli.RunAsync("import", path, "--json");

        result.ExitCode.ShouldBe(1, result.ToString());
        var rows = result.JsonWhateverTheExitCode().Items("results");
        rows.Select(r => r.Text("outcome")).ShouldBe(["CREATED", "INVALID"]);
        rows[1].Text("reason").ShouldContain("claim_time");
        var claim = (await _cli.RunAsync("claim", "show", rows[0].Text("claim"), "--json")).Json();
        claim.Texts("topics").ShouldBe(["economy", "trade"]);
        claim.Text("text").ShouldEndWith(", said the minister");
        var origin = (await _cli.RunAsync("evidence", "list", rows[0].Text("claim"), "--json")).Json().Items("evidence").Single();
        origin.Text("stance").ShouldBe("ORIGIN");
        origin.Text("excerpt").ShouldBe("quoted, with a comma");
    }

    [Fact]
    public async Task Export_ThenImport_RoundTripsEveryClaimAsADuplicate_AndTheExportImportsIntoAnotherServer()
    {
        var topic = "roundtrip-" + Guid.NewGuid().ToString("N")[..8];
        var added = (await _cli.RunAsync("claim", "add", TestData.UniqueText(), "--claimant", "Round trip", "--topic", topic,
            "--origin", $"https://news.example.org/rt/{Guid.NewGuid():N}", "--excerpt", "the origin", "--json")).Json();
        var path = Path.Combine(_dir, "export.jsonl");

        var export = await _cli.RunAsync("export", "--output", path, "--topic", topic, "--json");
        var again = await _cli.RunAsync("import", path, "--json");

        export.ExitCode.ShouldBe(0, export.ToString());
        export.Json().Int64("records").ShouldBe(1);
        var line = JsonDocument.Parse(System.IO.File.ReadAllLines(path).Single()).RootElement;
        line.GetProperty("claim").Text("name").ShouldBe(added.Text("name"));
        line.Items("evidence").Single().Text("stance").ShouldBe("ORIGIN");
        line.Items("history").Select(h => h.Text("type")).ShouldBe(["CREATED", "EVIDENCE_ADDED"]);
        again.Json().Items("results").Single().Text("outcome").ShouldBe("DUPLICATE");
        again.Json().Items("results").Single().Text("claim").ShouldBe(added.Text("name"));

        using var other = new CliServer();
        var imported = await new CliRunner(other).RunAsync("import", path, "--json");
        imported.Json().Int64("created").ShouldBe(1);
        var copy = (await new CliRunner(other).RunAsync("claim", "show", imported.Json().Items("results").Single().Text("claim"), "--json")).Json();
        copy.Text("text").ShouldBe(added.Text("text"));
        copy.Texts("topics").ShouldBe([topic]);
    }

    [Fact]
    public async Task Import_OfAMissingFile_IsAUsageError()
    {
        var result = await _cli.RunAsync("import", Path.Combine(_dir, "nope.jsonl"));
        result.ExitCode.ShouldBe(2, result.ToString());
        result.Error.ShouldContain("does not exist");
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
