using System.Text.Json;
using System.Text.RegularExpressions;
using ClaimLedger.Contracts.V1;
using ClaimLedger.IntegrationTests.Infrastructure;

namespace ClaimLedger.IntegrationTests.Cli;

/// <summary>`claimledger claim …` in-process against the real service on loopback TCP.</summary>
public sealed class ClaimCliTests(CliServer server) : IClassFixture<CliServer>
{
    private readonly CliRunner _cli = new(server);

    private static string NewTopic() => "cli" + Guid.NewGuid().ToString("N")[..8];

    private async Task<JsonElement> AddAsync(string text, params string[] extra) =>
        (await _cli.RunAsync(["claim", "add", text, "--claimant", "Example Daily", .. extra, "--json"])).Json();

    [Fact]
    public async Task ClaimAdd_WithOriginUrlTopicsAndReviewInterval_RecordsTheClaim_AndRegistersTheOriginAsASource()
    {
        var text = TestData.UniqueText();
        var url = $"https://news.example.org/cli-origin/{Guid.NewGuid():N}";

        var claim = await AddAsync(text, "--topic", "Iran", "--topic", "drones", "--review-interval", "3", "--origin", url, "--excerpt", "the quoted words", "--locator", "para 2");

        claim.Text("name").ShouldStartWith("claims/");
        claim.Text("text").ShouldBe(text);
        claim.Text("claimant").ShouldBe("Example Daily");
        claim.Text("languageCode").ShouldBe("en");
        claim.Texts("topics").ShouldBe(["drones", "iran"], ignoreOrder: true);
        claim.Text("status").ShouldBe("UNVERIFIED");
        claim.Text("reviewInterval").ShouldBe("259200s"); // 3 days

        var evidence = (await _cli.RunAsync("evidence", "list", claim.Text("name"), "--json")).Json().Items("evidence").ShouldHaveSingleItem();
        evidence.Text("stance").ShouldBe("ORIGIN");
        evidence.Text("excerpt").ShouldBe("the quoted words");
        evidence.Text("locator").ShouldBe("para 2");
        var source = (await _cli.RunAsync("source", "show", evidence.Text("source"), "--json")).Json();
        source.Text("url").ShouldBe(url);
        source.Text("kind").ShouldBe("OTHER");
    }

    [Fact]
    public async Task ClaimAdd_WithAnExistingSourceNameAsOrigin_LinksThatSource()
    {
        var source = await server.Sources().CreateSourceAsync(TestData.NewSource());

        var claim = await AddAsync(TestData.UniqueText(), "--origin", source.Name);

        var evidence = (await _cli.RunAsync("evidence", "list", claim.Text("name"), "--json")).Json().Items("evidence").ShouldHaveSingleItem();
        evidence.Text("source").ShouldBe(source.Name);
        evidence.Text("stance").ShouldBe("ORIGIN");
    }

    [Fact]
    public async Task ClaimShow_HumanOutput_ListsNameStatusTextClaimantAndTopics_WithoutAnsiEscapes()
    {
        var created = await server.Claims().CreateClaimAsync(TestData.NewClaim(null, "economy"));

        var result = await _cli.RunAsync("claim", "show", created.Name);

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Out.ShouldMatch($@"name\s+{created.Name}");
        result.Out.ShouldMatch(@"status\s+UNVERIFIED");
        result.Out.ShouldContain(created.Text);
        result.Out.ShouldMatch(@"claimant\s+Ministry of Examples");
        result.Out.ShouldMatch(@"topics\s+economy");
        result.Out.ShouldNotContain("\u001b");
        result.Out.ShouldNotContain("{"); // not JSON
        result.Error.ShouldBeEmpty();
    }

    [Fact]
    public async Task ClaimShow_AsJson_IsTheClaimInProtobufJson()
    {
        var created = await server.Claims().CreateClaimAsync(TestData.NewClaim(null, "health"));

        var claim = (await _cli.RunAsync("claim", "show", created.Name, "--json")).Json();

        claim.Text("name").ShouldBe(created.Name);
        claim.Text("text").ShouldBe(created.Text);
        claim.Text("languageCode").ShouldBe("en");
        claim.Texts("topics").ShouldBe(["health"]);
        claim.Text("status").ShouldBe("UNVERIFIED");
        claim.Text("etag").ShouldBe(created.Etag);
        claim.Has("language_code").ShouldBeFalse();
    }

