using System.Text;
using System.Text.Json;
using ClaimLedger.Contracts.V1;
using ClaimLedger.IntegrationTests.Infrastructure;

namespace ClaimLedger.IntegrationTests;

/// <summary>
/// Four SOURCE_HEALTH runs against the local web site. Run 1: every page answers (the fail-once page after a retry).
/// Before run 2 the changing page gets new bytes, the vanishing page starts answering 404 and the resetting page starts
/// dropping connections. Runs 2 and 3 see them failing; run 4 sees them BROKEN. Claims: one resting on the vanishing
/// source, one on the changing source (attached while the source recorded the original hash), one on the stable and
/// the moved source, and one on the stable source that also holds CONTEXT evidence (not cited) from the vanishing one.
/// </summary>
public sealed class StalenessSourceHealthTests(StalenessSourceHealthTests.Scenario s) : IClassFixture<StalenessSourceHealthTests.Scenario>
{
    public sealed class Scenario : IAsyncLifetime
    {
        public static readonly byte[] NewChangingBody = Encoding.UTF8.GetBytes("<html><body><p>Rewritten text: the figure was withdrawn.</p></body></html>");

        public TestWebsite Site { get; private set; } = null!;
        public ClaimLedgerServer Server { get; } = new();
        public Source Stable { get; private set; } = null!;
        public Source Moved { get; private set; } = null!;
        public Source Changing { get; private set; } = null!;
        public Source Vanishing { get; private set; } = null!;
        public Source Resetting { get; private set; } = null!;
        public Source FailOnce { get; private set; } = null!;
        public Claim OnVanishing { get; private set; } = null!;
        public Evidence OnVanishingBasis { get; private set; } = null!;
        public Claim OnChanging { get; private set; } = null!;
        public Evidence OnChangingBasis { get; private set; } = null!;
        public Claim OnHealthy { get; private set; } = null!;
        public Claim WithContextFromVanishing { get; private set; } = null!;
        public int FailOnceHitsAfterRun1 { get; private set; }

        /// <summary>Runs 1..4 (index 0 unused).</summary>
        public List<StalenessRun> Runs { get; } = [null!];

        /// <summary>Each source (by name) and each claim's status (by name) after each run.</summary>
        public List<Dictionary<string, Source>> SourcesAfter { get; } = [null!];
        public List<Dictionary<string, ClaimStatus>> StatusAfter { get; } = [null!];
        public List<int> ResettingHitsAfter { get; } = [0];

        public async Task InitializeAsync()
        {
            Site = await TestWebsite.StartAsync();
            Stable = await StalenessDriver.SourceAsync(Server, Site.Url("/stable/a"));
            Moved = await StalenessDriver.SourceAsync(Server, Site.Url("/redirect/b"));
            Changing = await StalenessDriver.SourceAsync(Server, Site.Url("/changing/c"), TestWebsite.Sha256Hex(TestWebsite.OriginalChangingBody("c")));
            Vanishing = await StalenessDriver.SourceAsync(Server, Site.Url("/vanish/d"));
            Resetting = await StalenessDriver.SourceAsync(Server, Site.Url("/vanish/e"));
            FailOnce = await StalenessDriver.SourceAsync(Server, Site.Url("/fail-once/f"));

            (OnVanishing, var basis) = await StalenessDriver.VerifiedClaimAsync(Server, [Vanishing]);
            OnVanishingBasis = basis.Single();
            (OnChanging, basis) = await StalenessDriver.VerifiedClaimAsync(Server, [Changing]);
            OnChangingBasis = basis.Single();
            OnHealthy = (await StalenessDriver.VerifiedClaimAsync(Server, [Stable, Moved, FailOnce])).Claim;
            WithContextFromVanishing = (await StalenessDriver.VerifiedClaimAsync(Server, [Stable])).Claim;
            await Server.Evidence().AddEvidenceAsync(new AddEvidenceRequest
            {
                Parent = WithContextFromVanishing.Name,
                Evidence = new Evidence { Source = Vanishing.Name, Stance = Stance.Context, Excerpt = "background only" },
            });

            await RunAndSnapshotAsync();
            FailOnceHitsAfterRun1 = Site.Hits("/fail-once/f");

            Site.SetChanging("c", NewChangingBody);
            Site.Vanish("d", TestWebsite.VanishMode.NotFound);
            Site.Vanish("e", TestWebsite.VanishMode.ConnectionReset);
            for (var run = 2; run <= 4; run++)
            {
                Server.Clock.Advance(TimeSpan.FromHours(1));
                await RunAndSnapshotAsync();
            }
        }

