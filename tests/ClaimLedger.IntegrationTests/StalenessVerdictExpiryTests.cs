using System.Text.Json;
using ClaimLedger.Contracts.V1;
using ClaimLedger.IntegrationTests.Infrastructure;
using Google.Protobuf.WellKnownTypes;

namespace ClaimLedger.IntegrationTests;

/// <summary>
/// On the fake clock: verdicts with a 1-day interval (a claim override, or a topic's interval) and one with the 90-day
/// default; claims that are UNVERIFIED, IN_REVIEW and RETRACTED (after a verdict), all with a 1-day interval. Two days
/// later one VERDICT_EXPIRY run.
/// </summary>
public sealed class StalenessVerdictExpiryTests(StalenessVerdictExpiryTests.Scenario s) : IClassFixture<StalenessVerdictExpiryTests.Scenario>
{
    public sealed class Scenario : IAsyncLifetime
    {
        public ClaimLedgerServer Server { get; } = new();
        public Claim Expiring { get; private set; } = null!;
        public Claim ExpiringForReview { get; private set; } = null!;
        public Claim ExpiringByTopic { get; private set; } = null!;
        public Claim NotDue { get; private set; } = null!;
        public Claim Unverified { get; private set; } = null!;
        public Claim InReview { get; private set; } = null!;
        public Claim Retracted { get; private set; } = null!;
        public IReadOnlyList<Evidence> ReviewBasis { get; private set; } = [];
        public StalenessRun Run { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            var admin = StalenessDriver.Client(Server);
            var policy = await admin.GetReviewPolicyAsync(new GetReviewPolicyRequest());
            policy.TopicReviewIntervals["weather"] = Duration.FromTimeSpan(TimeSpan.FromDays(1));
            await admin.SetReviewPolicyAsync(new SetReviewPolicyRequest { Policy = policy });

            var source = await StalenessDriver.SourceAsync(Server, "https://news.example.org/expiry-basis");
            var day = TimeSpan.FromDays(1);
            Expiring = (await StalenessDriver.VerifiedClaimAsync(Server, [source], day)).Claim;
            (ExpiringForReview, ReviewBasis) = await StalenessDriver.VerifiedClaimAsync(Server, [source], day);
            ExpiringByTopic = (await StalenessDriver.VerifiedClaimAsync(Server, [source], topics: ["weather"])).Claim;
            NotDue = (await StalenessDriver.VerifiedClaimAsync(Server, [source], topics: ["economy"])).Claim;

            var claims = Server.Claims("editor-staleness", Role.Editor);
            var request = TestData.NewClaim();
            request.Claim.ReviewInterval = Duration.FromTimeSpan(day);
            Unverified = await claims.CreateClaimAsync(request);
            request = TestData.NewClaim();
            request.Claim.ReviewInterval = Duration.FromTimeSpan(day);
            InReview = await claims.StartReviewAsync(new StartReviewRequest { Name = (await claims.CreateClaimAsync(request)).Name });
            var retracted = (await StalenessDriver.VerifiedClaimAsync(Server, [source], day)).Claim;
            Retracted = await claims.RetractClaimAsync(new RetractClaimRequest { Name = retracted.Name, Reason = RetractionReason.Withdrawn });

            Server.Clock.Advance(TimeSpan.FromDays(2));
            Run = await StalenessDriver.RunAsync(Server, StalenessCheck.VerdictExpiry);
        }

        public Task DisposeAsync()
        {
            Server.Dispose();
            return Task.CompletedTask;
        }
    }

    private async Task<IReadOnlyList<StaleClaim>> StaleClaims(StaleReason reason = StaleReason.Unspecified) =>
        (await StalenessDriver.Client(s.Server, "reader-stale", Role.Reader)
            .ListStaleClaimsAsync(new ListStaleClaimsRequest { PageSize = 100, Reason = reason })).StaleClaims;

