using ClaimLedger.Server.Infrastructure.Ledger;
using MediatR;

namespace ClaimLedger.Server.Infrastructure.Messaging;

/// <summary>A request that changes state. Runs in one transaction, committed before the reply.</summary>
public interface ICommand<TResult> : IRequest<TResult>
{
    /// <summary>
    /// The ledger entry for the change this command made, built from its result. Every command must say what it
    /// changed; <see cref="Behaviors.LedgerBehavior{TRequest,TResponse}"/> appends it in the same transaction.
    /// </summary>
    LedgerRecord Ledger(TResult result);
}

/// <summary>A request that only reads. Never opens a transaction.</summary>
public interface IQuery<out TResult> : IRequest<TResult>;

/// <summary>A command carrying a client request id (AIP-155): a retry returns the first result.</summary>
public interface IIdempotentCommand
{
    string RequestId { get; }
}
