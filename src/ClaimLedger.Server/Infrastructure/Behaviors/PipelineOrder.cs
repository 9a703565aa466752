using MediatR.Pipeline;

namespace ClaimLedger.Server.Infrastructure.Behaviors;

/// <summary>
/// The MediatR pipeline, outermost first. Behaviors are found by assembly scanning and registered in this order;
/// a behavior missing from this list stops start-up, so the order is always this one readable list. MediatR's own
/// pre-processor behavior runs a request's IRequestPreProcessor steps just outside the write transaction.
/// </summary>
public static class PipelineOrder
{
    public static readonly Type[] Behaviors =
    [
        typeof(LoggingBehavior<,>),       // every request: name, outcome, elapsed time
        typeof(AuthorizationBehavior<,>), // API key → principal; the request's [Requires] permission, before anything is read
        typeof(ValidationBehavior<,>),    // FluentValidation → INVALID_ARGUMENT with field violations, before any I/O
        typeof(IdempotencyBehavior<,>),   // commands with a request_id: replay the first result
        typeof(RequestPreProcessorBehavior<,>), // IRequestPreProcessor<T>: a command's reads that need not hold the writer
        typeof(TransactionBehavior<,>),   // commands only: one connection + transaction, committed before the reply
        typeof(LedgerBehavior<,>),        // commands only, inside the transaction: exactly one hash-chained ledger entry
    ];
}
