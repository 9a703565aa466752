using System.Text.Json;
using ClaimLedger.Contracts.V1;
using ClaimLedger.IntegrationTests.Infrastructure;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;

namespace ClaimLedger.IntegrationTests;

/// <summary>The review policy: defaults, replacement with etags, validation, permissions, and the review due time it gives claims.</summary>
public sealed class StalenessReviewPolicyTests
{
    private static Duration Days(double days) => Duration.FromTimeSpan(TimeSpan.FromDays(days));

    private static SetReviewPolicyRequest Policy(TimeSpan defaultInterval, TimeSpan unsourcedAfter, string etag = "", params (string Topic, TimeSpan Interval)[] topics)
    {
        var policy = new ReviewPolicy
        {
            DefaultReviewInterval = Duration.FromTimeSpan(defaultInterval),
            UnsourcedAfter = Duration.FromTimeSpan(unsourcedAfter),
            Etag = etag,
        };
        foreach (var (topic, interval) in topics)
        {
            policy.TopicReviewIntervals[topic] = Duration.FromTimeSpan(interval);
        }

        return new SetReviewPolicyRequest { Policy = policy };
    }

    [Fact]
    public async Task GetReviewPolicy_OnANewServer_Is90DayReviewAnd7DayUnsourced_AndReadersMayReadIt()
    {
        using var server = new ClaimLedgerServer();

        var policy = await StalenessDriver.Client(server, "reader-policy", Role.Reader).GetReviewPolicyAsync(new GetReviewPolicyRequest());

        policy.Name.ShouldBe("reviewPolicy");
        policy.DefaultReviewInterval.ToTimeSpan().ShouldBe(TimeSpan.FromDays(90));
        policy.UnsourcedAfter.ToTimeSpan().ShouldBe(TimeSpan.FromDays(7));
        policy.TopicReviewIntervals.ShouldBeEmpty();
        policy.Etag.ShouldNotBeNullOrEmpty();
    }

    [Fact]
    public async Task SetReviewPolicy_ReplacesTheWholePolicy_LowerCasesTopics_AndAStaleEtagIsAborted()
    {
        using var server = new ClaimLedgerServer();
        var admin = StalenessDriver.Client(server, "admin-policy");
        var original = await admin.GetReviewPolicyAsync(new GetReviewPolicyRequest());
        server.Clock.Advance(TimeSpan.FromMinutes(5));

        var first = await admin.SetReviewPolicyAsync(Policy(TimeSpan.FromDays(30), TimeSpan.FromDays(3), original.Etag,
            ("Health", TimeSpan.FromDays(7)), ("elections", TimeSpan.FromDays(14))));

        first.DefaultReviewInterval.ShouldBe(Days(30));
        first.UnsourcedAfter.ShouldBe(Days(3));
        first.TopicReviewIntervals.Keys.Order(StringComparer.Ordinal).ShouldBe(["elections", "health"]);
        first.TopicReviewIntervals["health"].ShouldBe(Days(7));
        first.TopicReviewIntervals["elections"].ShouldBe(Days(14));
        first.Etag.ShouldNotBe(original.Etag);
        first.UpdateTime.ToDateTimeOffset().ShouldBeGreaterThan(original.UpdateTime.ToDateTimeOffset());
        (await admin.GetReviewPolicyAsync(new GetReviewPolicyRequest())).ShouldBe(first);

        // The etag read before the first change is stale now: nothing changes.
        await RpcAssert.Fails(StatusCode.Aborted, admin.SetReviewPolicyAsync(Policy(TimeSpan.FromDays(1), TimeSpan.FromDays(1), original.Etag)));
        (await admin.GetReviewPolicyAsync(new GetReviewPolicyRequest())).ShouldBe(first);

        // A replacement, not a merge: topics left out are gone.
        var second = await admin.SetReviewPolicyAsync(Policy(TimeSpan.FromDays(45), TimeSpan.FromDays(2), first.Etag, ("science", TimeSpan.FromDays(20))));
        second.TopicReviewIntervals.Keys.ShouldBe(["science"]);
        second.DefaultReviewInterval.ShouldBe(Days(45));

        var entries = await StalenessDriver.LedgerAsync(server, "reviewPolicy", "review_policy.set");
        entries.Count.ShouldBe(2);
        entries.ShouldAllBe(e => e.Actor == "admin-policy");
        using var changes = JsonDocument.Parse(entries[0].Changes);
        changes.RootElement.GetProperty("default_review_interval_seconds").GetInt64().ShouldBe(30 * 86400);
        changes.RootElement.GetProperty("topic_review_intervals").GetProperty("health").GetInt64().ShouldBe(7 * 86400);
    }