        private async Task RunAndSnapshotAsync()
        {
            Runs.Add(await StalenessDriver.RunAsync(Server, StalenessCheck.SourceHealth));
            var sources = new Dictionary<string, Source>();
            foreach (var source in new[] { Stable, Moved, Changing, Vanishing, Resetting, FailOnce })
            {
                sources[source.Name] = await StalenessDriver.GetSourceAsync(Server, source.Name);
            }

            SourcesAfter.Add(sources);
            var statuses = new Dictionary<string, ClaimStatus>();
            foreach (var claim in new[] { OnVanishing, OnChanging, OnHealthy, WithContextFromVanishing })
            {
                statuses[claim.Name] = (await StalenessDriver.GetClaimAsync(Server, claim.Name)).Status;
            }

            StatusAfter.Add(statuses);
            ResettingHitsAfter.Add(Site.Hits("/vanish/e"));
        }

        public async Task DisposeAsync()
        {
            Server.Dispose();
            await Site.DisposeAsync();
        }
    }

    private Source After(int run, Source source) => s.SourcesAfter[run][source.Name];

    private IReadOnlyList<string?[]> Checks(Source source) => StalenessDriver.Rows(s.Server.DatabasePath,
        "SELECT outcome, http_status, error, final_url, redirects, content_sha256 FROM source_checks WHERE source_id = @Id ORDER BY seq",
        ("@Id", source.Name["sources/".Length..]));

    private async Task<IReadOnlyList<StaleClaim>> StaleClaims(StaleReason reason = StaleReason.Unspecified) =>
        (await StalenessDriver.Client(s.Server).ListStaleClaimsAsync(new ListStaleClaimsRequest { PageSize = 100, Reason = reason })).StaleClaims;

    [Theory]
    //          run, examined, stale, ok, moved, changed, failing, broken
    [InlineData(1, 4, 0, 5, 1, 0, 0, 0)]
    [InlineData(2, 4, 1, 2, 1, 1, 2, 0)]
    [InlineData(3, 3, 0, 2, 1, 1, 2, 0)]
    [InlineData(4, 3, 1, 2, 1, 1, 0, 2)]
    public void EachRun_CountsSourcesByOutcome_AndClaimsMarkedStale(int run, long examined, long stale, long ok, long moved, long changed, long failing, long broken)
    {
        var r = s.Runs[run];

        r.State.ShouldBe(StalenessRun.Types.State.Succeeded, string.Join("; ", r.Errors));
        r.Checks.ShouldBe([StalenessCheck.SourceHealth]);
        r.SourcesChecked.ShouldBe(6);
        (r.ClaimsExamined, r.MarkedStale).ShouldBe((examined, stale));
        (r.SourcesOk, r.SourcesMoved, r.SourcesChanged, r.SourcesFailing, r.SourcesBroken).ShouldBe((ok, moved, changed, failing, broken));
        r.UnsourcedFlagged.ShouldBe(0);
        r.ErrorCount.ShouldBe(0);
    }

    [Fact]
    public void StablePage_IsOk_WithStatus200AndTheHashOfItsBytes()
    {
        foreach (var run in new[] { 1, 4 })
        {
            var stable = After(run, s.Stable);
            stable.Health.ShouldBe(SourceHealth.Ok);
            stable.LastHttpStatus.ShouldBe(200);
            stable.FinalUrl.ShouldBe(s.Stable.Url);
            stable.LastContentSha256.ShouldBe(TestWebsite.Sha256Hex(TestWebsite.StableBody("a")));
            stable.ConsecutiveFailures.ShouldBe(0);
            stable.LastCheckTime.ToDateTimeOffset().ShouldBeInRange(s.Runs[run].StartTime.ToDateTimeOffset(), s.Runs[run].EndTime.ToDateTimeOffset());
        }
    }

