using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace ClaimLedger.Benchmarks.Server;

/// <summary>
/// Everything under test: on SQLite one server process on its own file; on PostgreSQL the benchmark's own PostgreSQL
/// server and N server processes on its one database, each with its own data directory (instance 0 creates the admin
/// key and writes it to its directory), all with the same clustered scheduler name. Disposing stops the instances,
/// then PostgreSQL, and deletes their directories; safe to call more than once, from any thread, and on a partly
/// started setup (Ctrl+C during start-up).
/// </summary>
public sealed class ServerInstances(BenchmarkOptions options, string repoRoot, PostgresBinaries? binaries, TextWriter log) : IAsyncDisposable
{
    private readonly List<ServerProcess> _instances = [];
    private readonly Dictionary<string, string> _environment = new(StringComparer.Ordinal);

    /// <summary>Per instance, the highest VmHWM of its earlier processes (before restarts).</summary>
    private readonly List<long> _earlierPeaks = [];
    private bool _disposed;
    private Task? _disposal;

    public DatabaseEngine Engine => options.Database;

    public IReadOnlyList<ServerProcess> Instances => _instances;

    /// <summary>Instance 0: it created the admin key; the admin calls (staleness, report, VerifyLedger) go to it.</summary>
    public ServerProcess First => _instances[0];

    public PostgresServer? Postgres { get; private set; }

    public PostgresFacts? PostgresFacts { get; private set; }

    /// <summary>Where the database is: the SQLite file's directory, or PostgreSQL's cluster folder.</summary>
    public string? DatabaseDirectory => Postgres?.DataDirectory ?? (_instances.Count > 0 ? First.DataDirectory : null);

    public bool AnyExited => _instances.Any(i => i.HasExited);

    /// <summary>
    /// Starts PostgreSQL (on that engine), then the instances. <paramref name="seed"/>, when given, runs on the PostgreSQL
    /// server before any instance starts (e.g. moving a SQLite database into it: the instances then find it migrated,
    /// with its keys, and create no admin key of their own).
    /// </summary>
    public async Task StartAsync(CancellationToken ct, Func<PostgresServer, CancellationToken, Task>? seed = null,
        IReadOnlyDictionary<string, string>? settings = null)
    {
        var environment = _environment;
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        if (options.Database == DatabaseEngine.PostgreSql)
        {
            // Each instance's pool (up to 100), Quartz's and the LISTEN connections, pgbench's clients, the ceilings.
            var maxConnections = Math.Max(200, (options.Instances * 120) + options.Clients + 40);
            var postgres = await PostgresServer.StartAsync(binaries!, options.PostgresSettings ?? [], maxConnections, log, ct);
            await KeepAsync(postgres, () => Postgres = postgres);
            PostgresFacts = await postgres.FactsAsync(ct);
            environment["Database__Provider"] = "PostgreSQL";
            environment["ConnectionStrings__ClaimLedger"] = postgres.ConnectionString(PostgresServer.ServiceDatabase);
            // One clustered scheduler across the instances (ADR 19), named for this run.
            environment["Staleness__SchedulerName"] = $"bench-{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}";
            if (seed is not null)
            {
                await seed(postgres, ct);
            }
        }

        // Instance 0 first: it migrates the database and creates the admin key; the others find both done.
        for (var i = 0; i < options.Instances; i++)
        {
            var instance = await ServerProcess.StartAsync(repoRoot, log, ct, environment, InstanceName(i));
            await KeepAsync(instance, () =>
            {
                _instances.Add(instance);
                _earlierPeaks.Add(0);
            });
        }
    }

    /// <summary>
    /// Stops every instance gracefully and starts it again on the same data directory, URL and database, with
    /// <paramref name="settings"/> added to the configuration (e.g. Ledger__Integration__Enabled=false; none: the
    /// defaults again). Instance 0 first, as at start. The instances' peak memory so far is kept (<see cref="Memory"/>).
    /// </summary>
    public async Task RestartAsync(IReadOnlyDictionary<string, string> settings, CancellationToken ct)
    {
        var environment = new Dictionary<string, string>(_environment, StringComparer.Ordinal);
        foreach (var (key, value) in settings)
        {
            environment[key] = value;
        }

        try
        {
            for (var i = 0; i < _instances.Count; i++)
            {
                _earlierPeaks[i] = Math.Max(_earlierPeaks[i], _instances[i].Memory()?.PeakRssBytes ?? 0);
                await _instances[i].StopAsync(ct);
            }

            for (var i = 0; i < _instances.Count; i++)
            {
                var restarted = await _instances[i].RestartAsync(repoRoot, log, environment, InstanceName(i), ct);
                await KeepAsync(restarted, () => _instances[i] = restarted);
            }
        }
        catch
        {
            // A stopped process no longer deletes its directory, and none took it over.
            foreach (var stopped in _instances.Where(i => i.Stopped))
            {
                ServerProcess.DeleteDirectory(stopped.DataDirectory);
            }

            throw;
        }
    }

