using ClaimLedger.Contracts.V1;
using ClaimLedger.IntegrationTests.Infrastructure;
using Google.Protobuf.WellKnownTypes;

namespace ClaimLedger.IntegrationTests.Cli;

/// <summary>`claimledger stale …` (policy, run, runs, list) against the real service on loopback TCP.</summary>
/// <remarks>Only <see cref="StaleRun_VerdictExpiry_WaitsForTheRun_AndTheOverdueClaimIsListedStale"/> verifies claims and moves the clock.</remarks>
public sealed class StaleCliTests(CliServer server) : IClassFixture<CliServer>
{
    private readonly CliRunner _cli = new(server);

    private StalenessService.StalenessServiceClient Staleness() => new(server.Authorized(server.AdminKey));

    /// <summary>topicReviewIntervals as (topic, duration) pairs; protobuf JSON leaves an empty map out.</summary>
    private static (string Topic, string? Interval)[] TopicIntervals(System.Text.Json.JsonElement policy) =>
        policy.TryGetProperty("topicReviewIntervals", out var map) ? map.EnumerateObject().Select(p => (p.Name, p.Value.GetString())).ToArray() : [];

    private long PolicyWrites() => Db.Scalar(server.DatabasePath, "SELECT count(*) FROM ledger_entries WHERE action = 'review_policy.set'");

    [Fact]
    public async Task StalePolicy_WithoutOptions_ShowsThePolicy_WithoutChangingIt()
    {
        var policy = await Staleness().GetReviewPolicyAsync(new GetReviewPolicyRequest());
        var writes = PolicyWrites();

        var first = (await _cli.RunAsync("stale", "policy", "--json")).Json();
        var human = await _cli.RunAsync("stale", "policy");

        first.Text("name").ShouldBe("reviewPolicy");
        first.Text("defaultReviewInterval").ShouldBe($"{(long)policy.DefaultReviewInterval.ToTimeSpan().TotalSeconds}s");
        first.Text("unsourcedAfter").ShouldBe($"{(long)policy.UnsourcedAfter.ToTimeSpan().TotalSeconds}s");
        first.Text("etag").ShouldBe(policy.Etag, "showing the policy must not write it");
        PolicyWrites().ShouldBe(writes);
        human.ExitCode.ShouldBe(0, human.ToString());
        human.Out.ShouldMatch($@"default review interval\s+{policy.DefaultReviewInterval.ToTimeSpan().TotalDays:0.###} days");
        human.Out.ShouldNotContain("\u001b");
        (await Staleness().GetReviewPolicyAsync(new GetReviewPolicyRequest())).ShouldBe(policy);
    }

    [Fact]
    public async Task StalePolicy_WithoutOptions_CanBeShownByAReader()
    {
        var reader = await server.KeyForAsync("reader-policy", Role.Reader);

        var result = await _cli.RunAsAsync(reader, "stale", "policy", "--json");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Json().Text("name").ShouldBe("reviewPolicy");
    }

    [Fact]
    public async Task StalePolicy_SetDefaultTopicsAndUnsourcedAfter_ChangesThePolicy()
    {
        var updated = (await _cli.RunAsync("stale", "policy", "--default", "45", "--topic", "elections=7", "--topic", "weather=1.5", "--unsourced-after", "10", "--json")).Json();
        var human = await _cli.RunAsync("stale", "policy", "--default", "45", "--topic", "elections=7", "--topic", "weather=1.5", "--unsourced-after", "10");

        updated.Text("defaultReviewInterval").ShouldBe("3888000s");
        updated.Text("unsourcedAfter").ShouldBe("864000s");
        TopicIntervals(updated).ShouldBe([("elections", "604800s"), ("weather", "129600s")], ignoreOrder: true);
        var stored = await Staleness().GetReviewPolicyAsync(new GetReviewPolicyRequest());
        stored.DefaultReviewInterval.ToTimeSpan().ShouldBe(TimeSpan.FromDays(45));
        stored.TopicReviewIntervals["weather"].ToTimeSpan().ShouldBe(TimeSpan.FromDays(1.5));
        human.ExitCode.ShouldBe(0, human.ToString());
        human.Out.ShouldMatch(@"default review interval\s+45 days");
        human.Out.ShouldMatch(@"topic elections\s+7 days");
        human.Out.ShouldMatch(@"topic weather\s+1\.5 days");
    }

    [Fact]
    public async Task StalePolicy_SetOnlyTheDefault_KeepsTheTopicIntervals()
    {
        var policy = await Staleness().GetReviewPolicyAsync(new GetReviewPolicyRequest());
        policy.TopicReviewIntervals.Clear();
        policy.TopicReviewIntervals["budget"] = Duration.FromTimeSpan(TimeSpan.FromDays(10));
        await Staleness().SetReviewPolicyAsync(new SetReviewPolicyRequest { Policy = policy });

        var updated = (await _cli.RunAsync("stale", "policy", "--default", "60", "--json")).Json();

        updated.Text("defaultReviewInterval").ShouldBe("5184000s");
        TopicIntervals(updated).ShouldBe([("budget", "864000s")], "only --default was given");
    }

