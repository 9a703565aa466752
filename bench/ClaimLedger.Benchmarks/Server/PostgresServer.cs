using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Npgsql;

namespace ClaimLedger.Benchmarks.Server;

/// <summary>
/// The benchmark's own PostgreSQL server (<c>--database postgresql</c>): a cluster created with Debian's PostgreSQL 15
/// binaries in a temporary folder, served on a free loopback port with durable settings (fsync, synchronous commit and
/// full-page writes on: a reply of the service still means committed), and stopped and deleted on
/// <see cref="DisposeAsync"/> — also on Ctrl+C and on failure. Adapted from the integration tests' PostgresServer, which
/// tunes for speed instead of durability.
/// </summary>
/// <remarks>
/// PostgreSQL refuses to run as root; when the benchmark does, initdb and postgres run as <c>nobody</c> through
/// <c>setpriv</c>, the folder given to that user. postgres gets SIGQUIT from the kernel if the benchmark dies without
/// cleaning up (setpriv's parent-death signal); its folder (<c>claimledger-bench-pg-*</c> in the temp directory) is
/// then left behind.
/// </remarks>
public sealed class PostgresServer : IAsyncDisposable
{
    /// <summary>The login role that owns the benchmark's databases; the service and pgbench connect as it.</summary>
    public const string OwnerRole = "claimledger";

    /// <summary>The superuser initdb creates.</summary>
    public const string Superuser = "postgres";

    /// <summary>The service's database.</summary>
    public const string ServiceDatabase = "claimledger";

    /// <summary>
    /// Settings the benchmark sets unless <c>--pg-setting</c> says otherwise. Durability is PostgreSQL's default and is
    /// spelled out so that no configuration elsewhere can turn it off; shared_buffers and max_wal_size are raised from
    /// the defaults (128MB, 1GB) as any server holding gigabytes would be; everything else is PostgreSQL 15's default.
    /// </summary>
    public static readonly IReadOnlyList<KeyValuePair<string, string>> DefaultSettings =
    [
        new("fsync", "on"),
        new("synchronous_commit", "on"),
        new("full_page_writes", "on"),
        new("shared_buffers", "1GB"),
        new("max_wal_size", "4GB"),
    ];

    /// <summary>The settings the report records, as the running server reports them.</summary>
    private static readonly string[] ReportedSettings =
    [
        "fsync", "synchronous_commit", "full_page_writes", "wal_sync_method", "wal_level", "commit_delay", "shared_buffers",
        "effective_cache_size", "work_mem", "maintenance_work_mem", "max_wal_size", "checkpoint_timeout", "max_connections",
        "autovacuum", "jit",
    ];

    private const string FolderPrefix = "claimledger-bench-pg-";
    private const int SigQuit = 3;
    private const int SigKill = 9;

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _log;
    private int _disposed;

    private PostgresServer(PostgresBinaries binaries, string folder, Process process, ConcurrentQueue<string> log, int port)
    {
        Binaries = binaries;
        Folder = folder;
        _process = process;
        _log = log;
        Port = port;
    }

    public PostgresBinaries Binaries { get; }

    /// <summary>The temporary folder: the cluster in data/, the socket.</summary>
    public string Folder { get; }

    public string DataDirectory => Path.Combine(Folder, "data");

    public int Port { get; }

    public int Pid => _process.Id;

    /// <summary>The server's last log lines, for error messages.</summary>
    public string RecentLog => string.Join(Environment.NewLine, _log);

    /// <summary>A connection string for <paramref name="database"/> as <paramref name="user"/> over loopback TCP.</summary>
    public string ConnectionString(string database, string user = OwnerRole) => new NpgsqlConnectionStringBuilder
    {
        Host = IPAddress.Loopback.ToString(),
        Port = Port,
        Database = database,
        Username = user,
    }.ConnectionString;

