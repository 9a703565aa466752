using ClaimLedger.Contracts.V1;
using Grpc.Core;
using MediatR;

namespace ClaimLedger.Server.Features.Evidence;

/// <summary>claimledger.v1.EvidenceService: request → command/query → reply.</summary>
public sealed class EvidenceGrpcService(IMediator mediator) : EvidenceService.EvidenceServiceBase
{
    public override Task<Contracts.V1.Evidence> AddEvidence(AddEvidenceRequest request, ServerCallContext context) =>
        mediator.Send(new AddEvidence.Command(request.Parent, EvidenceInput.From(request.Evidence), request.RequestId), context.CancellationToken);

    public override Task<Contracts.V1.Evidence> RemoveEvidence(RemoveEvidenceRequest request, ServerCallContext context) =>
        mediator.Send(new RemoveEvidence.Command(request.Name, request.Etag, request.RequestId), context.CancellationToken);

    public override Task<ListEvidenceResponse> ListEvidence(ListEvidenceRequest request, ServerCallContext context) =>
        mediator.Send(new ListEvidence.Query(request.Parent, request.PageSize, request.PageToken, request.Stance, request.ShowRemoved),
            context.CancellationToken);
}
