using System.Text.Json;
using ClaimLedger.Contracts.V1;
using ClaimLedger.IntegrationTests.Infrastructure;

namespace ClaimLedger.IntegrationTests;

/// <summary>
/// The UNSOURCED_CLAIMS check on the fake clock (policy default: unsourced after 7 days). Recorded at the start: an
/// UNVERIFIED claim without evidence, one with evidence, and one without evidence taken IN_REVIEW; eight days later a
/// new UNVERIFIED claim without evidence; then one run.
/// </summary>
public sealed class StalenessUnsourcedTests(StalenessUnsourcedTests.Scenario s) : IClassFixture<StalenessUnsourcedTests.Scenario>
{
    public sealed class Scenario : IAsyncLifetime
    {
        public ClaimLedgerServer Server { get; } = new();
        public Claim Old { get; private set; } = null!;
        public Claim OldWithEvidence { get; private set; } = null!;
        public Claim OldInReview { get; private set; } = null!;
        public Claim Young { get; private set; } = null!;
        public StalenessRun Run { get; private set; } = null!;
        public StalenessRun SecondRun { get; private set; } = null!;
        public Claim OldAfterSecondRun { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            var claims = Server.Claims("editor-unsourced", Role.Editor);
            var source = await StalenessDriver.SourceAsync(Server, "https://news.example.org/unsourced-basis");
            Old = await claims.CreateClaimAsync(TestData.NewClaim());
            var withEvidence = TestData.NewClaim();
            withEvidence.Evidence.Add(new Evidence { Source = source.Name, Stance = Stance.Origin, Excerpt = "where it appeared" });
            OldWithEvidence = await claims.CreateClaimAsync(withEvidence);
            OldInReview = await claims.StartReviewAsync(new StartReviewRequest { Name = (await claims.CreateClaimAsync(TestData.NewClaim())).Name });

            Server.Clock.Advance(TimeSpan.FromDays(8));
            Young = await claims.CreateClaimAsync(TestData.NewClaim());
            Run = await StalenessDriver.RunAsync(Server, StalenessCheck.UnsourcedClaims);
            Server.Clock.Advance(TimeSpan.FromDays(1));
            SecondRun = await StalenessDriver.RunAsync(Server, StalenessCheck.UnsourcedClaims);
            OldAfterSecondRun = await StalenessDriver.GetClaimAsync(Server, Old.Name);
        }

        public Task DisposeAsync()
        {
            Server.Dispose();
            return Task.CompletedTask;
        }
    }

    [Fact]
    public void Run_ExaminesTheUnverifiedClaims_AndFlagsOnlyTheOldOneWithoutEvidence()
    {
        s.Run.State.ShouldBe(StalenessRun.Types.State.Succeeded, string.Join("; ", s.Run.Errors));
        s.Run.Checks.ShouldBe([StalenessCheck.UnsourcedClaims]);
        s.Run.ClaimsExamined.ShouldBe(3); // Old, OldWithEvidence, Young; not the one IN_REVIEW
        s.Run.UnsourcedFlagged.ShouldBe(1);
        s.Run.MarkedStale.ShouldBe(0);
        s.Run.SourcesChecked.ShouldBe(0);
    }

    [Fact]
    public async Task OldClaimWithoutEvidence_HasUnsourcedSinceTheRun_OthersHaveNone()
    {
        var old = await StalenessDriver.GetClaimAsync(s.Server, s.Old.Name);

        old.Status.ShouldBe(ClaimStatus.Unverified);
        old.UnsourcedSince.ShouldNotBeNull().ToDateTimeOffset().ShouldBeInRange(s.Run.StartTime.ToDateTimeOffset(), s.Run.EndTime.ToDateTimeOffset());
        (await StalenessDriver.GetClaimAsync(s.Server, s.OldWithEvidence.Name)).UnsourcedSince.ShouldBeNull();
        (await StalenessDriver.GetClaimAsync(s.Server, s.OldInReview.Name)).UnsourcedSince.ShouldBeNull();
        (await StalenessDriver.GetClaimAsync(s.Server, s.Young.Name)).UnsourcedSince.ShouldBeNull();
    }

