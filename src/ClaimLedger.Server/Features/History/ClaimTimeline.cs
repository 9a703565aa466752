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

    // The same row as AppendSql, for many claims in one statement (ValuesList); each claim at most once.
    private const string AppendManySql = """
        INSERT INTO claim_events (claim_id, sequence, type, from_status, to_status, verdict_id, evidence_id, actor, time, detail)
        VALUES {values}
        RETURNING claim_id AS ClaimId, sequence AS Sequence
        """;

    private const string AppendManyRow = """
        (@ClaimId, (SELECT coalesce(max(sequence), 0) + 1 FROM claim_events WHERE claim_id = @ClaimId),
         @Type, @FromStatus, @ToStatus, @VerdictId, @EvidenceId, @Actor, @Time, @Detail)
        """;

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

    /// <summary>
    /// One event on each of many claims (a bulk command), in set statements: returns each claim's event as its ledger
    /// entry records it, by claim id, for the command to put in that claim's entry. Each claim may appear only once.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, System.Text.Json.Nodes.JsonObject>> AppendManyAsync(DbSession db, IReadOnlyList<Entry> entries,
        CancellationToken ct)
    {
        var byClaim = entries.ToDictionary(e => e.ClaimId, StringComparer.Ordinal); // throws on a claim given twice
        var appended = await ValuesList.QueryAsync<Entry, (string ClaimId, long Sequence)>(db, AppendManySql, AppendManyRow, entries, e =>
            [e.ClaimId, DbEnum.ToDb(e.Type), DbEnum.ToDbOrNull(e.FromStatus), DbEnum.ToDbOrNull(e.ToStatus), e.VerdictId, e.EvidenceId, e.Actor, e.Time, e.Detail], ct);
        return appended.ToDictionary(a => a.ClaimId, a => LedgerEvent(byClaim[a.ClaimId], a.Sequence), StringComparer.Ordinal);
    }

    private static System.Text.Json.Nodes.JsonObject LedgerEvent(Entry e, long sequence) =>
        Ledger.LedgerPayloads.Event(ResourceNames.Claim(e.ClaimId), sequence, e.Type, e.FromStatus, e.ToStatus,
            e.VerdictId is null ? null : ResourceNames.Verdict(e.ClaimId, e.VerdictId),
            e.EvidenceId is null ? null : ResourceNames.Evidence(e.ClaimId, e.EvidenceId), e.Time, e.Detail);
}