    [Fact]
    public async Task SetReviewPolicy_InvalidValues_AreInvalidArgumentNamingTheFields_AndChangeNothing()
    {
        using var server = new ClaimLedgerServer();
        var admin = StalenessDriver.Client(server, "admin-policy");
        var before = await admin.GetReviewPolicyAsync(new GetReviewPolicyRequest());
        var week = TimeSpan.FromDays(7);

        await RpcAssert.InvalidArgument(admin.SetReviewPolicyAsync(new SetReviewPolicyRequest
        {
            Policy = new ReviewPolicy { UnsourcedAfter = Duration.FromTimeSpan(week) },
        }), "policy.default_review_interval");
        await RpcAssert.InvalidArgument(admin.SetReviewPolicyAsync(Policy(TimeSpan.FromSeconds(30), week)), "policy.default_review_interval");
        await RpcAssert.InvalidArgument(admin.SetReviewPolicyAsync(Policy(TimeSpan.FromDays(3651), week)), "policy.default_review_interval");
        await RpcAssert.InvalidArgument(admin.SetReviewPolicyAsync(Policy(week, TimeSpan.Zero)), "policy.unsourced_after");
        await TopicViolation(admin.SetReviewPolicyAsync(Policy(week, week, "", ("health", TimeSpan.FromSeconds(10)))), "health");
        await TopicViolation(admin.SetReviewPolicyAsync(Policy(week, week, "", ("health", TimeSpan.FromDays(4000)))), "health");
        await TopicViolation(admin.SetReviewPolicyAsync(Policy(week, week, "", ("   ", week))), "   ");
        // A topic is quoted shortened to 64 characters (ADR 7).
        await TopicViolation(admin.SetReviewPolicyAsync(Policy(week, week, "", (new string('t', 65), week))), new string('t', 63) + "…");
        var both = await RpcAssert.InvalidArgument(admin.SetReviewPolicyAsync(Policy(TimeSpan.Zero, week, "", ("health", TimeSpan.Zero))),
            "policy.default_review_interval");
        both.FieldViolations.Count.ShouldBe(2);
        both.FieldViolations.ShouldContain(v => v.Field.StartsWith("policy.topic_review_intervals", StringComparison.Ordinal));

        (await admin.GetReviewPolicyAsync(new GetReviewPolicyRequest())).ShouldBe(before);
        (await StalenessDriver.LedgerAsync(server, "reviewPolicy")).ShouldBeEmpty();
    }

    /// <summary>
    /// One violation on the topic map that names the offending topic. The service reports the path of a map entry with a
    /// positional index ("policy.topic_review_intervals[0]"), so only the prefix is asserted here (see the report).
    /// </summary>
    private static async Task TopicViolation(AsyncUnaryCall<ReviewPolicy> call, string topic)
    {
        var status = await RpcAssert.Fails(StatusCode.InvalidArgument, call);
        var violation = status.GetDetail<BadRequest>().ShouldNotBeNull().FieldViolations.ShouldHaveSingleItem();
        violation.Field.ShouldStartWith("policy.topic_review_intervals");
        violation.Description.ShouldContain($"topic \"{topic}\"");
    }

    [Theory]
    [InlineData(Role.Reader)]
    [InlineData(Role.Editor)]
    [InlineData(Role.Auditor)]
    public async Task SetReviewPolicy_ByANonAdmin_IsPermissionDenied_AndChangesNothing(Role role)
    {
        using var server = new ClaimLedgerServer();
        var before = await StalenessDriver.Client(server).GetReviewPolicyAsync(new GetReviewPolicyRequest());

        await RpcAssert.Fails(StatusCode.PermissionDenied, StalenessDriver.Client(server, "not-an-admin", role)
            .SetReviewPolicyAsync(Policy(TimeSpan.FromDays(1), TimeSpan.FromDays(1), before.Etag)));

        (await StalenessDriver.Client(server).GetReviewPolicyAsync(new GetReviewPolicyRequest())).ShouldBe(before);
    }

