using ClaimLedger.Server.Infrastructure.Ledger;
using MediatR;

namespace ClaimLedger.Server.Infrastructure.Messaging;

/// <summary>
/// A request that writes: a <see cref="ICommand{TResult}"/> or an <see cref="ICommandBatch{TResult}"/>. The behaviors
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
/// Several commands committed as one transaction: the handler sends each part through the whole pipeline (its
/// permission, its validation, its own ledger entry, exactly as if it were sent alone), and a part that fails undoes
/// every part of the batch. For work that would otherwise be thousands of one-command transactions (a staleness sweep).
/// The batch itself adds no ledger entry: its parts do.
/// </summary>
public interface ICommandBatch<TResult> : IRequest<TResult>, IWriteRequest;

/// <summary>A request that only reads. Never opens a transaction.</summary>
public interface IQuery<out TResult> : IRequest<TResult>;

/// <summary>A command carrying a client request id (AIP-155): a retry returns the first result.</summary>
public interface IIdempotentCommand
{
    string RequestId { get; }
}
