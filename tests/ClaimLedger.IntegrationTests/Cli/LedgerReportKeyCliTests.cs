using System.Diagnostics;
using System.Text.Json;
using ClaimLedger.Contracts.V1;
using ClaimLedger.IntegrationTests.Infrastructure;

namespace ClaimLedger.IntegrationTests.Cli;

/// <summary>`claimledger ledger …`, `report …` and `keys …` against the real service on loopback TCP.</summary>
public sealed class LedgerReportKeyCliTests(CliServer server) : IClassFixture<CliServer>, IDisposable
{
    private readonly CliRunner _cli = new(server);
    private readonly string _files = Directory.CreateTempSubdirectory("claimledger-cli-files-").FullName;

    public void Dispose() => Directory.Delete(_files, recursive: true);

    /// <summary>A report period around the fake clock (2026-01-05 and on).</summary>
    private static readonly string[] Period = ["--since", "2026-01-01", "--until", "2027-01-01"];

    private async Task<JsonElement> AddClaimAsync() =>
        (await _cli.RunAsync("claim", "add", TestData.UniqueText(), "--claimant", "Example Daily", "--json")).Json();

    private async Task<Claim> VerifiedClaimAsync(string topic)
    {
        var claims = server.Claims();
        var claim = await claims.CreateClaimAsync(TestData.NewClaim(null, topic));
        await claims.StartReviewAsync(new StartReviewRequest { Name = claim.Name });
        var source = await server.Sources().CreateSourceAsync(TestData.NewSource());
        var evidence = await server.Evidence().AddEvidenceAsync(new AddEvidenceRequest
        {
            Parent = claim.Name, Evidence = new Evidence { Source = source.Name, Stance = Stance.Refutes, Excerpt = "not so" },
        });
        return await claims.SubmitVerdictAsync(new SubmitVerdictRequest { Name = claim.Name, Rating = Rating.MostlyFalse, Rationale = "Refuted.", Evidence = { evidence.Name } });
    }

    [Fact]
    public async Task LedgerList_FiltersBySubjectAndAction_AndEntriesAreHashChained()
    {
        var claim = await AddClaimAsync();
        var name = claim.Text("name");
        (await _cli.RunAsync("claim", "review", name)).ExitCode.ShouldBe(0);

        var bySubject = (await _cli.RunAsync("ledger", "list", "--subject", name, "--json")).Json();
        var byAction = (await _cli.RunAsync("ledger", "list", "--subject", name, "--action", "claim.review_started", "--json")).Json();
        var human = await _cli.RunAsync("ledger", "list", "--subject", name);

        var entries = bySubject.Items("entries");
        entries.Select(e => e.Text("action")).ShouldBe(["claim.created", "claim.review_started"]);
        entries.ShouldAllBe(e => e.Text("subject") == name && e.Text("actor") == "admin");
        entries.ShouldAllBe(e => e.Text("entryHash").Length == 64 && e.Text("previousHash").Length == 64);
        entries[1].Int64("sequence").ShouldBeGreaterThan(entries[0].Int64("sequence"));
        byAction.Items("entries").ShouldHaveSingleItem().Text("action").ShouldBe("claim.review_started");
        human.ExitCode.ShouldBe(0);
        human.Out.ShouldMatch($@"admin\s+claim\.created\s+{name}");
        human.Out.ShouldMatch($@"admin\s+claim\.review_started\s+{name}");
    }

    [Fact]
    public async Task LedgerVerify_AgainstADigestSavedFromLedgerDigestJson_IsValid()
    {
        await AddClaimAsync();
        var digest = await _cli.RunAsync("ledger", "digest", "--json");
        var digestJson = digest.Json();
        var path = Path.Combine(_files, "digest.json");
        await File.WriteAllTextAsync(path, digest.Out);
        await AddClaimAsync(); // the ledger grows past the saved digest, which must still verify

        var verified = await _cli.RunAsync("ledger", "verify", "--digest", path, "--json");
        var human = await _cli.RunAsync("ledger", "verify", "--digest", path);

        digestJson.Int64("headSequence").ShouldBeGreaterThan(1);
        digestJson.Text("headHash").ShouldMatch("^[0-9a-f]{64}$");
        verified.ExitCode.ShouldBe(0, verified.ToString());
        var result = verified.Json();
        result.GetProperty("valid").GetBoolean().ShouldBeTrue();
        result.Int64("headSequence").ShouldBeGreaterThan(digestJson.Int64("headSequence"));
        result.Int64("entriesChecked").ShouldBe(result.Int64("headSequence"));
        human.ExitCode.ShouldBe(0);
        human.Out.ShouldStartWith($"valid: {result.Int64("entriesChecked")} entries");
    }

