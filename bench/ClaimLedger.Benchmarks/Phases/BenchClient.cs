using ClaimLedger.Contracts.V1;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;

namespace ClaimLedger.Benchmarks.Phases;

/// <summary>
/// One benchmark client: its own <see cref="GrpcChannel"/> (so its own HTTP/2 connection, cleartext) with the API key
/// sent as "authorization: Bearer" metadata on every call, the generated service clients, and its own Random.
/// </summary>
public sealed class BenchClient : IDisposable
{
    private readonly GrpcChannel _channel;

    public BenchClient(int index, string url, string apiKey, int seed)
    {
        Index = index;
        _channel = GrpcChannel.ForAddress(url, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
                KeepAlivePingDelay = TimeSpan.FromSeconds(60),
                KeepAlivePingTimeout = TimeSpan.FromSeconds(30),
            },
            MaxReceiveMessageSize = 16 * 1024 * 1024,
        });
        var invoker = _channel.Intercept(metadata =>
        {
            metadata.Add("authorization", $"Bearer {apiKey}");
            return metadata;
        });
        Diagnostics = new DiagnosticsService.DiagnosticsServiceClient(invoker);
        Claims = new ClaimService.ClaimServiceClient(invoker);
        Sources = new SourceService.SourceServiceClient(invoker);
        Evidence = new EvidenceService.EvidenceServiceClient(invoker);
        Ledger = new LedgerService.LedgerServiceClient(invoker);
        Reports = new ReportService.ReportServiceClient(invoker);
        Staleness = new StalenessService.StalenessServiceClient(invoker);
        Random = new Random(unchecked((seed * 7919) + index));
    }

    public int Index { get; }

    public Random Random { get; }

    public DiagnosticsService.DiagnosticsServiceClient Diagnostics { get; }

    public ClaimService.ClaimServiceClient Claims { get; }

    public SourceService.SourceServiceClient Sources { get; }

    public EvidenceService.EvidenceServiceClient Evidence { get; }

    public LedgerService.LedgerServiceClient Ledger { get; }

    public ReportService.ReportServiceClient Reports { get; }

    public StalenessService.StalenessServiceClient Staleness { get; }

    public void Dispose() => _channel.Dispose();
}
