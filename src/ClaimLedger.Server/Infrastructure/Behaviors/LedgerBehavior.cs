using ClaimLedger.Server.Infrastructure.Data;
using ClaimLedger.Server.Infrastructure.Ledger;
using ClaimLedger.Server.Infrastructure.Messaging;
using ClaimLedger.Server.Infrastructure.Security;
using ClaimLedger.Transparency;
using MediatR;

namespace ClaimLedger.Server.Infrastructure.Behaviors;

/// <summary>
/// Innermost, inside the command's transaction: after the handler, appends exactly one ledger entry describing the
/// change (what the command's <see cref="ICommand{TResult}.Ledger"/> says), chained to the previous entry. A command
/// that wrote no row (e.g. registering a source that exists) appends nothing; a failed command rolls its entry back
/// with everything else. A bulk command appends one entry per resource it changed, chained in its order, in one
/// statement (<see cref="JsonRows"/>). Watchers are woken after the commit.
/// </summary>
public sealed class LedgerBehavior<TRequest, TResponse>(DbSession session, ICurrentActor actor, TimeProvider clock, LedgerNotifier notifier)
    : IPipelineBehavior<TRequest, TResponse>
    where TRequest : IWriteRequest // queries are built without it (the container skips a behavior whose constraint fails)
{
    private const string HeadSql = "SELECT sequence AS Sequence, entry_hash AS EntryHash FROM ledger_entries ORDER BY sequence DESC LIMIT 1";

    private const string AppendSql = """
        INSERT INTO ledger_entries (sequence, time, actor, action, subject, changes, previous_hash, entry_hash)
        VALUES (@Sequence, @Time, @Actor, @Action, @Subject, @Changes, @PreviousHash, @EntryHash)
        """;

    private string AppendManySql => $"""
        INSERT INTO ledger_entries (sequence, time, actor, action, subject, changes, previous_hash, entry_hash)
        SELECT CAST(r.value ->> 0 AS BIGINT), r.value ->> 1, r.value ->> 2, r.value ->> 3, r.value ->> 4, r.value ->> 5, r.value ->> 6, r.value ->> 7
        FROM {session.JsonRows("@Rows", "r")}
        """;

    public async Task<TResponse> Handle(TRequest request, CancellationToken cancellationToken, RequestHandlerDelegate<TResponse> next)
    {
        if (request is IBulkCommand<TResponse> bulk)
        {
            session.LedgerAdditions.Clear();
            var result = await next();
            session.LedgerAdditions.Clear();
            await AppendAsync(bulk.Ledger(result), cancellationToken);
            return result;
        }

        if (request is not ICommand<TResponse> command)
        {
            return await next();
        }

        session.LedgerAdditions.Clear();
        var response = await next();
        if (!await session.HasWrittenAsync(cancellationToken))
        {
            session.LedgerAdditions.Clear();
            return response;
        }

        var record = command.Ledger(response);
        session.LedgerAdditions.ApplyTo(record.Subject, record.Changes);
        await AppendAsync([record], cancellationToken);
        return response;
    }

    /// <summary>
    /// Appends the entries, each chained to the one before, from the head as this transaction sees it. One entry (every
    /// single command) is one plain INSERT; more (a bulk command) are one INSERT of JSON rows.
    /// </summary>
    private async Task AppendAsync(IReadOnlyList<LedgerRecord> records, CancellationToken ct)
    {
        if (records.Count == 0)
        {
            return;
        }

        var head = await session.QuerySingleOrDefaultAsync<Head>(HeadSql, null, ct);
        var sequence = head?.Sequence ?? 0;
        var previous = head?.EntryHash ?? LedgerChain.GenesisHash;
        var time = DbTime.ToDb(clock.GetUtcNow());
        var entries = new List<Entry>(records.Count);
        foreach (var record in records)
        {
            sequence++;
            var changes = record.CanonicalChanges;
            var hash = LedgerChain.EntryHash(previous, sequence, time, actor.Name, record.Action, record.Subject, changes);
            entries.Add(new Entry(sequence, record.Action, record.Subject, changes, previous, hash));
            previous = hash;
        }

        if (entries is [var e])
        {
            await session.ExecuteAsync(AppendSql, new
            {
                e.Sequence, Time = time, Actor = actor.Name, e.Action, e.Subject, e.Changes, e.PreviousHash, e.EntryHash,
            }, ct);
        }
        else
        {
            await session.ExecuteAsync(AppendManySql, new
            {
                Rows = JsonRows.Of(entries, x => [x.Sequence, time, actor.Name, x.Action, x.Subject, x.Changes, x.PreviousHash, x.EntryHash]),
            }, ct);
        }

        await session.NotifyAsync(Cluster.ClusterEvents.LedgerChannel, sequence.ToString(System.Globalization.CultureInfo.InvariantCulture), notifier.Notify, ct);
    }

    private sealed record Head(long Sequence, string EntryHash);

    private sealed record Entry(long Sequence, string Action, string Subject, string Changes, string PreviousHash, string EntryHash);
}
