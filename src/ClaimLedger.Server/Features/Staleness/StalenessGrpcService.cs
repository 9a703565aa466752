using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Infrastructure.Grpc;
using Grpc.Core;
using MediatR;

namespace ClaimLedger.Server.Features.Staleness;

/// <summary>claimledger.v1.StalenessService: request → command/query → reply.</summary>
public sealed class StalenessGrpcService(IMediator mediator) : StalenessService.StalenessServiceBase
{
    public override Task<StalenessRun> RunStalenessCheck(RunStalenessCheckRequest request, ServerCallContext context) =>
        mediator.Send(new RunStalenessCheck.Command(request.Checks.ToList(), request.RequestId), context.CancellationToken);

    public override Task<StalenessRun> GetStalenessRun(GetStalenessRunRequest request, ServerCallContext context) =>
        mediator.Send(new GetStalenessRun.Query(request.Name), context.CancellationToken);

    public override Task<ListStalenessRunsResponse> ListStalenessRuns(ListStalenessRunsRequest request, ServerCallContext context) =>
        mediator.Send(new ListStalenessRuns.Query(request.PageSize, request.PageToken), context.CancellationToken);

    public override Task<ListStaleClaimsResponse> ListStaleClaims(ListStaleClaimsRequest request, ServerCallContext context) =>
        mediator.Send(new ListStaleClaims.Query(request.PageSize, request.PageToken, request.Reason), context.CancellationToken);

    public override Task<ReviewPolicy> GetReviewPolicy(GetReviewPolicyRequest request, ServerCallContext context) =>
        mediator.Send(new GetReviewPolicy.Query(), context.CancellationToken);

    public override Task<ReviewPolicy> SetReviewPolicy(SetReviewPolicyRequest request, ServerCallContext context)
    {
        var p = request.Policy ?? new ReviewPolicy();
        return mediator.Send(new SetReviewPolicy.Command(
            p.DefaultReviewInterval.ToSeconds("policy.default_review_interval") ?? 0,
            p.TopicReviewIntervals.ToDictionary(t => t.Key, t => t.Value.ToSeconds($"policy.topic_review_intervals[{ClientText.Quote(t.Key)}]") ?? 0),
            p.UnsourcedAfter.ToSeconds("policy.unsourced_after") ?? 0,
            p.Etag,
            request.RequestId), context.CancellationToken);
    }
}
