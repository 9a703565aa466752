using ClaimLedger.Contracts.V1;
using ClaimLedger.IntegrationTests.Infrastructure;
using Microsoft.Data.Sqlite;
using State = ClaimLedger.Contracts.V1.StalenessRun.Types.State;

namespace ClaimLedger.IntegrationTests;

/// <summary>
/// A staleness run in progress when the server stops (the host's graceful stop, as on SIGTERM) is recorded as
/// INTERRUPTED, and after the next start it runs again as a RETRY run that names it.
/// </summary>
public sealed class StalenessInterruptionTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "claimledger-tests", "interrupt-" + Guid.NewGuid().ToString("N"));
    private readonly string _schedulerName = "interrupt-" + Guid.NewGuid().ToString("N")[..8];

    private ClaimLedgerServer Start()
    {
        var server = new ClaimLedgerServer();
        server.Settings["Database:DataDirectory"] = _directory;
        server.Settings["Staleness:SchedulerName"] = _schedulerName;
        _ = server.Services;
        File.Copy(Path.Combine(_directory, "admin-api-key"), Path.Combine(server.DataDirectory, "admin-api-key"), overwrite: true);
        return server;
    }

    [Fact]
    public async Task ARunInProgressWhenTheServerStops_IsInterrupted_AndRunsAgainAfterTheNextStart()
    {
        await using var site = await TestWebsite.StartAsync();
        site.SlowDelay = TimeSpan.FromMinutes(5);
        string interrupted;
        using (var first = Start())
        {
            var source = await StalenessDriver.SourceAsync(first, site.Url($"/slow/{Guid.NewGuid():N}"));
            await StalenessDriver.VerifiedClaimAsync(first, [source]);
            var run = await StalenessDriver.Client(first).RunStalenessCheckAsync(new RunStalenessCheckRequest { Checks = { StalenessCheck.SourceHealth } });
            interrupted = run.Name;
            await StalenessDriver.EventuallyAsync(() => Task.FromResult(site.TotalHits), hits => hits > 0, TimeSpan.FromSeconds(20), "the run fetches the slow page");
        } // the host stops gracefully here, as on SIGTERM

        SqliteConnection.ClearAllPools();
        Db.Scalar(Path.Combine(_directory, "claimledger.db"), $"SELECT count(*) FROM staleness_runs WHERE id = '{interrupted["stalenessRuns/".Length..]}' AND state = 'INTERRUPTED'")
            .ShouldBe(1);

        site.SlowDelay = TimeSpan.FromMilliseconds(10);
        using var second = Start();
        var client = StalenessDriver.Client(second);
        var retry = await StalenessDriver.EventuallyAsync(
            async () => (await client.ListStalenessRunsAsync(new ListStalenessRunsRequest())).Runs.FirstOrDefault(r => r.RetryOf == interrupted),
            r => r is not null, TimeSpan.FromSeconds(20), "a retry of the interrupted run");
        retry!.Trigger.ShouldBe(StalenessRun.Types.Trigger.Retry);
        retry.Checks.ShouldBe([StalenessCheck.SourceHealth]);
        (await StalenessDriver.WaitAsync(second, retry.Name)).State.ShouldBe(State.Succeeded);
        var original = await client.GetStalenessRunAsync(new GetStalenessRunRequest { Name = interrupted });
        original.State.ShouldBe(State.Interrupted);
        original.Errors.ShouldContain(e => e.Contains("interrupted", StringComparison.Ordinal));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
