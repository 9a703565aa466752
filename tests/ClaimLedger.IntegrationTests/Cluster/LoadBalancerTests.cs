#if POSTGRESQL
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ClaimLedger.Contracts.V1;
using ClaimLedger.IntegrationTests.Infrastructure;
using Google.Rpc;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Shouldly;

namespace ClaimLedger.IntegrationTests.Cluster;

/// <summary>
/// Runs on PostgreSQL with nginx installed (Debian's nginx-light; CI installs it, elsewhere the test is skipped and
/// says how to install it).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class NginxFactAttribute : FactAttribute
{
    public const string Binary = "/usr/sbin/nginx";

    public override string? Skip
    {
        get => base.Skip ?? (!TestEngine.IsPostgreSql ? "PostgreSQL-specific: several instances share one database only on PostgreSQL"
            : File.Exists(Binary) || PostgresServer.Required ? null
            : $"nginx is not installed ({Binary}): sudo apt-get install nginx-light");
        set => base.Skip = value;
    }
}

/// <summary>
/// The README's load balancer: nginx, configured by deploy/nginx/claimledger.conf exactly as shipped (only its
/// addresses replaced by this test's ports), in front of two instances on one database.
/// </summary>
public sealed class LoadBalancerTests
{
    private sealed class Nginx : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly string _directory;

        private Nginx(Process process, string directory, string url)
        {
            _process = process;
            _directory = directory;
            Url = url;
        }

        public string Url { get; }

        /// <summary>The upstream address of every call so far (the access log: "$upstream_addr $status").</summary>
        public IReadOnlyList<string> Upstreams => File.Exists(Path.Combine(_directory, "access.log"))
            ? File.ReadAllLines(Path.Combine(_directory, "access.log"))
            : [];

        public static async Task<Nginx> StartAsync(string instanceA, string instanceB)
        {
            File.Exists(NginxFactAttribute.Binary).ShouldBeTrue($"nginx is required here: apt-get install nginx-light ({NginxFactAttribute.Binary} missing)");
            var directory = Path.Combine(Path.GetTempPath(), "claimledger-tests", "nginx-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(directory);
            var port = FreePort();
            var sample = await File.ReadAllTextAsync(RepositoryFiles.PathOf("deploy/nginx/claimledger.conf"));
            sample.ShouldContain("server 127.0.0.1:5181 ");
            sample.ShouldContain("server 127.0.0.1:5182 ");
            sample.ShouldContain("listen 5180 http2;");
            var site = sample
                .Replace("server 127.0.0.1:5181 ", $"server {instanceA} ", StringComparison.Ordinal)
                .Replace("server 127.0.0.1:5182 ", $"server {instanceB} ", StringComparison.Ordinal)
                .Replace("listen 5180 http2;", $"listen 127.0.0.1:{port} http2;", StringComparison.Ordinal);
            var root = Environment.UserName == "root" ? "user root root;\n" : "";
            await File.WriteAllTextAsync(Path.Combine(directory, "nginx.conf"), $$"""
                {{root}}daemon off;
                worker_processes 1;
                pid {{directory}}/nginx.pid;
                error_log {{directory}}/error.log info;
                events { worker_connections 256; }
                http {
                    log_format upstreams '$upstream_addr $status';
                    access_log {{directory}}/access.log upstreams;
                    client_body_temp_path {{directory}}/body;
                    proxy_temp_path {{directory}}/proxy;
                    fastcgi_temp_path {{directory}}/fastcgi;
                    uwsgi_temp_path {{directory}}/uwsgi;
                    scgi_temp_path {{directory}}/scgi;
                {{site}}
                }
                """);
            var start = new ProcessStartInfo(NginxFactAttribute.Binary)
            {
                ArgumentList = { "-p", directory, "-c", Path.Combine(directory, "nginx.conf"), "-e", Path.Combine(directory, "error.log") },
                UseShellExecute = false,
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            var process = Process.Start(start)!;
            var nginx = new Nginx(process, directory, $"http://127.0.0.1:{port}");
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (!await ListeningAsync(port))
            {
                if (process.HasExited || DateTime.UtcNow > deadline)
                {
                    var log = File.Exists(Path.Combine(directory, "error.log")) ? await File.ReadAllTextAsync(Path.Combine(directory, "error.log")) : "";
                    await nginx.DisposeAsync();
                    throw new InvalidOperationException("nginx did not start: " + log + await process.StandardError.ReadToEndAsync());
                }

                await Task.Delay(50);
            }

            return nginx;
        }

        private static async Task<bool> ListeningAsync(int port)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return true;
            }
            catch (SocketException)
            {
                return false;
            }
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }

