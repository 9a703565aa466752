using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using ClaimLedger.Benchmarks.Server;

namespace ClaimLedger.Benchmarks.Ceilings;

/// <summary>What pgbench measured: PostgreSQL's own rate of small write transactions, one commit each.</summary>
public sealed record PgBenchResult(
    string Script,
    int Scale,
    int Clients,
    int Threads,
    string QueryMode,
    double DurationSeconds,
    long Transactions,
    long FailedTransactions,
    /// <summary>Transactions per second, excluding the initial connection time (pgbench's own figure).</summary>
    double TransactionsPerSecond,
    double LatencyAverageMs,
    double P50Ms,
    double P95Ms,
    double P99Ms,
    double MaxMs,
    double InitialConnectionMs);

/// <summary>
/// PostgreSQL's own write floor for one commit per transaction, measured against the benchmark's PostgreSQL server
/// in the same run: pgbench's built-in simple-update script (UPDATE one pgbench_accounts row, SELECT its balance,
/// INSERT a pgbench_history row; one transaction, one commit each) from as many clients as the benchmark has, on a
/// scratch database initialised once with <c>pgbench -i -s <see cref="Scale"/></c>. Each transaction waits for its own
/// WAL flush (synchronous_commit=on), which concurrent sessions share as PostgreSQL groups their flushes; so this is
/// what the database gives many independent committers, beside which the service's writes (one writer per instance,
/// committing batches) are set. Latency percentiles come from pgbench's per-transaction log.
/// </summary>
public sealed partial class PgBenchCeiling
{
    public const string Script = "simple-update";
    public const string Database = "claimledger_pgbench";
    public const int Scale = 10;
    public const int MaxThreads = 2;

    private readonly PostgresServer _server;

    private PgBenchCeiling(PostgresServer server) => _server = server;

    /// <summary>Creates the scratch database and fills it (<c>pgbench -i -s 10</c>, about 160 MB).</summary>
    public static async Task<PgBenchCeiling> InitializeAsync(PostgresServer server, TextWriter log, CancellationToken ct)
    {
        await server.CreateDatabaseAsync(Database, ct);
        var ceiling = new PgBenchCeiling(server);
        var timer = Stopwatch.StartNew();
        await ceiling.RunPgBenchAsync(Path.GetTempPath(), ct, "-i", "-s", Scale.ToString(CultureInfo.InvariantCulture), "-q");
        log.WriteLine($"pgbench: initialised {Database} at scale {Scale} in {timer.Elapsed.TotalSeconds:0.0} s");
        return ceiling;
    }

    /// <summary><c>pgbench -b simple-update -c clients -j 2 -T seconds</c>, with its per-transaction log for the percentiles.</summary>
    public async Task<PgBenchResult> MeasureAsync(int clients, TimeSpan duration, CancellationToken ct)
    {
        var threads = Math.Min(MaxThreads, clients);
        var seconds = Math.Max(1, (int)Math.Round(duration.TotalSeconds));
        var logDirectory = Directory.CreateTempSubdirectory("claimledger-bench-pgbench-").FullName;
        try
        {
            var output = await RunPgBenchAsync(logDirectory, ct,
                "-b", Script,
                "-c", clients.ToString(CultureInfo.InvariantCulture),
                "-j", threads.ToString(CultureInfo.InvariantCulture),
                "-T", seconds.ToString(CultureInfo.InvariantCulture),
                "-l", "--log-prefix=" + Path.Combine(logDirectory, "tx"));
            var latencies = ReadLatencies(logDirectory);
            return new PgBenchResult(
                Script,
                Scale,
                clients,
                threads,
                Match(QueryModeLine(), output, "query mode") ?? "simple",
                seconds,
                Number(TransactionsLine(), output, "number of transactions actually processed"),
                Match(FailedLine(), output, null) is { } failed ? long.Parse(failed, CultureInfo.InvariantCulture) : 0,
                Decimal(TpsLine(), output, "tps"),
                Decimal(LatencyAverageLine(), output, "latency average"),
                Percentile(latencies, 0.50),
                Percentile(latencies, 0.95),
                Percentile(latencies, 0.99),
                latencies.Length == 0 ? 0 : latencies[^1] / 1000.0,
                Match(ConnectionTimeLine(), output, null) is { } connection ? double.Parse(connection, CultureInfo.InvariantCulture) : 0);
        }
        finally
        {
            try
            {
                Directory.Delete(logDirectory, recursive: true);
            }
            catch (IOException)
            {
                // A temp folder left behind.
            }
        }
    }

