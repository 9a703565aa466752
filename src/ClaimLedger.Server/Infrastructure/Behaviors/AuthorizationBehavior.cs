using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Infrastructure.Messaging;
using ClaimLedger.Server.Infrastructure.Security;
using MediatR;

namespace ClaimLedger.Server.Infrastructure.Behaviors;

/// <summary>
/// Authenticates the caller and checks the permission the request type declares ([Requires]) against the caller's
/// role — before validation and before any read, so a denied call learns nothing about what exists.
/// </summary>
public sealed class AuthorizationBehavior<TRequest, TResponse>(ICurrentActor actor) : IPipelineBehavior<TRequest, TResponse>
{
    private static readonly Permission Required = RolePermissions.Required(typeof(TRequest));

    public async Task<TResponse> Handle(TRequest request, CancellationToken cancellationToken, RequestHandlerDelegate<TResponse> next)
    {
        var principal = await actor.AuthenticateAsync(cancellationToken);
        if (!RolePermissions.Allows(principal.Role, Required))
        {
            throw new PermissionDeniedException(
                $"{RequestNames.Of(typeof(TRequest))} needs the {Required} permission, which the {Domain.DbEnum.ToDb(principal.Role)} role does not have.");
        }

        return await next();
    }
}
