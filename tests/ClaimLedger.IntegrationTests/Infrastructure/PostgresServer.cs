using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Npgsql;

namespace ClaimLedger.IntegrationTests.Infrastructure;

/// <summary>
/// The PostgreSQL server of this test process: started on first use from the server binaries of Debian's postgresql
/// package (no Docker, nothing started by hand), shared by every test, stopped and deleted when the process exits.
/// Each test server gets a fresh empty database of it (<see cref="CreateDatabaseAsync"/>), so tests stay independent.
/// </summary>
/// <remarks>
/// <para>
/// <c>initdb</c> creates a cluster in a new folder under the temp directory, and <c>postgres</c> serves it on a free
/// loopback port (its socket in the same folder), tuned for tests rather than durability: fsync, synchronous commit,
/// full-page writes, autovacuum and JIT off. PostgreSQL refuses to run as root, so when the tests do (CI runs as root),
/// both run as <c>nobody</c> through <c>setpriv</c>, the folder given to that user.
/// </para>
/// <para>
/// Clean-up does not depend on how the test process ends. On a normal exit a ProcessExit handler stops the server and
/// deletes the folder; a test runner may kill the process before that is done, so a reaper started with the folder (a
/// shell in its own session) waits for the test process to be gone and then stops the server and deletes the folder.
/// If the test process dies at once, the server also gets SIGQUIT from the kernel (setpriv's parent-death signal). And
/// each folder names its owner process, so a run deletes what a dead one left behind (its server killed) before it
/// starts its own.
/// </para>
/// <para>
/// The service connects as the role <see cref="OwnerRole"/>, which owns its database but is not a superuser, as in a
/// production deployment; the trusted extensions it needs (pg_trgm, unaccent) are created by that owner.
/// </para>
/// </remarks>
public sealed class PostgresServer
{
    /// <summary>Environment variable naming the folder of initdb and postgres, instead of looking for them.</summary>
    public const string BinDirectoryVariable = "CLAIMLEDGER_PG_BINDIR";

    /// <summary>Environment variable that, set to 1 (as .ci/run does), makes missing binaries fail the PostgreSQL tests instead of skipping them.</summary>
    public const string RequiredVariable = "CLAIMLEDGER_REQUIRE_POSTGRES";

    /// <summary>Where Debian's postgresql package (PostgreSQL 15) puts the server binaries.</summary>
    public const string DefaultBinDirectory = "/usr/lib/postgresql/15/bin";

    /// <summary>The login role that owns every test database and that the service connects as.</summary>
    public const string OwnerRole = "claimledger";

    /// <summary>The superuser that initdb creates, for creating and dropping databases.</summary>
    public const string Superuser = "postgres";

    private const string FolderPrefix = "claimledger-pg-";
    private const string OwnerFileName = "owner";
    private const int SigKill = 9;
    private const int SigQuit = 3;

    private static readonly Lazy<PostgresAvailability> LazyAvailability = new(PostgresAvailability.Probe);
    private static readonly Lazy<PostgresServer> Shared = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _log;
    private readonly NpgsqlDataSource _admin;
    private int _stopped;

    private PostgresServer(string folder, Process process, ConcurrentQueue<string> log, int port, string? runAs, TimeSpan startDuration)
    {
        Folder = folder;
        _process = process;
        _log = log;
        Port = port;
        RunAs = runAs;
        StartDuration = startDuration;
        _admin = NpgsqlDataSource.Create(ConnectionString("postgres", Superuser));
    }

    /// <summary>Whether this machine has what the PostgreSQL tests need, and if not, why not and how to get it.</summary>
    public static PostgresAvailability Availability => LazyAvailability.Value;

    /// <summary>True when <see cref="RequiredVariable"/> is set: the PostgreSQL tests may not be skipped.</summary>
    public static bool Required => Environment.GetEnvironmentVariable(RequiredVariable) is "1" or "true";

    /// <summary>
    /// Why the PostgreSQL tests are skipped on this machine, or null when they run: they run when the binaries are
    /// there, and also when they are not but <see cref="Required"/> says they must (they then fail, saying why).
    /// </summary>
    public static string? SkipReason => Availability.IsAvailable || Required ? null : Availability.Reason;

    /// <summary>The server, started on first use; every later use gets the same one, or the same start-up error.</summary>
    public static PostgresServer Instance => Shared.Value;

    /// <summary>The temporary folder of this server: the cluster in data/, the socket, the owner file.</summary>
    public string Folder { get; }

    /// <summary>The loopback TCP port the server listens on.</summary>
    public int Port { get; }

