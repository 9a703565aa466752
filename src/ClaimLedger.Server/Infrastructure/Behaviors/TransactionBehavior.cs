using ClaimLedger.Server.Infrastructure.Data;
using ClaimLedger.Server.Infrastructure.Messaging;
using MediatR;

namespace ClaimLedger.Server.Infrastructure.Behaviors;

/// <summary>
/// Commands run inside the transaction <see cref="ICommandTransactions"/> gives them (with SQLite, a savepoint in a
/// group commit) and are committed before the reply; any exception undoes the command's work, so a failed request
/// writes nothing (an <see cref="IBulkCommand{TResult}"/> commits whole or not at all). Queries pass straight through.
/// </summary>
public sealed class TransactionBehavior<TRequest, TResponse>(DbSession session, ICommandTransactions transactions)
    : IPipelineBehavior<TRequest, TResponse>
    where TRequest : IWriteRequest // queries are built without it (the container skips a behavior whose constraint fails)
{
    private static readonly bool IsCommand = RequestNames.IsCommand(typeof(TRequest));

    public async Task<TResponse> Handle(TRequest request, CancellationToken cancellationToken, RequestHandlerDelegate<TResponse> next)
    {
        if (!IsCommand)
        {
            return await next();
        }

        TResponse response;
        try
        {
            response = await transactions.RunAsync(
                async (connection, transaction) =>
                {
                    await session.EnlistAsync(connection, transaction, cancellationToken);
                    try
                    {
                        var result = await next();
                        await session.PrepareCommitAsync(result, cancellationToken);
                        return result;
                    }
                    finally
                    {
                        session.Leave();
                    }
                },
                cancellationToken);
        }
        catch
        {
            session.Abandoned();
            throw;
        }

        session.Committed();
        return response;
    }
}