    [Fact]
    public async Task ClaimList_FiltersByTopicStatusAndClaimant()
    {
        var topic = NewTopic();
        var first = await AddAsync(TestData.UniqueText(), "--topic", topic);
        var second = await AddAsync(TestData.UniqueText(), "--topic", topic);
        (await _cli.RunAsync("claim", "review", second.Text("name"))).ExitCode.ShouldBe(0);
        var otherClaimant = (await _cli.RunAsync("claim", "add", TestData.UniqueText(), "--claimant", "Other Weekly " + topic, "--topic", topic, "--json")).Json();

        var all = (await _cli.RunAsync("claim", "list", "--topic", topic, "--json")).Json();
        var inReview = (await _cli.RunAsync("claim", "list", "--topic", topic, "--status", "IN_REVIEW", "--json")).Json();
        var byClaimant = (await _cli.RunAsync("claim", "list", "--claimant", "Other Weekly " + topic, "--json")).Json();

        all.Items("claims").Select(c => c.Text("name")).ShouldBe(
            [first.Text("name"), second.Text("name"), otherClaimant.Text("name")], ignoreOrder: true);
        inReview.Items("claims").Select(c => c.Text("name")).ShouldBe([second.Text("name")]);
        inReview.Items("claims")[0].Text("status").ShouldBe("IN_REVIEW");
        byClaimant.Items("claims").Select(c => c.Text("name")).ShouldBe([otherClaimant.Text("name")]);
    }

    [Fact]
    public async Task ClaimList_Human_IsAPlainTableWithTheClaims()
    {
        var topic = NewTopic();
        var claim = await AddAsync(TestData.UniqueText(), "--topic", topic);

        var result = await _cli.RunAsync("claim", "list", "--topic", topic);

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Out.ShouldMatch(@"Claim\s+Status\s+Verdict\s+Claimant\s+Text");
        result.Out.ShouldMatch($@"{claim.Text("name")}\s+UNVERIFIED\s+Example Daily");
        result.Out.ShouldNotContain("\u001b");
        result.Out.ShouldNotContain("╭"); // rounded borders are for terminals only
    }

    [Fact]
    public async Task ClaimList_WithAnUnknownStatus_IsAUsageError_NamingTheStatuses()
    {
        var result = await _cli.RunAsync("claim", "list", "--status", "DONE");

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Error.ShouldContain("--status must be one of UNVERIFIED, IN_REVIEW, VERIFIED, STALE, RETRACTED");
    }

    [Fact]
    public async Task ClaimSearch_FindsTheClaimByAWordOfItsText_AndMarksTheMatch()
    {
        var token = "zq" + Guid.NewGuid().ToString("N")[..10];
        var claim = await AddAsync($"The harbour authority quietly renamed the {token} pier last spring");

        var json = (await _cli.RunAsync("claim", "search", token, "--json")).Json();
        var human = await _cli.RunAsync("claim", "search", token);

        var hit = json.Items("results").ShouldHaveSingleItem();
        hit.GetProperty("claim").Text("name").ShouldBe(claim.Text("name"));
        hit.Text("snippet").ShouldContain($"<mark>{token}</mark>");
        human.ExitCode.ShouldBe(0);
        human.Out.ShouldContain($"[{token}]");
        human.Out.ShouldContain(claim.Text("name"));
    }

    [Fact]
    public async Task ClaimSimilar_ListsARewordedClaimWithItsSimilarity()
    {
        var token = Guid.NewGuid().ToString("N")[..8];
        var claim = await AddAsync($"The river ferry {token} doubled its fares for pensioners in the winter timetable");

        var json = (await _cli.RunAsync("claim", "similar", $"River ferry {token} doubled fares for pensioners in its winter timetable", "--min-similarity", "0.4", "--json")).Json();

        var similar = json.Items("claims").Single(c => c.GetProperty("claim").Text("name") == claim.Text("name"));
        similar.GetProperty("similarity").GetDouble().ShouldBeInRange(0.4, 1.0);
    }

    [Fact]
    public async Task ClaimUpdate_WithTheCurrentEtag_ChangesTheText_AndAStaleEtagIsAConflict()
    {
        var claim = await AddAsync(TestData.UniqueText());
        var newText = TestData.UniqueText();

        var updated = (await _cli.RunAsync("claim", "update", claim.Text("name"), "--text", newText, "--etag", claim.Text("etag"), "--json")).Json();
        var stale = await _cli.RunAsync("claim", "update", claim.Text("name"), "--claimant", "Someone Else", "--etag", claim.Text("etag"));

        updated.Text("text").ShouldBe(newText);
        updated.Text("etag").ShouldNotBe(claim.Text("etag"));
        stale.ExitCode.ShouldBe(4, stale.ToString());
        stale.Error.ShouldContain("code: ABORTED");
        stale.Error.ShouldContain("ETAG_MISMATCH");
        (await server.Claims().GetClaimAsync(new GetClaimRequest { Name = claim.Text("name") })).Claimant.ShouldBe("Example Daily");
    }