    [Fact]
    public void Run_Succeeds_CountingTheVerifiedClaimsExaminedAndThoseMarkedStale()
    {
        s.Run.State.ShouldBe(StalenessRun.Types.State.Succeeded, string.Join("; ", s.Run.Errors));
        s.Run.Trigger.ShouldBe(StalenessRun.Types.Trigger.Manual);
        s.Run.Checks.ShouldBe([StalenessCheck.VerdictExpiry]);
        s.Run.ClaimsExamined.ShouldBe(4); // the VERIFIED ones: three due, one not
        s.Run.MarkedStale.ShouldBe(3);
        s.Run.SourcesChecked.ShouldBe(0);
        s.Run.UnsourcedFlagged.ShouldBe(0);
        s.Run.ErrorCount.ShouldBe(0);
    }

    [Fact]
    public async Task DueVerdicts_GoStale_KeepingTheirVerdict_ByOverrideAndByTopicInterval()
    {
        var expiring = await StalenessDriver.GetClaimAsync(s.Server, s.Expiring.Name);
        var byTopic = await StalenessDriver.GetClaimAsync(s.Server, s.ExpiringByTopic.Name);

        expiring.Status.ShouldBe(ClaimStatus.Stale);
        expiring.Verdict.ShouldBe(s.Expiring.Verdict);
        byTopic.Status.ShouldBe(ClaimStatus.Stale);
        byTopic.Verdict.ShouldBe(s.ExpiringByTopic.Verdict);
    }

    [Fact]
    public async Task ClaimsNotDue_OrNotVerified_DoNotGoStale()
    {
        (await StalenessDriver.GetClaimAsync(s.Server, s.NotDue.Name)).Status.ShouldBe(ClaimStatus.Verified);
        (await StalenessDriver.GetClaimAsync(s.Server, s.Unverified.Name)).Status.ShouldBe(ClaimStatus.Unverified);
        (await StalenessDriver.GetClaimAsync(s.Server, s.InReview.Name)).Status.ShouldBe(ClaimStatus.InReview);
        (await StalenessDriver.GetClaimAsync(s.Server, s.Retracted.Name)).Status.ShouldBe(ClaimStatus.Retracted);
        var stale = (await StaleClaims()).Select(c => c.Claim.Name).ToList();
        stale.ShouldNotContain(s.NotDue.Name);
        stale.ShouldNotContain(s.Unverified.Name);
        stale.ShouldNotContain(s.InReview.Name);
        stale.ShouldNotContain(s.Retracted.Name);
        Db.Scalar(s.Server.DatabasePath, "SELECT count(*) FROM stale_findings").ShouldBe(3);
    }

    [Fact]
    public async Task ListStaleClaims_GivesVerdictExpiredWithTheRunAndTheDueTime()
    {
        var stale = (await StaleClaims()).Single(c => c.Claim.Name == s.Expiring.Name);

        var finding = stale.Findings.ShouldHaveSingleItem();
        finding.Reason.ShouldBe(StaleReason.VerdictExpired);
        finding.Run.ShouldBe(s.Run.Name);
        finding.Source.ShouldBeEmpty();
        finding.Evidence.ShouldBeEmpty();
        finding.Time.ToDateTimeOffset().ShouldBeInRange(s.Run.StartTime.ToDateTimeOffset(), s.Run.EndTime.ToDateTimeOffset());
        var due = s.Expiring.ReviewDueTime.ToDateTimeOffset();
        finding.Detail.ShouldBe($"review was due {due:yyyy-MM-dd'T'HH:mm:ss'Z'} (interval 1.00:00:00)");
        stale.Claim.Status.ShouldBe(ClaimStatus.Stale);
    }

    [Fact]
    public async Task ListStaleClaims_FiltersByReason()
    {
        var expired = (await StaleClaims(StaleReason.VerdictExpired)).Select(c => c.Claim.Name).ToList();

        expired.ShouldContain(s.Expiring.Name);
        expired.ShouldContain(s.ExpiringByTopic.Name);
        (await StaleClaims(StaleReason.SourceBroken)).ShouldBeEmpty();
        (await StaleClaims(StaleReason.SourceChanged)).ShouldBeEmpty();
    }

