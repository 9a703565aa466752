using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Features.Claims;
using ClaimLedger.Server.Features.History;
using ClaimLedger.Server.Infrastructure.Data;

namespace ClaimLedger.Server.Features.Verification;

/// <summary>Moves a claim along the workflow inside the caller's transaction and records the move on its timeline.</summary>
internal static class StatusChange
{
    private const string UpdateSql = """
        UPDATE claims
        SET status = @To, verdict_id = coalesce(@VerdictId, verdict_id), update_time = @Now, revision = revision + 1
        WHERE id = @Id AND revision = @Revision
        """;

    /// <summary>Loads the claim, checks the etag and the transition; returns the row as it was.</summary>
    public static async Task<ClaimRow> PrepareAsync(DbSession db, string claimName, string etag, ClaimStatus to, CancellationToken ct)
    {
        ResourceNames.TryParseClaim(claimName, out var id);
        var row = await ClaimReads.RowAsync(db, id, ct);
        Etags.EnsureCurrent(row.Name, etag, row.Revision);
        ClaimWorkflow.EnsureCanMove(row.Name, row.StatusValue, to);
        return row;
    }

    public static async Task ApplyAsync(
        DbSession db, ClaimRow row, ClaimStatus to, ClaimEvent.Types.Type eventType, string actor, string now, CancellationToken ct,
        string? verdictId = null, string detail = "")
    {
        var changed = await db.ExecuteAsync(UpdateSql, new { Id = row.Id, To = DbEnum.ToDb(to), VerdictId = verdictId, Now = now, row.Revision }, ct);
        if (changed != 1)
        {
            // Cannot happen under the write gate; kept so a lost update can never pass silently.
            throw new EtagMismatchException(row.Name, Etags.For(row.Revision + 1));
        }

        await ClaimTimeline.AppendAsync(db, new ClaimTimeline.Entry(row.Id, eventType, actor, now, row.StatusValue, to, verdictId, Detail: detail), ct);
    }
}