    [Fact]
    public async Task ReviewDueTime_IsVerdictTimePlusTheEffectiveInterval_OverrideBeatsShortestTopicBeatsDefault()
    {
        using var server = new ClaimLedgerServer();
        var admin = StalenessDriver.Client(server);
        var policy = await admin.GetReviewPolicyAsync(new GetReviewPolicyRequest());
        policy = await admin.SetReviewPolicyAsync(Policy(TimeSpan.FromDays(60), TimeSpan.FromDays(7), policy.Etag,
            ("health", TimeSpan.FromDays(10)), ("science", TimeSpan.FromDays(20))));
        var source = await StalenessDriver.SourceAsync(server, "https://news.example.org/review-due-basis");

        var byDefault = (await StalenessDriver.VerifiedClaimAsync(server, [source], topics: ["sports"])).Claim;
        var byTopic = (await StalenessDriver.VerifiedClaimAsync(server, [source], topics: ["science"])).Claim;
        var byShortestTopic = (await StalenessDriver.VerifiedClaimAsync(server, [source], topics: ["science", "health"])).Claim;
        var byShorterOverride = (await StalenessDriver.VerifiedClaimAsync(server, [source], TimeSpan.FromDays(2), ["health"])).Claim;
        var byLongerOverride = (await StalenessDriver.VerifiedClaimAsync(server, [source], TimeSpan.FromDays(45), ["health"])).Claim;
        var unverified = await server.Claims().CreateClaimAsync(TestData.NewClaim(null, "health"));

        static DateTimeOffset Due(Claim c, double days) => c.Verdict.CreateTime.ToDateTimeOffset().AddDays(days);
        byDefault.ReviewDueTime.ToDateTimeOffset().ShouldBe(Due(byDefault, 60));
        byTopic.ReviewDueTime.ToDateTimeOffset().ShouldBe(Due(byTopic, 20));
        byShortestTopic.ReviewDueTime.ToDateTimeOffset().ShouldBe(Due(byShortestTopic, 10));
        byShorterOverride.ReviewDueTime.ToDateTimeOffset().ShouldBe(Due(byShorterOverride, 2));
        byLongerOverride.ReviewDueTime.ToDateTimeOffset().ShouldBe(Due(byLongerOverride, 45));
        unverified.ReviewDueTime.ShouldBeNull();

        // The due time follows the policy as it is now: a new default moves claims that use it, not the others.
        await admin.SetReviewPolicyAsync(Policy(TimeSpan.FromDays(80), TimeSpan.FromDays(7), policy.Etag,
            ("health", TimeSpan.FromDays(10)), ("science", TimeSpan.FromDays(20))));
        (await StalenessDriver.GetClaimAsync(server, byDefault.Name)).ReviewDueTime.ToDateTimeOffset().ShouldBe(Due(byDefault, 80));
        (await StalenessDriver.GetClaimAsync(server, byTopic.Name)).ReviewDueTime.ToDateTimeOffset().ShouldBe(Due(byTopic, 20));
    }
}

/// <summary>Starting, reading and listing runs; the errors of the run API.</summary>
public sealed class StalenessRunApiTests(ClaimLedgerServer server) : IClassFixture<ClaimLedgerServer>
{
    private long RunRows()
    {
        _ = server.Server; // start the host (and run its migrations) before reading its database
        return Db.Scalar(server.DatabasePath, "SELECT count(*) FROM staleness_runs");
    }

    [Theory]
    [InlineData("")]
    [InlineData("runs/0123456789abcdef0123456789abcdef")]
    [InlineData("stalenessRuns/not-a-run")]
    [InlineData("stalenessRuns/0123456789ABCDEF0123456789ABCDEF")]
    [InlineData("stalenessRuns/0123456789abcdef0123456789abcdef/extra")]
    public async Task GetStalenessRun_MalformedName_IsInvalidArgumentOnName(string name)
    {
        await RpcAssert.InvalidArgument(StalenessDriver.Client(server).GetStalenessRunAsync(new GetStalenessRunRequest { Name = name }), "name");
    }

    [Fact]
    public async Task GetStalenessRun_UnknownRun_IsNotFoundNamingIt()
    {
        var name = "stalenessRuns/" + Guid.NewGuid().ToString("N");

        var status = await RpcAssert.Fails(StatusCode.NotFound, StalenessDriver.Client(server).GetStalenessRunAsync(new GetStalenessRunRequest { Name = name }));

        status.GetDetail<ResourceInfo>().ShouldNotBeNull().ResourceName.ShouldBe(name);
    }

    [Theory]
    [InlineData(Role.Reader)]
    [InlineData(Role.Editor)]
    [InlineData(Role.Contributor)]
    public async Task RunStalenessCheck_ByANonAdmin_IsPermissionDenied_AndRecordsNoRun(Role role)
    {
        var before = RunRows();

        await RpcAssert.Fails(StatusCode.PermissionDenied, StalenessDriver.Client(server, "non-admin-runner", role)
            .RunStalenessCheckAsync(new RunStalenessCheckRequest { Checks = { StalenessCheck.VerdictExpiry } }));

        RunRows().ShouldBe(before);
    }

