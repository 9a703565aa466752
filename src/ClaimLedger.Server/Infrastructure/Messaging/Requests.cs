using ClaimLedger.Server.Infrastructure.Ledger;
using MediatR;

namespace ClaimLedger.Server.Infrastructure.Messaging;

/// <summary>
/// A request that writes: a <see cref="ICommand{TResult}"/> or an <see cref="IBulkCommand{TResult}"/>. The behaviors
/// that only concern writes (request ids, the transaction, the ledger entry) are constrained to it, so a query's
/// pipeline is built without them (ADR 22, addendum 2).
/// </summary>
public interface IWriteRequest;

/// <summary>A request that changes state. Runs in one transaction, committed before the reply.</summary>
public interface ICommand<TResult> : IRequest<TResult>, IWriteRequest
{
    /// <summary>
    /// The ledger entry for the change this command made, built from its result. Every command must say what it
    /// changed; <see cref="Behaviors.LedgerBehavior{TRequest,TResponse}"/> appends it in the same transaction.
    /// </summary>
    LedgerRecord Ledger(TResult result);
}

/// <summary>
/// A command that changes many resources of one kind with set statements (a staleness sweep's batch of claims), in
/// one transaction: all of them or, if any cannot be changed, none. It still has one ledger entry per resource it
/// changed, each the same as the single command for that resource would have appended, in the order given
/// (<see cref="Behaviors.LedgerBehavior{TRequest,TResponse}"/> appends them, chained, in the same transaction).
/// </summary>
public interface IBulkCommand<TResult> : IRequest<TResult>, IWriteRequest
{
    /// <summary>One entry per resource the command changed, in the order they are to be chained.</summary>
    IReadOnlyList<LedgerRecord> Ledger(TResult result);
}

/// <summary>A request that only reads. Never opens a transaction.</summary>
public interface IQuery<out TResult> : IRequest<TResult>;

/// <summary>A command carrying a client request id (AIP-155): a retry returns the first result.</summary>
public interface IIdempotentCommand
{
    string RequestId { get; }
}
