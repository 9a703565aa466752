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
        db.LedgerAdditions.Event(Ledger.LedgerPayloads.Event(ResourceNames.Claim(e.ClaimId), sequence, e.Type, e.FromStatus, e.ToStatus,
            e.VerdictId is null ? null : ResourceNames.Verdict(e.ClaimId, e.VerdictId),
            e.EvidenceId is null ? null : ResourceNames.Evidence(e.ClaimId, e.EvidenceId), e.Time, e.Detail));
    }
}
