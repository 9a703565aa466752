using System.Globalization;
using System.Text.Json;
using ClaimLedger.Benchmarks;
using ClaimLedger.Benchmarks.Dataset;
using ClaimLedger.Benchmarks.Phases;
using ClaimLedger.Benchmarks.Reporting;
using ClaimLedger.Benchmarks.Server;

// dotnet run -c Release --project bench/ClaimLedger.Benchmarks -- [--sizes 10000,100000,1000000] [--clients 64] [--duration 10] [--out bench/results]
//   [--database sqlite|postgresql] [--instances N]
// Figures are written the same way everywhere: 14,800 and 1.25, whatever the machine's locale.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
// Ctrl+C and SIGTERM cancel the run's token; the run then stops its servers (PostgreSQL too), deletes their folders and
// writes the report of the sizes it finished. System.CommandLine would end the process 2 s after the signal; allow more.
return await BenchmarkOptions.BuildCommand(RunAsync).Parse(args)
    .InvokeAsync(new System.CommandLine.InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(60) });

static async Task<int> RunAsync(BenchmarkOptions options, CancellationToken invocationToken)
{
    if (options.ShowDataset > 0)
    {
        DatasetSample.Print(new DatasetGenerator(options.Seed), options.ShowDataset, Console.Out);
        return 0;
    }

    var log = Console.Out;
    PostgresBinaries? binaries = null;
    if (options.Engines.Any(e => e.Database == DatabaseEngine.PostgreSql))
    {
        (binaries, var problem) = PostgresBinaries.Find();
        if (binaries is null)
        {
            await Console.Error.WriteLineAsync($"error: {problem}");
            return 2;
        }
    }

    using var cancel = CancellationTokenSource.CreateLinkedTokenSource(invocationToken);
    Console.CancelKeyPress += (_, e) =>
    {
        // First Ctrl+C: stop measuring, kill the servers, clean up. A second one ends the process at once.
        if (!cancel.IsCancellationRequested)
        {
            e.Cancel = true;
            log.WriteLine("Interrupted: stopping the servers and cleaning up…");
            cancel.Cancel();
        }
    };
    var ct = cancel.Token;

    var repoRoot = ServerProcess.FindRepositoryRoot(Directory.GetCurrentDirectory());
    ServerProcess.PerfMap = options.Profile;
    ServerProcess.ReadyToRun = options.ReadyToRun;
    var outputDirectory = Path.GetFullPath(options.OutputDirectory, repoRoot);
    if (options.Engines.Count == 1)
    {
        return (await RunEngineAsync(options, binaries, repoRoot, outputDirectory, log, ct, null, null)).ExitCode;
    }

    // Several engines in one run (--database sqlite,postgresql,postgresql:2): each is a complete run of its own, one
    // after the other on the same machine, with its own .md and .json; then one side-by-side report of them all.
    var start = DateTimeOffset.UtcNow;
    if (!options.SkipBuild)
    {
        await ServerProcess.BuildAsync(repoRoot, log, ct);
    }

    var reports = new List<string>();
    var exitCode = 0;
    // --carry-dataset: the SQLite engine's final database waits here for the PostgreSQL engines, each of which moves it
    // into its own fresh PostgreSQL server with migrate-to-postgres.
    var carryDirectory = options.CarryDataset ? Directory.CreateTempSubdirectory("claimledger-bench-carry-").FullName : null;
    CarriedDataset? carried = null;
    try
    {
        foreach (var engine in options.Engines)
        {
            if (ct.IsCancellationRequested)
            {
                break;
            }

            log.WriteLine($"=== {engine}");
            var (code, report, kept) = await RunEngineAsync(options with { Database = engine.Database, Instances = engine.Instances, SkipBuild = true },
                binaries, repoRoot, outputDirectory, log, ct, carried is null ? null : carried with { State = carried.State.Copy() }, carryDirectory);
            exitCode = Math.Max(exitCode, code);
            if (report is not null)
            {
                reports.Add(report);
            }

            carried ??= kept;
            if (options.CarryDataset && carried is null)
            {
                log.WriteLine("The SQLite engine left no database to carry: the PostgreSQL engines are not run.");
                exitCode = Math.Max(exitCode, 1);
                break;
            }
        }
    }
    finally
    {
        if (carryDirectory is not null)
        {
            Directory.Delete(carryDirectory, recursive: true);
        }
    }

    if (reports.Count > 0)
    {
        var stem = Path.Combine(outputDirectory, $"benchmark-{start:yyyyMMdd'T'HHmmss'Z'}-engines");
        await File.WriteAllTextAsync(stem + ".md", EngineComparison.Markdown(start, reports), CancellationToken.None);
        await File.WriteAllTextAsync(stem + ".json", EngineComparison.Json(start, reports), CancellationToken.None);
        log.WriteLine($"Wrote {stem}.md and {stem}.json (the engines side by side)");
    }

    return exitCode;
}

