using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Infrastructure.Grpc;
using ClaimLedger.Server.Infrastructure.Ledger;
using Grpc.Core;
using MediatR;

using Transparency = ClaimLedger.Server.Features.Transparency;

namespace ClaimLedger.Server.Features.Ledger;

/// <summary>claimledger.v1.LedgerService: request → query → reply.</summary>
public sealed class LedgerGrpcService(IMediator mediator, LedgerNotifier notifier) : LedgerService.LedgerServiceBase
{
    public override Task<ListLedgerEntriesResponse> ListLedgerEntries(ListLedgerEntriesRequest request, ServerCallContext context) =>
        mediator.Send(new ListLedgerEntries.Query(request.PageSize, request.PageToken, request.Subject, request.Actor, request.Action,
            request.StartTime.ToDateTimeOffsetOrNull("start_time"), request.EndTime.ToDateTimeOffsetOrNull("end_time")), context.CancellationToken);

    public override Task<LedgerDigest> GetLedgerDigest(GetLedgerDigestRequest request, ServerCallContext context) =>
        mediator.Send(new GetLedgerDigest.Query(), context.CancellationToken);

    public override Task<VerifyLedgerResponse> VerifyLedger(VerifyLedgerRequest request, ServerCallContext context) =>
        mediator.Send(new VerifyLedger.Query(request.Digest?.HeadSequence ?? 0, request.Digest?.HeadHash ?? ""), context.CancellationToken);

    public override async Task WatchLedger(WatchLedgerRequest request, IServerStreamWriter<LedgerEntry> responseStream, ServerCallContext context)
    {
        try
        {
            await Ledger.WatchLedger.StreamAsync(mediator, notifier, request.StartSequence, responseStream, context.CancellationToken);
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            // The client went away or its deadline passed: the stream simply ends.
        }
    }

    public override Task<Checkpoint> GetCheckpoint(GetCheckpointRequest request, ServerCallContext context) =>
        mediator.Send(new Transparency.GetCheckpoint.Query(request.TreeSize), context.CancellationToken);

    public override Task<ListCheckpointsResponse> ListCheckpoints(ListCheckpointsRequest request, ServerCallContext context) =>
        mediator.Send(new Transparency.ListCheckpoints.Query(request.PageSize, request.PageToken), context.CancellationToken);

    public override Task<VerifierKey> GetVerifierKey(GetVerifierKeyRequest request, ServerCallContext context) =>
        mediator.Send(new Transparency.GetVerifierKey.Query(), context.CancellationToken);

    public override Task<InclusionProof> GetInclusionProof(GetInclusionProofRequest request, ServerCallContext context) =>
        mediator.Send(new Transparency.GetInclusionProof.Query(request.Sequence, request.TreeSize), context.CancellationToken);

    public override Task<ConsistencyProof> GetConsistencyProof(GetConsistencyProofRequest request, ServerCallContext context) =>
        mediator.Send(new Transparency.GetConsistencyProof.Query(request.FirstSize, request.SecondSize), context.CancellationToken);

    public override Task<ClaimProof> GetClaimProof(GetClaimProofRequest request, ServerCallContext context) =>
        mediator.Send(new Transparency.GetClaimProof.Query(request.Name, request.TreeSize, request.AsOfSequence, request.AsOfTime.ToDateTimeOffsetOrNull("as_of_time")),
            context.CancellationToken);
}
