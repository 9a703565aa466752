using System.Text.Json;
using ClaimLedger.Contracts.V1;
using ClaimLedger.IntegrationTests.Infrastructure;

namespace ClaimLedger.IntegrationTests.Cli;

/// <summary>`claimledger source …` and `claimledger evidence …` against the real service on loopback TCP.</summary>
public sealed class SourceEvidenceCliTests(CliServer server) : IClassFixture<CliServer>
{
    private readonly CliRunner _cli = new(server);

    private static string NewUrl() => $"https://news.example.org/cli-sources/{Guid.NewGuid():N}";

    private async Task<JsonElement> AddSourceAsync(string url, params string[] extra) =>
        (await _cli.RunAsync(["source", "add", url, .. extra, "--json"])).Json();

    [Fact]
    public async Task SourceAdd_WithItsDescription_RegistersTheCanonicalUrl_AndAddingItAgainReturnsTheSameSource()
    {
        var url = NewUrl();

        var source = await AddSourceAsync(url + "?utm_source=feed", "--kind", "NEWS_ARTICLE", "--title", "Harbour tariffs doubled", "--publisher", "Example News",
            "--author", "A. Reporter", "--published", "2026-01-02", "--reliability", "B");
        var again = await AddSourceAsync(url);

        source.Text("name").ShouldStartWith("sources/");
        source.Text("url").ShouldBe(url + "?utm_source=feed");
        source.Text("canonicalUrl").ShouldBe(url);
        source.Text("kind").ShouldBe("NEWS_ARTICLE");
        source.Text("title").ShouldBe("Harbour tariffs doubled");
        source.Text("publisher").ShouldBe("Example News");
        source.Text("author").ShouldBe("A. Reporter");
        source.Text("publishTime").ShouldBe("2026-01-02T00:00:00Z");
        source.Text("reliability").ShouldBe("RELIABILITY_B_USUALLY_RELIABLE");
        source.Text("health").ShouldBe("UNCHECKED");
        again.Text("name").ShouldBe(source.Text("name"));
    }

    [Fact]
    public async Task SourceAdd_WithAnUnknownKind_IsAUsageError_ListingTheKinds()
    {
        var before = Db.Scalar(server.DatabasePath, "SELECT count(*) FROM sources");

        var result = await _cli.RunAsync("source", "add", NewUrl(), "--kind", "BLOG");

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Error.ShouldContain("--kind must be one of NEWS_ARTICLE, OFFICIAL_STATEMENT, PRIMARY_DOCUMENT, SOCIAL_POST, DATASET, OTHER");
        Db.Scalar(server.DatabasePath, "SELECT count(*) FROM sources").ShouldBe(before);
    }

    [Fact]
    public async Task SourceAdd_WithANonHttpUrl_IsInvalidArgument_NamingTheArgument()
    {
        var result = await _cli.RunAsync("source", "add", "ftp://files.example.org/report.pdf");

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Error.ShouldStartWith("error: <url>: ");
        result.Error.ShouldContain("(got \"ftp://files.example.org/report.pdf\")");
    }

    [Fact]
    public async Task SourceShow_Human_ListsUrlKindReliabilityAndHealth_WithoutAnsiEscapes()
    {
        var url = NewUrl();
        var source = await AddSourceAsync(url, "--kind", "OFFICIAL_STATEMENT", "--reliability", "C", "--title", "Ministry statement");

        var result = await _cli.RunAsync("source", "show", source.Text("name"));

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Out.ShouldMatch($@"name\s+{source.Text("name")}");
        result.Out.ShouldMatch($@"canonical url\s+{url}");
        result.Out.ShouldMatch(@"kind\s+OFFICIAL_STATEMENT");
        result.Out.ShouldMatch(@"reliability\s+RELIABILITY_C_FAIRLY_RELIABLE");
        result.Out.ShouldMatch(@"health\s+UNCHECKED");
        result.Out.ShouldMatch(@"title\s+Ministry statement");
        result.Out.ShouldNotContain("\u001b");
    }

    [Fact]
    public async Task SourceShow_OfAnUnknownSource_IsNotFound()
    {
        var result = await _cli.RunAsync("source", "show", "sources/" + new string('0', 32));

        result.ExitCode.ShouldBe(3, result.ToString());
        result.Error.ShouldContain("code: NOT_FOUND");
    }

    [Fact]
    public async Task SourceList_FiltersByPublisherAndKind()
    {
        var publisher = "Publisher " + Guid.NewGuid().ToString("N")[..8];
        var article = await AddSourceAsync(NewUrl(), "--kind", "NEWS_ARTICLE", "--publisher", publisher);
        var dataset = await AddSourceAsync(NewUrl(), "--kind", "DATASET", "--publisher", publisher);

        var byPublisher = (await _cli.RunAsync("source", "list", "--publisher", publisher, "--json")).Json();
        var datasets = (await _cli.RunAsync("source", "list", "--publisher", publisher, "--kind", "DATASET", "--json")).Json();
        var human = await _cli.RunAsync("source", "list", "--publisher", publisher);

        byPublisher.Items("sources").Select(s => s.Text("name")).ShouldBe([article.Text("name"), dataset.Text("name")], ignoreOrder: true);
        datasets.Items("sources").Select(s => s.Text("name")).ShouldBe([dataset.Text("name")]);
        human.ExitCode.ShouldBe(0);
        human.Out.ShouldMatch($@"{dataset.Text("name")}\s+DATASET\s+UNCHECKED");
        human.Out.ShouldMatch($@"{article.Text("name")}\s+NEWS_ARTICLE\s+UNCHECKED");
    }

