using ClaimLedger.Contracts.V1;
using Grpc.Core;
using MediatR;

namespace ClaimLedger.Server.Features.Access;

/// <summary>claimledger.v1.AccessService: request → command/query → reply.</summary>
public sealed class AccessGrpcService(IMediator mediator) : AccessService.AccessServiceBase
{
    public override Task<CreateApiKeyResponse> CreateApiKey(CreateApiKeyRequest request, ServerCallContext context) =>
        mediator.Send(new CreateApiKey.Command(request.ApiKey?.DisplayName ?? "", request.ApiKey?.Role ?? Role.Unspecified),
            context.CancellationToken);

    public override Task<ListApiKeysResponse> ListApiKeys(ListApiKeysRequest request, ServerCallContext context) =>
        mediator.Send(new ListApiKeys.Query(request.PageSize, request.PageToken, request.ShowRevoked), context.CancellationToken);

    public override Task<ApiKey> RevokeApiKey(RevokeApiKeyRequest request, ServerCallContext context) =>
        mediator.Send(new RevokeApiKey.Command(request.Name, request.Etag, request.RequestId), context.CancellationToken);
}
