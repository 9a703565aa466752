using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ClaimLedger.Contracts.V1;
using ClaimLedger.IntegrationTests.Infrastructure;

namespace ClaimLedger.IntegrationTests.Crash;

/// <summary>
/// OpenTelemetry: with OTEL_EXPORTER_OTLP_ENDPOINT set, the real server process exports traces of its gRPC calls and
/// metrics (our group-commit meter among them) over OTLP/HTTP to a collector — here a small receiver in the test.
/// </summary>
public sealed class TelemetryTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "claimledger-tests", "otel-" + Guid.NewGuid().ToString("N"));

    /// <summary>An OTLP/HTTP receiver: keeps every protobuf payload by path (/v1/traces, /v1/metrics).</summary>
    private sealed class Collector : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly Task _loop;

        public Collector(int port = 0)
        {
            if (port == 0)
            {
                using var probe = new TcpListener(IPAddress.Loopback, 0);
                probe.Start();
                port = ((IPEndPoint)probe.LocalEndpoint).Port;
                probe.Stop();
            }

            Url = $"http://localhost:{port}";
            _listener.Prefixes.Add(Url + "/");
            _listener.Start();
            _loop = Task.Run(LoopAsync);
        }

        public string Url { get; }

        public ConcurrentQueue<(string Path, byte[] Body)> Received { get; } = new();

        public string Text(string path) => string.Join('\n', Received.Where(r => r.Path == path).Select(r => Encoding.UTF8.GetString(r.Body)));

        private async Task LoopAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }

                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                Received.Enqueue((context.Request.Url!.AbsolutePath, body.ToArray()));
                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/x-protobuf";
                context.Response.Close();
            }
        }

        public void Dispose()
        {
            _listener.Stop();
            _listener.Close();
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
    }

    [Fact]
    public async Task WithAnOtlpEndpoint_TracesOfGrpcCallsAndOurMetricsAreExported()
    {
        using var collector = new Collector();
        await using var server = await ServerProcess.StartAsync(_directory, s =>
        {
            s.Environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Url;
            s.Environment["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
            s.Environment["OTEL_BSP_SCHEDULE_DELAY"] = "200";
            s.Environment["OTEL_METRIC_EXPORT_INTERVAL"] = "500";
        });

        await new ClaimService.ClaimServiceClient(server.Admin).CreateClaimAsync(TestData.NewClaim());

        await StalenessDriver.EventuallyAsync(() => Task.FromResult(collector.Text("/v1/traces")),
            t => t.Contains("claimledger.v1.ClaimService/CreateClaim", StringComparison.Ordinal), TimeSpan.FromSeconds(20), "a trace of CreateClaim");
        await StalenessDriver.EventuallyAsync(() => Task.FromResult(collector.Text("/v1/metrics")),
            m => m.Contains("claimledger.db.group_commit.commands", StringComparison.Ordinal) && m.Contains("http.server.request.duration", StringComparison.Ordinal),
            TimeSpan.FromSeconds(20), "our group-commit meter and ASP.NET Core's request metrics");
        collector.Text("/v1/traces").ShouldContain("claimledger");
        if (!TestEngine.IsPostgreSql)
        {
            // SQLite's own heap, beside the runtime's memory metrics (ADR 27).
            await StalenessDriver.EventuallyAsync(() => Task.FromResult(collector.Text("/v1/metrics")),
                m => m.Contains("claimledger.db.sqlite.memory_used", StringComparison.Ordinal), TimeSpan.FromSeconds(20), "SQLite's memory gauge");
        }
    }

    [Fact]
    public async Task WithoutAnEndpoint_NothingIsExported_NotEvenToTheDefaultCollectorAddress()
    {
        // An exporter switched on without an endpoint sends to OTLP/HTTP's default, localhost:4318: listen there.
        using var collector = new Collector(4318);
        await using var server = await ServerProcess.StartAsync(_directory, s =>
        {
            s.Environment["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
            s.Environment["OTEL_METRIC_EXPORT_INTERVAL"] = "200";
            s.Environment["OTEL_BSP_SCHEDULE_DELAY"] = "100";
        });

        await new ClaimService.ClaimServiceClient(server.Admin).CreateClaimAsync(TestData.NewClaim());
        await Task.Delay(1000);

        collector.Received.ShouldBeEmpty();
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
