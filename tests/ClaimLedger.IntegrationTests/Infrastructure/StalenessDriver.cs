using System.Diagnostics;
using ClaimLedger.Contracts.V1;
using Google.Protobuf.WellKnownTypes;

namespace ClaimLedger.IntegrationTests.Infrastructure;

/// <summary>Starts staleness runs over gRPC and waits (bounded) for them; builds VERIFIED claims resting on given sources.</summary>
public static class StalenessDriver
{
    public const string SystemActor = "system:staleness";

    /// <summary>Longest a run may take before a test fails instead of hanging.</summary>
    public static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(20);

    public static StalenessService.StalenessServiceClient Client(ClaimLedgerServer server, string actor = "admin-staleness", Role role = Role.Admin) =>
        new(server.As(actor, role));

    /// <summary>RunStalenessCheck, then polls GetStalenessRun until SUCCEEDED or FAILED.</summary>
    public static async Task<StalenessRun> RunAsync(ClaimLedgerServer server, params StalenessCheck[] checks)
    {
        var started = await Client(server).RunStalenessCheckAsync(new RunStalenessCheckRequest { Checks = { checks } });
        started.State.ShouldBe(StalenessRun.Types.State.Pending);
        return await WaitAsync(server, started.Name);
    }

    /// <summary>Fake time that passes per poll while a run is unfinished (see <see cref="WaitAsync"/>).</summary>
    public static readonly TimeSpan ClockStepPerPoll = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Polls until the run is SUCCEEDED or FAILED. The fetcher's retry delays and timeouts run on the service's
    /// TimeProvider, which is the test's fake clock: each poll advances it by <see cref="ClockStepPerPoll"/> so a
    /// retried fetch can go on (about 2.5 fake seconds per real second, far below any review interval used here).
    /// </summary>
    public static async Task<StalenessRun> WaitAsync(ClaimLedgerServer server, string name, TimeSpan? timeout = null)
    {
        var client = Client(server);
        var limit = timeout ?? RunTimeout;
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var run = await client.GetStalenessRunAsync(new GetStalenessRunRequest { Name = name });
            if (run.State is StalenessRun.Types.State.Succeeded or StalenessRun.Types.State.Failed)
            {
                return run;
            }

            if (watch.Elapsed > limit)
            {
                throw new TimeoutException($"{name} is still {run.State} after {limit.TotalSeconds:0} s");
            }

            server.Clock.Advance(ClockStepPerPoll);
            await Task.Delay(20);
        }
    }

    /// <summary>Polls until <paramref name="condition"/> holds, or fails after <paramref name="timeout"/>.</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> condition, TimeSpan timeout, string what)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var value = await read();
            if (condition(value))
            {
                return value;
            }

            if (watch.Elapsed > timeout)
            {
                throw new TimeoutException($"{what}: not reached after {timeout.TotalSeconds:0.#} s");
            }

            await Task.Delay(50);
        }
    }

    public static async Task<Source> SourceAsync(ClaimLedgerServer server, string url, string? contentSha256 = null)
    {
        var request = TestData.NewSource(url);
        if (contentSha256 is not null)
        {
            request.Source.ContentSha256 = contentSha256;
        }

        return await server.Sources().CreateSourceAsync(request);
    }

    /// <summary>A claim taken through review to VERIFIED (TRUE) with a verdict resting on one SUPPORTS evidence from each of <paramref name="basis"/>.</summary>
    public static async Task<(Claim Claim, IReadOnlyList<Evidence> Basis)> VerifiedClaimAsync(
        ClaimLedgerServer server, IReadOnlyList<Source> basis, TimeSpan? reviewInterval = null, string[]? topics = null)
    {
        var claims = server.Claims("editor-staleness", Role.Editor);
        var request = TestData.NewClaim(null, topics ?? []);
        if (reviewInterval is { } interval)
        {
            request.Claim.ReviewInterval = Duration.FromTimeSpan(interval);
        }

        var claim = await claims.CreateClaimAsync(request);
        await claims.StartReviewAsync(new StartReviewRequest { Name = claim.Name });
        var evidence = new List<Evidence>();
        foreach (var source in basis)
        {
            evidence.Add(await server.Evidence("editor-staleness", Role.Editor).AddEvidenceAsync(new AddEvidenceRequest
            {
                Parent = claim.Name,
                Evidence = new Evidence { Source = source.Name, Stance = Stance.Supports, Excerpt = "the figure is confirmed" },
            }));
        }

        claim = await claims.SubmitVerdictAsync(new SubmitVerdictRequest
        {
            Name = claim.Name,
            Rating = Rating.True,
            Rationale = "Confirmed by the cited sources.",
            Evidence = { evidence.Select(e => e.Name) },
        });
        claim.Status.ShouldBe(ClaimStatus.Verified);
        return (claim, evidence);
    }

    public static async Task<Claim> GetClaimAsync(ClaimLedgerServer server, string name) =>
        await server.Claims().GetClaimAsync(new GetClaimRequest { Name = name });

    public static async Task<Source> GetSourceAsync(ClaimLedgerServer server, string name) =>
        await server.Sources().GetSourceAsync(new GetSourceRequest { Name = name });

    public static async Task<IReadOnlyList<LedgerEntry>> LedgerAsync(ClaimLedgerServer server, string subject = "", string action = "")
    {
        var entries = new List<LedgerEntry>();
        var ledger = server.Ledger();
        var token = "";
        do
        {
            var page = await ledger.ListLedgerEntriesAsync(new ListLedgerEntriesRequest { Subject = subject, Action = action, PageSize = 100, PageToken = token });
            entries.AddRange(page.Entries);
            token = page.NextPageToken;
        }
        while (token.Length > 0);

        return entries;
    }

    /// <summary>Rows of a query on the database of <paramref name="databasePath"/>'s data directory, on this build's engine (<see cref="Db.Rows"/>).</summary>
    public static IReadOnlyList<string?[]> Rows(string databasePath, string sql, params (string Name, object Value)[] parameters) =>
        Db.Rows(databasePath, sql, parameters);

    /// <summary>A statement on the database of a server that is stopped, on this build's engine (<see cref="Db.Execute"/>).</summary>
    public static int Execute(string databasePath, string sql, params (string Name, object Value)[] parameters) =>
        Db.Execute(databasePath, sql, parameters);
}

/// <summary>
/// Keeps a server's fake clock at real time (it only moves forward) while it is alive. Quartz's scheduler thread runs on
/// the service's TimeProvider, the fake clock, while the service builds its cron trigger on system time
/// (TriggerBuilder.Create()), so a scheduled firing only happens once the fake clock has reached real time.
/// </summary>
public sealed class RealTimeClockPump : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public RealTimeClockPump(Microsoft.Extensions.Time.Testing.FakeTimeProvider clock)
    {
        CatchUp(clock);
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                CatchUp(clock);
                try
                {
                    await Task.Delay(20, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        });
    }

    private static void CatchUp(Microsoft.Extensions.Time.Testing.FakeTimeProvider clock)
    {
        var behind = DateTimeOffset.UtcNow - clock.GetUtcNow();
        if (behind > TimeSpan.Zero)
        {
            clock.Advance(behind);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
