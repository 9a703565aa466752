using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Infrastructure.Hosting;
using Grpc.Core;
using Grpc.Net.Client;

namespace ClaimLedger.Benchmarks.Server;

/// <summary>
/// The server under test: built in Release, started as a child process on a free loopback port with a fresh data
/// directory, and killed (with the directory deleted) on <see cref="DisposeAsync"/> — also on Ctrl+C and on failure.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private const string ServerProject = "src/ClaimLedger.Server/ClaimLedger.Server.csproj";
    private const int OutputLinesKept = 200;

    private readonly Process _process;
    private readonly Queue<string> _output = new();
    private int _disposed;

    private ServerProcess(Process process, string dataDirectory, string url, long startTimestamp)
    {
        _process = process;
        DataDirectory = dataDirectory;
        Url = url;
        StartTimestamp = startTimestamp;
        Pid = process.Id;
    }

    /// <summary>Stopped by <see cref="StopAsync"/>: its data directory is left for the restarted process.</summary>
    public bool Stopped { get; private set; }

    /// <summary>Stopwatch timestamp taken just before the process was started.</summary>
    public long StartTimestamp { get; }

    /// <summary>Stopwatch timestamp of the first Ping the server answered.</summary>
    public long ReadyTimestamp { get; private set; }

    public int Pid { get; }

    public string Url { get; }

    /// <summary>The server's data directory (a fresh temporary directory, deleted at the end).</summary>
    public string DataDirectory { get; }

    /// <summary>The SQLite database file (on SQLite; on PostgreSQL the data directory holds only the admin key file).</summary>
    public string DatabasePath => Path.Combine(DataDirectory, "claimledger.db");

    public bool HasExited => Stopped || _process.HasExited;

    /// <summary>The repository root: the nearest directory at or above <paramref name="start"/> holding ClaimLedger.sln.</summary>
    public static string FindRepositoryRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ClaimLedger.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No ClaimLedger.sln in {start} or above it: run the benchmark from inside the repository.");
    }

    /// <summary>
    /// Set once, before the server is built, by <c>--ready-to-run</c>: the server is published with ReadyToRun for this
    /// machine's runtime identifier, and every server process runs that publish instead of the Release build.
    /// </summary>
    public static bool ReadyToRun { get; set; }

    /// <summary>What the benchmark runs, for the report.</summary>
    public static string BuildDescription => ReadyToRun
        ? $"published with ReadyToRun for {RuntimeInformation.RuntimeIdentifier} (framework-dependent; its own and its packages' code compiled ahead of time)"
        : "the Release build (its own and its packages' code compiled by the JIT on first use)";

    public static async Task BuildAsync(string repoRoot, TextWriter log, CancellationToken ct)
    {
        string[] arguments = ReadyToRun
            ? ["publish", ServerProject, "-c", "Release", "-r", RuntimeInformation.RuntimeIdentifier, "--self-contained", "false",
                "-p:PublishReadyToRun=true", "-o", ReadyToRunDirectory(repoRoot), "-nologo", "-v", "quiet"]
            : ["build", ServerProject, "-c", "Release", "-nologo", "-v", "quiet"];
        log.WriteLine(ReadyToRun ? $"Publishing {ServerProject} (Release, ReadyToRun, {RuntimeInformation.RuntimeIdentifier})…" : $"Building {ServerProject} (Release)…");
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = repoRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in arguments)
        {
            psi.ArgumentList.Add(arg);
        }

        using var build = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start dotnet {arguments[0]}.");
        var stdout = build.StandardOutput.ReadToEndAsync(ct);
        var stderr = build.StandardError.ReadToEndAsync(ct);
        await ChildProcess.WaitOrKillAsync(build, ct);

        if (build.ExitCode != 0)
        {
            throw new InvalidOperationException($"{(ReadyToRun ? "Publishing" : "Building")} the server failed (exit code {build.ExitCode}):\n{await stdout}\n{await stderr}");
        }
    }

    /// <summary>
    /// Starts a server on a fresh data directory and a free loopback port and waits until it answers Ping.
    /// <paramref name="environment"/> adds configuration (e.g. the PostgreSQL provider and connection string).
    /// </summary>
    public static Task<ServerProcess> StartAsync(string repoRoot, TextWriter log, CancellationToken ct,
        IReadOnlyDictionary<string, string>? environment = null, string? name = null) =>
        StartAsync(repoRoot, log, ct, environment, name, Directory.CreateTempSubdirectory("claimledger-bench-").FullName, $"http://127.0.0.1:{FreePort()}");

    /// <summary>
    /// Starts this server again, on its data directory and URL (after <see cref="StopAsync"/>), with
    /// <paramref name="environment"/>; the new process owns the directory from then on.
    /// </summary>
    public Task<ServerProcess> RestartAsync(string repoRoot, TextWriter log, IReadOnlyDictionary<string, string> environment, string? name, CancellationToken ct) =>
        StartAsync(repoRoot, log, ct, environment, name, DataDirectory, Url);

    /// <summary>Set once, before any server starts, by a --profile run: every server process writes a perf map.</summary>
    public static bool PerfMap { get; set; }

    private static async Task<ServerProcess> StartAsync(string repoRoot, TextWriter log, CancellationToken ct,
        IReadOnlyDictionary<string, string>? environment, string? name, string dataDirectory, string url)
    {
        var dll = ServerDll(repoRoot);
        var psi = new ProcessStartInfo("dotnet")
        {
            // The content root: the server reads its appsettings.json (HTTP/2 endpoint defaults, logging) from here.
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(dll);
        psi.Environment["Database__DataDirectory"] = dataDirectory;
        psi.Environment["Kestrel__Endpoints__Grpc__Url"] = url;
        psi.Environment["Staleness__Enabled"] = "false";
        psi.Environment["Logging__LogLevel__Default"] = "Warning";
        psi.Environment["DOTNET_ENVIRONMENT"] = "Production";
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        // The first-generation budget the README's run command gives the server (ADR 31), unless the benchmark's own
        // environment names one (to measure another).
        psi.Environment[GarbageCollection.Gen0SizeVariable] =
            Environment.GetEnvironmentVariable(GarbageCollection.Gen0SizeVariable) ?? GarbageCollection.RecommendedGen0Size;
        if (PerfMap)
        {
            // --profile: the runtime writes /tmp/perf-<pid>.map, so perf can name JIT-compiled methods (PerfProfiler); with
            // W^X on, the JIT's code lives in a double-mapped memfd that perf cannot match to that map, so it is turned off.
            psi.Environment["DOTNET_PerfMapEnabled"] = "3";
            psi.Environment["DOTNET_EnableWriteXorExecute"] = "0";
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[key] = value;
        }

        var startTimestamp = Stopwatch.GetTimestamp();
        var process = Process.Start(psi) ?? throw new InvalidOperationException("Could not start the server.");
        var server = new ServerProcess(process, dataDirectory, url, startTimestamp);
        process.OutputDataReceived += (_, e) => server.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => server.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await server.WaitUntilReadyAsync(TimeSpan.FromSeconds(60), ct);
            log.WriteLine($"{name ?? "Server"} pid {server.Pid} listening on {url}, data in {dataDirectory}");
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Runs the Release server once with <paramref name="arguments"/> (a verb such as migrate-to-postgres) and
    /// <paramref name="environment"/>, echoing its output to <paramref name="log"/>; throws unless it exits with 0.
    /// </summary>
    public static async Task RunVerbAsync(string repoRoot, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment,
        TextWriter log, CancellationToken ct)
    {
        var dll = ServerDll(repoRoot);
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(dll);
        foreach (var argument in arguments)
        {
            psi.ArgumentList.Add(argument);
        }

        psi.Environment["Logging__LogLevel__Default"] = "Warning";
        psi.Environment["DOTNET_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in environment)
        {
            psi.Environment[key] = value;
        }

        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start the server for {arguments[0]}.");
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { log.WriteLine($"  {e.Data}"); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { log.WriteLine($"  {e.Data}"); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await ChildProcess.WaitOrKillAsync(process, ct);

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"The server's {arguments[0]} exited with {process.ExitCode}.");
        }
    }

    private static string ServerDll(string repoRoot)
    {
        var dll = ReadyToRun
            ? Path.Combine(ReadyToRunDirectory(repoRoot), "ClaimLedger.Server.dll")
            : Path.Combine(ReleaseDirectory(repoRoot), "ClaimLedger.Server.dll");
        return File.Exists(dll)
            ? dll
            : throw new InvalidOperationException($"{dll} does not exist: {(ReadyToRun ? "publish" : "build")} the server in Release (or drop --skip-build).");
    }

    private static string ReleaseDirectory(string repoRoot) => Path.Combine(repoRoot, "src", "ClaimLedger.Server", "bin", "Release", "net10.0");

    private static string ReadyToRunDirectory(string repoRoot) => Path.Combine(ReleaseDirectory(repoRoot), "ready-to-run");

    /// <summary>The bootstrap ADMIN key the server wrote on its first start.</summary>
    public async Task<string> ReadAdminKeyAsync(CancellationToken ct)
    {
        var path = Path.Combine(DataDirectory, "admin-api-key");
        for (var attempt = 0; attempt < 100 && !File.Exists(path); attempt++)
        {
            await Task.Delay(50, ct);
        }

        var key = (await File.ReadAllTextAsync(path, ct)).Trim();
        return key.Length > 0 ? key : throw new InvalidOperationException($"{path} is empty.");
    }

    /// <summary>CPU time (user + system) the server process has used so far; zero once stopped.</summary>
    public TimeSpan CpuTime()
    {
        if (Stopped)
        {
            return TimeSpan.Zero;
        }

        try
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
        catch (InvalidOperationException)
        {
            return TimeSpan.Zero; // exited
        }
    }

    /// <summary>VmRSS and VmHWM of the server process (Linux; null elsewhere or after exit).</summary>
    public ProcessMemory? Memory() => Stopped ? null : ProcessMemory.Read(Pid);

    /// <summary>The last lines the server printed, for error messages.</summary>
    public string RecentOutput()
    {
        lock (_output)
        {
            return string.Join(Environment.NewLine, _output);
        }
    }

    /// <summary>
    /// Stops the server gracefully (SIGTERM, as a service manager would; SIGKILL after 30 s) and keeps its data directory
    /// for <see cref="RestartAsync"/>. This object is done afterwards: disposing it no longer deletes the directory.
    /// </summary>
    public async Task StopAsync(CancellationToken ct)
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        Stopped = true;
        try
        {
            if (!_process.HasExited)
            {
                using (var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", Pid.ToString(System.Globalization.CultureInfo.InvariantCulture) }, UseShellExecute = false }))
                {
                    if (kill is not null)
                    {
                        await kill.WaitForExitAsync(ct);
                    }
                }

                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(TimeSpan.FromSeconds(30));
                try
                {
                    await _process.WaitForExitAsync(timeout.Token);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    _process.Kill(entireProcessTree: true);
                    await _process.WaitForExitAsync(CancellationToken.None);
                }
            }
        }
        finally
        {
            _process.Dispose();
            DeletePerfMap();
        }
    }

    /// <summary>A --profile run's server writes /tmp/perf-&lt;pid&gt;.map (PerfProfiler names its code from it); gone with the process.</summary>
    private void DeletePerfMap()
    {
        if (!PerfMap)
        {
            return;
        }

        try
        {
            File.Delete(Path.Combine(Path.GetTempPath(), $"perf-{Pid}.map"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left in the temporary directory: harmless.
        }
    }

    /// <summary>Kills the server and deletes its data directory. Safe to call more than once, from any thread.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _process.WaitForExitAsync(timeout.Token);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException or System.ComponentModel.Win32Exception)
        {
            // Already gone, or refusing to die: nothing more to do from here.
        }
        finally
        {
            _process.Dispose();
            DeletePerfMap();
        }

        DeleteDirectory(DataDirectory);
    }

    internal static void DeleteDirectory(string path)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            try
            {
                if (Directory.Exists(path))
                {
                    Directory.Delete(path, recursive: true);
                }

                return;
            }
            catch (IOException)
            {
                Thread.Sleep(200);
            }
            catch (UnauthorizedAccessException)
            {
                Thread.Sleep(200);
            }
        }
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Enqueue(line);
            while (_output.Count > OutputLinesKept)
            {
                _output.Dequeue();
            }
        }
    }

    private async Task WaitUntilReadyAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var channel = GrpcChannel.ForAddress(Url);
        var diagnostics = new DiagnosticsService.DiagnosticsServiceClient(channel);
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The server exited with code {_process.ExitCode} before answering Ping:\n{RecentOutput()}");
            }

            try
            {
                await diagnostics.PingAsync(new PingRequest(), deadline: DateTime.UtcNow.AddSeconds(2), cancellationToken: ct);
                ReadyTimestamp = Stopwatch.GetTimestamp();
                return;
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded)
            {
                if (deadline.Elapsed > timeout)
                {
                    throw new InvalidOperationException($"The server did not answer Ping within {timeout.TotalSeconds:0} s:\n{RecentOutput()}", e);
                }

                await Task.Delay(100, ct);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