    /// <summary>The account the server runs as when the tests run as root (nobody); null when it runs as the current user.</summary>
    public string? RunAs { get; }

    /// <summary>How long initdb and the server start took.</summary>
    public TimeSpan StartDuration { get; }

    /// <summary>The process id of the postmaster.</summary>
    public int ProcessId => _process.Id;

    /// <summary>
    /// The server's last 200 log lines (warnings, and errors with the statement that caused them), to show from a test
    /// when the service's SQL fails on PostgreSQL.
    /// </summary>
    public string Log => string.Join('\n', _log);

    /// <summary>A connection string for <paramref name="database"/> as <paramref name="user"/> (by default the owner role) over loopback TCP.</summary>
    public string ConnectionString(string database, string user = OwnerRole) => new NpgsqlConnectionStringBuilder
    {
        Host = IPAddress.Loopback.ToString(),
        Port = Port,
        Database = database,
        Username = user,
        IncludeErrorDetail = true,
    }.ConnectionString;

    /// <summary>A fresh, empty database owned by <see cref="OwnerRole"/>; returns the connection string the service uses for it.</summary>
    public async Task<string> CreateDatabaseAsync(CancellationToken ct = default)
    {
        var name = NewDatabaseName();
        await using var command = _admin.CreateCommand($"CREATE DATABASE {name} OWNER {OwnerRole}");
        await command.ExecuteNonQueryAsync(ct);
        return ConnectionString(name);
    }

    /// <summary>As <see cref="CreateDatabaseAsync"/>, for synchronous callers such as a web host's configuration.</summary>
    public string CreateDatabase()
    {
        var name = NewDatabaseName();
        using var command = _admin.CreateCommand($"CREATE DATABASE {name} OWNER {OwnerRole}");
        command.ExecuteNonQuery();
        return ConnectionString(name);
    }