    [Fact]
    public async Task SourceUpdate_ChangesTheGivenFields_AndAStaleEtagIsAConflict()
    {
        var source = await AddSourceAsync(NewUrl(), "--title", "First title", "--publisher", "Example News");

        var updated = (await _cli.RunAsync("source", "update", source.Text("name"), "--title", "Corrected title", "--reliability", "D", "--etag", source.Text("etag"), "--json")).Json();
        var stale = await _cli.RunAsync("source", "update", source.Text("name"), "--title", "Third title", "--etag", source.Text("etag"));

        updated.Text("title").ShouldBe("Corrected title");
        updated.Text("reliability").ShouldBe("RELIABILITY_D_NOT_USUALLY_RELIABLE");
        updated.Text("publisher").ShouldBe("Example News");
        updated.Text("etag").ShouldNotBe(source.Text("etag"));
        stale.ExitCode.ShouldBe(4, stale.ToString());
        stale.Error.ShouldContain("code: ABORTED");
        (await server.Sources().GetSourceAsync(new GetSourceRequest { Name = source.Text("name") })).Title.ShouldBe("Corrected title");
    }

    [Fact]
    public async Task SourceUpdate_WithoutAnyField_IsAUsageError()
    {
        var source = await AddSourceAsync(NewUrl());

        var result = await _cli.RunAsync("source", "update", source.Text("name"));

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Error.ShouldContain("Name at least one field to change.");
    }

    [Fact]
    public async Task EvidenceAdd_ListAndRemove_KeepTheRemovedEvidenceOnlyInTheFullList()
    {
        var claim = await server.Claims().CreateClaimAsync(TestData.NewClaim());
        var refuting = await AddSourceAsync(NewUrl());
        var context = await AddSourceAsync(NewUrl());

        var refutes = (await _cli.RunAsync("evidence", "add", claim.Name, "--source", refuting.Text("name"), "--stance", "REFUTES", "--excerpt", "No deliveries were recorded.",
            "--locator", "table 3", "--credibility", "2", "--json")).Json();
        var background = (await _cli.RunAsync("evidence", "add", claim.Name, "--source", context.Text("name"), "--stance", "context", "--json")).Json();
        var onlyRefutes = (await _cli.RunAsync("evidence", "list", claim.Name, "--stance", "REFUTES", "--json")).Json();
        var removed = (await _cli.RunAsync("evidence", "remove", background.Text("name"), "--json")).Json();
        var current = (await _cli.RunAsync("evidence", "list", claim.Name, "--json")).Json();
        var all = (await _cli.RunAsync("evidence", "list", claim.Name, "--show-removed", "--json")).Json();
        var human = await _cli.RunAsync("evidence", "list", claim.Name);

        refutes.Text("name").ShouldStartWith(claim.Name + "/evidence/");
        refutes.Text("source").ShouldBe(refuting.Text("name"));
        refutes.Text("stance").ShouldBe("REFUTES");
        refutes.Text("excerpt").ShouldBe("No deliveries were recorded.");
        refutes.Text("locator").ShouldBe("table 3");
        refutes.Text("credibility").ShouldBe("CREDIBILITY_2_PROBABLY_TRUE");
        refutes.Text("addedBy").ShouldBe("admin");
        background.Text("stance").ShouldBe("CONTEXT");
        onlyRefutes.Items("evidence").Select(e => e.Text("name")).ShouldBe([refutes.Text("name")]);
        removed.Text("name").ShouldBe(background.Text("name"));
        removed.Has("removeTime").ShouldBeTrue();
        current.Items("evidence").Select(e => e.Text("name")).ShouldBe([refutes.Text("name")]);
        all.Items("evidence").Select(e => e.Text("name")).ShouldBe([refutes.Text("name"), background.Text("name")], ignoreOrder: true);
        human.ExitCode.ShouldBe(0);
        human.Out.ShouldMatch($@"{refutes.Text("name")}\s+REFUTES\s+{refuting.Text("name")}\s+No deliveries were recorded\.\s+admin");
        human.Out.ShouldNotContain(background.Text("name"));
    }

    [Fact]
    public async Task EvidenceAdd_WithCredibilityOutOfRange_IsAUsageError_AndWritesNothing()
    {
        var claim = await server.Claims().CreateClaimAsync(TestData.NewClaim());
        var source = await AddSourceAsync(NewUrl());
        var before = Db.Snapshot(server.DatabasePath);

        var result = await _cli.RunAsync("evidence", "add", claim.Name, "--source", source.Text("name"), "--stance", "SUPPORTS", "--credibility", "9");

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Error.ShouldContain("--credibility must be 1 to 6.");
        Db.Snapshot(server.DatabasePath).ShouldBe(before);
    }

    [Fact]
    public async Task EvidenceAdd_WithoutStance_IsAParseError()
    {
        var result = await _cli.RunAsync("evidence", "add", "claims/" + new string('0', 32), "--source", "sources/" + new string('0', 32));

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Error.ShouldContain("Option '--stance' is required.");
    }

    [Fact]
    public async Task EvidenceAdd_ToAnUnknownClaim_IsNotFound()
    {
        var source = await AddSourceAsync(NewUrl());

        var result = await _cli.RunAsync("evidence", "add", "claims/" + new string('0', 32), "--source", source.Text("name"), "--stance", "SUPPORTS");

        result.ExitCode.ShouldBe(3, result.ToString());
        result.Error.ShouldContain("code: NOT_FOUND");
    }
}
