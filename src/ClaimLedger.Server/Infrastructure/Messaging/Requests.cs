using MediatR;

namespace ClaimLedger.Server.Infrastructure.Messaging;

/// <summary>A request that changes state. Runs in one transaction, committed before the reply.</summary>
public interface ICommand<out TResult> : IRequest<TResult>;

/// <summary>A request that only reads. Never opens a transaction.</summary>
public interface IQuery<out TResult> : IRequest<TResult>;

/// <summary>A command carrying a client request id (AIP-155): a retry returns the first result.</summary>
public interface IIdempotentCommand
{
    string RequestId { get; }
}
