using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Infrastructure.Security;
using ClaimLedger.Server.Infrastructure.Grpc;
using Grpc.Core;
using MediatR;

namespace ClaimLedger.Server.Features.Sources;

/// <summary>claimledger.v1.SourceService: request → command/query → reply.</summary>
public sealed class SourcesGrpcService(IMediator mediator) : SourceService.SourceServiceBase
{
    public override Task<Source> CreateSource(CreateSourceRequest request, ServerCallContext context)
    {
        var s = request.Source ?? new Source();
        return mediator.Send(new CreateSource.Command(
            s.Url, s.Title, s.Publisher, s.Author, s.Kind, s.PublishTime.ToDateTimeOffsetOrNull("source.publish_time"),
            s.RetrieveTime.ToDateTimeOffsetOrNull("source.retrieve_time"),
            s.ContentSha256, s.ArchiveUrl, s.Reliability, request.RequestId), context.CancellationToken);
    }

    public override Task<Source> GetSource(GetSourceRequest request, ServerCallContext context) =>
        mediator.Send(new GetSource.Query(request.Name), context.CancellationToken);

    public override Task<ListSourcesResponse> ListSources(ListSourcesRequest request, ServerCallContext context) =>
        mediator.Send(new ListSources.Query(request.PageSize, request.PageToken, request.Kind, request.Publisher), context.CancellationToken);

    public override Task<Source> UpdateSource(UpdateSourceRequest request, ServerCallContext context)
    {
        var s = request.Source ?? new Source();
        return mediator.Send(new UpdateSource.Command(
            s.Name, s.Etag, ProtoConvert.UpdatePaths(request.UpdateMask, request.Source, Sources.UpdateSource.Updatable),
            s.Title, s.Publisher, s.Author, s.Kind, s.PublishTime.ToDateTimeOffsetOrNull("source.publish_time"),
            s.RetrieveTime.ToDateTimeOffsetOrNull("source.retrieve_time"),
            s.ContentSha256, s.ArchiveUrl, s.Reliability, request.RequestId), context.CancellationToken);
    }
}
