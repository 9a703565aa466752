using System.Globalization;
using System.Text.Json;
using ClaimLedger.Benchmarks;
using ClaimLedger.Benchmarks.Dataset;
using ClaimLedger.Benchmarks.Phases;
using ClaimLedger.Benchmarks.Reporting;
using ClaimLedger.Benchmarks.Server;

// dotnet run -c Release --project bench/ClaimLedger.Benchmarks -- [--sizes 10000,100000,1000000] [--clients 64] [--duration 10] [--out bench/results]
// Figures are written the same way everywhere: 14,800 and 1.25, whatever the machine's locale.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
return await BenchmarkOptions.BuildCommand(RunAsync).Parse(args).InvokeAsync();

static async Task<int> RunAsync(BenchmarkOptions options, CancellationToken invocationToken)
{
    if (options.ShowDataset > 0)
    {
        DatasetSample.Print(new DatasetGenerator(options.Seed), options.ShowDataset, Console.Out);
        return 0;
    }

    var log = Console.Out;
    using var cancel = CancellationTokenSource.CreateLinkedTokenSource(invocationToken);
    Console.CancelKeyPress += (_, e) =>
    {
        // First Ctrl+C: stop measuring, kill the server, clean up. A second one ends the process at once.
        if (!cancel.IsCancellationRequested)
        {
            e.Cancel = true;
            log.WriteLine("Interrupted: stopping the server and cleaning up…");
            cancel.Cancel();
        }
    };
    var ct = cancel.Token;

    var repoRoot = ServerProcess.FindRepositoryRoot(Directory.GetCurrentDirectory());
    var outputDirectory = Path.GetFullPath(options.OutputDirectory, repoRoot);
    var start = DateTimeOffset.UtcNow;

    ServerProcess? server = null;
    AppDomain.CurrentDomain.ProcessExit += (_, _) => server?.DisposeAsync().AsTask().GetAwaiter().GetResult();
    BenchmarkRun? run = null;
    string? failure = null;
    try
    {
        if (!options.SkipBuild)
        {
            await ServerProcess.BuildAsync(repoRoot, log, ct);
        }

        server = await ServerProcess.StartAsync(repoRoot, log, ct);
        var apiKey = await server.ReadAdminKeyAsync(ct);
        log.WriteLine($"Sizes {string.Join(", ", options.Sizes.Select(s => s.ToString("N0", CultureInfo.InvariantCulture)))}; " +
            $"{options.Clients} clients; {options.Duration.TotalSeconds:0.#} s per phase after {options.Warmup.TotalSeconds:0.#} s warm-up");
        run = new BenchmarkRun(options, server, apiKey, repoRoot, log);
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
    catch (Exception e) when (e is InvalidOperationException or Grpc.Core.RpcException or IOException or Microsoft.Data.Sqlite.SqliteException)
    {
        failure = $"{e.GetType().Name}: {e.Message}";
    }

    var machine = MachineFacts.Collect(repoRoot, server?.DataDirectory ?? Path.GetTempPath());
    var settings = new RunSettings(options.Sizes, options.Clients, options.Duration.TotalSeconds, options.Warmup.TotalSeconds,
        options.CeilingDuration.TotalSeconds, options.Seed, options.LoadAllowDuplicates, server?.Url ?? "");
    if (server is not null)
    {
        await server.DisposeAsync();
        server = null;
    }

    var sizes = run?.Sizes ?? [];
    var problems = (run?.Problems ?? []).ToList();
    if (failure is not null)
    {
        problems.Add($"The run stopped: {failure}");
    }

    var result = new BenchmarkResult(start, DateTimeOffset.UtcNow, machine, settings, sizes, run?.PeakServerRssBytes ?? 0, run?.FinalServerMemory,
        Targets.Evaluate(sizes, options.Clients), problems, failure is null);
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
    }

    if (failure is not null)
    {
        await Console.Error.WriteLineAsync($"BENCHMARK FAILED: {failure}");
        return 1;
    }

    return 0;
}

internal static class JsonOptions
{
    public static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };
}
