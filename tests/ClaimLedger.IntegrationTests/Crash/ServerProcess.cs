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

    private ServerProcess(Process process, string url, string adminKey)
    {
        _process = process;
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

    public static async Task<ServerProcess> StartAsync(string dataDirectory)
    {
        var start = DotnetProcess.StartInfo("ClaimLedger.Server.dll");
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Database__DataDirectory"] = dataDirectory;
        start.Environment["Kestrel__Endpoints__Grpc__Url"] = "http://127.0.0.1:0";
        start.Environment["Staleness__Enabled"] = "false";
        start.Environment["Staleness__SchedulerName"] = "crash-" + Path.GetFileName(dataDirectory);
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";

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
                listening.TrySetResult(line[(i + ListeningLine.Length)..].Trim());
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
            var adminKey = (await File.ReadAllTextAsync(Path.Combine(dataDirectory, "admin-api-key"))).Trim();
            var server = new ServerProcess(process, url, adminKey);
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
