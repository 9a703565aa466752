using System.Text.Json;
using System.Text.RegularExpressions;
using ClaimLedger.Contracts.V1;
using ClaimLedger.IntegrationTests.Infrastructure;

namespace ClaimLedger.IntegrationTests.Cli;

/// <summary>
/// How results look: tables that fit an 80- or 120-column terminal without ever wrapping a name, --plain records for
/// scripts, a sentence for an empty result, etags as `show` prints them, and errors in the CLI's own words.
/// </summary>
public sealed partial class CliOutputTests(CliServer server) : IClassFixture<CliServer>
{
    private readonly CliRunner _cli = new(server);

    private static string NewTopic() => "out" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>Long enough to wrap anywhere: a claimant and a text far wider than any column.</summary>
    private async Task<(string Topic, List<string> Names)> AddWideClaimsAsync(int count = 3)
    {
        var topic = NewTopic();
        var names = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var text = $"{topic} {TestData.UniqueText()} — the regional transport authority doubled the night-bus fares on every line, officials confirmed.";
            var claim = (await _cli.RunAsync("claim", "add", text, "--claimant", "The Extraordinarily Long-Named Example Gazette", "--topic", topic,
                "--allow-duplicate", "--json")).Json();
            names.Add(claim.Text("name"));
        }

