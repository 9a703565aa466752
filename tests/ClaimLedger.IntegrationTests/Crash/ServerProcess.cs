using System.Diagnostics;
using ClaimLedger.IntegrationTests.Infrastructure;
using ClaimLedger.Contracts.V1;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;

namespace ClaimLedger.IntegrationTests.Crash;

/// <summary>
/// The built server (ClaimLedger.Server.dll, next to the tests) as a real OS process on a loopback port the OS picks,
/// over a given data directory, so a test can kill it with SIGKILL and start it again on the same files.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private const string ListeningLine = "Now listening on: ";
    private readonly Process _process;

    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _output;

    private ServerProcess(Process process, string url, string adminKey, System.Collections.Concurrent.ConcurrentQueue<string> output)
    {
        _process = process;
        _output = output;
        Url = url;
        Channel = GrpcChannel.ForAddress(url);
        AdminKey = adminKey;
    }

    public string Url { get; }

    public GrpcChannel Channel { get; }

    public string AdminKey { get; }

    public CallInvoker Admin => Channel.Intercept(metadata =>
    {
        metadata.Add("authorization", "Bearer " + AdminKey);
        return metadata;
    });

    /// <summary>Everything the process has printed so far (stdout and stderr, in arrival order).</summary>
    public string Output => string.Join('\n', _output);

    /// <param name="configure">Changes to the start info (environment, arguments); by default the server takes any free loopback port.</param>
    /// <param name="adminKeyDirectory">
    /// Where the first admin key file is (default: <paramref name="dataDirectory"/>): another instance's data directory
    /// when several instances share one PostgreSQL database and only the first created the key.
    /// </param>
    public static async Task<ServerProcess> StartAsync(string dataDirectory, Action<ProcessStartInfo>? configure = null, string? adminKeyDirectory = null)
    {
        var start = Configure(dataDirectory, configure);
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var listening = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not { } line)
            {
                return;
            }

            output.Enqueue(line);
            if (line.IndexOf(ListeningLine, StringComparison.Ordinal) is var i and >= 0)
            {
                // A wildcard address (ASPNETCORE_HTTP_PORTS) is reached on loopback.
                listening.TrySetResult(line[(i + ListeningLine.Length)..].Trim()
                    .Replace("//[::]", "//127.0.0.1", StringComparison.Ordinal).Replace("//0.0.0.0", "//127.0.0.1", StringComparison.Ordinal));
            }
        };
        process.ErrorDataReceived += (_, e) => output.Enqueue(e.Data ?? "");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _ = process.WaitForExitAsync().ContinueWith(_ => listening.TrySetException(
            new InvalidOperationException("The server exited during start-up:\n" + string.Join('\n', output))), TaskScheduler.Default);

        try
        {
            var url = await listening.Task.WaitAsync(TimeSpan.FromSeconds(60));
            var adminKey = await ReadAdminKeyAsync(Path.Combine(adminKeyDirectory ?? dataDirectory, "admin-api-key"));
            var server = new ServerProcess(process, url, adminKey, output);
            await new DiagnosticsService.DiagnosticsServiceClient(server.Channel).PingAsync(new PingRequest(), deadline: DateTime.UtcNow.AddSeconds(30));
            return server;
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The admin key file's key. Instances starting together on one database: the one that creates the key may write
    /// the file after another is already listening, so wait for it a little.
    /// </summary>
    private static async Task<string> ReadAdminKeyAsync(string path)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (File.Exists(path) && (await File.ReadAllTextAsync(path)).Trim() is { Length: > 0 } key)
            {
                return key;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new FileNotFoundException("No admin key file was written.", path);
            }

            await Task.Delay(100);
        }
    }

    /// <summary>
    /// The start info of a server on <paramref name="dataDirectory"/>: Production, any free loopback port, quiet logs,
    /// and this build's database engine (in the PostgreSQL build, the database of that data directory, the same on every
    /// restart).
    /// </summary>
    public static ProcessStartInfo Configure(string dataDirectory, Action<ProcessStartInfo>? configure = null)
    {
        var start = DotnetProcess.StartInfo("ClaimLedger.Server.dll");
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Database__DataDirectory"] = dataDirectory;
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        start.Environment["Staleness__Enabled"] = "false";
        start.Environment["Staleness__SchedulerName"] = "crash-" + Path.GetFileName(dataDirectory);
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        foreach (var (key, value) in TestEngine.ServerSettings(dataDirectory))
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        configure?.Invoke(start);
        return start;
    }

    /// <summary>SIGTERM, as a service manager or Ctrl-C sends it: the server shuts down gracefully. Returns the exit code.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        if (Kill(_process.Id, 15) != 0)
        {
            throw new InvalidOperationException("kill(SIGTERM) failed");
        }

        using var wait = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(wait.Token);
        return _process.ExitCode;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    /// <summary>SIGKILL: no shutdown hooks, no flushing, exactly like a power cut to the process.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        Channel.Dispose();
        _process.Dispose();
    }
}
