using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Infrastructure.Data;
using ClaimLedger.Server.Infrastructure.Ledger;
using ClaimLedger.Server.Infrastructure.Messaging;
using ClaimLedger.Server.Infrastructure.Security;
using FluentValidation;
using Grpc.Core;
using MediatR;

namespace ClaimLedger.Server.Features.Ledger;

/// <summary>
/// Streams ledger entries in sequence order from a starting sequence, then each new entry as it commits. Every entry
/// is sent exactly once per stream; a client that reconnects with its last sequence + 1 misses and repeats nothing.
/// </summary>
public static class WatchLedger
{
    public const int BatchSize = 500;

    /// <summary>One batch of entries at or after <paramref name="From"/>.</summary>
    [Requires(Permission.Audit)]
    public sealed record Query(long From) : IQuery<IReadOnlyList<LedgerEntry>>;

    public sealed class Validator : AbstractValidator<Query>
    {
        public Validator() => RuleFor(q => q.From).GreaterThanOrEqualTo(0).OverridePropertyName("start_sequence");
    }

    internal sealed class Handler(DbSession db) : IRequestHandler<Query, IReadOnlyList<LedgerEntry>>
    {
        public async Task<IReadOnlyList<LedgerEntry>> Handle(Query query, CancellationToken ct) =>
            (await db.QueryAsync<LedgerRow>(
                $"SELECT {LedgerRow.Columns} FROM ledger_entries WHERE sequence >= @From ORDER BY sequence LIMIT {BatchSize}",
                new { query.From }, ct)).Select(r => r.ToEntry()).ToList();
    }

    /// <summary>
    /// The streaming loop: read a batch, send it, and wait for the next commit (or a poll interval) when caught up. When
    /// the server stops, the stream ends with UNAVAILABLE (SERVER_STOPPING) naming the sequence to resume from.
    /// </summary>
    public static async Task StreamAsync(IMediator mediator, LedgerNotifier notifier, long startSequence, IServerStreamWriter<LedgerEntry> stream, CancellationToken ct)
    {
        var next = Math.Max(1, startSequence);
        using var watching = CancellationTokenSource.CreateLinkedTokenSource(ct, notifier.Stopping);
        try
        {
            while (!watching.IsCancellationRequested)
            {
                var committed = notifier.NextAsync; // taken before the read, so a commit during the read is not missed
                var batch = await mediator.Send(new Query(next), watching.Token);
                foreach (var entry in batch)
                {
                    await stream.WriteAsync(entry, ct);
                    next = entry.Sequence + 1;
                }

                if (batch.Count < BatchSize)
                {
                    await Task.WhenAny(committed, Task.Delay(notifier.PollInterval, watching.Token));
                }
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // Only the server stopping cancels the loop without cancelling the call.
        }

        if (!ct.IsCancellationRequested && notifier.Stopping.IsCancellationRequested)
        {
            throw new ServerStoppingException($"The server is shutting down; watch again from sequence {next} (start_sequence) on another or the restarted server.");
        }
    }
}