            _process.Dispose();
            Directory.Delete(_directory, recursive: true);
        }
    }

    [NginxFact]
    public async Task TheSampleNginxConfiguration_SpreadsCallsOverTheInstances_KeepsStreamsAndErrors_AndSurvivesALostInstance()
    {
        await using var cluster = await TestCluster.StartAsync(2);
        var a = new Uri(cluster[0].Url);
        var b = new Uri(cluster[1].Url);
        await using var nginx = await Nginx.StartAsync($"127.0.0.1:{a.Port}", $"127.0.0.1:{b.Port}");
        using var channel = GrpcChannel.ForAddress(nginx.Url);
        var invoker = channel.Intercept(metadata =>
        {
            metadata.Add("authorization", "Bearer " + cluster[0].AdminKey);
            return metadata;
        });
        var claims = new ClaimService.ClaimServiceClient(invoker);
        var ledger = new LedgerService.LedgerServiceClient(invoker);

        // A watch through nginx, then writes through nginx: round robin sends them to both instances, and the
        // stream (held by one of them) sees every one.
        var head = (await ledger.VerifyLedgerAsync(new VerifyLedgerRequest())).HeadSequence;
        using var watch = ledger.WatchLedger(new WatchLedgerRequest { StartSequence = head + 1 });
        var created = new List<Claim>();
        for (var i = 0; i < 10; i++)
        {
            created.Add(await claims.CreateClaimAsync(TestData.NewClaim()));
        }

        foreach (var claim in created)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            (await watch.ResponseStream.MoveNext(timeout.Token)).ShouldBeTrue();
            watch.ResponseStream.Current.Subject.ShouldBe(claim.Name);
        }

        var upstreams = nginx.Upstreams.Select(line => line.Split(' ')[0]).ToList();
        upstreams.ShouldContain($"127.0.0.1:{a.Port}");
        upstreams.ShouldContain($"127.0.0.1:{b.Port}");

        // A client stream (an import) and an error with its details (trailers) pass through unchanged.
        using (var import = new TransferService.TransferServiceClient(invoker).ImportClaims())
        {
            await import.RequestStream.WriteAsync(new ImportClaimsRequest { Record = new ClaimRecord { Claim = TestData.NewClaim().Claim } });
            await import.RequestStream.CompleteAsync();
            var imported = await import.ResponseAsync;
            imported.Results.Single().Outcome.ShouldBe(ImportResult.Types.Outcome.Created);
        }

        var missing = await Should.ThrowAsync<RpcException>(claims.GetClaimAsync(new GetClaimRequest { Name = "claims/0123456789abcdef0123456789abcdef" }).ResponseAsync);
        missing.StatusCode.ShouldBe(StatusCode.NotFound);
        missing.GetRpcStatus()!.GetDetail<ResourceInfo>().ResourceName.ShouldBe("claims/0123456789abcdef0123456789abcdef");

        // One instance gone: new calls through nginx go to the other one.
        await cluster[0].KillAsync();
        for (var i = 0; i < 10; i++)
        {
            created.Add(await claims.CreateClaimAsync(TestData.NewClaim()));
        }

        var verification = await ledger.VerifyLedgerAsync(new VerifyLedgerRequest());
        verification.Valid.ShouldBeTrue();
        verification.ClaimsChecked.ShouldBe(created.Count + 1);
    }
}
#endif