// One engine (SQLite, or PostgreSQL with N instances): its own servers, measurements and report. The report's .json
// path is returned when one was written. With --carry-dataset, a SQLite engine that finished keeps its database in
// carryDirectory and returns it; a PostgreSQL engine given `carried` starts from it instead of loading its own.
static async Task<(int ExitCode, string? Report, CarriedDataset? Kept)> RunEngineAsync(BenchmarkOptions options, PostgresBinaries? binaries,
    string repoRoot, string outputDirectory, TextWriter log, CancellationToken ct, CarriedDataset? carried, string? carryDirectory)
{
    var start = DateTimeOffset.UtcNow;
    string? report = null;
    string? datasetFrom = null;
    CarriedDataset? kept = null;
    string? apiKey = null;

    var servers = new ServerInstances(options, repoRoot, binaries, log);
    AppDomain.CurrentDomain.ProcessExit += (_, _) => servers.DisposeAsync().AsTask().GetAwaiter().GetResult();
    BenchmarkRun? run = null;
    ClaimLedger.Benchmarks.Duplicates.DuplicateDetectorResult? duplicates = null;
    string? failure = null;
    try
    {
        if (!options.SkipBuild)
        {
            await ServerProcess.BuildAsync(repoRoot, log, ct);
        }

        if (carried is not null && options.Database == DatabaseEngine.PostgreSql)
        {
            await servers.StartAsync(ct, async (postgres, token) =>
            {
                log.WriteLine($"Moving the SQLite engine's database ({carried.State.ClaimCount:N0} claims, {new FileInfo(carried.SqlitePath).Length / 1e9:0.00} GB) " +
                    "into PostgreSQL with migrate-to-postgres…");
                var moving = System.Diagnostics.Stopwatch.StartNew();
                await ServerProcess.RunVerbAsync(repoRoot, [ClaimLedger.Server.Infrastructure.Data.SqliteToPostgres.Verb, "--from", carried.SqlitePath],
                    new Dictionary<string, string> { ["ConnectionStrings__ClaimLedger"] = postgres.ConnectionString(PostgresServer.ServiceDatabase) },
                    log, token);
                datasetFrom = $"the SQLite engine's final database ({carried.State.ClaimCount:N0} claims), moved into this PostgreSQL server by " +
                    $"`migrate-to-postgres` (copy and ledger verification) in {moving.Elapsed.TotalSeconds:0} s; not loaded through the API";
                log.WriteLine($"Moved in {moving.Elapsed.TotalSeconds:0} s");
            }, new Dictionary<string, string> { ["Ledger__Checkpoints__SigningKey"] = carried.SigningKey }); // the log's key, as the README's move says
        }
        else
        {
            await servers.StartAsync(ct);
        }

        apiKey = carried?.ApiKey ?? await servers.First.ReadAdminKeyAsync(ct);
        log.WriteLine($"Sizes {string.Join(", ", options.Sizes.Select(s => s.ToString("N0", CultureInfo.InvariantCulture)))}; " +
            $"{options.Clients} clients; {options.Duration.TotalSeconds:0.#} s per phase after {options.Warmup.TotalSeconds:0.#} s warm-up; " +
            (options.Database == DatabaseEngine.PostgreSql
                ? $"PostgreSQL {servers.PostgresFacts?.ServerVersion}, {options.Instances} instance{(options.Instances == 1 ? "" : "s")}"
                : "SQLite"));
        duplicates = await ClaimLedger.Benchmarks.Duplicates.DuplicateDetectorPhase.MeasureAsync(servers, options.Seed, log, ct);
        run = new BenchmarkRun(options, servers, apiKey, repoRoot, log, carried?.State);
        await run.RunAsync(start, ct);
    }
    catch (OperationCanceledException) when (ct.IsCancellationRequested)
    {
        failure = "interrupted";
    }
    catch (BenchmarkFailedException e)
    {
        failure = e.Message;
    }
    catch (Exception e) when (e is InvalidOperationException or Grpc.Core.RpcException or IOException or Microsoft.Data.Sqlite.SqliteException
        or Npgsql.NpgsqlException)
    {
        failure = $"{e.GetType().Name}: {e.Message}";
    }

    var machine = MachineFacts.Collect(repoRoot, servers.DatabaseDirectory ?? Path.GetTempPath());
    var urls = servers.Instances.Select(i => i.Url).ToList();
    var settings = new RunSettings(options.Sizes, options.Clients, options.Duration.TotalSeconds, options.Warmup.TotalSeconds,
        options.CeilingDuration.TotalSeconds, options.Seed, options.LoadAllowDuplicates, urls.FirstOrDefault() ?? "",
        options.Database == DatabaseEngine.PostgreSql ? "postgresql" : "sqlite", options.Instances, urls, servers.PostgresFacts, datasetFrom,
        ServerBuild: ServerProcess.BuildDescription);
    if (failure is null && carryDirectory is not null && options.Database == DatabaseEngine.Sqlite && run?.State is { } state && apiKey is not null)
    {
        var (database, signingKey) = await servers.StopAndKeepSqliteDatabaseAsync(carryDirectory, ct);
        kept = new CarriedDataset(database, signingKey, state, apiKey);
    }

    await servers.DisposeAsync();

    // Each size record names its engine and carries the detector's figures, so reports compared side by side (and the
    // JSON read alone) give every measure per size and engine.
    var sizes = (run?.Sizes ?? []).Select(s => s with
    {
        Engine = settings.Database,
        Instances = options.Instances,
        Recall = duplicates?.Recall,
        Precision = duplicates?.Precision,
    }).ToList();
    var problems = (run?.Problems ?? []).ToList();
    if (failure is not null)
    {
        problems.Add($"The run stopped: {failure}");
    }

    if (duplicates is { Recall: < 0.99 } or { Precision: < 0.99 })
    {
        problems.Add($"The near-duplicate detector's recall ({duplicates.Recall:0.0000}) or precision ({duplicates.Precision:0.0000}) is below 0.99");
    }

    var result = new BenchmarkResult(start, DateTimeOffset.UtcNow, machine, settings, sizes, run?.PeakServerRssBytes ?? 0, run?.FinalServerMemory,
        Targets.Evaluate(sizes, options.Clients), problems, failure is null, duplicates);
    var markdown = MarkdownReport.Render(result);
    log.WriteLine();
    log.WriteLine(markdown);

    if (sizes.Count > 0 || failure is null)
    {
        Directory.CreateDirectory(outputDirectory);
        var stem = Path.Combine(outputDirectory, $"benchmark-{start:yyyyMMdd'T'HHmmss'Z'}");
        await File.WriteAllTextAsync(stem + ".md", markdown, CancellationToken.None);
        await File.WriteAllTextAsync(stem + ".json", JsonSerializer.Serialize(result, JsonOptions.Indented), CancellationToken.None);
        log.WriteLine($"Wrote {stem}.md and {stem}.json");
        report = stem + ".json";
    }

    if (failure is not null)
    {
        await Console.Error.WriteLineAsync($"BENCHMARK FAILED: {failure}");
        return (1, report, kept);
    }

    return (0, report, kept);
}

/// <summary>A SQLite engine's final database, kept for the PostgreSQL engines of a --carry-dataset run, with what its clients recorded.</summary>
internal sealed record CarriedDataset(string SqlitePath, string SigningKey, DatasetState State, string ApiKey);

internal static class JsonOptions
{
    public static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };
}
