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
/// with everything else. A bulk command appends one entry per resource it changed, chained in its order, with one
/// statement per <see cref="ValuesList.RowsPerStatement"/> entries. Watchers are woken after the commit.
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

    private const string AppendManySql = """
        INSERT INTO ledger_entries (sequence, time, actor, action, subject, changes, previous_hash, entry_hash)
        VALUES {values}
        """;

    private const string AppendRow = "(@Sequence, @Time, @Actor, @Action, @Subject, @Changes, @PreviousHash, @EntryHash)";

    public async Task<TResponse> Handle(TRequest request, CancellationToken cancellationToken, RequestHandlerDelegate<TResponse> next)
    {
        if (request is IBulkCommand<TResponse> bulk)
        {
            session.LedgerAdditions.Clear();
            var result = await next();
            session.LedgerAdditions.Clear();
            await AppendManyAsync(bulk.Ledger(result), cancellationToken);
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
        var head = await session.QuerySingleOrDefaultAsync<Head>(HeadSql, null, cancellationToken);
        var sequence = (head?.Sequence ?? 0) + 1;
        var previous = head?.EntryHash ?? LedgerChain.GenesisHash;
        var time = DbTime.ToDb(clock.GetUtcNow());
        var changes = CanonicalJson.ToText(record.Changes);
        var canonical = LedgerChain.CanonicalEntry(sequence, time, actor.Name, record.Action, record.Subject, System.Text.Json.Nodes.JsonNode.Parse(changes));
        await session.ExecuteAsync(AppendSql, new
        {
            Sequence = sequence,
            Time = time,
            Actor = actor.Name,
            record.Action,
            record.Subject,
            Changes = changes,
            PreviousHash = previous,
            EntryHash = LedgerChain.EntryHash(previous, canonical),
        }, cancellationToken);
        await session.NotifyAsync(Cluster.ClusterEvents.LedgerChannel, sequence.ToString(System.Globalization.CultureInfo.InvariantCulture), notifier.Notify,
            cancellationToken);
        return response;
    }

    private async Task AppendManyAsync(IReadOnlyList<LedgerRecord> records, CancellationToken ct)
    {
        if (records.Count == 0)
        {
            return;
        }

        var head = await session.QuerySingleOrDefaultAsync<Head>(HeadSql, null, ct);
        var sequence = head?.Sequence ?? 0;
        var previous = head?.EntryHash ?? LedgerChain.GenesisHash;
        var time = DbTime.ToDb(clock.GetUtcNow());
        var rows = new List<object?[]>(records.Count);
        foreach (var record in records)
        {
            sequence++;
            var changes = CanonicalJson.ToText(record.Changes);
            var canonical = LedgerChain.CanonicalEntry(sequence, time, actor.Name, record.Action, record.Subject, System.Text.Json.Nodes.JsonNode.Parse(changes));
            var hash = LedgerChain.EntryHash(previous, canonical);
            rows.Add([sequence, time, actor.Name, record.Action, record.Subject, changes, previous, hash]);
            previous = hash;
        }

        await ValuesList.ExecuteAsync(session, AppendManySql, AppendRow, rows, row => row, ct);
        await session.NotifyAsync(Cluster.ClusterEvents.LedgerChannel, sequence.ToString(System.Globalization.CultureInfo.InvariantCulture), notifier.Notify, ct);
    }

    private sealed record Head(long Sequence, string EntryHash);
}
