using ClaimLedger.Contracts.V1;
using Grpc.Core;

namespace ClaimLedger.Server.Features.Diagnostics;

/// <summary>claimledger.v1.DiagnosticsService: an empty round trip, answered without the pipeline or the database.</summary>
public sealed class DiagnosticsGrpcService : DiagnosticsService.DiagnosticsServiceBase
{
    private static readonly Task<PingResponse> Pong = Task.FromResult(new PingResponse());

    public override Task<PingResponse> Ping(PingRequest request, ServerCallContext context) => Pong;
}