    [Fact]
    public async Task LedgerVerify_AgainstADigestWithAnotherHash_IsInvalid_WithExitCode1()
    {
        await AddClaimAsync();
        var digest = (await _cli.RunAsync("ledger", "digest", "--json")).Json();
        var path = Path.Combine(_files, "forged-digest.json");
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(new { headSequence = digest.Text("headSequence"), headHash = new string('0', 64) }));

        var verified = await _cli.RunAsync("ledger", "verify", "--digest", path, "--json");
        var human = await _cli.RunAsync("ledger", "verify", "--digest", path);

        verified.ExitCode.ShouldBe(1, verified.ToString());
        var result = verified.JsonWhateverTheExitCode();
        result.Has("valid").ShouldBeFalse(); // false is proto3's default, left out
        result.GetProperty("firstProblem").Text("kind").ShouldBe("DIGEST_MISMATCH");
        human.ExitCode.ShouldBe(1);
        human.Out.ShouldStartWith("INVALID: DIGEST_MISMATCH");
    }

    [Theory]
    [InlineData("head sequence 12")] // not JSON
    [InlineData("{\"url\": \"http://127.0.0.1:5180\", \"api_key\": \"cl_x\"}")] // JSON, but the config file rather than a digest
    [InlineData("{\"headSequence\": \"many\"}")] // a digest field of the wrong type
    public async Task LedgerVerify_WithAFileThatIsNotADigest_IsAUsageError(string content)
    {
        var path = Path.Combine(_files, "not-a-digest.json");
        await File.WriteAllTextAsync(path, content);

        var result = await _cli.RunAsync("ledger", "verify", "--digest", path);

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Error.ShouldContain($"{path} is not a digest saved by `ledger digest --json`");
    }

    [Fact]
    public async Task LedgerWatch_WithJson_PrintsOneJsonLinePerNewEntry_AndExitsZeroWhenCancelled()
    {
        var head = (await _cli.RunAsync("ledger", "digest", "--json")).Json().Int64("headSequence");
        using var cancel = new CancellationTokenSource();
        var (exit, output, error) = _cli.Start(
            ["ledger", "watch", "--from", (head + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), "--json", "--url", server.Url, "--api-key", server.AdminKey],
            cancel.Token);
        var claim = await server.Claims().CreateClaimAsync(TestData.NewClaim());

        var watch = Stopwatch.StartNew();
        while (!output.ToString().Contains(claim.Name, StringComparison.Ordinal) && !exit.IsCompleted && watch.Elapsed < TimeSpan.FromSeconds(15))
        {
            await Task.Delay(25);
        }

        exit.IsCompleted.ShouldBeFalse($"the watch ended on its own: {output}\n{error}");
        await cancel.CancelAsync();
        var code = await exit.WaitAsync(TimeSpan.FromSeconds(10));

        code.ShouldBe(0, error.ToString());
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        lines.ShouldNotBeEmpty();
        var entries = lines.Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList(); // every line is one JSON document
        entries[0].Int64("sequence").ShouldBe(head + 1);
        entries.Select(e => e.Int64("sequence")).ShouldBe(Enumerable.Range(0, entries.Count).Select(i => head + 1 + i));
        var created = entries.Single(e => e.Text("subject") == claim.Name);
        created.Text("action").ShouldBe("claim.created");
        created.Text("actor").ShouldBe("admin");
        created.Text("entryHash").ShouldMatch("^[0-9a-f]{64}$");
        error.ToString().ShouldBeEmpty();
    }

    [Fact]
    public async Task LedgerWatch_WithoutFrom_StartsAtTheFirstEntry()
    {
        using var cancel = new CancellationTokenSource();
        var (exit, output, error) = _cli.Start(["ledger", "watch", "--json", "--url", server.Url, "--api-key", server.AdminKey], cancel.Token);

        var watch = Stopwatch.StartNew();
        while (!output.ToString().Contains('\n', StringComparison.Ordinal) && !exit.IsCompleted && watch.Elapsed < TimeSpan.FromSeconds(15))
        {
            await Task.Delay(25);
        }

        await cancel.CancelAsync();
        (await exit.WaitAsync(TimeSpan.FromSeconds(10))).ShouldBe(0, error.ToString());
        using var first = JsonDocument.Parse(output.ToString().Split('\n')[0]);
        first.RootElement.Int64("sequence").ShouldBe(1);
        first.RootElement.Text("action").ShouldBe("api_key.created"); // the bootstrapped admin key
    }

    [Theory]
    [InlineData("html")]
    [InlineData("md")]
    [InlineData("csv")]
    [InlineData("json")]
    public async Task ReportAudit_WritesTheFileInTheAskedFormat(string format)
    {
        var claim = await AddClaimAsync();
        var path = Path.Combine(_files, "audit." + format);

        var result = await _cli.RunAsync(["report", "audit", "--format", format, "--output", path, "--claim", claim.Text("name"), .. Period, "--json"]);

        var written = result.Json();
        written.Text("file").ShouldBe(Path.GetFullPath(path));
        File.Exists(path).ShouldBeTrue();
        File.Exists(path + ".partial").ShouldBeFalse();
        var text = await File.ReadAllTextAsync(path);
        written.GetProperty("bytes").GetInt64().ShouldBe(new FileInfo(path).Length);
        text.Length.ShouldBeGreaterThan(100);
        switch (format)
        {
            case "html":
                text.ShouldStartWith("<!DOCTYPE html>");
                text.ShouldContain("</html>");
                break;
            case "md":
                text.ShouldStartWith("# ClaimLedger audit report");
                break;
            case "csv":
                text.Split('\n')[0].Trim().ShouldStartWith("section,claim,time,actor,item,value,detail");
                break;
            case "json":
                using (var document = JsonDocument.Parse(text))
                {
                    var root = document.RootElement;
                    root.GetProperty("report").GetString().ShouldBe("claimledger.audit");
                    root.GetProperty("filter").GetProperty("claim").GetString().ShouldBe(claim.Text("name"));
                    root.GetProperty("summary").GetProperty("claims_recorded").GetInt64().ShouldBe(1);
                    root.GetProperty("ledger").GetProperty("valid").GetBoolean().ShouldBeTrue();
                    root.GetProperty("timelines").EnumerateArray().Single().GetProperty("claim").GetString().ShouldBe(claim.Text("name"));
                }

                break;
        }
    }

    [Fact]
    public async Task ReportAudit_Human_SaysWhereItWroteHowMuch()
    {
        var path = Path.Combine(_files, "audit-human.html");

        var result = await _cli.RunAsync(["report", "audit", "--output", path, .. Period]);

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Out.Trim().ShouldBe($"Wrote {new FileInfo(path).Length} bytes to {path}");
        (await File.ReadAllTextAsync(path)).ShouldStartWith("<!DOCTYPE html>"); // html is the default format
    }

    [Fact]
    public async Task ReportAudit_WithAnUnknownFormat_IsAUsageError_AndWritesNoFile()
    {
        var path = Path.Combine(_files, "audit.pdf");

        var result = await _cli.RunAsync(["report", "audit", "--format", "pdf", "--output", path, .. Period]);

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Error.ShouldContain("--format must be html, md, csv or json; got \"pdf\".");
        File.Exists(path).ShouldBeFalse();
    }

    [Fact]
    public async Task ReportClaimReviews_WritesSchemaOrgClaimReviewsOfTheVerifiedClaims()
    {
        var topic = "cli" + Guid.NewGuid().ToString("N")[..8];
        var claim = await VerifiedClaimAsync(topic);
        var path = Path.Combine(_files, "reviews.jsonld");

        var result = await _cli.RunAsync("report", "claimreviews", "--output", path, "--publisher", "Example Checks", "--publisher-url", "https://checks.example.org",
            "--review-url", "https://checks.example.org/c/{claim}", "--topic", topic, "--json");

        result.Json().GetProperty("bytes").GetInt64().ShouldBe(new FileInfo(path).Length);
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(path));
        var review = document.RootElement.EnumerateArray().ShouldHaveSingleItem();
        review.GetProperty("@type").GetString().ShouldBe("ClaimReview");
        review.GetProperty("claimReviewed").GetString().ShouldBe(claim.Text);
        review.GetProperty("url").GetString().ShouldBe("https://checks.example.org/c/" + claim.Name["claims/".Length..]);
        review.GetProperty("author").GetProperty("name").GetString().ShouldBe("Example Checks");
        review.GetProperty("reviewRating").GetProperty("alternateName").GetString().ShouldBe("Mostly false");
    }

    [Fact]
    public async Task ReportClaimReviews_WithoutPublisher_IsAParseError()
    {
        var result = await _cli.RunAsync("report", "claimreviews", "--output", Path.Combine(_files, "x.jsonld"), "--publisher-url", "https://checks.example.org", "--review-url", "https://c/{claim}");

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Error.ShouldContain("Option '--publisher' is required.");
    }

    [Fact]
    public async Task Keys_CreatedKeyWorksForItsRole_IsListedWithoutItsSecret_AndOnceRevokedIsRefused()
    {
        var displayName = "dana-" + Guid.NewGuid().ToString("N")[..6];

        var created = (await _cli.RunAsync("keys", "create", displayName, "--role", "CONTRIBUTOR", "--json")).Json();
        var apiKey = created.GetProperty("apiKey");
        var secret = created.Text("key");
        var keyName = apiKey.Text("name");
        var contributorReads = await _cli.RunAsAsync(secret, "claim", "list", "--page-size", "1");
        var contributorAdministers = await _cli.RunAsAsync(secret, "keys", "list");
        var listed = await _cli.RunAsync("keys", "list", "--page-size", "100", "--json");
        var revoked = (await _cli.RunAsync("keys", "revoke", keyName, "--json")).Json();
        var afterRevoke = await _cli.RunAsAsync(secret, "claim", "list", "--page-size", "1");
        var activeKeys = (await _cli.RunAsync("keys", "list", "--page-size", "100", "--json")).Json();
        var allKeys = (await _cli.RunAsync("keys", "list", "--page-size", "100", "--show-revoked", "--json")).Json();

        keyName.ShouldStartWith("apiKeys/");
        apiKey.Text("displayName").ShouldBe(displayName);
        apiKey.Text("role").ShouldBe("CONTRIBUTOR");
        secret.ShouldStartWith(apiKey.Text("keyPrefix"));
        contributorReads.ExitCode.ShouldBe(0, contributorReads.ToString());
        contributorAdministers.ExitCode.ShouldBe(5, contributorAdministers.ToString());
        contributorAdministers.Error.ShouldContain("code: PERMISSION_DENIED");
        listed.Json().Items("apiKeys").Single(k => k.Text("name") == keyName).Text("role").ShouldBe("CONTRIBUTOR");
        listed.Out.ShouldNotContain(secret);
        revoked.Text("name").ShouldBe(keyName);
        revoked.Text("revokedBy").ShouldBe("admin");
        revoked.Has("revokeTime").ShouldBeTrue();
        afterRevoke.ExitCode.ShouldBe(5, afterRevoke.ToString());
        afterRevoke.Error.ShouldContain("code: UNAUTHENTICATED");
        activeKeys.Items("apiKeys").Select(k => k.Text("name")).ShouldNotContain(keyName);
        allKeys.Items("apiKeys").Select(k => k.Text("name")).ShouldContain(keyName);
    }

    [Fact]
    public async Task KeysCreate_Human_PrintsTheKeyNameRoleAndTheSecretOnce()
    {
        var displayName = "erin-" + Guid.NewGuid().ToString("N")[..6];

        var result = await _cli.RunAsync("keys", "create", displayName, "--role", "auditor");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Out.ShouldMatch($@"^apiKeys/[0-9a-f]+\s+{displayName}\s+AUDITOR\r?\n");
        result.Out.ShouldMatch(@"key \(shown once, keep it secret\): cl_\S+");
    }

    [Fact]
    public async Task KeysCreate_WithAnUnknownRole_IsAUsageError()
    {
        var result = await _cli.RunAsync("keys", "create", "frank", "--role", "OWNER");

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Error.ShouldContain("--role must be one of READER, CONTRIBUTOR, EDITOR, AUDITOR, ADMIN");
    }
}