    /// <summary>
    /// initdb, then postgres with <see cref="DefaultSettings"/> overridden by <paramref name="overrides"/>; then the role
    /// <see cref="OwnerRole"/> and the service's database owned by it.
    /// </summary>
    public static async Task<PostgresServer> StartAsync(PostgresBinaries binaries, IReadOnlyList<KeyValuePair<string, string>> overrides,
        int maxConnections, TextWriter log, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        var folder = CreateFolder(binaries.RunAs);
        PostgresServer? server = null;
        try
        {
            await RunAsync(binaries, folder, "initdb", ct,
                "-D", Path.Combine(folder, "data"), "-U", Superuser, "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8");

            var settings = new Dictionary<string, string>(StringComparer.Ordinal) { ["max_connections"] = maxConnections.ToString(CultureInfo.InvariantCulture) };
            foreach (var (name, value) in DefaultSettings.Concat(overrides))
            {
                settings[name] = value;
            }

            // The port is free when chosen but could be taken before the server binds it: then it exits, and another is tried.
            for (var attempt = 1; ; attempt++)
            {
                ct.ThrowIfCancellationRequested();
                var port = FreeLoopbackPort();
                var serverLog = new ConcurrentQueue<string>();
                var process = StartServer(binaries, folder, port, settings, serverLog);
                server = new PostgresServer(binaries, folder, process, serverLog, port);
                if (await server.WaitUntilReadyAsync(ct) is { } failure)
                {
                    await server.StopAsync();
                    server = null;
                    if (attempt < 3 && failure.Contains("Address already in use", StringComparison.Ordinal))
                    {
                        continue;
                    }

                    throw new InvalidOperationException($"PostgreSQL did not start (postgres in {binaries.BinDirectory}, cluster in {folder}):{Environment.NewLine}{failure}");
                }

                break;
            }

            await server.ExecuteAsync("postgres", $"CREATE ROLE {OwnerRole} LOGIN", ct);
            await server.CreateDatabaseAsync(ServiceDatabase, ct);
            log.WriteLine($"PostgreSQL pid {server.Pid} on 127.0.0.1:{server.Port}, cluster in {folder}" +
                (binaries.RunAs is { } account ? $" (running as {account.Name})" : "") + $", started in {watch.Elapsed.TotalSeconds:0.0} s");
            return server;
        }
        catch
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }
            else
            {
                DeleteFolder(folder);
            }