    [Fact]
    public async Task ClaimUpdate_OfOneField_LeavesTheTopicsAlone()
    {
        var claim = await AddAsync(TestData.UniqueText(), "--topic", "iran", "--review-interval", "5");

        var updated = (await _cli.RunAsync("claim", "update", claim.Text("name"), "--claimant", "Example Weekly", "--json")).Json();

        updated.Text("claimant").ShouldBe("Example Weekly");
        updated.Texts("topics").ShouldBe(["iran"], "only --claimant was given, so only the claimant may change");
        updated.Text("reviewInterval").ShouldBe("432000s");
    }

    [Fact]
    public async Task ClaimUpdate_WithTopics_ReplacesThem()
    {
        var claim = await AddAsync(TestData.UniqueText(), "--topic", "iran");

        var updated = (await _cli.RunAsync("claim", "update", claim.Text("name"), "--topic", "russia", "--topic", "energy", "--json")).Json();

        updated.Texts("topics").ShouldBe(["russia", "energy"], ignoreOrder: true);
    }

    [Fact]
    public async Task ClaimUpdate_WithoutAnyField_IsAUsageError_AndChangesNothing()
    {
        var claim = await AddAsync(TestData.UniqueText(), "--topic", "iran");

        var result = await _cli.RunAsync("claim", "update", claim.Text("name"));

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Error.ShouldContain("Name at least one field to change");
        var stored = await server.Claims().GetClaimAsync(new GetClaimRequest { Name = claim.Text("name") });
        stored.Etag.ShouldBe(claim.Text("etag"));
        stored.Topics.ShouldBe(["iran"]);
    }

    [Fact]
    public async Task Claim_FromAddThroughReviewEvidenceAndVerdict_HistoryShowsEveryStep()
    {
        var claim = await AddAsync(TestData.UniqueText());
        var name = claim.Text("name");
        var source = (await _cli.RunAsync("source", "add", $"https://lab.example.org/findings/{Guid.NewGuid():N}", "--kind", "DATASET", "--json")).Json();

        var reviewing = (await _cli.RunAsync("claim", "review", name, "--note", "picked up", "--json")).Json();
        var supports = (await _cli.RunAsync("evidence", "add", name, "--source", source.Text("name"), "--stance", "SUPPORTS", "--excerpt", "the figure is confirmed", "--json")).Json();
        var verified = (await _cli.RunAsync("claim", "verdict", name, "--rating", "MOSTLY_FALSE", "--rationale", "The lab data contradicts the size.", "--evidence", supports.Text("name"), "--json")).Json();
        var history = (await _cli.RunAsync("claim", "history", name, "--json")).Json();
        var humanHistory = await _cli.RunAsync("claim", "history", name);

        reviewing.Text("status").ShouldBe("IN_REVIEW");
        supports.Text("name").ShouldStartWith(name + "/evidence/");
        supports.Text("stance").ShouldBe("SUPPORTS");
        verified.Text("status").ShouldBe("VERIFIED");
        var verdict = verified.GetProperty("verdict");
        verdict.Text("rating").ShouldBe("MOSTLY_FALSE");
        verdict.GetProperty("score").GetDouble().ShouldBe(0.25);
        verdict.Text("rationale").ShouldBe("The lab data contradicts the size.");
        verdict.Text("reviewer").ShouldBe("admin");
        verdict.Texts("evidence").ShouldBe([supports.Text("name")]);

        var events = history.Items("events");
        events.Select(e => e.Text("type")).ShouldBe(["CREATED", "REVIEW_STARTED", "EVIDENCE_ADDED", "VERDICT_SUBMITTED"]);
        events[^1].Text("fromStatus").ShouldBe("IN_REVIEW");
        events[^1].Text("toStatus").ShouldBe("VERIFIED");
        events[^1].GetProperty("verdict").Text("rating").ShouldBe("MOSTLY_FALSE");
        events.Select(e => e.Int64("sequence")).ShouldBe([1L, 2L, 3L, 4L]);
        humanHistory.ExitCode.ShouldBe(0);
        humanHistory.Out.ShouldMatch(@"VERDICT_SUBMITTED\s+IN_REVIEW → VERIFIED\s+admin\s+MOSTLY_FALSE \(0\.25\)");
    }

    [Fact]
    public async Task ClaimVerdict_WithAnUnknownRating_IsAUsageError()
    {
        var claim = await AddAsync(TestData.UniqueText());

        var result = await _cli.RunAsync("claim", "verdict", claim.Text("name"), "--rating", "PANTS_ON_FIRE", "--rationale", "x");

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Error.ShouldContain("--rating must be one of TRUE, MOSTLY_TRUE, MIXED, MOSTLY_FALSE, FALSE, MISLEADING, UNPROVEN");
    }