        return (topic, names);
    }

    private CliRunner Terminal(int width) => new(server) { IsInteractive = true, Width = width };

    private static string[] Lines(CliResult result) =>
        Ansi().Replace(result.Out, "").Replace("\r", "", StringComparison.Ordinal).TrimEnd('\n').Split('\n');

    private static void ShouldShowEveryNameWhole_WithinTheWidth(CliResult result, IEnumerable<string> names, int width)
    {
        result.ExitCode.ShouldBe(0, result.ToString());
        var lines = Lines(result);
        foreach (var name in names)
        {
            lines.Count(l => l.Contains(name, StringComparison.Ordinal)).ShouldBe(1, $"{name} whole on one line in:\n{result.Out}");
        }

        lines.ShouldAllBe(l => l.Length <= width, $"every line fits {width} columns:\n{result.Out}");
    }

    [Theory]
    [InlineData(80)]
    [InlineData(120)]
    public async Task ClaimList_OnATerminal_FitsItsWidth_AndNeverWrapsAClaimName(int width)
    {
        var (topic, names) = await AddWideClaimsAsync();

        var result = await Terminal(width).RunAsync("claim", "list", "--topic", topic);

        ShouldShowEveryNameWhole_WithinTheWidth(result, names, width);
        result.Out.ShouldContain("╭"); // a terminal gets borders
    }

    [Fact]
    public async Task ClaimList_At80Columns_LeavesOutVerdictAndClaimant_AndSaysSo_At120ShowsThem()
    {
        var (topic, _) = await AddWideClaimsAsync(1);

        var narrow = await Terminal(80).RunAsync("claim", "list", "--topic", topic);
        var wide = await Terminal(120).RunAsync("claim", "list", "--topic", topic);

        Lines(narrow)[1].ShouldNotContain("Claimant");
        narrow.Out.ShouldContain("(left out at this width: Verdict, Claimant; --plain or --json show all)");
        Lines(wide)[1].ShouldMatch(@"Claim\s+│\s+Status\s+│\s+Verdict\s+│\s+Claimant\s+│\s+Text");
        wide.Out.ShouldNotContain("left out at this width");
    }

    [Theory]
    [InlineData(80)]
    [InlineData(120)]
    public async Task SearchSourcesKeysAndLedger_OnATerminal_NeverWrapNames(int width)
    {
        var (topic, names) = await AddWideClaimsAsync(2);
        var publisher = "Publisher " + topic;
        var source = (await _cli.RunAsync("source", "add", $"https://news.example.org/{topic}/an-article-with-a-rather-long-path-that-goes-on-and-on",
            "--title", "A title long enough to need wrapping in a narrow column of a table", "--publisher", publisher, "--json")).Json().Text("name");
        var terminal = Terminal(width);

        ShouldShowEveryNameWhole_WithinTheWidth(await terminal.RunAsync("claim", "search", topic), names, width);
        ShouldShowEveryNameWhole_WithinTheWidth(await terminal.RunAsync("source", "list", "--publisher", publisher), [source], width);
        ShouldShowEveryNameWhole_WithinTheWidth(await terminal.RunAsync("ledger", "list", "--subject", names[0]), [names[0]], width);
        var keys = (await _cli.RunAsync("keys", "list", "--json")).Json().Items("apiKeys").Select(k => k.Text("name")).ToList();
        ShouldShowEveryNameWhole_WithinTheWidth(await terminal.RunAsync("keys", "list", "--page-size", "100"), keys, width);
    }

    [Fact]
    public async Task EvidenceList_At120Columns_NeverWrapsTheEvidenceName()
    {
        var (_, names) = await AddWideClaimsAsync(1);
        var source = await server.Sources().CreateSourceAsync(TestData.NewSource());
        var added = (await _cli.RunAsync("evidence", "add", names[0], "--source", source.Name, "--stance", "SUPPORTS",
            "--excerpt", "A long excerpt quoted from the source, long enough that it has to wrap inside its column.", "--json")).Json();

        ShouldShowEveryNameWhole_WithinTheWidth(await Terminal(120).RunAsync("evidence", "list", names[0]), [added.Text("name")], 120);
    }

    [Fact]
    public async Task EvidenceList_At80Columns_WhereNoTableFitsTheName_ShowsEachItemUnderItsWholeName()
    {
        var (_, names) = await AddWideClaimsAsync(1);
        var source = await server.Sources().CreateSourceAsync(TestData.NewSource());
        var added = (await _cli.RunAsync("evidence", "add", names[0], "--source", source.Name, "--stance", "SUPPORTS", "--excerpt", "Quoted.", "--json")).Json();

        var result = await Terminal(80).RunAsync("evidence", "list", names[0]);

        result.ExitCode.ShouldBe(0, result.ToString());
        Lines(result).ShouldBe(
        [
            added.Text("name"),
            "  Stance    SUPPORTS",
            $"  Source    {source.Name}",
            "  Excerpt   Quoted.",
            "  Added by  admin",
        ]);
    }

    [Fact]
    public async Task Import_OnAn80ColumnTerminal_NeverWrapsTheClaimNames()
    {
        var sample = Path.Combine(AppContext.BaseDirectory, "seed-article.claims.jsonl");
        var first = (await _cli.RunAsync("import", sample, "--json")).Json();

        var again = await Terminal(80).RunAsync("import", sample);

        var names = first.Items("results").Select(r => r.Text("claim")).ToList();
        names.Count.ShouldBe(8);
        ShouldShowEveryNameWhole_WithinTheWidth(again, names, 80);
    }

    // ---- --plain

    [Fact]
    public async Task Plain_ListsOneRecordPerLine_TabSeparated_NameFirst_NoHeader_NothingCutShort()
    {
        var (topic, names) = await AddWideClaimsAsync();
        var texts = (await _cli.RunAsync("claim", "list", "--topic", topic, "--json")).Json().Items("claims").ToDictionary(c => c.Text("name"), c => c.Text("text"));

        var result = await _cli.RunAsync("claim", "list", "--topic", topic, "--plain");

        result.ExitCode.ShouldBe(0, result.ToString());
        var records = result.Out.TrimEnd('\n').Split('\n').Select(l => l.Split('\t')).ToList();
        records.Select(r => r[0]).ShouldBe(names, ignoreOrder: true);
        records.ShouldAllBe(r => r.Length == 5);
        records.ShouldAllBe(r => r[1] == "UNVERIFIED" && r[3] == "The Extraordinarily Long-Named Example Gazette");
        records.ShouldAllBe(r => r[4] == texts[r[0]]);
        texts.Values.ShouldAllBe(t => t.Length > 100);
        result.Out.ShouldNotContain("Claim\t");
        result.Error.ShouldBeEmpty();
    }

    [Fact]
    public async Task Plain_OfOneResource_IsOneRecord_NameFirst_EtagLast()
    {
        var (_, names) = await AddWideClaimsAsync(1);

        var shown = await _cli.RunAsync("claim", "show", names[0], "--plain");
        var reviewed = await _cli.RunAsync("claim", "review", names[0], "--plain");

        shown.Out.TrimEnd('\n').ShouldNotContain("\n");
        var fields = shown.Out.TrimEnd('\n').Split('\t');
        fields[0].ShouldBe(names[0]);
        fields[1].ShouldBe("UNVERIFIED");
        fields[^1].ShouldBe("\"1\"");
        var after = reviewed.Out.TrimEnd('\n').Split('\t');
        after.Length.ShouldBe(fields.Length); // empty fields keep their places
        (after[0], after[1], after[^1]).ShouldBe((names[0], "IN_REVIEW", "\"2\""));
    }

    [Fact]
    public async Task Plain_CreatedNames_FeedTheNextCommand_AsCutWouldGiveThem()
    {
        var claim = (await _cli.RunAsync("claim", "add", TestData.UniqueText(), "--claimant", "Example Gazette", "--plain")).Out.Split('\t')[0];
        var source = (await _cli.RunAsync("source", "add", $"https://council.example.org/{Guid.NewGuid():N}", "--plain")).Out.Split('\t')[0];
        var evidence = (await _cli.RunAsync("evidence", "add", claim, "--source", source, "--stance", "REFUTES", "--excerpt", "Fees rise 10%.", "--plain")).Out.Split('\t')[0];

        claim.ShouldMatch("^claims/[0-9a-f]{32}$");
        source.ShouldMatch("^sources/[0-9a-f]{32}$");
        evidence.ShouldBe($"{claim}/evidence/{evidence[(evidence.LastIndexOf('/') + 1)..]}");
        (await _cli.RunAsync("claim", "review", claim)).ExitCode.ShouldBe(0);
        var verdict = await _cli.RunAsync("claim", "verdict", claim, "--rating", "FALSE", "--rationale", "Minutes.", "--evidence", evidence, "--json");
        verdict.Json().Text("status").ShouldBe("VERIFIED");
    }

    [Fact]
    public async Task Plain_PutsThePageTokenOnStderr_SoStdoutHoldsRecordsOnly()
    {
        var (topic, _) = await AddWideClaimsAsync(2);

        var result = await _cli.RunAsync("claim", "list", "--topic", topic, "--page-size", "1", "--plain");

        result.Out.TrimEnd('\n').Split('\n').ShouldHaveSingleItem().ShouldStartWith("claims/");
        result.Error.ShouldStartWith("More: --page-token ");
    }

    [Fact]
    public async Task JsonAndPlainTogether_IsAUsageError()
    {
        var result = await _cli.RunAsync("claim", "list", "--json", "--plain");

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Error.ShouldBe("error: --json and --plain cannot be combined; choose one.\n");
        result.Out.ShouldBeEmpty();
    }

    // ---- empty results

    [Theory]
    [InlineData("No claims found.", "claim", "list", "--topic", "{nothing}")]
    [InlineData("No claims found.", "claim", "search", "{nothing}")]
    [InlineData("No similar claims found.", "claim", "similar", "{nothing} {nothing} {nothing}")]
    [InlineData("No sources found.", "source", "list", "--publisher", "{nothing}")]
    [InlineData("No ledger entries found.", "ledger", "list", "--subject", "claims/00000000000000000000000000000000")]
    [InlineData("No stale claims found.", "stale", "list", "--reason", "SOURCE_CHANGED")]
    public async Task EmptyResult_IsASentence_NotAHeaderOnlyTable_AndWithPlainGoesToStderr(string sentence, params string[] command)
    {
        var nothing = "zq" + Guid.NewGuid().ToString("N")[..10];
        var args = command.Select(a => a.Replace("{nothing}", nothing, StringComparison.Ordinal)).ToArray();

        var table = await _cli.RunAsync(args);
        var terminal = await Terminal(120).RunAsync(args);
        var plain = await _cli.RunAsync([.. args, "--plain"]);
        var json = await _cli.RunAsync([.. args, "--json"]);

        table.ExitCode.ShouldBe(0, table.ToString());
        table.Out.ShouldBe(sentence + "\n");
        Lines(terminal).ShouldBe([sentence]);
        plain.Out.ShouldBeEmpty();
        plain.Error.ShouldBe(sentence + "\n");
        json.Json().ValueKind.ShouldBe(JsonValueKind.Object);
    }

    [Fact]
    public async Task EvidenceList_OfAClaimWithNone_SaysSo_AndHowToSeeRemovedEvidence()
    {
        var (_, names) = await AddWideClaimsAsync(1);

        var result = await _cli.RunAsync("evidence", "list", names[0]);

        result.Out.ShouldBe("No evidence found (--show-removed includes removed evidence).\n");
    }

    // ---- etags

    [Fact]
    public async Task Etag_IsAcceptedAsShowPrintsIt_WithOrWithoutTheQuotes()
    {
        var (_, names) = await AddWideClaimsAsync(1);
        var shown = await _cli.RunAsync("claim", "show", names[0]);
        shown.Out.ShouldMatch(@"etag\s+""1""");

        var unquoted = await _cli.RunAsync("claim", "update", names[0], "--topic", "a", "--etag", "1", "--json");
        var quoted = await _cli.RunAsync("claim", "update", names[0], "--topic", "b", "--etag", "\"2\"", "--json");
        var review = await _cli.RunAsync("claim", "review", names[0], "--etag", " 3 ", "--json");

        unquoted.Json().Text("etag").ShouldBe("\"2\"");
        quoted.Json().Text("etag").ShouldBe("\"3\"");
        review.Json().Text("status").ShouldBe("IN_REVIEW");
    }

    [Fact]
    public async Task StaleEtag_ChangesNothing_AndSaysHowToReadTheCurrentOne()
    {
        var (_, names) = await AddWideClaimsAsync(1);
        (await _cli.RunAsync("claim", "update", names[0], "--topic", "a")).ExitCode.ShouldBe(0);

        var result = await _cli.RunAsync("claim", "review", names[0], "--etag", "1");

        result.ExitCode.ShouldBe(4, result.ToString());
        result.Error.ShouldBe(
            $"error: {names[0]} has changed since the etag given with --etag; nothing was changed.\n" +
            $"  Read it again (claimledger claim show {names[0]}) and retry with its current etag, or without --etag to change whatever it holds now.\n" +
            "  code: ABORTED, reason: ETAG_MISMATCH\n");
        (await server.Claims().GetClaimAsync(new GetClaimRequest { Name = names[0] })).Status.ShouldBe(ClaimStatus.Unverified);
    }

    [Fact]
    public async Task SourceUpdate_TakesAnUnquotedEtagToo()
    {
        var source = (await _cli.RunAsync("source", "add", $"https://news.example.org/{Guid.NewGuid():N}", "--json")).Json();
        source.Text("etag").ShouldBe("\"1\"");

        var updated = await _cli.RunAsync("source", "update", source.Text("name"), "--title", "Retitled", "--etag", "1", "--json");

        updated.Json().Text("title").ShouldBe("Retitled");
    }

    // ---- errors in the CLI's words

    [Fact]
    public async Task NoKey_NamesTheFlagAndTheVariable_NotTheMetadata()
    {
        var result = await _cli.RunRawAsync(["claim", "list", "--url", server.Url]);

        result.ExitCode.ShouldBe(5, result.ToString());
        result.Error.ShouldBe(
            "error: no API key: pass --api-key or set CLAIMLEDGER_API_KEY (or \"api_key\" in the config file).\n" +
            "  code: UNAUTHENTICATED, reason: API_KEY_MISSING\n");
        result.Error.ShouldNotContain("authorization");
    }

    [Fact]
    public async Task UnknownKey_SaysWhereTheKeyCameFrom()
    {
        _cli.Variables["CLAIMLEDGER_API_KEY"] = "cl_not_a_real_key";

        var fromVariable = await _cli.RunRawAsync(["claim", "list", "--url", server.Url]);
        var fromFlag = await _cli.RunAsAsync("cl_not_a_real_key", "claim", "list");

        fromVariable.Error.ShouldStartWith($"error: the API key from CLAIMLEDGER_API_KEY is not one the server at {server.Url} issued;");
        fromFlag.Error.ShouldStartWith($"error: the API key from --api-key is not one the server at {server.Url} issued;");
        fromFlag.Error.ShouldContain("code: UNAUTHENTICATED, reason: API_KEY_INVALID");
    }

    [Fact]
    public async Task NearDuplicate_NamesTheOriginalAndAllowDuplicate_NotTheApiField()
    {
        var text = $"The harbour board {Guid.NewGuid():N} banned cruise ships from the old port, its chair said.";
        var original = (await _cli.RunAsync("claim", "add", text, "--claimant", "Example Daily", "--json")).Json().Text("name");

        var result = await _cli.RunAsync("claim", "add", text, "--claimant", "Example Daily");

        result.ExitCode.ShouldBe(4, result.ToString());
        result.Error.ShouldBe(
            $"error: the claim nearly duplicates {original} (similarity 1.00); nothing was recorded.\n" +
            "  Pass --allow-duplicate to record it anyway, or work on the existing claim.\n" +
            "  code: ALREADY_EXISTS, reason: NEAR_DUPLICATE_CLAIM\n");
    }

    [Fact]
    public async Task PermissionDenied_NamesTheCommandAndTheKeysRole()
    {
        var reader = await server.KeyForAsync("reader-output", Role.Reader);

        var result = await _cli.RunAsAsync(reader, "ledger", "verify");

        result.ExitCode.ShouldBe(5, result.ToString());
        result.Error.ShouldBe(
            "error: claimledger ledger verify needs the Audit permission, which your key's role (READER, key from --api-key) does not have.\n" +
            "  code: PERMISSION_DENIED\n");
    }

    [Fact]
    public async Task FieldViolations_NameTheCommandsFlagsAndArguments_EachOnce()
    {
        var pageToken = await _cli.RunAsync("claim", "list", "--page-token", "not-a-token");
        var query = await _cli.RunAsync("claim", "search", "\"unterminated");

        pageToken.Error.ShouldStartWith("error: --page-token: is not a page token issued by this server");
        query.Error.ShouldStartWith("error: <query>: is not valid search syntax");
        query.Error.ShouldContain("(got \"\"unterminated\")");
        Regex.Matches(query.Error, "is not valid search syntax").Count.ShouldBe(1);
    }

    [GeneratedRegex(@"\x1b(\[[0-9;?]*[A-Za-z]|[=>])")]
    private static partial Regex Ansi();
}