    [Fact]
    public void RedirectedPage_IsMoved_RecordingTheFinalUrlAndTheRedirect()
    {
        var moved = After(1, s.Moved);
        var target = s.Site.Url("/stable/b-moved");

        moved.Health.ShouldBe(SourceHealth.Moved);
        moved.FinalUrl.ShouldBe(target);
        moved.LastHttpStatus.ShouldBe(200);
        moved.LastContentSha256.ShouldBe(TestWebsite.Sha256Hex(TestWebsite.StableBody("b-moved")));
        var first = Checks(s.Moved)[0];
        first[0].ShouldBe("MOVED");
        JsonSerializer.Deserialize<string[]>(first[4]!).ShouldBe([target]);
        After(4, s.Moved).Health.ShouldBe(SourceHealth.Moved);
    }

    [Fact]
    public void ChangingPage_IsOkWhileItsBytesMatchTheRecordedHash_ThenChanged()
    {
        var original = TestWebsite.Sha256Hex(TestWebsite.OriginalChangingBody("c"));
        var rewritten = TestWebsite.Sha256Hex(Scenario.NewChangingBody);

        s.OnChangingBasis.SourceContentSha256.ShouldBe(original);
        After(1, s.Changing).Health.ShouldBe(SourceHealth.Ok);
        After(1, s.Changing).LastContentSha256.ShouldBe(original);
        After(2, s.Changing).Health.ShouldBe(SourceHealth.Changed);
        After(2, s.Changing).LastContentSha256.ShouldBe(rewritten);
        After(2, s.Changing).ConsecutiveFailures.ShouldBe(0);
        After(2, s.Changing).ContentSha256.ShouldBe(original, "the registered hash stays as it was");
    }

    [Fact]
    public void VanishedPage_FailsInARow_AndIsBrokenAtTheThirdFailure()
    {
        After(1, s.Vanishing).Health.ShouldBe(SourceHealth.Ok);
        var (h2, h3, h4) = (After(2, s.Vanishing), After(3, s.Vanishing), After(4, s.Vanishing));

        (h2.Health, h2.ConsecutiveFailures).ShouldBe((SourceHealth.Failing, 1));
        (h3.Health, h3.ConsecutiveFailures).ShouldBe((SourceHealth.Failing, 2));
        (h4.Health, h4.ConsecutiveFailures).ShouldBe((SourceHealth.Broken, 3));
        h4.LastHttpStatus.ShouldBe(404);
        h4.LastContentSha256.ShouldBe(After(1, s.Vanishing).LastContentSha256, "the last successful content stays recorded");
        Checks(s.Vanishing).Select(c => c[0]).ShouldBe(["OK", "FAILING", "FAILING", "BROKEN"]);
    }

    [Fact]
    public void DroppedConnections_AreRetried_ThenCountAsFailuresWithTheErrorRecorded()
    {
        var (h2, h3, h4) = (After(2, s.Resetting), After(3, s.Resetting), After(4, s.Resetting));

        (h2.Health, h2.ConsecutiveFailures).ShouldBe((SourceHealth.Failing, 1));
        (h3.Health, h3.ConsecutiveFailures).ShouldBe((SourceHealth.Failing, 2));
        (h4.Health, h4.ConsecutiveFailures).ShouldBe((SourceHealth.Broken, 3));
        h4.LastHttpStatus.ShouldBe(0);
        // One request in run 1; from run 2 on, the first attempt and two retries of a transient failure.
        s.ResettingHitsAfter.Skip(1).ShouldBe([1, 4, 7, 10]);
        var failed = Checks(s.Resetting).Skip(1).ToList();
        failed.Count.ShouldBe(3);
        failed.ShouldAllBe(c => c[1] == null && !string.IsNullOrEmpty(c[2]) && c[5] == null);
    }

    [Fact]
    public void FailOncePage_RecoversWithinTheSameCheckThroughTheRetry()
    {
        var first = After(1, s.FailOnce);

        first.Health.ShouldBe(SourceHealth.Ok);
        first.ConsecutiveFailures.ShouldBe(0);
        first.LastHttpStatus.ShouldBe(200);
        s.FailOnceHitsAfterRun1.ShouldBe(2, "a 500, then the retry's 200");
        Checks(s.FailOnce)[0][0].ShouldBe("OK");
    }

