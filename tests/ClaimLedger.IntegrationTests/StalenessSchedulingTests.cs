using ClaimLedger.Contracts.V1;
using ClaimLedger.IntegrationTests.Infrastructure;

namespace ClaimLedger.IntegrationTests;

/// <summary>
/// The cron schedule in Quartz's persistent store (the QRTZ_ tables of the service's database, on either engine):
/// scheduled runs, the trigger and the run history across a restart, and one run for firings missed while the server
/// was down.
/// </summary>
/// <remarks>
/// <see cref="ClaimLedgerServer"/> always makes a fresh data directory and is sealed, so a restart is two servers whose
/// settings point Database:DataDirectory and Staleness:SchedulerName at one directory this class owns; the admin key
/// file the first start wrote there is copied to each server's own directory, where its AdminKey reads it.
/// <para>Quartz's scheduler runs on the service's TimeProvider (the fixture's fake clock) while the service builds its
/// cron trigger on system time, so tests that need a firing keep the fake clock at real time (<see cref="RealTimeClockPump"/>).</para>
/// </remarks>
public sealed class StalenessSchedulingTests : IDisposable
{
    private const string TriggerName = "staleness-schedule";
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "claimledger-tests", "sched-" + Guid.NewGuid().ToString("N"));
    private readonly string _schedulerName = "test-sched-" + Guid.NewGuid().ToString("N");

    public StalenessSchedulingTests() => Directory.CreateDirectory(_directory);

    private string DatabasePath => Path.Combine(_directory, "claimledger.db");

    private ClaimLedgerServer Start(string schedule, bool enabled = true, string misfireThreshold = "00:01:00", Action<ClaimLedgerServer>? beforeStart = null)
    {
        var server = new ClaimLedgerServer();
        beforeStart?.Invoke(server);
        server.Settings["Database:DataDirectory"] = _directory;
        server.Settings["Staleness:SchedulerName"] = _schedulerName;
        server.Settings["Staleness:Enabled"] = enabled ? "true" : "false";
        server.Settings["Staleness:Schedule"] = schedule;
        server.Settings["Staleness:MisfireThreshold"] = misfireThreshold;
        _ = server.Services; // starts the host: migrations, the admin key on first start, the schedule
        File.Copy(Path.Combine(_directory, "admin-api-key"), Path.Combine(server.DataDirectory, "admin-api-key"), overwrite: true);
        return server;
    }

    /// <summary>(START_TIME, NEXT_FIRE_TIME, CRON_EXPRESSION) of the stored schedule trigger, or null.</summary>
    private (long Start, long Next, string Cron)? Trigger(string? databasePath = null)
    {
        var rows = StalenessDriver.Rows(databasePath ?? DatabasePath, """
            SELECT t.START_TIME, t.NEXT_FIRE_TIME, c.CRON_EXPRESSION
            FROM QRTZ_TRIGGERS t JOIN QRTZ_CRON_TRIGGERS c
              ON c.SCHED_NAME = t.SCHED_NAME AND c.TRIGGER_NAME = t.TRIGGER_NAME AND c.TRIGGER_GROUP = t.TRIGGER_GROUP
            WHERE t.TRIGGER_NAME = @Name
            """, ("@Name", TriggerName));
        if (rows.Count == 0)
        {
            return null;
        }

        var row = rows.ShouldHaveSingleItem();
        return (long.Parse(row[0]!, System.Globalization.CultureInfo.InvariantCulture), long.Parse(row[1]!, System.Globalization.CultureInfo.InvariantCulture), row[2]!);
    }

    private long ScheduledRuns(string? databasePath = null) =>
        Db.Scalar(databasePath ?? DatabasePath, "SELECT count(*) FROM staleness_runs WHERE trigger_kind = 'SCHEDULED'");

    [Fact]
    public async Task EnabledSchedule_StartsScheduledRunsOfAllChecks_AsSystemStaleness()
    {
        using var server = new ClaimLedgerServer();
        server.Settings["Staleness:Enabled"] = "true";
        server.Settings["Staleness:Schedule"] = "0/2 * * * * ?";
        await using var clock = new RealTimeClockPump(server.Clock);
        var client = StalenessDriver.Client(server);

        var runs = await StalenessDriver.EventuallyAsync(
            async () => (await client.ListStalenessRunsAsync(new ListStalenessRunsRequest { PageSize = 50 })).Runs,
            r => r.Count(x => x.State == StalenessRun.Types.State.Succeeded) >= 2,
            TimeSpan.FromSeconds(30), "two scheduled runs");

        runs.ShouldAllBe(r => r.Trigger == StalenessRun.Types.Trigger.Scheduled);
        runs.ShouldAllBe(r => r.RequestedBy == StalenessDriver.SystemActor);
        foreach (var run in runs.Where(r => r.State == StalenessRun.Types.State.Succeeded))
        {
            run.Checks.ShouldBe([StalenessCheck.VerdictExpiry, StalenessCheck.SourceHealth, StalenessCheck.UnsourcedClaims]);
            run.ErrorCount.ShouldBe(0);
        }

        Trigger(server.DatabasePath).ShouldNotBeNull().Cron.ShouldBe("0/2 * * * * ?");
    }

    [Fact]
    public async Task DisabledSchedule_StoresNoTrigger_AndStartsNoRuns()
    {
        using var server = new ClaimLedgerServer();
        server.Settings["Staleness:Schedule"] = "0/2 * * * * ?"; // Staleness:Enabled stays false
        await using var clock = new RealTimeClockPump(server.Clock);
        _ = server.AdminKey;

        await Task.Delay(TimeSpan.FromSeconds(2.5));

        Trigger(server.DatabasePath).ShouldBeNull();
        ScheduledRuns(server.DatabasePath).ShouldBe(0);
    }

    [Fact]
    public async Task Restart_KeepsTheStoredCronTriggerAndTheRunHistory_ANewScheduleReplacesIt_DisablingRemovesIt()
    {
        const string schedule = "0 0 3 1 1 ? 2090"; // never fires during the test
        string manualRun;
        (long Start, long Next, string Cron) stored;
        using (var first = Start(schedule))
        {
            stored = Trigger().ShouldNotBeNull();
            stored.Cron.ShouldBe(schedule);
            new DateTimeOffset(stored.Next, TimeSpan.Zero).ShouldBe(new DateTimeOffset(2090, 1, 1, 3, 0, 0, TimeSpan.Zero));
            var run = await StalenessDriver.RunAsync(first, StalenessCheck.VerdictExpiry);
            run.State.ShouldBe(StalenessRun.Types.State.Succeeded);
            manualRun = run.Name;
        }

        // Stopped: the trigger and the run are in the database.
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Trigger().ShouldBe(stored);
        Db.Scalar(DatabasePath, "SELECT count(*) FROM staleness_runs WHERE state = 'SUCCEEDED'").ShouldBe(1);

        using (var second = Start(schedule))
        {
            Trigger().ShouldBe(stored, "the same trigger, not a new one (its START_TIME would be now)");
            var runs = (await StalenessDriver.Client(second).ListStalenessRunsAsync(new ListStalenessRunsRequest())).Runs;
            var kept = runs.ShouldHaveSingleItem();
            kept.Name.ShouldBe(manualRun);
            kept.State.ShouldBe(StalenessRun.Types.State.Succeeded);
        }

        const string changed = "0 30 4 1 1 ? 2090";
        using (Start(changed))
        {
            var replaced = Trigger().ShouldNotBeNull();
            replaced.Cron.ShouldBe(changed);
            new DateTimeOffset(replaced.Next, TimeSpan.Zero).ShouldBe(new DateTimeOffset(2090, 1, 1, 4, 30, 0, TimeSpan.Zero));
        }

        using (Start(changed, enabled: false))
        {
            Trigger().ShouldBeNull();
        }
    }

    [Fact]
    public async Task FiringsMissedWhileStopped_RunOnceAtStart_ThenTheScheduleGoesOn()
    {
        // Every minute at a second about 30 s away: no regular firing falls inside this test.
        var second = DateTimeOffset.UtcNow.AddSeconds(30).Second;
        var schedule = $"{second} * * * * ?";
        long next;
        RealTimeClockPump? firstClock = null;
        using (Start(schedule, misfireThreshold: "00:00:01", beforeStart: s => firstClock = new RealTimeClockPump(s.Clock)))
        {
            await using var stopFirstClock = firstClock!;
            next = Trigger().ShouldNotBeNull().Next;
            var nextTime = new DateTimeOffset(next, TimeSpan.Zero);
            nextTime.Second.ShouldBe(second);
            nextTime.ShouldBeInRange(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddSeconds(61));
        }

        // While stopped, five firings "pass": the stored next firing is five minutes ago.
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var missed = next - TimeSpan.FromMinutes(5).Ticks;
        StalenessDriver.Execute(DatabasePath, "UPDATE QRTZ_TRIGGERS SET NEXT_FIRE_TIME = @Next WHERE SCHED_NAME = @Sched AND TRIGGER_NAME = @Name",
            ("@Next", missed), ("@Sched", _schedulerName), ("@Name", TriggerName)).ShouldBe(1);
        ScheduledRuns().ShouldBe(0);

        RealTimeClockPump? clock = null;
        using var restarted = Start(schedule, misfireThreshold: "00:00:01", beforeStart: s => clock = new RealTimeClockPump(s.Clock));
        await using var stopClock = clock!;
        await StalenessDriver.EventuallyAsync(() => Task.FromResult(ScheduledRuns()), n => n >= 1, TimeSpan.FromSeconds(30), "the run for the missed firings");
        await Task.Delay(TimeSpan.FromSeconds(2));

        ScheduledRuns().ShouldBe(1);
        var run = (await StalenessDriver.Client(restarted).ListStalenessRunsAsync(new ListStalenessRunsRequest())).Runs.ShouldHaveSingleItem();
        run.Trigger.ShouldBe(StalenessRun.Types.Trigger.Scheduled);
        run.RequestedBy.ShouldBe(StalenessDriver.SystemActor);
        var after = new DateTimeOffset(Trigger().ShouldNotBeNull().Next, TimeSpan.Zero);
        after.Second.ShouldBe(second);
        after.ShouldBeGreaterThan(DateTimeOffset.UtcNow, "the schedule proceeds from now, not from the missed firings");
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        TestEngine.Forget(_directory); // the PostgreSQL build's database of this directory, which no server of its own disposes
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort, as the fixture does.
        }
    }
}
