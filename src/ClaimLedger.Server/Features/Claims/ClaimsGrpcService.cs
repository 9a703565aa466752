using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Features.Evidence;
using ClaimLedger.Server.Features.History;
using ClaimLedger.Server.Features.Verification;
using ClaimLedger.Server.Infrastructure.Security;
using ClaimLedger.Server.Infrastructure.Grpc;
using Grpc.Core;
using MediatR;

namespace ClaimLedger.Server.Features.Claims;

/// <summary>claimledger.v1.ClaimService: maps each request to its command or query and sends it. No rules, no SQL.</summary>
public sealed class ClaimsGrpcService(IMediator mediator) : ClaimService.ClaimServiceBase
{
    public override Task<Claim> CreateClaim(CreateClaimRequest request, ServerCallContext context)
    {
        var claim = request.Claim ?? new Claim();
        return mediator.Send(new CreateClaim.Command(
            claim.Text,
            claim.Claimant,
            claim.Claimants.ToList(),
            claim.ClaimTime.ToDateTimeOffsetOrNull("claim.claim_time"),
            claim.LanguageCode,
            claim.Topics.ToList(),
            claim.ReviewInterval.ToSeconds("claim.review_interval"),
            request.Evidence.Select(EvidenceInput.From).ToList(),
            request.AllowDuplicate,
            request.RequestId), context.CancellationToken);
    }

    public override Task<Claim> GetClaim(GetClaimRequest request, ServerCallContext context) =>
        mediator.Send(new GetClaim.Query(request.Name, request.AsOfTime.ToDateTimeOffsetOrNull("as_of_time"), request.AsOfSequence), context.CancellationToken);

    public override Task<ListClaimsResponse> ListClaims(ListClaimsRequest request, ServerCallContext context) =>
        mediator.Send(new ListClaims.Query(request.PageSize, request.PageToken, request.Status, request.Topic, request.Claimant, request.Source, request.OrderBy,
            request.Unsourced),
            context.CancellationToken);

    public override Task<SearchClaimsResponse> SearchClaims(SearchClaimsRequest request, ServerCallContext context) =>
        mediator.Send(new SearchClaims.Query(request.Query, request.PageSize, request.PageToken, request.Status), context.CancellationToken);

    public override Task<FindSimilarClaimsResponse> FindSimilarClaims(FindSimilarClaimsRequest request, ServerCallContext context) =>
        mediator.Send(new FindSimilarClaims.Query(request.Text, request.PageSize, request.MinSimilarity), context.CancellationToken);

    public override Task<Claim> UpdateClaim(UpdateClaimRequest request, ServerCallContext context)
    {
        var claim = request.Claim ?? new Claim();
        return mediator.Send(new UpdateClaim.Command(
            claim.Name,
            claim.Etag,
            ProtoConvert.UpdatePaths(request.UpdateMask, request.Claim, Claims.UpdateClaim.Updatable),
            claim.Text,
            claim.Claimant,
            claim.Claimants.ToList(),
            claim.ClaimTime.ToDateTimeOffsetOrNull("claim.claim_time"),
            claim.LanguageCode,
            claim.Topics.ToList(),
            claim.ReviewInterval.ToSeconds("claim.review_interval"),
            request.RequestId), context.CancellationToken);
    }

    public override Task<Claim> StartReview(StartReviewRequest request, ServerCallContext context) =>
        mediator.Send(new StartReview.Command(request.Name, request.Etag, request.Note, request.RequestId), context.CancellationToken);

    public override Task<Claim> SubmitVerdict(SubmitVerdictRequest request, ServerCallContext context) =>
        mediator.Send(new SubmitVerdict.Command(request.Name, request.Rating, request.Rationale, request.Evidence.ToList(), request.Etag, request.RequestId),
            context.CancellationToken);

    public override Task<Claim> RetractClaim(RetractClaimRequest request, ServerCallContext context) =>
        mediator.Send(new RetractClaim.Command(request.Name, request.Reason, request.Note, request.DuplicateOf, request.Etag, request.RequestId),
            context.CancellationToken);

    public override Task<ListClaimHistoryResponse> ListClaimHistory(ListClaimHistoryRequest request, ServerCallContext context) =>
        mediator.Send(new ListClaimHistory.Query(request.Name, request.PageSize, request.PageToken, request.AsOfTime.ToDateTimeOffsetOrNull("as_of_time"), request.AsOfSequence),
            context.CancellationToken);
}