    [Fact]
    public async Task ClaimOnTheChangedSource_IsStaleWithSourceChanged_NamingSourceAndEvidence()
    {
        s.StatusAfter[1][s.OnChanging.Name].ShouldBe(ClaimStatus.Verified);
        s.StatusAfter[2][s.OnChanging.Name].ShouldBe(ClaimStatus.Stale);

        var stale = (await StaleClaims(StaleReason.SourceChanged)).ShouldHaveSingleItem();
        stale.Claim.Name.ShouldBe(s.OnChanging.Name);
        var finding = stale.Findings.ShouldHaveSingleItem();
        finding.Reason.ShouldBe(StaleReason.SourceChanged);
        finding.Run.ShouldBe(s.Runs[2].Name);
        finding.Source.ShouldBe(s.Changing.Name);
        finding.Evidence.ShouldBe(s.OnChangingBasis.Name);
        finding.Detail.ShouldContain(TestWebsite.Sha256Hex(Scenario.NewChangingBody));
        finding.Detail.ShouldContain(TestWebsite.Sha256Hex(TestWebsite.OriginalChangingBody("c")));
    }

    [Fact]
    public async Task ClaimOnTheBrokenSource_IsStaleWithSourceBroken_OnlyOnceTheSourceIsBroken()
    {
        s.StatusAfter[3][s.OnVanishing.Name].ShouldBe(ClaimStatus.Verified, "FAILING is not yet BROKEN");
        s.StatusAfter[4][s.OnVanishing.Name].ShouldBe(ClaimStatus.Stale);

        var stale = (await StaleClaims(StaleReason.SourceBroken)).ShouldHaveSingleItem();
        stale.Claim.Name.ShouldBe(s.OnVanishing.Name);
        var finding = stale.Findings.ShouldHaveSingleItem();
        finding.Reason.ShouldBe(StaleReason.SourceBroken);
        finding.Run.ShouldBe(s.Runs[4].Name);
        finding.Source.ShouldBe(s.Vanishing.Name);
        finding.Evidence.ShouldBe(s.OnVanishingBasis.Name);
        finding.Detail.ShouldBe($"{s.Vanishing.Url} failed 3 checks in a row (last: HTTP 404)");
        var history = await s.Server.Claims().ListClaimHistoryAsync(new ListClaimHistoryRequest { Name = s.OnVanishing.Name, PageSize = 100 });
        history.Events.Last().Type.ShouldBe(ClaimEvent.Types.Type.MarkedStale);
        history.Events.Last().Actor.ShouldBe(StalenessDriver.SystemActor);
    }

    [Fact]
    public async Task ClaimsOnHealthyOrMovedSources_OrWithOnlyUncitedContextFromTheBrokenSource_StayVerified()
    {
        for (var run = 1; run <= 4; run++)
        {
            s.StatusAfter[run][s.OnHealthy.Name].ShouldBe(ClaimStatus.Verified);
            s.StatusAfter[run][s.WithContextFromVanishing.Name].ShouldBe(ClaimStatus.Verified);
        }

        var stale = (await StaleClaims()).Select(c => c.Claim.Name).ToList();
        stale.ShouldBe([s.OnVanishing.Name, s.OnChanging.Name], ignoreOrder: true);
    }

    [Fact]
    public async Task EveryCheck_IsOnTheLedgerAsSourceCheckedBySystemStaleness()
    {
        var entries = await StalenessDriver.LedgerAsync(s.Server, s.Vanishing.Name, "source.checked");

        entries.Count.ShouldBe(4);
        entries.ShouldAllBe(e => e.Actor == StalenessDriver.SystemActor);
        using var last = JsonDocument.Parse(entries[^1].Changes);
        last.RootElement.GetProperty("health").GetString().ShouldBe("BROKEN");
        last.RootElement.GetProperty("consecutive_failures").GetInt32().ShouldBe(3);
        last.RootElement.GetProperty("last_http_status").GetInt32().ShouldBe(404);
        last.RootElement.GetProperty("run").GetString().ShouldBe(s.Runs[4].Name);
    }
}
