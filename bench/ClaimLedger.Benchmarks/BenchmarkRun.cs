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
public sealed class BenchmarkRun(BenchmarkOptions options, ServerInstances servers, string apiKey, string repoRoot, TextWriter log)
{
    private const int MaxVerdictPool = 300_000;
    private const string CeilingDatabase = "claimledger_ceiling";

    private readonly List<SizeResult> _sizes = [];
    private double _lastVerdictRate;
    private readonly List<string> _problems = [];

    public IReadOnlyList<SizeResult> Sizes => _sizes;

    public IReadOnlyList<string> Problems => _problems;

    public long PeakServerRssBytes { get; private set; }

    public MemoryFacts? FinalServerMemory { get; private set; }

    public async Task RunAsync(DateTimeOffset runStart, CancellationToken ct)
    {
        var generator = new DatasetGenerator(options.Seed);
        var state = new DatasetState(generator, runStart.ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture));
        var instances = servers.Instances;
        var clients = Enumerable.Range(0, options.Clients).Select(i => new BenchClient(i, instances[i % instances.Count].Url, apiKey, options.Seed)).ToList();
        try
        {
            var pgbench = servers.Postgres is { } postgres ? await PgBenchCeiling.InitializeAsync(postgres, log, ct) : null;
            var workloads = new Workloads(clients, state, options.Warmup, options.Duration, Log);
            await workloads.CreateSourcesAsync(ct);
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
        }
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
        var claimsAtStart = state.ClaimCount;
        var load = await w.LoadAsync(Math.Max(0, size - claimsAtStart), options.LoadAllowDuplicates, ct);
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

        var dueClaims = (int)Math.Max(100, size / 100);
        var staleness = await w.StalenessSweepAsync(dueClaims, ct);
        Log($"Staleness sweep: {staleness.DueClaims:N0} due, {staleness.State} in {staleness.ClientSeconds:0.00} s (server {staleness.ServerSeconds:0.00} s), " +
            $"{staleness.ClaimsExamined:N0} examined, {staleness.MarkedStale:N0} marked stale, {staleness.ErrorCount} errors (prepared in {staleness.PreparationSeconds:0.0} s)");
        if (staleness.State != "SUCCEEDED" || staleness.ErrorCount > 0 || staleness.MarkedStale != staleness.DueClaims)
        {
            Problem($"{size:N0}: staleness sweep {staleness.State}, {staleness.MarkedStale:N0} of {staleness.DueClaims:N0} due claims marked stale, " +
                $"{staleness.ErrorCount} errors: {string.Join("; ", staleness.Errors)}");
        }

        var report = await w.AuditReportAsync(servers.First, runStart, ct);
        Log($"HTML audit report: {report.Bytes / 1e6:N1} MB in {report.Seconds:0.00} s; server RSS {Mb(report.RssBeforeBytes)} before, " +
            $"max {Mb(report.RssMaxDuringBytes)} during, {Mb(report.RssAfterBytes)} after ({report.RssSamples} samples)");
        if (report.Error is not null)
        {
            Problem($"{size:N0}: the audit report failed: {report.Error}");
        }

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

        var claimsBeforeWrites = state.ClaimCount;
        var create = Checked(await w.CreateClaimAsync(ct));
        var verdicts = await SubmitVerdictsAsync(w, ct);
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
        return new SizeResult(size, claimsAtStart, claimsAtStart + load.Calls, claimsBeforeWrites, state.ClaimCount, load, ping, create, get, list, listTopic, listStatus, search, searchLight, verdicts, staleness,
            report, verify, hashing, storageResult, afterLoad, atEnd, pgbenchResult, databaseBytes);
    }

    /// <summary>
    /// SubmitVerdict needs a claim IN_REVIEW per call, prepared untimed. Two pilot rounds (the first warms the server's
    /// code paths up) estimate the rate; the pool then holds 1.5 times what the warm-up and the phase take at the higher
    /// of that rate and the previous size's. If it still runs dry, the phase ends early and says so.
    /// </summary>
    private async Task<VerdictResult> SubmitVerdictsAsync(Workloads w, CancellationToken ct)
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
        var poolSize = (int)Math.Min(MaxVerdictPool, Math.Ceiling(expected * (options.Warmup + options.Duration).TotalSeconds * 1.5) + (2 * options.Clients));
        var (pool, preparation) = await w.PrepareReviewsAsync("SubmitVerdict: prepare pool", poolSize, null, ct);
        Log($"Prepared {pool.Count:N0} claims IN_REVIEW for SubmitVerdict in {preparation.Seconds:0.0} s (expecting {expected:N0} verdicts/s)");
        Check(preparation, "preparing the SubmitVerdict pool");
        var prepared = pool.Count;
        var verdict = Checked(await w.SubmitVerdictAsync(pool, ct));
        _lastVerdictRate = verdict.PerSecond;
        return new VerdictResult(verdict, prepared, preparation.Seconds, pool.Count);
    }

    private StorageCeilingResult MeasureStorage(StorageCeiling storage, long claims, CancellationToken ct)
    {
        var fill = storage.FillTo(claims, ct);
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
        return result;
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