    [Theory]
    [InlineData(StalenessCheck.Unspecified)]
    [InlineData((StalenessCheck)42)]
    public async Task RunStalenessCheck_UndefinedCheck_IsInvalidArgumentOnChecks_AndRecordsNoRun(StalenessCheck check)
    {
        var before = RunRows();

        await RpcAssert.InvalidArgument(StalenessDriver.Client(server)
            .RunStalenessCheckAsync(new RunStalenessCheckRequest { Checks = { StalenessCheck.VerdictExpiry, check } }), "checks[1]");

        RunRows().ShouldBe(before);
    }

    [Fact]
    public async Task RunStalenessCheck_WithoutChecks_IsAPendingManualRunOfAllThree_ThatSucceedsInTheBackground()
    {
        var client = StalenessDriver.Client(server, "admin-runner");

        var pending = await client.RunStalenessCheckAsync(new RunStalenessCheckRequest());

        pending.Name.ShouldMatch("^stalenessRuns/[0-9a-f]{32}$");
        pending.State.ShouldBe(StalenessRun.Types.State.Pending);
        pending.Trigger.ShouldBe(StalenessRun.Types.Trigger.Manual);
        pending.RequestedBy.ShouldBe("admin-runner");
        pending.Checks.ShouldBe([StalenessCheck.VerdictExpiry, StalenessCheck.SourceHealth, StalenessCheck.UnsourcedClaims]);
        pending.StartTime.ShouldBeNull();
        var done = await StalenessDriver.WaitAsync(server, pending.Name);
        done.State.ShouldBe(StalenessRun.Types.State.Succeeded, string.Join("; ", done.Errors));
        done.ErrorCount.ShouldBe(0);
        done.Checks.ShouldBe(pending.Checks);
        done.CreateTime.ShouldBe(pending.CreateTime);
        done.StartTime.ToDateTimeOffset().ShouldBeGreaterThanOrEqualTo(done.CreateTime.ToDateTimeOffset());
        done.EndTime.ToDateTimeOffset().ShouldBeGreaterThanOrEqualTo(done.StartTime.ToDateTimeOffset());

        var ledger = await StalenessDriver.LedgerAsync(server, pending.Name);
        ledger.Select(e => (e.Action, e.Actor)).ShouldBe([
            ("staleness_run.requested", "admin-runner"),
            ("staleness_run.started", StalenessDriver.SystemActor),
            ("staleness_run.finished", StalenessDriver.SystemActor),
        ]);
    }

    [Fact]
    public async Task RunStalenessCheck_RepeatedChecks_AreRunOnceInCanonicalOrder()
    {
        var run = await StalenessDriver.RunAsync(server, StalenessCheck.UnsourcedClaims, StalenessCheck.VerdictExpiry, StalenessCheck.UnsourcedClaims);

        run.Checks.ShouldBe([StalenessCheck.VerdictExpiry, StalenessCheck.UnsourcedClaims]);
        run.State.ShouldBe(StalenessRun.Types.State.Succeeded);
        run.SourcesChecked.ShouldBe(0);
    }

    [Fact]
    public async Task RunStalenessCheck_RetriedWithTheSameRequestId_ReturnsTheSameRun()
    {
        var client = StalenessDriver.Client(server);
        var request = new RunStalenessCheckRequest { Checks = { StalenessCheck.VerdictExpiry }, RequestId = Guid.NewGuid().ToString() };
        var before = RunRows();

        var first = await client.RunStalenessCheckAsync(request);
        var retry = await client.RunStalenessCheckAsync(request);

        retry.Name.ShouldBe(first.Name);
        RunRows().ShouldBe(before + 1);
        (await StalenessDriver.WaitAsync(server, first.Name)).State.ShouldBe(StalenessRun.Types.State.Succeeded);
    }

    [Fact]
    public async Task ListStalenessRuns_IsNewestFirst_PagedAndReadableByReaders()
    {
        var older = await StalenessDriver.RunAsync(server, StalenessCheck.VerdictExpiry);
        server.Clock.Advance(TimeSpan.FromSeconds(1));
        var newer = await StalenessDriver.RunAsync(server, StalenessCheck.UnsourcedClaims);
        var reader = StalenessDriver.Client(server, "reader-runs", Role.Reader);

        var page = await reader.ListStalenessRunsAsync(new ListStalenessRunsRequest { PageSize = 1 });
        var next = await reader.ListStalenessRunsAsync(new ListStalenessRunsRequest { PageSize = 1, PageToken = page.NextPageToken });

        page.Runs.Single().ShouldBe(newer);
        next.Runs.Single().ShouldBe(older);
        page.NextPageToken.ShouldNotBeNullOrEmpty();
        (await reader.GetStalenessRunAsync(new GetStalenessRunRequest { Name = older.Name })).ShouldBe(older);
    }
}