            throw;
        }
    }

    /// <summary>A new empty database owned by <see cref="OwnerRole"/>.</summary>
    public Task CreateDatabaseAsync(string name, CancellationToken ct) =>
        ExecuteAsync("postgres", $"CREATE DATABASE {name} OWNER {OwnerRole} ENCODING 'UTF8' TEMPLATE template0", ct);

    /// <summary>The server's version and the settings that matter for the figures, as the running server reports them.</summary>
    public async Task<PostgresFacts> FactsAsync(CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(ConnectionString("postgres", Superuser));
        await connection.OpenAsync(ct);
        await using var version = new NpgsqlCommand("SHOW server_version", connection);
        var serverVersion = (string)(await version.ExecuteScalarAsync(ct))!;
        await using var command = new NpgsqlCommand("SELECT name, current_setting(name) FROM unnest(@names) WITH ORDINALITY AS s(name, n) ORDER BY n", connection);
        command.Parameters.AddWithValue("names", ReportedSettings);
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            settings[reader.GetString(0)] = reader.GetString(1);
        }

        return new PostgresFacts(serverVersion, Binaries.BinDirectory, Binaries.RunAs?.Name, settings);
    }

    /// <summary>Size of a database in bytes.</summary>
    public async Task<long> DatabaseSizeAsync(string database, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(ConnectionString("postgres", Superuser));
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("SELECT pg_database_size(@name)", connection);
        command.Parameters.AddWithValue("name", database);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>Stops the server (immediate shutdown, then SIGKILL if it does not go) and deletes its folder. Safe to call more than once.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await StopAsync();
        DeleteFolder(Folder);
    }

    private async Task StopAsync()
    {
        NpgsqlConnection.ClearAllPools();
        try
        {
            // Immediate shutdown (no shutdown checkpoint, which could take long after a large load): nothing in the
            // cluster needs keeping, its folder is deleted next. SIGKILL if it lingers.
            foreach (var (signal, wait) in new[] { (SigQuit, 5_000), (SigKill, 2_000) })
            {
                if (_process.HasExited)
                {
                    break;
                }

                _ = Kill(_process.Id, signal);
                using var timeout = new CancellationTokenSource(wait);
                try
                {
                    await _process.WaitForExitAsync(timeout.Token);
                }
                catch (OperationCanceledException)
                {
                    // Next signal.
                }
            }
        }
        catch (Exception e) when (e is InvalidOperationException or SystemException)
        {
            // Gone already.
        }
    }

    private async Task ExecuteAsync(string database, string sql, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(ConnectionString(database, Superuser));
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static string CreateFolder(PostgresBinaries.Account? account)
    {
        var folder = Path.Combine(TempBase(account), $"{FolderPrefix}{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}");
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("--database postgresql starts Debian's PostgreSQL binaries: Linux only.");
        }

        Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        if (account is not null && Chown(folder, account.Uid, account.Gid) != 0)
        {
            throw new InvalidOperationException($"Could not give {folder} to {account.Name} (errno {Marshal.GetLastPInvokeError()}).");
        }

        return folder;
    }

    /// <summary>The temp directory, if the server's account can reach it; else /tmp.</summary>
    private static string TempBase(PostgresBinaries.Account? account)
    {
        var temp = Path.GetTempPath();
        if (account is null)
        {
            return temp;
        }

        for (var directory = new DirectoryInfo(temp); directory is not null; directory = directory.Parent)
        {
            if ((directory.UnixFileMode & UnixFileMode.OtherExecute) == 0)
            {
                return "/tmp";
            }
        }

        return temp;
    }

    private static void DeleteFolder(string folder)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            try
            {
                if (Directory.Exists(folder))
                {
                    Directory.Delete(folder, recursive: true);
                }

                return;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Thread.Sleep(200);
            }
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Runs one of the PostgreSQL programs to its end, as the server's account; throws with its output if it fails.</summary>
    private static async Task RunAsync(PostgresBinaries binaries, string folder, string program, CancellationToken ct, params string[] arguments)
    {
        var start = binaries.StartInfo(program, arguments, folder, asServerAccount: true, parentDeathSignal: false);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var error = process.StandardError.ReadToEndAsync(CancellationToken.None);
        await ChildProcess.WaitOrKillAsync(process, ct);

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} failed (exit code {process.ExitCode}):{Environment.NewLine}{await output}{Environment.NewLine}{await error}");
        }
    }

    /// <summary>
    /// Starts postgres from a thread of its own that lives as long as the server: the parent-death signal is sent when
    /// the thread that started the process ends, and a pool thread may end at any time.
    /// </summary>
    private static Process StartServer(PostgresBinaries binaries, string folder, int port, IReadOnlyDictionary<string, string> settings, ConcurrentQueue<string> log)
    {
        var arguments = new List<string>
        {
            "-D", Path.Combine(folder, "data"),
            "-p", port.ToString(CultureInfo.InvariantCulture),
            "-c", "listen_addresses=127.0.0.1",
            "-c", "unix_socket_directories=" + folder,
            "-c", "logging_collector=off",
        };
        foreach (var (name, value) in settings)
        {
            arguments.Add("-c");
            arguments.Add($"{name}={value}");
        }

        var start = binaries.StartInfo("postgres", arguments, folder, asServerAccount: true, parentDeathSignal: true);
        Process? process = null;
        Exception? error = null;
        using var started = new ManualResetEventSlim();
        var thread = new Thread(() =>
        {
            try
            {
                process = Process.Start(start) ?? throw new InvalidOperationException("postgres did not start");
                process.OutputDataReceived += (_, e) => Append(log, e.Data);
                process.ErrorDataReceived += (_, e) => Append(log, e.Data);
                process.BeginOutputReadLine();
                process.BeginErrorReadLine();
            }
            catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                error = e;
            }

            started.Set();
            process?.WaitForExit();
        })
        {
            IsBackground = true,
            Name = "PostgreSQL server parent",
        };
        thread.Start();
        started.Wait();
        return process ?? throw new InvalidOperationException("postgres did not start", error);
    }

    private static void Append(ConcurrentQueue<string> log, string? line)
    {
        if (line is null)
        {
            return;
        }

        log.Enqueue(line);
        while (log.Count > 200 && log.TryDequeue(out _))
        {
        }
    }

    /// <summary>Waits until the server accepts connections: null when it does, else what went wrong, with what it logged.</summary>
    private async Task<string?> WaitUntilReadyAsync(CancellationToken ct)
    {
        var probe = new NpgsqlConnectionStringBuilder(ConnectionString("postgres", Superuser)) { Pooling = false, Timeout = 2 }.ConnectionString;
        var watch = Stopwatch.StartNew();
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (_process.HasExited)
            {
                await _process.WaitForExitAsync(ct); // the rest of its output
                return $"postgres exited with code {_process.ExitCode}:{Environment.NewLine}{RecentLog}";
            }

            try
            {
                await using var connection = new NpgsqlConnection(probe);
                await connection.OpenAsync(ct);
                return null;
            }
            catch (NpgsqlException e)
            {
                if (watch.Elapsed > TimeSpan.FromSeconds(60))
                {
                    return $"no connection after 60 s ({e.Message}):{Environment.NewLine}{RecentLog}";
                }

                await Task.Delay(50, ct);
            }
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    [DllImport("libc", EntryPoint = "chown", SetLastError = true)]
    private static extern int Chown([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int owner, int group);
}

/// <summary>The PostgreSQL server of a run as the report records it: version, where its binaries were, and the settings that matter.</summary>
public sealed record PostgresFacts(string ServerVersion, string BinDirectory, string? RunAs, IReadOnlyDictionary<string, string> Settings);