    [Fact]
    public async Task History_RecordsMarkedStaleBySystemStaleness_WithTheReason()
    {
        var history = await s.Server.Claims().ListClaimHistoryAsync(new ListClaimHistoryRequest { Name = s.Expiring.Name, PageSize = 100 });

        var last = history.Events.Last();
        last.Type.ShouldBe(ClaimEvent.Types.Type.MarkedStale);
        last.Actor.ShouldBe(StalenessDriver.SystemActor);
        last.FromStatus.ShouldBe(ClaimStatus.Verified);
        last.ToStatus.ShouldBe(ClaimStatus.Stale);
        last.Detail.ShouldStartWith("VERDICT_EXPIRED: review was due ");
        history.Events.Count(e => e.Type == ClaimEvent.Types.Type.MarkedStale).ShouldBe(1);
    }

    [Fact]
    public async Task Ledger_HasClaimMarkedStaleBySystemStaleness_WithTheRunAndReason()
    {
        var entry = (await StalenessDriver.LedgerAsync(s.Server, s.Expiring.Name, "claim.marked_stale")).ShouldHaveSingleItem();

        entry.Actor.ShouldBe(StalenessDriver.SystemActor);
        using var changes = JsonDocument.Parse(entry.Changes);
        changes.RootElement.GetProperty("status").GetString().ShouldBe("STALE");
        changes.RootElement.GetProperty("run").GetString().ShouldBe(s.Run.Name);
        var finding = changes.RootElement.GetProperty("findings").EnumerateArray().ShouldHaveSingleItem();
        finding.GetProperty("reason").GetString().ShouldBe("VERDICT_EXPIRED");
        finding.GetProperty("detail").GetString().ShouldStartWith("review was due ");
        (await s.Server.Ledger().VerifyLedgerAsync(new VerifyLedgerRequest())).Valid.ShouldBeTrue();
    }

    [Fact]
    public async Task StaleClaim_CanBeReviewedAgain_AndTheNewVerdictGetsANewDueTime()
    {
        var claims = s.Server.Claims("editor-staleness", Role.Editor);
        var stale = await StalenessDriver.GetClaimAsync(s.Server, s.ExpiringForReview.Name);
        stale.Status.ShouldBe(ClaimStatus.Stale);

        var inReview = await claims.StartReviewAsync(new StartReviewRequest { Name = stale.Name });
        var reverified = await claims.SubmitVerdictAsync(new SubmitVerdictRequest
        {
            Name = stale.Name,
            Rating = Rating.MostlyTrue,
            Rationale = "Re-checked after the review came due.",
            Evidence = { s.ReviewBasis.Select(e => e.Name) },
        });

        inReview.Status.ShouldBe(ClaimStatus.InReview);
        reverified.Status.ShouldBe(ClaimStatus.Verified);
        reverified.Verdict.Name.ShouldNotBe(s.ExpiringForReview.Verdict.Name);
        var verdictTime = reverified.Verdict.CreateTime.ToDateTimeOffset();
        verdictTime.ShouldBeGreaterThan(s.ExpiringForReview.Verdict.CreateTime.ToDateTimeOffset().AddDays(2));
        reverified.ReviewDueTime.ToDateTimeOffset().ShouldBe(verdictTime.AddDays(1));

        // Not due yet: another run leaves it VERIFIED.
        var again = await StalenessDriver.RunAsync(s.Server, StalenessCheck.VerdictExpiry);
        again.State.ShouldBe(StalenessRun.Types.State.Succeeded);
        (await StalenessDriver.GetClaimAsync(s.Server, stale.Name)).Status.ShouldBe(ClaimStatus.Verified);
    }
}
