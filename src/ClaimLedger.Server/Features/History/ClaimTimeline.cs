using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Infrastructure.Data;

namespace ClaimLedger.Server.Features.History;

/// <summary>
/// Appends to a claim's timeline (claim_events). Rows are never updated or deleted (triggers enforce it); each is also
/// recorded in the command's ledger entry ("events"), with the entry's actor as its actor.
/// </summary>
internal static class ClaimTimeline
{
    private const string AppendSql = """
        INSERT INTO claim_events (claim_id, sequence, type, from_status, to_status, verdict_id, evidence_id, actor, time, detail)
        VALUES (@ClaimId,
                (SELECT coalesce(max(sequence), 0) + 1 FROM claim_events WHERE claim_id = @ClaimId),
                @Type, @FromStatus, @ToStatus, @VerdictId, @EvidenceId, @Actor, @Time, @Detail)
        RETURNING sequence
        """;

    public sealed record Entry(
        string ClaimId,
        ClaimEvent.Types.Type Type,
        string Actor,
        string Time,
        ClaimStatus FromStatus = ClaimStatus.Unspecified,
        ClaimStatus ToStatus = ClaimStatus.Unspecified,
        string? VerdictId = null,
        string? EvidenceId = null,
        string Detail = "");

    // AppendSql's rows for many claims in one statement (JsonRows), each at the sequence it was given: a sequence taken
    // since (UNIQUE (claim_id, sequence)) fails the statement.
    private static string AppendManySql(DbSession db) => $"""
        INSERT INTO claim_events (claim_id, sequence, type, from_status, to_status, verdict_id, evidence_id, actor, time, detail)
        SELECT r.value ->> 0, CAST(r.value ->> 1 AS BIGINT), r.value ->> 2, r.value ->> 3, r.value ->> 4, r.value ->> 5, r.value ->> 6,
               r.value ->> 7, r.value ->> 8, r.value ->> 9
        FROM {db.JsonRows("@Rows", "r")}
        """;

    private static string LastSequencesSql(DbSession db) =>
        $"SELECT claim_id AS ClaimId, max(sequence) AS Sequence FROM claim_events WHERE {db.InList("claim_id", "@Ids")} GROUP BY claim_id";

    public static async Task AppendAsync(DbSession db, Entry e, CancellationToken ct)
    {
        var sequence = await db.ExecuteScalarAsync<long>(AppendSql, new
        {
            e.ClaimId,
            Type = DbEnum.ToDb(e.Type),
            FromStatus = DbEnum.ToDbOrNull(e.FromStatus),
            ToStatus = DbEnum.ToDbOrNull(e.ToStatus),
            e.VerdictId,
            e.EvidenceId,
            e.Actor,
            e.Time,
            e.Detail,
        }, ct);
        db.LedgerAdditions.Event(LedgerEvent(e, sequence));
    }

    /// <summary>The sequence the next event of each claim takes (1 for a claim without events).</summary>
    public static async Task<IReadOnlyDictionary<string, long>> NextSequencesAsync(DbSession db, IReadOnlyList<string> claimIds, CancellationToken ct)
    {
        var last = (await db.QueryAsync<(string ClaimId, long Sequence)>(LastSequencesSql(db), new { Ids = claimIds.ToArray() }, ct))
            .ToDictionary(l => l.ClaimId, l => l.Sequence, StringComparer.Ordinal);
        return claimIds.ToDictionary(id => id, id => last.GetValueOrDefault(id) + 1, StringComparer.Ordinal);
    }

    /// <summary>
    /// One event on each of many claims (a bulk command), each at the sequence it was given (see
    /// <see cref="NextSequencesAsync"/>), in one statement. The command records them in its entries itself
    /// (<see cref="LedgerEvent"/>): they are not added to <see cref="DbSession.LedgerAdditions"/>.
    /// </summary>
    public static Task AppendManyAsync(DbSession db, IReadOnlyList<(Entry Entry, long Sequence)> events, CancellationToken ct) =>
        db.ExecuteAsync(AppendManySql(db), new
        {
            Rows = JsonRows.Of(events, x => [x.Entry.ClaimId, x.Sequence, DbEnum.ToDb(x.Entry.Type), DbEnum.ToDbOrNull(x.Entry.FromStatus),
                DbEnum.ToDbOrNull(x.Entry.ToStatus), x.Entry.VerdictId, x.Entry.EvidenceId, x.Entry.Actor, x.Entry.Time, x.Entry.Detail]),
        }, ct);

    /// <summary>An event as a ledger entry records it ("events").</summary>
    public static System.Text.Json.Nodes.JsonObject LedgerEvent(Entry e, long sequence) =>
        Ledger.LedgerPayloads.Event(ResourceNames.Claim(e.ClaimId), sequence, e.Type, e.FromStatus, e.ToStatus,
            e.VerdictId is null ? null : ResourceNames.Verdict(e.ClaimId, e.VerdictId),
            e.EvidenceId is null ? null : ResourceNames.Evidence(e.ClaimId, e.EvidenceId), e.Time, e.Detail);
}
