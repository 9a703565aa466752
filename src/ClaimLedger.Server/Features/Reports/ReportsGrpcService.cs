using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Infrastructure.Grpc;
using Grpc.Core;
using MediatR;

namespace ClaimLedger.Server.Features.Reports;

/// <summary>claimledger.v1.ReportService: request → query (which streams its document) → end of stream.</summary>
public sealed class ReportsGrpcService(IMediator mediator) : ReportService.ReportServiceBase
{
    public override Task GenerateAuditReport(GenerateAuditReportRequest request, IServerStreamWriter<ReportChunk> responseStream, ServerCallContext context) =>
        mediator.Send(new GenerateAuditReport.Query(request.StartTime.ToDateTimeOffsetOrNull("start_time"), request.EndTime.ToDateTimeOffsetOrNull("end_time"),
            request.Topic, request.Claim, request.Format, responseStream, request.AsOfTreeSize), context.CancellationToken);

    public override Task ExportClaimReviews(ExportClaimReviewsRequest request, IServerStreamWriter<ReportChunk> responseStream, ServerCallContext context) =>
        mediator.Send(new ExportClaimReviews.Query(request.Topic, request.PublisherName, request.PublisherUrl, request.ReviewUrlTemplate,
            request.IncludeOtherPublishers, responseStream),
            context.CancellationToken);
}