    /// <summary>
    /// Drops the database of <paramref name="connectionString"/>, ending its sessions first (the pooled connections of a
    /// disposed server among them). Best effort: the whole cluster is deleted when the test process exits anyway.
    /// </summary>
    public void DropDatabase(string connectionString)
    {
        var database = new NpgsqlConnectionStringBuilder(connectionString).Database;
        using (var connection = new NpgsqlConnection(connectionString))
        {
            NpgsqlConnection.ClearPool(connection);
        }

        try
        {
            using var command = _admin.CreateCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)");
            command.ExecuteNonQuery();
        }
        catch (NpgsqlException)
        {
            // Left for the clean-up at exit.
        }
    }

    private static string NewDatabaseName() => "cl_" + Guid.NewGuid().ToString("N");

    private static PostgresServer Start()
    {
        var availability = Availability;
        if (!availability.IsAvailable)
        {
            throw new InvalidOperationException(availability.Reason + (Required ? $" ({RequiredVariable}=1: the PostgreSQL tests must run here.)" : ""));
        }

        var watch = Stopwatch.StartNew();
        var account = availability.RunAs;
        RemoveOrphans(account);
        var folder = CreateFolder(account);
        StartReaper(folder);
        PostgresServer? server = null;
        try
        {
            Run(availability, account, folder, "initdb",
                "-D", Path.Combine(folder, "data"), "-U", Superuser, "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync");

            // The port is free when chosen but could be taken before the server binds it: then it exits, and a new one is tried.
            for (var attempt = 1; ; attempt++)
            {
                var port = FreeLoopbackPort();
                var log = new ConcurrentQueue<string>();
                var process = StartServer(availability, account, folder, port, log);
                if (WaitUntilReady(process, port, log) is { } failure)
                {
                    if (attempt < 3 && failure.Contains("Address already in use", StringComparison.Ordinal))
                    {
                        continue;
                    }

                    throw new InvalidOperationException($"PostgreSQL did not start (postgres in {availability.BinDirectory}, cluster in {folder}):\n{failure}");
                }

                server = new PostgresServer(folder, process, log, port, account?.Name, watch.Elapsed);
                AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Stop();
                server.CreateOwnerRole();
                return server;
            }
        }
        catch
        {
            if (server is null)
            {
                DeleteFolder(folder);
            }
            else
            {
                server.Stop();
            }

            throw;
        }
    }

    private void CreateOwnerRole()
    {
        using var command = _admin.CreateCommand($"CREATE ROLE {OwnerRole} LOGIN");
        command.ExecuteNonQuery();
    }

    /// <summary>
    /// Stops the server at once (immediate shutdown: nothing in it needs keeping) and deletes its folder, as far as the
    /// time left allows: a test runner may kill its test process soon after the last test, and the reaper started with
    /// the folder finishes the job then. Never throws.
    /// </summary>
    private void Stop()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        try
        {
            _ = Kill(_process.Id, SigQuit);
            _admin.Dispose();
            if (!_process.WaitForExit(2000))
            {
                _ = Kill(_process.Id, SigKill);
                _process.WaitForExit(1000);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or SystemException)
        {
            // Exiting anyway: the reaper, or the next run, removes what is left.
        }

        DeleteFolder(Folder);
    }

    /// <summary>
    /// Starts a small shell process, in a session of its own so that it outlives this one, that waits for this test
    /// process to end however it ends (normally, killed by the test runner, crashed), then stops the server if it is
    /// still up and deletes <paramref name="folder"/>.
    /// </summary>
    private static void StartReaper(string folder)
    {
        const string Script = """
            exec </dev/null >/dev/null 2>&1
            alive() { state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1); [ -n "$state" ] && [ "$state" != Z ]; }
            while alive "$1"; do sleep 1; done
            pid=$(head -n 1 "$2/data/postmaster.pid" 2>/dev/null)
            if [ -n "$pid" ]; then
              n=0
              while grep -qaF "$2" "/proc/$pid/cmdline" 2>/dev/null && [ $n -lt 40 ]; do kill -QUIT "$pid"; sleep 0.25; n=$((n + 1)); done
              if grep -qaF "$2" "/proc/$pid/cmdline" 2>/dev/null; then kill -KILL "$pid"; sleep 0.5; fi
            fi
            rm -rf "$2"
            """;
        var setsid = new[] { "/usr/bin/setsid", "/bin/setsid" }.FirstOrDefault(File.Exists);
        var start = new ProcessStartInfo(setsid ?? "sh")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        if (setsid is not null)
        {
            start.ArgumentList.Add("sh");
        }

        foreach (var argument in new[] { "-c", Script, "claimledger-pg-reaper", Environment.ProcessId.ToString(CultureInfo.InvariantCulture), folder })
        {
            start.ArgumentList.Add(argument);
        }

        using var reaper = Process.Start(start);
    }

    private static string CreateFolder(Account? account)
    {
        var folder = Path.Combine(TempBase(account), $"{FolderPrefix}{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, OwnerFileName), ProcessIdentity(Environment.ProcessId) ?? "");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        if (account is not null && Chown(folder, account.Uid, account.Gid) != 0)
        {
            throw new InvalidOperationException($"Could not give {folder} to {account.Name} (errno {Marshal.GetLastPInvokeError()}).");
        }

        return folder;
    }

    /// <summary>
    /// The temp directory, if the server's account can reach it; else /tmp. (A root-only TMPDIR would keep nobody out
    /// of its own cluster.)
    /// </summary>
    private static string TempBase(Account? account)
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

    /// <summary>Folders of earlier runs whose test process is gone: their server (if still up) is killed and the folder deleted.</summary>
    private static void RemoveOrphans(Account? account)
    {
        foreach (var folder in Directory.EnumerateDirectories(TempBase(account), FolderPrefix + "*"))
        {
            try
            {
                var ownerFile = Path.Combine(folder, OwnerFileName);
                var owner = File.Exists(ownerFile) ? File.ReadAllText(ownerFile).Trim() : "";
                if (owner.Length > 0 ? ProcessIdentity(OwnerPid(owner)) == owner : Directory.GetCreationTimeUtc(folder) > DateTime.UtcNow.AddHours(-1))
                {
                    continue; // its test process is still running (or the folder is being created right now)
                }

                var pidFile = Path.Combine(folder, "data", "postmaster.pid");
                if (File.Exists(pidFile) && int.TryParse(File.ReadLines(pidFile).First(), CultureInfo.InvariantCulture, out var pid)
                    && File.Exists($"/proc/{pid}/cmdline") && File.ReadAllText($"/proc/{pid}/cmdline").Contains(folder, StringComparison.Ordinal))
                {
                    _ = Kill(pid, SigKill);
                    Thread.Sleep(200);
                }

                DeleteFolder(folder);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Another user's, or going away: not ours to clean.
            }
        }
    }

    private static int OwnerPid(string identity) =>
        int.TryParse(identity.Split(' ')[0], CultureInfo.InvariantCulture, out var pid) ? pid : -1;

    /// <summary>"pid start-time" of a live process (start time in clock ticks since boot, so a reused pid does not match), or null.</summary>
    private static string? ProcessIdentity(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // Fields after the command name, which is in parentheses and may contain spaces: state is field 3, starttime field 22.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return $"{pid} {fields[19]}";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    private static void DeleteFolder(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: the next run's orphan clean-up, or the OS temp cleaner, gets what is left.
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Runs one of the PostgreSQL programs to its end, as the server's account; throws with its output if it fails.</summary>
    private static void Run(PostgresAvailability availability, Account? account, string folder, string program, params string[] arguments)
    {
        var start = StartInfo(availability, account, folder, program, arguments, parentDeathSignal: false);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} failed (exit code {process.ExitCode}):\n{output.Result}\n{error}");
        }
    }

    /// <summary>
    /// Starts postgres from a thread of its own that lives as long as the test process: the parent-death signal is sent
    /// when the thread that started the process ends, and a pool thread may end at any time.
    /// </summary>
    private static Process StartServer(PostgresAvailability availability, Account? account, string folder, int port, ConcurrentQueue<string> log)
    {
        var start = StartInfo(availability, account, folder, "postgres",
        [
            "-D", Path.Combine(folder, "data"),
            "-p", port.ToString(CultureInfo.InvariantCulture),
            "-c", "listen_addresses=127.0.0.1",
            "-c", "unix_socket_directories=" + folder,
            "-c", "fsync=off",
            "-c", "synchronous_commit=off",
            "-c", "full_page_writes=off",
            "-c", "max_connections=400",
            "-c", "shared_buffers=128MB",
            "-c", "autovacuum=off",
            "-c", "jit=off",
            "-c", "logging_collector=off",
        ], parentDeathSignal: true);

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

    /// <summary>
    /// Waits until the server accepts connections: null when it does, else what went wrong (with what it logged), the
    /// server then stopped.
    /// </summary>
    private static string? WaitUntilReady(Process process, int port, ConcurrentQueue<string> log)
    {
        var probe = new NpgsqlConnectionStringBuilder
        {
            Host = IPAddress.Loopback.ToString(),
            Port = port,
            Database = "postgres",
            Username = Superuser,
            Pooling = false,
            Timeout = 2,
        }.ConnectionString;
        var watch = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                process.WaitForExit(); // the rest of its output
                return $"postgres exited with code {process.ExitCode}:\n" + string.Join('\n', log);
            }

            try
            {
                using var connection = new NpgsqlConnection(probe);
                connection.Open();
                return null;
            }
            catch (NpgsqlException e)
            {
                if (watch.Elapsed > TimeSpan.FromSeconds(60))
                {
                    _ = Kill(process.Id, SigKill);
                    process.WaitForExit(2000);
                    return $"no connection after 60 s ({e.Message}):\n" + string.Join('\n', log);
                }

                Thread.Sleep(25);
            }
        }
    }

    private static ProcessStartInfo StartInfo(PostgresAvailability availability, Account? account, string folder, string program, IEnumerable<string> arguments, bool parentDeathSignal)
    {
        var start = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = folder, // the account may not be able to enter the test's own working directory
        };
        var executable = Path.Combine(availability.BinDirectory!, program);
        if (availability.Setpriv is { } setpriv && (account is not null || parentDeathSignal))
        {
            start.FileName = setpriv;
            if (account is not null)
            {
                start.ArgumentList.Add($"--reuid={account.Uid}");
                start.ArgumentList.Add($"--regid={account.Gid}");
                start.ArgumentList.Add("--clear-groups");
            }

            if (parentDeathSignal)
            {
                start.ArgumentList.Add("--pdeathsig=SIGQUIT");
            }

            start.ArgumentList.Add("--");
            start.ArgumentList.Add(executable);
        }
        else
        {
            start.FileName = executable;
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // libpq's and the server's own variables of whoever runs the tests must not point these programs elsewhere.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("PG", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["LC_MESSAGES"] = "C";
        return start;
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    [DllImport("libc", EntryPoint = "chown", SetLastError = true)]
    private static extern int Chown([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int owner, int group);

    [DllImport("libc", EntryPoint = "geteuid")]
    internal static extern int GetEffectiveUserId();

    /// <summary>An unprivileged account to run PostgreSQL as.</summary>
    internal sealed record Account(string Name, int Uid, int Gid);
}

/// <summary>
/// Whether this machine can run the PostgreSQL tests (<see cref="Reason"/> is null) and with what, or why it cannot and
/// how to fix that.
/// </summary>
public sealed class PostgresAvailability
{
    private const string Unprivileged = "nobody";

    private PostgresAvailability(string? binDirectory, string? setpriv, PostgresServer.Account? runAs, string? reason)
    {
        BinDirectory = binDirectory;
        Setpriv = setpriv;
        RunAs = runAs;
        Reason = reason;
    }

    /// <summary>The folder with initdb and postgres.</summary>
    public string? BinDirectory { get; }

    /// <summary>Why the PostgreSQL tests cannot run here, and what to install; null when they can.</summary>
    public string? Reason { get; }

    public bool IsAvailable => Reason is null;

    /// <summary>util-linux's setpriv, which starts the server as another user and arms its parent-death signal.</summary>
    internal string? Setpriv { get; }

    /// <summary>The account the server runs as when the tests run as root; null otherwise.</summary>
    internal PostgresServer.Account? RunAs { get; }

    /// <summary>
    /// Looks for the binaries: in $CLAIMLEDGER_PG_BINDIR when set; else in Debian's folder of PostgreSQL 15, else of the
    /// newest version installed, else where pg_config says.
    /// </summary>
    internal static PostgresAvailability Probe()
    {
        const string Install = "install Debian's postgresql package (sudo apt-get install postgresql)";
        string? binDirectory;
        if (Environment.GetEnvironmentVariable(PostgresServer.BinDirectoryVariable) is { Length: > 0 } configured)
        {
            binDirectory = HasServerBinaries(configured) ? configured : null;
            if (binDirectory is null)
            {
                return Unavailable($"PostgreSQL server binaries (initdb, postgres) not found in {configured} ({PostgresServer.BinDirectoryVariable}): {Install}, or point {PostgresServer.BinDirectoryVariable} at a folder that has them.");
            }
        }
        else
        {
            binDirectory = HasServerBinaries(PostgresServer.DefaultBinDirectory) ? PostgresServer.DefaultBinDirectory
                : NewestDebianBinDirectory() ?? (PgConfigBinDirectory() is { } reported && HasServerBinaries(reported) ? reported : null);
            if (binDirectory is null)
            {
                return Unavailable($"PostgreSQL server binaries (initdb, postgres) not found in {PostgresServer.DefaultBinDirectory} (nor in another version's folder beside it, nor where pg_config says): {Install}, or point {PostgresServer.BinDirectoryVariable} at a folder that has them.");
            }
        }

        var setpriv = new[] { "/usr/bin/setpriv", "/bin/setpriv" }.FirstOrDefault(File.Exists);
        if (PostgresServer.GetEffectiveUserId() != 0)
        {
            return new PostgresAvailability(binDirectory, setpriv, null, null);
        }

        // PostgreSQL refuses to run as root.
        var account = FindAccount(Unprivileged);
        if (setpriv is null || account is null)
        {
            return Unavailable($"The tests run as root, which PostgreSQL refuses, and cannot start it as '{Unprivileged}': {(setpriv is null ? "setpriv (util-linux) is missing" : $"there is no user '{Unprivileged}'")}.");
        }

        return new PostgresAvailability(binDirectory, setpriv, account, null);
    }

    private static PostgresAvailability Unavailable(string reason) => new(null, null, null, reason);

    private static bool HasServerBinaries(string directory) =>
        File.Exists(Path.Combine(directory, "initdb")) && File.Exists(Path.Combine(directory, "postgres"));

    private static string? NewestDebianBinDirectory()
    {
        var root = Path.GetDirectoryName(Path.GetDirectoryName(PostgresServer.DefaultBinDirectory))!;
        return !Directory.Exists(root) ? null : Directory.EnumerateDirectories(root)
            .Select(version => (Version: int.TryParse(Path.GetFileName(version), CultureInfo.InvariantCulture, out var number) ? number : -1, Bin: Path.Combine(version, "bin")))
            .Where(v => v.Version > 0 && HasServerBinaries(v.Bin))
            .OrderByDescending(v => v.Version)
            .Select(v => v.Bin)
            .FirstOrDefault();
    }

    private static string? PgConfigBinDirectory()
    {
        try
        {
            var start = new ProcessStartInfo("pg_config", "--bindir") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            using var process = Process.Start(start);
            if (process is null)
            {
                return null;
            }

            var output = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            return process.ExitCode == 0 && output.Length > 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // no pg_config on PATH
        }
    }

    private static PostgresServer.Account? FindAccount(string name)
    {
        if (!File.Exists("/etc/passwd"))
        {
            return null;
        }

        foreach (var line in File.ReadLines("/etc/passwd"))
        {
            var fields = line.Split(':');
            if (fields.Length >= 4 && fields[0] == name
                && int.TryParse(fields[2], CultureInfo.InvariantCulture, out var uid) && int.TryParse(fields[3], CultureInfo.InvariantCulture, out var gid))
            {
                return new PostgresServer.Account(name, uid, gid);
            }
        }

        return null;
    }
}
