using System.Diagnostics;
using ClaimLedger.Benchmarks.Ceilings;
using ClaimLedger.Benchmarks.Dataset;
using ClaimLedger.Benchmarks.Phases;
using ClaimLedger.Benchmarks.Reporting;
using ClaimLedger.Benchmarks.Server;

namespace ClaimLedger.Benchmarks;

/// <summary>
/// One benchmark run against started servers: the source pool, then for each size the dataset grown to it and every
/// phase measured, with the ceilings measured right after on the same data. With several instances, client i talks to
/// instance i mod N only (its channel is to that instance); the admin calls (staleness sweep, audit report,
/// VerifyLedger) go through client 0, so to instance 0.
/// </summary>
public sealed class BenchmarkRun(BenchmarkOptions options, ServerInstances servers, string apiKey, string repoRoot, TextWriter log,
    DatasetState? carried = null)
{
    private const int MaxVerdictPool = 300_000;
    private const string CeilingDatabase = "claimledger_ceiling";

    private readonly List<SizeResult> _sizes = [];
    private double _lastVerdictRate;
    private readonly List<string> _problems = [];
    private BenchClient _observer = null!;

    /// <summary>--profile: perf over the whole machine during each goal's phase; the server pids are looked up when each profile ends (restarts change them).</summary>
    private readonly PerfProfiler? _profiler = options.Profile
        ? new PerfProfiler(Path.Combine(Path.GetTempPath(), $"claimledger-bench-profiles-{Environment.ProcessId}"), () => servers.Instances.Select(i => i.Pid).ToList(), log)
        : null;

    /// <summary>The setting the CreateClaim phase without the integrator restarts the servers with.</summary>
    private static readonly Dictionary<string, string> IntegrationOff = new(StringComparer.Ordinal) { ["Ledger__Integration__Enabled"] = "false" };

    /// <summary>
    /// Texts the near-duplicate check is primed with after a restart (FindSimilarClaims): a fresh process has none of
    /// the word counts a running one has cached, and CreateClaim runs at a fraction of its rate until it has them.
    /// </summary>
    private const int PrimeTexts = 3000;

    /// <summary>Claims loaded before the measurements of a moved (--carry-dataset) dataset, to warm the fresh server processes.</summary>
    private const int CarriedWarmUpClaims = 3000;

    /// <summary>How long a write or a backlog may take to be covered by a checkpoint before the run says so.</summary>
    private static readonly TimeSpan CoverageTimeout = TimeSpan.FromSeconds(60);

    public IReadOnlyList<SizeResult> Sizes => _sizes;

    public IReadOnlyList<string> Problems => _problems;

    public long PeakServerRssBytes { get; private set; }

    public MemoryFacts? FinalServerMemory { get; private set; }

    /// <summary>What the clients recorded (the source pool and every claim), for the next engine of a --carry-dataset run.</summary>
    public DatasetState? State { get; private set; }

    public async Task RunAsync(DateTimeOffset runStart, CancellationToken ct)
    {
        var generator = new DatasetGenerator(options.Seed);
        // A carried dataset (--carry-dataset) is already on the server, sources and all: the run goes on from it.
        var state = State = carried ?? new DatasetState(generator, runStart.ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture));
        var instances = servers.Instances;
        var clients = Enumerable.Range(0, options.Clients).Select(i => new BenchClient(i, instances[i % instances.Count].Url, apiKey, options.Seed)).ToList();
        // The integration-delay sampler's own client and channel (to instance 0), beside the phase's clients.
        _observer = new BenchClient(options.Clients, instances[0].Url, apiKey, options.Seed);
        try
        {
            var pgbench = servers.Postgres is { } postgres ? await PgBenchCeiling.InitializeAsync(postgres, log, ct) : null;
            var workloads = new Workloads(clients, state, options.Warmup, options.Duration, Log)
            {
                Profile = _profiler is null ? null : _profiler.Start,
            };
            if (carried is null)
            {
                await workloads.CreateSourcesAsync(ct);
            }

            using var storage = await CreateStorageCeilingAsync(generator, ct);
            foreach (var size in options.Sizes)
            {
                _sizes.Add(await MeasureSizeAsync(size, state, workloads, storage, pgbench, runStart, ct));
            }
        }
        finally
        {
            TrackMemory();
            foreach (var client in clients)
            {
                client.Dispose();
            }

            _observer.Dispose();
            _profiler?.Dispose();
        }
    }

    private async Task<StalenessResult> SweepAsync(Workloads w, long size, int dueClaims, string phase, CancellationToken ct)
    {
        var staleness = await w.StalenessSweepAsync(dueClaims, phase, ct);
        Log($"{phase}: {staleness.DueClaims:N0} due, {staleness.State} in {staleness.ClientSeconds:0.00} s (server {staleness.ServerSeconds:0.00} s), " +
            $"{staleness.ClaimsExamined:N0} examined, {staleness.MarkedStale:N0} marked stale, {staleness.ErrorCount} errors (prepared in {staleness.PreparationSeconds:0.0} s)");
        if (staleness.State != "SUCCEEDED" || staleness.ErrorCount > 0 || staleness.MarkedStale != staleness.DueClaims)
        {
            Problem($"{size:N0}: {phase.ToLowerInvariant()} {staleness.State}, {staleness.MarkedStale:N0} of {staleness.DueClaims:N0} due claims marked stale, " +
                $"{staleness.ErrorCount} errors: {string.Join("; ", staleness.Errors)}");
        }

        return staleness;
    }

    /// <summary>
    /// Grows the dataset to <paramref name="size"/>, then measures. Reads, the staleness sweep, the report, VerifyLedger
    /// and the ceilings run first, at the size just loaded; the write phases (CreateClaim, SubmitVerdict and its pool)
    /// run last, because they add claims, which then count toward the next size.
    /// </summary>
    private async Task<SizeResult> MeasureSizeAsync(long size, DatasetState state, Workloads w, StorageCeiling storage, PgBenchCeiling? pgbench,
        DateTimeOffset runStart, CancellationToken ct)
    {
        Log("");
        Log($"== {size:N0} claims");
        var sizeStart = DateTimeOffset.UtcNow;
        var claimsAtStart = state.ClaimCount;
        // A moved dataset needs no loading, but its server processes are fresh: without a load before them, the reads
        // would be measured on cold code (Ping at half its rate). A short load warms them as the load does elsewhere.
        var toLoad = Math.Max(carried is null ? 0 : CarriedWarmUpClaims, size - claimsAtStart);
        var load = await w.LoadAsync(toLoad, options.LoadAllowDuplicates, ct);
        Log(Workloads.Describe(load));
        Check(load, "loading");
        var afterLoad = TrackMemory();

        var ping = Checked(await w.PingAsync(ct));
        var get = Checked(await w.GetClaimAsync(ct));
        var list = Checked(await w.ListClaimsAsync(ct));
        var listTopic = Checked(await w.ListClaimsByTopicAsync(ct));
        var listStatus = Checked(await w.ListClaimsByStatusAsync(ct));
        var search = Checked(await w.SearchClaimsAsync(ct));
        var searchLight = Checked(await w.SearchClaimsLightAsync(ct));

        // Proofs, against the latest checkpoint, once it covers everything loaded (within about 1.5 s of the last write).
        var (checkpoint, _, covered) = await w.WaitForCheckpointAsync(await w.LedgerHeadAsync(ct), CoverageTimeout, ct);
        if (!covered)
        {
            Problem($"{size:N0}: no checkpoint covered the ledger head within {CoverageTimeout.TotalSeconds:0} s of the reads (latest: {checkpoint?.TreeSize ?? 0} entries)");
        }

        if (checkpoint is null)
        {
            throw new BenchmarkFailedException($"No checkpoint has been signed at {size:N0} claims: the proof phases have nothing to prove against.");
        }

        var inclusionProof = Checked(await w.GetInclusionProofAsync(checkpoint.TreeSize, ct));
        var claimProof = Checked(await w.GetClaimProofAsync(ct));

        var dueClaims = options.DueClaims(size);
        // Twice: the first sweep of a fresh server process runs its code for the first time (JIT), as a server's first
        // daily sweep does; the second, on as many newly due claims, runs it warm, as every later daily sweep does.
        var staleness = await SweepAsync(w, size, dueClaims, "Staleness sweep", ct);
        var stalenessWarm = await SweepAsync(w, size, dueClaims, "Staleness sweep, warm", ct);

        NotePeakMemory("the staleness sweep");
        var report = await w.AuditReportAsync(servers.First, runStart, ct);
        Log($"HTML audit report: {report.Bytes / 1e6:N1} MB in {report.Seconds:0.00} s; server RSS {Mb(report.RssBeforeBytes)} before, " +
            $"max {Mb(report.RssMaxDuringBytes)} during, {Mb(report.RssAfterBytes)} after ({report.RssSamples} samples)");
        if (report.Error is not null)
        {
            Problem($"{size:N0}: the audit report failed: {report.Error}");
        }

        NotePeakMemory("the audit report");
        var verify = await w.VerifyLedgerAsync(ct);
        Log($"VerifyLedger: valid={verify.Valid}, {verify.EntriesChecked:N0} entries in {verify.Seconds:0.00} s ({verify.EntriesPerSecond:N0}/s)");
        if (!verify.Valid)
        {
            throw new BenchmarkFailedException($"VerifyLedger says the ledger is NOT valid at {size:N0} claims: {verify.Problem}");
        }

        EnsureServerAlive();
        var hashing = await Task.Run(() => LedgerHashCeiling.Measure(servers.OpenableDatabaseConnection(), ct), ct);
        Log($"Ledger hash ceiling: {hashing.Entries:N0} entries, {hashing.EntriesPerSecond:N0} entries/s ({hashing.MegabytesPerSecond:N0} MB/s), " +
            $"read in {hashing.ReadSeconds:0.00} s, {hashing.Mismatches} mismatches");
        if (hashing.Mismatches > 0)
        {
            Problem($"{size:N0}: {hashing.Mismatches} ledger entries do not hash to their stored entry_hash (VerifyLedger said valid)");
        }

        var floor = await Task.Run(() => StateReadFloor.Measure(servers.OpenableDatabaseConnection, ct), ct);
        Log($"State-pass floor: {floor.Rows:N0} rows read in {floor.ReadSeconds:0.00} s, {floor.Entries:N0} entries' changes parsed in {floor.ParseSeconds:0.00} s " +
            $"({floor.EntriesPerSecond:N0} entries/s on one thread)");

        var claimsBeforeWrites = state.ClaimCount;
        var writes = await CreateClaimPhasesAsync(size, w, ct);
        var verdicts = await SubmitVerdictsAsync(w, storage, claimsBeforeWrites, ct);
        var sizeEnd = DateTimeOffset.UtcNow;
        var checkpoints = await CheckpointStatsAsync(w, state, sizeStart, sizeEnd, writes.CreateWindow, ct);
        Log($"Checkpoints: {checkpoints.Count:N0} signed in the run, {checkpoints.SignedDuringSize:N0} during this size ({checkpoints.PerMinute:0.0}/min; " +
            $"{checkpoints.PerMinuteUnderWriteLoad:0.0}/min under write load, {checkpoints.EntriesPerCheckpointUnderWriteLoad:N0} entries each); " +
            $"merkle_tiles + checkpoints {(checkpoints.TreeBytes is { } tb ? $"{tb / 1e6:0.0} MB, {checkpoints.TreeBytesPerClaim:0} bytes per claim" : "n/a")} ({checkpoints.TreeBytesMethod})");
        var atEnd = TrackMemory();
        var databaseBytes = await DatabaseBytesAsync(ct);

        // PostgreSQL's own write floor, against the same server, at the same client count; before the storage ceiling,
        // which adds a database as large as the service's.
        PgBenchResult? pgbenchResult = null;
        if (pgbench is not null)
        {
            pgbenchResult = await pgbench.MeasureAsync(options.Clients, options.CeilingDuration, ct);
            Log($"pgbench {pgbenchResult.Script} at {pgbenchResult.Clients} clients ({pgbenchResult.Threads} threads, scale {pgbenchResult.Scale}, " +
                $"{pgbenchResult.QueryMode} protocol): {pgbenchResult.TransactionsPerSecond:N0} tps, p50 {pgbenchResult.P50Ms:0.00} ms  " +
                $"p95 {pgbenchResult.P95Ms:0.00} ms  p99 {pgbenchResult.P99Ms:0.00} ms, {pgbenchResult.FailedTransactions} failed");
            if (pgbenchResult.FailedTransactions > 0)
            {
                Problem($"{size:N0}: pgbench had {pgbenchResult.FailedTransactions:N0} failed transactions");
            }
        }

        // Last: growing the ceiling file to the dataset's size writes as much again, which pushes the server's own
        // database out of the OS page cache and would slow the server's phases measured after it.
        var storageResult = await Task.Run(() => MeasureStorage(storage, claimsBeforeWrites, ct), ct);
        Log($"Storage ({storageResult.Engine}): one txn per claim {storageResult.PerClaimPerSecond:N0} claims/s, one txn per {storageResult.BatchSize} " +
            $"{storageResult.BatchedPerSecond:N0} claims/s ({(storage.Engine == "SQLite" ? "file" : "database")} of {storageResult.DatabaseClaims:N0} claims; grown in {storageResult.FillSeconds:0.0} s)");

        Log($"Server memory: RSS {Mb(atEnd?.RssBytes ?? 0)}, peak {Mb(atEnd?.PeakRssBytes ?? 0)}" +
            (atEnd?.Instances is { Count: > 1 } each ? $" (sums; per instance: {string.Join(", ", each.Select(i => $"{i.Instance}: {Mb(i.RssBytes)}, peak {Mb(i.PeakRssBytes)}"))})" : ""));
        return new SizeResult(size, claimsAtStart, claimsAtStart + load.Calls, claimsBeforeWrites, state.ClaimCount, load, ping, writes.Create, get, list, listTopic, listStatus,
            search, searchLight, verdicts, staleness, report, verify, hashing, storageResult, afterLoad, atEnd, pgbenchResult, databaseBytes,
            inclusionProof, claimProof, writes.Delay, checkpoints, writes.Off, writes.DropPct, writes.CatchUp, writes.Cpu, writes.On,
            _profiler?.TakeProfiles(), floor)
        {
            StalenessWarm = stalenessWarm,
        };
    }

    /// <summary>
    /// CreateClaim as every phase is measured, on the server that served the load, with the integration delay sampled;
    /// then the same phase without and with the Merkle integrator, on the same data, one right after the other, each on
    /// freshly restarted servers with the same preparation: the servers restart with Ledger:Integration:Enabled=false for
    /// the first, then with the defaults again, and the integrator catches up with the first one's entries (timed: the
    /// catch-up) before the second starts. After each restart, and before the phase's own warm-up, the near-duplicate
    /// check is primed (<see cref="PrimeTexts"/>), untimed and without adding claims. All three phases carry the same
    /// integration-delay sampler (its reads are the same load); only in the first does it wait for checkpoints.
    /// </summary>
    private async Task<CreateClaimPhases> CreateClaimPhasesAsync(long size, Workloads w, CancellationToken ct)
    {
        var sampler = IntegrationDelaySampler.Start(_observer, options.Warmup, options.Duration, expectCoverage: true, ct);
        var from = DateTimeOffset.UtcNow + options.Warmup;
        var create = Checked(await w.CreateClaimAsync("CreateClaim", sampler, ct));
        var to = DateTimeOffset.UtcNow;
        var delay = await sampler.FinishAsync(CoverageTimeout, ct);
        Log($"Integration delay (reply → covered by a checkpoint): p50 {delay.P50:N0} ms  p95 {delay.P95:N0} ms  max {delay.Max:N0} ms, " +
            $"{delay.Samples:N0} samples, {delay.Unresolved} unresolved, {delay.Errors} errors");
        if (delay.Unresolved > 0 || delay.Errors > 0)
        {
            Problem($"{size:N0}: integration delay: {delay.Unresolved} samples not covered within {CoverageTimeout.TotalSeconds:0} s, {delay.Errors} errors" +
                string.Concat(delay.ErrorSamples.Select(e => $"; {e}")));
        }

        TrackMemory(); // the peaks so far, before the processes they belong to stop
        var (off, offCpuMs, offClaims) = await RestartedCreateClaimAsync(size, w, IntegrationOff, "CreateClaim, integration off", ct);

        var head = await w.LedgerHeadAsync(ct);
        var integrated = (await w.LatestCheckpointAsync(ct))?.TreeSize ?? 0;
        Log("Restarting the server" + (servers.Instances.Count > 1 ? "s" : "") + " with the defaults (integration on)");
        await servers.RestartAsync(new Dictionary<string, string>(), ct);
        await w.ReconnectAsync(ct);
        var (_, seenAt, covered) = await w.WaitForCheckpointAsync(head, CoverageTimeout, ct);
        var first = servers.First;
        var fromStart = Stopwatch.GetElapsedTime(first.StartTimestamp, seenAt).TotalSeconds;
        var catchUp = new CatchUpResult(head - integrated, fromStart, Stopwatch.GetElapsedTime(first.ReadyTimestamp, seenAt).TotalSeconds,
            (head - integrated) / Math.Max(fromStart, 1e-9), covered);
        Log($"Catch-up: {catchUp.Entries:N0} entries written without the integrator covered by a checkpoint {catchUp.SecondsFromStart:0.00} s after the restarted " +
            $"process started ({catchUp.SecondsFromReady:0.00} s after it answered Ping): ≥ {catchUp.EntriesPerSecond:N0} entries/s");
        if (!covered)
        {
            Problem($"{size:N0}: the {catchUp.Entries:N0} entries written with integration off were not covered by a checkpoint within {CoverageTimeout.TotalSeconds:0} s of the restart");
        }

        var (on, onCpuMs, onClaims) = await RestartedCreateClaimAsync(size, w, null, "CreateClaim, integration on (restarted)", ct);

        // Off again after on: each phase grows the database, and CreateClaim's near-duplicate check costs more as it grows,
        // so the first "off" alone would favour "off". The mean of the phases before and after "on" cancels that trend.
        var (offAfter, offAfterCpuMs, offAfterClaims) = await RestartedCreateClaimAsync(size, w, IntegrationOff, "CreateClaim, integration off (after on)", ct);
        var offMean = off with
        {
            Name = "CreateClaim, integration off (mean of before and after on)",
            Calls = off.Calls + offAfter.Calls,
            Seconds = off.Seconds + offAfter.Seconds,
            PerSecond = (off.PerSecond + offAfter.PerSecond) / 2,
            Note = $"{off.PerSecond:N0}/s before the integrator-on phase, {offAfter.PerSecond:N0}/s after it",
        };
        var offCpuMean = (offCpuMs + offAfterCpuMs) / 2;
        var drop = offMean.PerSecond > 0 ? (offMean.PerSecond - on.PerSecond) / offMean.PerSecond * 100 : 0;
        Log($"CreateClaim on restarted servers: {on.PerSecond:N0}/s with the integrator, {off.PerSecond:N0}/s and {offAfter.PerSecond:N0}/s without " +
            $"(before and after): {drop:0.0}% drop; server CPU per claim (warm-up included) {offCpuMs:0.00} and {offAfterCpuMs:0.00} ms without, {onCpuMs:0.00} ms with");
        // Leave the servers as every later phase expects them: with the defaults, the integrator caught up.
        var headAfter = await w.LedgerHeadAsync(ct);
        await servers.RestartAsync(new Dictionary<string, string>(), ct);
        await w.ReconnectAsync(ct);
        await w.WaitForCheckpointAsync(headAfter, CoverageTimeout, ct);
        return new CreateClaimPhases(create, delay, (from, to), offMean, on, drop, catchUp,
            new ServerCpuPerClaim(offCpuMean, onCpuMs, offClaims + offAfterClaims, onClaims));
    }

    /// <summary>
    /// Restarts the servers with <paramref name="settings"/> (null: as they are, after the catch-up's restart), primes the
    /// near-duplicate check and measures CreateClaim, with the sampler's load and the server's CPU time per claim.
    /// </summary>
    private async Task<(PhaseResult Phase, double CpuMsPerClaim, long Claims)> RestartedCreateClaimAsync(long size, Workloads w,
        IReadOnlyDictionary<string, string>? settings, string name, CancellationToken ct)
    {
        if (settings is not null)
        {
            Log("Restarting the server" + (servers.Instances.Count > 1 ? "s" : "") + $" with {string.Join(", ", settings.Select(kv => $"{kv.Key.Replace("__", ":", StringComparison.Ordinal)}={kv.Value}"))}");
            await servers.RestartAsync(settings, ct);
            await w.ReconnectAsync(ct);
        }

        Check(await w.PrimeNearDuplicateCheckAsync(PrimeTexts, ct), "priming the near-duplicate check");
        var cpu = servers.CpuTime();
        var sampler = IntegrationDelaySampler.Start(_observer, options.Warmup, options.Duration, expectCoverage: false, ct);
        var phase = Checked(await w.CreateClaimAsync(name, sampler, ct));
        var cpuMs = (servers.CpuTime() - cpu).TotalMilliseconds / Math.Max(1, sampler.Offered);
        var sampling = await sampler.FinishAsync(TimeSpan.Zero, ct);
        if (sampling.Errors > 0)
        {
            Problem($"{size:N0}: the integration-delay sampler had {sampling.Errors} errors during {name}: {string.Join("; ", sampling.ErrorSamples)}");
        }

        return (phase, cpuMs, sampler.Offered);
    }

    private sealed record CreateClaimPhases(PhaseResult Create, IntegrationDelayResult Delay, (DateTimeOffset From, DateTimeOffset To) CreateWindow,
        PhaseResult Off, PhaseResult On, double DropPct, CatchUpResult CatchUp, ServerCpuPerClaim Cpu);

    private async Task<CheckpointStats> CheckpointStatsAsync(Workloads w, DatasetState state, DateTimeOffset sizeStart, DateTimeOffset sizeEnd,
        (DateTimeOffset From, DateTimeOffset To) underLoad, CancellationToken ct)
    {
        var all = await w.ListCheckpointsAsync(ct);
        var during = all.Count(c => c.Time >= sizeStart && c.Time <= sizeEnd);
        var minutes = (sizeEnd - sizeStart).TotalMinutes;
        var loaded = all.Where(c => c.Time >= underLoad.From && c.Time <= underLoad.To).ToList();
        var before = all.Where(c => c.Time < underLoad.From).Select(c => c.TreeSize).DefaultIfEmpty(0).Max();
        var loadMinutes = Math.Max((underLoad.To - underLoad.From).TotalMinutes, 1e-9);
        var entriesEach = loaded.Count == 0 ? 0 : (loaded.Max(c => c.TreeSize) - before) / (double)loaded.Count;
        EnsureServerAlive();
        var (bytes, method) = await Task.Run(() => TreeStorage.Measure(servers.OpenableDatabaseConnection()), ct);
        var claims = state.ClaimCount;
        return new CheckpointStats(all.Count, during / Math.Max(minutes, 1e-9), bytes / (double?)Math.Max(1, claims), during, minutes, loaded.Count,
            loaded.Count / loadMinutes, entriesEach, all.Count == 0 ? 0 : all.Max(c => c.TreeSize), bytes, method, claims);
    }

    /// <summary>
    /// SubmitVerdict needs a claim IN_REVIEW per call, prepared untimed. Two pilot rounds (the first warms the server's
    /// code paths up) estimate the rate; the pool then holds 3 times what the warm-up and the phase take at the higher
    /// of that rate and the previous size's (a pilot of a few hundred verdicts runs at about half the phase's rate: at 1M
    /// 1.5 times ran dry after 3.8 s of 5). If it still runs dry, the phase ends early and says so.
    /// </summary>
    private async Task<VerdictResult> SubmitVerdictsAsync(Workloads w, StorageCeiling storage, long storageClaims, CancellationToken ct)
    {
        var pilotRate = 0.0;
        for (var round = 1; round <= 2; round++)
        {
            var (pilotPool, pilotPreparation) = await w.PrepareReviewsAsync($"SubmitVerdict: pilot pool {round}", 5 * options.Clients, null, ct);
            Check(pilotPreparation, "preparing the SubmitVerdict pilot");
            var pilot = await w.SubmitAllAsync($"SubmitVerdict: pilot {round}", pilotPool, null, ct);
            Check(pilot, "the SubmitVerdict pilot");
            pilotRate = pilot.PerSecond;
        }

        var expected = Math.Max(pilotRate, _lastVerdictRate);
        var poolSize = (int)Math.Min(MaxVerdictPool, Math.Ceiling(expected * (options.Warmup + options.Duration).TotalSeconds * 3) + (2 * options.Clients));
        // At the quick sizes the raw-storage ceiling's database grows toward the dataset's size meanwhile, and stops when the
        // pool is ready: both are untimed preparation, and nothing measured runs beside the fill (it keeps a quick run
        // within 5 minutes on PostgreSQL). A large fill stays last (MeasureStorage): it would push the server's database out
        // of the page cache before the phases measured after it.
        using var poolReady = new CancellationTokenSource();
        var fill = storageClaims - storage.Claims <= MaxFillBesidePool
            ? Task.Run(() => storage.FillTo(storageClaims, ct, poolReady.Token), ct)
            : Task.FromResult(0.0);
        (System.Collections.Concurrent.ConcurrentQueue<Workloads.ReviewItem> Items, PhaseResult Preparation) made;
        try
        {
            made = await w.PrepareReviewsAsync("SubmitVerdict: prepare pool", poolSize, null, ct);
        }
        finally
        {
            await poolReady.CancelAsync();
            _storageFillSeconds += await fill;
        }

        var (pool, preparation) = made;
        Log($"Prepared {pool.Count:N0} claims IN_REVIEW for SubmitVerdict in {preparation.Seconds:0.0} s (expecting {expected:N0} verdicts/s)");
        Check(preparation, "preparing the SubmitVerdict pool");
        var prepared = pool.Count;
        var verdict = Checked(await w.SubmitVerdictAsync(pool, ct));
        _lastVerdictRate = verdict.PerSecond;
        return new VerdictResult(verdict, prepared, preparation.Seconds, pool.Count);
    }

    /// <summary>The most claims the storage ceiling's database grows by during the SubmitVerdict pool's preparation.</summary>
    private const long MaxFillBesidePool = 100_000;

    /// <summary>Seconds the storage ceiling's database grew during the SubmitVerdict pool's preparation, this size.</summary>
    private double _storageFillSeconds;

    private StorageCeilingResult MeasureStorage(StorageCeiling storage, long claims, CancellationToken ct)
    {
        var fill = _storageFillSeconds + storage.FillTo(claims, ct);
        _storageFillSeconds = 0;
        var (perClaim, perClaimSeconds) = storage.Measure(options.CeilingDuration, 1, ct);
        var (batched, batchedSeconds) = storage.Measure(options.CeilingDuration, StorageCeiling.BatchSize, ct);
        return new StorageCeilingResult(storage.Claims, fill, perClaim, perClaimSeconds, perClaim / perClaimSeconds, batched, batchedSeconds,
            batched / batchedSeconds, StorageCeiling.BatchSize, storage.Description, storage.Engine);
    }

    /// <summary>
    /// The raw-storage floor and ceiling in the engine under test: a SQLite file beside the server's, or a database of
    /// the same PostgreSQL server.
    /// </summary>
    private async Task<StorageCeiling> CreateStorageCeilingAsync(DatasetGenerator generator, CancellationToken ct)
    {
        if (servers.Postgres is not { } postgres)
        {
            return StorageCeiling.Create(Path.Combine(servers.First.DataDirectory, "ceiling.db"), Path.Combine(repoRoot, "migrations", "sqlite"), generator);
        }

        await postgres.CreateDatabaseAsync(CeilingDatabase, ct);
        return await Task.Run(() => StorageCeiling.CreatePostgres(postgres.ConnectionString(CeilingDatabase), Path.Combine(repoRoot, "migrations", "postgresql"), generator), ct);
    }

    private async Task<long?> DatabaseBytesAsync(CancellationToken ct)
    {
        if (servers.Postgres is { } postgres)
        {
            return await postgres.DatabaseSizeAsync(PostgresServer.ServiceDatabase, ct);
        }

        var file = servers.First.DatabasePath;
        return new[] { file, file + "-wal" }.Where(File.Exists).Sum(f => new FileInfo(f).Length);
    }

    private PhaseResult Checked(PhaseResult result)
    {
        Check(result, result.Name);
        NotePeakMemory(result.Name);
        return result;
    }

    /// <summary>The highest peak RSS of one instance seen after a phase, to say in the log which phase raised it.</summary>
    private long _notedPeakBytes;

    /// <summary>Logs when a phase raised an instance's peak RSS (VmHWM) by more than 10 MB: which phase the peak belongs to.</summary>
    private void NotePeakMemory(string phase)
    {
        var peak = TrackMemory()?.Instances?.Max(i => i.PeakRssBytes) ?? 0;
        if (peak > _notedPeakBytes + 10_000_000)
        {
            // What the resident memory is made of now (not at the peak): heaps and caches, code, double-mapped JIT code.
            var now = servers.Memory().OfType<ProcessMemory>().MaxBy(m => m.PeakRssBytes);
            Log($"  server peak RSS {Mb(peak)} after {phase} (was {Mb(_notedPeakBytes)}); now {Mb(now?.RssBytes ?? 0)}: " +
                $"anonymous {Mb(now?.AnonymousBytes ?? 0)}, files {Mb(now?.FileBytes ?? 0)}, shared {Mb(now?.SharedBytes ?? 0)}");
        }

        _notedPeakBytes = Math.Max(_notedPeakBytes, peak);
    }

    private void Check(PhaseResult result, string what)
    {
        EnsureServerAlive();
        if (result.Errors > 0)
        {
            Problem($"{what}: {result.Errors:N0} errors: {string.Join("; ", result.ErrorSamples)}");
        }

        if (result.Rejections > 0)
        {
            Problem($"{what}: {result.Rejections:N0} claims rejected as near-duplicates");
        }

        if (result.Note is not null)
        {
            Problem($"{what}: {result.Note}");
        }
    }

    private void EnsureServerAlive()
    {
        if (servers.AnyExited)
        {
            throw new BenchmarkFailedException($"{(servers.Instances.Count > 1 ? "An instance" : "The server")} exited during the run:{Environment.NewLine}{servers.ExitedOutput()}");
        }
    }

    /// <summary>Each instance's memory and their sums; null if any instance's cannot be read.</summary>
    private MemoryFacts? TrackMemory()
    {
        var each = servers.Memory();
        if (each.Count == 0 || each.Any(m => m is null))
        {
            return null;
        }

        var instances = each.Select((m, i) => new InstanceMemory(i, servers.Instances[i].Pid, m!.RssBytes, m.PeakRssBytes)).ToList();
        var memory = new MemoryFacts(instances.Sum(i => i.RssBytes), instances.Sum(i => i.PeakRssBytes), instances);
        PeakServerRssBytes = Math.Max(PeakServerRssBytes, memory.PeakRssBytes);
        FinalServerMemory = memory;
        return memory;
    }

    private void Problem(string message)
    {
        _problems.Add(message);
        Log($"  ! {message}");
    }

    private void Log(string line) => log.WriteLine(line);

    private static string Mb(long bytes) => Targets.Mb(bytes);
}
