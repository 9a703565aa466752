using ClaimLedger.Server.Infrastructure.Data;
using ClaimLedger.Server.Infrastructure.Messaging;
using MediatR;

namespace ClaimLedger.Server.Infrastructure.Behaviors;

/// <summary>
/// Commands run in one transaction on the request's connection and are committed before the reply; any exception
/// rolls everything back, so a failed request writes nothing. Queries pass straight through.
/// </summary>
public sealed class TransactionBehavior<TRequest, TResponse>(DbSession session, WriteGate gate)
    : IPipelineBehavior<TRequest, TResponse>
{
    private static readonly bool IsCommand = RequestNames.IsCommand(typeof(TRequest));

    public async Task<TResponse> Handle(TRequest request, CancellationToken cancellationToken, RequestHandlerDelegate<TResponse> next)
    {
        if (!IsCommand)
        {
            return await next();
        }

        using var _ = await gate.EnterAsync(cancellationToken);
        await session.BeginAsync(cancellationToken);
        try
        {
            var response = await next();
            await session.CommitAsync(response, cancellationToken);
            return response;
        }
        catch
        {
            await session.RollbackAsync();
            throw;
        }
    }
}