    [Fact]
    public async Task ClaimRetract_AsDuplicate_RecordsTheReasonAndTheOriginal_AndTheClaimCannotBeReviewedAfterwards()
    {
        var original = await AddAsync(TestData.UniqueText());
        var copy = await AddAsync(TestData.UniqueText());

        var retracted = (await _cli.RunAsync("claim", "retract", copy.Text("name"), "--reason", "DUPLICATE", "--duplicate-of", original.Text("name"), "--note", "same claim", "--json")).Json();
        var review = await _cli.RunAsync("claim", "review", copy.Text("name"));

        retracted.Text("status").ShouldBe("RETRACTED");
        var retraction = retracted.GetProperty("retraction");
        retraction.Text("reason").ShouldBe("DUPLICATE");
        retraction.Text("duplicateOf").ShouldBe(original.Text("name"));
        retraction.Text("note").ShouldBe("same claim");
        review.ExitCode.ShouldBe(4, review.ToString());
        review.Error.ShouldContain("code: FAILED_PRECONDITION");
    }

    [Fact]
    public async Task ClaimReview_Twice_IsAConflict_ForTheIllegalTransition()
    {
        var claim = await AddAsync(TestData.UniqueText());
        (await _cli.RunAsync("claim", "review", claim.Text("name"))).ExitCode.ShouldBe(0);

        var again = await _cli.RunAsync("claim", "review", claim.Text("name"));

        again.ExitCode.ShouldBe(4, again.ToString());
        again.Error.ShouldContain("code: FAILED_PRECONDITION");
        again.Error.ShouldContain("ILLEGAL_TRANSITION");
        again.Out.ShouldBeEmpty();
    }

    [Fact]
    public async Task ClaimAdd_NearDuplicate_IsAConflictNamingTheOriginal_UnlessAllowed()
    {
        var token = Guid.NewGuid().ToString("N")[..8];
        var original = await AddAsync($"The coastal council {token} has firmly rejected the wind farm, officials said on Monday.");

        var twin = await _cli.RunAsync("claim", "add", $"The COASTAL council {token} has firmly rejected the wind-farm — officials said on Monday!", "--claimant", "Example Daily");
        var allowed = await _cli.RunAsync("claim", "add", $"The COASTAL council {token} has firmly rejected the wind-farm — officials said on Monday!", "--claimant", "Example Daily", "--allow-duplicate", "--json");

        twin.ExitCode.ShouldBe(4, twin.ToString());
        twin.Error.ShouldContain("code: ALREADY_EXISTS");
        twin.Error.ShouldContain("NEAR_DUPLICATE_CLAIM");
        twin.Error.ShouldContain(original.Text("name"));
        allowed.Json().Text("name").ShouldNotBe(original.Text("name"));
    }

    [Fact]
    public async Task ClaimAdd_WithEmptyText_IsInvalidArgument_NamingTheField()
    {
        var before = Db.Scalar(server.DatabasePath, "SELECT count(*) FROM claims");

        var result = await _cli.RunAsync("claim", "add", "", "--claimant", "Example Daily");

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Error.ShouldStartWith("error: <text>: is required");
        result.Error.ShouldContain("code: INVALID_ARGUMENT");
        result.Out.ShouldBeEmpty();
        Db.Scalar(server.DatabasePath, "SELECT count(*) FROM claims").ShouldBe(before);
    }

    [Fact]
    public async Task ClaimAdd_WithSeveralInvalidFields_NamesEveryViolation()
    {
        var result = await _cli.RunAsync("claim", "add", new string('x', 2001), "--claimant", " ", "--language", "english");

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Error.ShouldStartWith("error: the request is invalid:");
        result.Error.ShouldContain("  <text>: ");
        result.Error.ShouldContain("  --claimant: ");
        result.Error.ShouldContain("  --language: ");
    }

    [Fact]
    public async Task ClaimAdd_WithANonPositiveReviewInterval_IsAUsageError()
    {
        var result = await _cli.RunAsync("claim", "add", TestData.UniqueText(), "--claimant", "Example Daily", "--review-interval", "0");

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Error.ShouldContain("--review-interval must be a positive number of days");
    }

    [Fact]
    public async Task ClaimShow_OfAWellFormedUnknownClaim_IsNotFound()
    {
        var result = await _cli.RunAsync("claim", "show", "claims/" + new string('0', 32));

        result.ExitCode.ShouldBe(3, result.ToString());
        result.Error.ShouldContain("code: NOT_FOUND");
        result.Error.ShouldContain("claims/" + new string('0', 32));
    }

    [Fact]
    public async Task ClaimShow_OfAMalformedName_IsInvalidArgument_SaidOnce_WithTheNameGiven()
    {
        var result = await _cli.RunAsync("claim", "show", "claims/nope");

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Error.ShouldStartWith("error: <name>: must be a claim name");
        result.Error.ShouldContain("(got \"claims/nope\")");
        Regex.Matches(result.Error, "must be a claim name").Count.ShouldBe(1, result.Error);
        result.Out.ShouldBeEmpty();
    }
}