    [Fact]
    public async Task StalePolicy_WithAMalformedTopicInterval_IsAUsageError_AndChangesNothing()
    {
        var writes = PolicyWrites();

        var result = await _cli.RunAsync("stale", "policy", "--topic", "elections");

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Error.ShouldContain("--topic must look like TOPIC=DAYS; got \"elections\".");
        PolicyWrites().ShouldBe(writes);
    }

    [Fact]
    public async Task StalePolicy_SetByAnEditor_IsNotPermitted()
    {
        var editor = await server.KeyForAsync("editor-policy", Role.Editor);

        var result = await _cli.RunAsAsync(editor, "stale", "policy", "--default", "30");

        result.ExitCode.ShouldBe(5, result.ToString());
        result.Error.ShouldContain("code: PERMISSION_DENIED");
    }

    [Fact]
    public async Task StaleRun_VerdictExpiry_WaitsForTheRun_AndTheOverdueClaimIsListedStale()
    {
        var claims = server.Claims();
        var source = await server.Sources().CreateSourceAsync(TestData.NewSource());
        var request = TestData.NewClaim();
        request.Claim.ReviewInterval = Duration.FromTimeSpan(TimeSpan.FromDays(1));
        var claim = await claims.CreateClaimAsync(request);
        await claims.StartReviewAsync(new StartReviewRequest { Name = claim.Name });
        var supports = await server.Evidence().AddEvidenceAsync(new AddEvidenceRequest
        {
            Parent = claim.Name, Evidence = new Evidence { Source = source.Name, Stance = Stance.Supports, Excerpt = "confirmed" },
        });
        await claims.SubmitVerdictAsync(new SubmitVerdictRequest { Name = claim.Name, Rating = Rating.True, Rationale = "Confirmed.", Evidence = { supports.Name } });
        server.Clock.Advance(TimeSpan.FromDays(2));

        var run = (await _cli.RunAsync("stale", "run", "--check", "VERDICT_EXPIRY", "--json")).Json();
        var stale = (await _cli.RunAsync("stale", "list", "--json")).Json();
        var staleBrokenOnly = (await _cli.RunAsync("stale", "list", "--reason", "SOURCE_BROKEN", "--json")).Json();
        var runs = (await _cli.RunAsync("stale", "runs", "--json")).Json();
        var humanList = await _cli.RunAsync("stale", "list");
        var humanRuns = await _cli.RunAsync("stale", "runs");
        var shown = (await _cli.RunAsync("claim", "show", claim.Name, "--json")).Json();

        run.Text("name").ShouldStartWith("stalenessRuns/");
        run.Text("state").ShouldBe("SUCCEEDED");
        run.Text("trigger").ShouldBe("MANUAL");
        run.Texts("checks").ShouldBe(["VERDICT_EXPIRY"]);
        run.Text("requestedBy").ShouldBe("admin");
        run.Int64("claimsExamined").ShouldBe(1);
        run.Int64("markedStale").ShouldBe(1);
        run.Has("endTime").ShouldBeTrue();

        var found = stale.Items("staleClaims").ShouldHaveSingleItem();
        found.GetProperty("claim").Text("name").ShouldBe(claim.Name);
        var finding = found.Items("findings").ShouldHaveSingleItem();
        finding.Text("reason").ShouldBe("VERDICT_EXPIRED");
        finding.Text("run").ShouldBe(run.Text("name"));
        staleBrokenOnly.Items("staleClaims").ShouldBeEmpty();
        shown.Text("status").ShouldBe("STALE");

        var listed = runs.Items("runs").Single(r => r.Text("name") == run.Text("name"));
        listed.Text("state").ShouldBe("SUCCEEDED");
        humanList.ExitCode.ShouldBe(0);
        humanList.Out.ShouldMatch($@"{claim.Name}\s+VERDICT_EXPIRED");
        humanRuns.ExitCode.ShouldBe(0);
        humanRuns.Out.ShouldMatch($@"{run.Text("name")}\s+SUCCEEDED\s+MANUAL");
    }

    [Fact]
    public async Task StaleRun_WithAnUnknownCheck_IsAUsageError_AndStartsNothing()
    {
        var runs = Db.Scalar(server.DatabasePath, "SELECT count(*) FROM staleness_runs");

        var result = await _cli.RunAsync("stale", "run", "--check", "EVERYTHING");

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Error.ShouldContain("--check must be one of VERDICT_EXPIRY, SOURCE_HEALTH, UNSOURCED_CLAIMS");
        Db.Scalar(server.DatabasePath, "SELECT count(*) FROM staleness_runs").ShouldBe(runs);
    }
}