    /// <summary>
    /// Stops instance 0 gracefully (the only one on SQLite) and moves its database files (the .db and any -wal/-shm
    /// left) into <paramref name="directory"/>, before disposal deletes its data directory. Returns the moved .db path
    /// and the log's checkpoint signing key (the key file's line): it is not in the database, and an instance without
    /// it would serve the moved checkpoints but never integrate or sign again.
    /// </summary>
    public async Task<(string DatabasePath, string SigningKey)> StopAndKeepSqliteDatabaseAsync(string directory, CancellationToken ct)
    {
        var first = First;
        await first.StopAsync(ct);
        Directory.CreateDirectory(directory);
        var kept = Path.Combine(directory, Path.GetFileName(first.DatabasePath));
        foreach (var file in Directory.EnumerateFiles(first.DataDirectory, Path.GetFileName(first.DatabasePath) + "*"))
        {
            File.Move(file, Path.Combine(directory, Path.GetFileName(file)), overwrite: true);
        }

        var signingKey = (await File.ReadAllTextAsync(Path.Combine(first.DataDirectory, SigningKeyFile), ct)).Trim();
        ServerProcess.DeleteDirectory(first.DataDirectory); // stopped: disposal no longer deletes it
        return (kept, signingKey);
    }

    /// <summary>The server's default checkpoint signing key file in its data directory (Ledger:Checkpoints:SigningKeyFile).</summary>
    private const string SigningKeyFile = "checkpoint-signing-key";

    private string? InstanceName(int i) => options.Instances > 1 ? $"Instance {i}" : null;

    /// <summary>Keeps what start-up just started, unless the setup was disposed meanwhile: then it is disposed too.</summary>
    private async Task KeepAsync(IAsyncDisposable started, Action keep)
    {
        lock (_instances)
        {
            if (!_disposed)
            {
                keep();
                return;
            }
        }

        await started.DisposeAsync();
        throw new OperationCanceledException("Stopped during start-up.");
    }

    /// <summary>A read connection to the service's database (not yet open), for the ledger-hash ceiling.</summary>
    public DbConnection OpenableDatabaseConnection() => Postgres is { } postgres
        ? new NpgsqlConnection(new NpgsqlConnectionStringBuilder(postgres.ConnectionString(PostgresServer.ServiceDatabase)) { Pooling = false }.ConnectionString)
        : new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = First.DatabasePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());

    /// <summary>The output of the instances that exited, for the error message.</summary>
    public string ExitedOutput() => string.Join(Environment.NewLine, _instances.Select((instance, i) => (instance, i)).Where(x => x.instance.HasExited)
        .Select(x => $"{(options.Instances > 1 ? $"instance {x.i}" : "server")}:{Environment.NewLine}{x.instance.RecentOutput()}"));

    /// <summary>CPU time the instances' current processes have used, summed.</summary>
    public TimeSpan CpuTime() => _instances.Aggregate(TimeSpan.Zero, (sum, i) => sum + i.CpuTime());

    /// <summary>
    /// VmRSS and VmHWM of each instance, in order (null for an instance whose memory cannot be read); after a restart
    /// the peak is the highest of the instance's processes so far.
    /// </summary>
    public IReadOnlyList<ProcessMemory?> Memory() => _instances.Select((instance, i) => instance.Memory() is { } m
        ? m with { PeakRssBytes = Math.Max(m.PeakRssBytes, _earlierPeaks[i]) }
        : null).ToList();

    /// <summary>
    /// Stops everything; every call (the run's own clean-up, Ctrl+C, the process-exit handler on SIGTERM) waits for
    /// the same one, so the process does not exit half-way through it.
    /// </summary>
    public ValueTask DisposeAsync()
    {
        lock (_instances)
        {
            _disposed = true;
            _disposal ??= Task.Run(StopAllAsync);
            return new ValueTask(_disposal);
        }
    }

    private async Task StopAllAsync()
    {
        List<ServerProcess> instances;
        lock (_instances)
        {
            instances = [.. _instances];
        }

        foreach (var instance in instances)
        {
            await instance.DisposeAsync();
        }

        if (Postgres is not null)
        {
            await Postgres.DisposeAsync();
        }
    }
}