    /// <summary>Runs pgbench against the scratch database as the owner role; returns its output, or throws with it.</summary>
    private async Task<string> RunPgBenchAsync(string workingDirectory, CancellationToken ct, params string[] arguments)
    {
        var connection = new[]
        {
            "-h", "127.0.0.1", "-p", _server.Port.ToString(CultureInfo.InvariantCulture), "-U", PostgresServer.OwnerRole,
        };
        var start = _server.Binaries.StartInfo("pgbench", [.. arguments, .. connection, Database], workingDirectory, asServerAccount: false, parentDeathSignal: false);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("pgbench did not start");
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        await Server.ChildProcess.WaitOrKillAsync(process, ct);

        var output = (await stdout) + Environment.NewLine + (await stderr);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"pgbench {string.Join(' ', arguments)} failed (exit code {process.ExitCode}):{Environment.NewLine}{output.Trim()}");
        }

        return output;
    }

    /// <summary>
    /// Latencies in microseconds, sorted, from every thread's log file: one line per transaction,
    /// "client_id transaction_no time script_no time_epoch time_us", where time is the latency ("failed" for a failure).
    /// </summary>
    private static long[] ReadLatencies(string directory)
    {
        var latencies = new List<long>();
        foreach (var file in Directory.EnumerateFiles(directory, "tx.*"))
        {
            foreach (var line in File.ReadLines(file))
            {
                var fields = line.Split(' ', 4);
                if (fields.Length >= 3 && long.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var microseconds))
                {
                    latencies.Add(microseconds);
                }
            }
        }

        latencies.Sort();
        return [.. latencies];
    }

    /// <summary>Nearest-rank percentile, in milliseconds (as the phases report theirs).</summary>
    private static double Percentile(long[] sortedMicroseconds, double p) => sortedMicroseconds.Length == 0 ? 0
        : sortedMicroseconds[Math.Clamp((int)Math.Ceiling(p * sortedMicroseconds.Length) - 1, 0, sortedMicroseconds.Length - 1)] / 1000.0;

    private static string? Match(Regex pattern, string output, string? required)
    {
        var match = pattern.Match(output);
        return match.Success ? match.Groups[1].Value
            : required is null ? null
            : throw new InvalidOperationException($"pgbench's output has no \"{required}\" line:{Environment.NewLine}{output.Trim()}");
    }

    private static long Number(Regex pattern, string output, string name) => long.Parse(Match(pattern, output, name)!, CultureInfo.InvariantCulture);

    private static double Decimal(Regex pattern, string output, string name) => double.Parse(Match(pattern, output, name)!, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^query mode: (\S+)", RegexOptions.Multiline)]
    private static partial Regex QueryModeLine();

    [GeneratedRegex(@"^number of transactions actually processed: (\d+)", RegexOptions.Multiline)]
    private static partial Regex TransactionsLine();

    [GeneratedRegex(@"^number of failed transactions: (\d+)", RegexOptions.Multiline)]
    private static partial Regex FailedLine();

    [GeneratedRegex(@"^tps = ([\d.]+) \(without initial connection time\)", RegexOptions.Multiline)]
    private static partial Regex TpsLine();

    [GeneratedRegex(@"^latency average = ([\d.]+) ms", RegexOptions.Multiline)]
    private static partial Regex LatencyAverageLine();

    [GeneratedRegex(@"^initial connection time = ([\d.]+) ms", RegexOptions.Multiline)]
    private static partial Regex ConnectionTimeLine();
}
