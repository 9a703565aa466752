using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ClaimLedger.Contracts.V1;
using ClaimLedger.IntegrationTests.Infrastructure;
using Grpc.Net.Client;

namespace ClaimLedger.IntegrationTests.Crash;

/// <summary>
/// Choosing the address the standard ASP.NET Core ways, as a new user would, with the built server as a real process:
/// ASPNETCORE_URLS, --urls and ASPNETCORE_HTTP_PORTS; and a taken port answered with one line, before anything is created.
/// </summary>
public sealed class ServerAddressTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "claimledger-address-" + Guid.NewGuid().ToString("N"));

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private static async Task PingAsync(string url)
    {
        using var channel = GrpcChannel.ForAddress(url);
        var reply = await new DiagnosticsService.DiagnosticsServiceClient(channel).PingAsync(new PingRequest(), deadline: DateTime.UtcNow.AddSeconds(10));
        reply.ShouldNotBeNull();
    }

    public static TheoryData<string> Ways => ["ASPNETCORE_URLS", "--urls", "ASPNETCORE_HTTP_PORTS"];

    [Theory]
    [MemberData(nameof(Ways))]
    public async Task TheStandardWaysToChooseTheAddress_AreHonoured(string way)
    {
        var port = FreePort();
        await using var server = await ServerProcess.StartAsync(_directory, start =>
        {
            start.Environment.Remove("ASPNETCORE_URLS");
            switch (way)
            {
                case "ASPNETCORE_URLS":
                    start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
                    break;
                case "--urls":
                    start.ArgumentList.Add("--urls");
                    start.ArgumentList.Add($"http://127.0.0.1:{port}");
                    break;
                default:
                    start.Environment["ASPNETCORE_HTTP_PORTS"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    break;
            }
        });

        new Uri(server.Url).Port.ShouldBe(port);
        await PingAsync($"http://127.0.0.1:{port}");
    }

    [Fact]
    public async Task AnAddressInUse_IsOneClearLine_AndANonZeroExit_WithNothingCreatedOrPrinted()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var start = ServerProcess.Configure(_directory, s => s.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}");

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);

        process.ExitCode.ShouldNotBe(0);
        var errorLines = (await stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        errorLines.ShouldHaveSingleItem().ShouldContain($"http://127.0.0.1:{port} is already in use");
        errorLines[0].ShouldContain("--urls");
        (await stdout).ShouldNotContain("API key");
        if (TestEngine.IsPostgreSql)
        {
            // The data directory's database exists (the test made it, empty, for the server's connection string): no
            // migration may have run in it, so it still has no table at all (not even schema_migrations).
            Db.Tables(Path.Combine(_directory, "claimledger.db")).ShouldBeEmpty("nothing is created before the address is known to be free");
        }
        else
        {
            File.Exists(Path.Combine(_directory, "claimledger.db")).ShouldBeFalse("nothing is created before the address is known to be free");
        }

        File.Exists(Path.Combine(_directory, "admin-api-key")).ShouldBeFalse();
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        TestEngine.Forget(_directory);
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