    [Fact]
    public async Task ListClaims_Unsourced_ListsOnlyTheFlaggedClaim()
    {
        var listed = await s.Server.Claims("reader-unsourced", Role.Reader).ListClaimsAsync(new ListClaimsRequest { Unsourced = true, PageSize = 100 });

        listed.Claims.Select(c => c.Name).ShouldBe([s.Old.Name]);
    }

    [Fact]
    public void AFlaggedClaim_IsNotFlaggedAgain_AndKeepsItsFirstUnsourcedSince()
    {
        s.SecondRun.State.ShouldBe(StalenessRun.Types.State.Succeeded);
        s.SecondRun.UnsourcedFlagged.ShouldBe(0);
        s.SecondRun.ErrorCount.ShouldBe(0);
        s.OldAfterSecondRun.UnsourcedSince.ToDateTimeOffset().ShouldBeLessThan(s.SecondRun.StartTime.ToDateTimeOffset());
    }

    [Fact]
    public async Task Flagging_IsInTheHistoryAndOnTheLedger_AsSystemStaleness()
    {
        var history = await s.Server.Claims().ListClaimHistoryAsync(new ListClaimHistoryRequest { Name = s.Old.Name, PageSize = 100 });
        var flagged = history.Events.Where(e => e.Type == ClaimEvent.Types.Type.FlaggedUnsourced).ShouldHaveSingleItem();
        flagged.Actor.ShouldBe(StalenessDriver.SystemActor);

        var entry = (await StalenessDriver.LedgerAsync(s.Server, s.Old.Name, "claim.flagged_unsourced")).ShouldHaveSingleItem();
        entry.Actor.ShouldBe(StalenessDriver.SystemActor);
        using var changes = JsonDocument.Parse(entry.Changes);
        changes.RootElement.GetProperty("run").GetString().ShouldBe(s.Run.Name);
    }

    [Fact]
    public async Task AddingEvidence_ClearsTheFlag_AndListClaimsNoLongerListsIt()
    {
        using var server = new ClaimLedgerServer();
        var claims = server.Claims("editor-unsourced", Role.Editor);
        var claim = await claims.CreateClaimAsync(TestData.NewClaim());
        server.Clock.Advance(TimeSpan.FromDays(7) + TimeSpan.FromMinutes(1));
        (await StalenessDriver.RunAsync(server, StalenessCheck.UnsourcedClaims)).UnsourcedFlagged.ShouldBe(1);
        (await claims.ListClaimsAsync(new ListClaimsRequest { Unsourced = true })).Claims.Select(c => c.Name).ShouldBe([claim.Name]);
        var source = await StalenessDriver.SourceAsync(server, "https://news.example.org/late-evidence");

        await server.Evidence("editor-unsourced", Role.Editor).AddEvidenceAsync(new AddEvidenceRequest
        {
            Parent = claim.Name,
            Evidence = new Evidence { Source = source.Name, Stance = Stance.Origin },
        });

        (await StalenessDriver.GetClaimAsync(server, claim.Name)).UnsourcedSince.ShouldBeNull();
        (await claims.ListClaimsAsync(new ListClaimsRequest { Unsourced = true })).Claims.ShouldBeEmpty();
        (await StalenessDriver.RunAsync(server, StalenessCheck.UnsourcedClaims)).UnsourcedFlagged.ShouldBe(0);
    }

    [Fact]
    public async Task AClaimJustUnderTheThreshold_IsNotFlagged()
    {
        using var server = new ClaimLedgerServer();
        var claim = await server.Claims().CreateClaimAsync(TestData.NewClaim());
        server.Clock.Advance(TimeSpan.FromDays(7) - TimeSpan.FromMinutes(5));

        var run = await StalenessDriver.RunAsync(server, StalenessCheck.UnsourcedClaims);

        run.ClaimsExamined.ShouldBe(1);
        run.UnsourcedFlagged.ShouldBe(0);
        (await StalenessDriver.GetClaimAsync(server, claim.Name)).UnsourcedSince.ShouldBeNull();
    }
}
