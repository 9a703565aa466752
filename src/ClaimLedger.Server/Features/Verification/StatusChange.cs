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

    // Many claims at once (JsonRows: id, revision), each only if it is still at the revision it was read at.
    private static string MoveManySql(DbSession db) => $"""
        UPDATE claims SET status = @To, update_time = @Now, revision = revision + 1
        FROM {db.JsonRows("@Rows", "r")}
        WHERE claims.id = r.value ->> 0 AND claims.revision = CAST(r.value ->> 1 AS BIGINT)
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

    /// <summary>
    /// Loads many claims and checks that each can move to <paramref name="to"/>: the rows as they were, in the order of
    /// <paramref name="claimIds"/>, or NOT_FOUND / FAILED_PRECONDITION for the first that cannot.
    /// </summary>
    public static async Task<IReadOnlyList<ClaimRow>> PrepareManyAsync(DbSession db, IReadOnlyList<string> claimIds, ClaimStatus to, CancellationToken ct)
    {
        var rows = (await ClaimReads.RowsAsync(db, claimIds, ct)).ToDictionary(r => r.Id, StringComparer.Ordinal);
        return claimIds.Select(id =>
        {
            var row = rows.GetValueOrDefault(id) ?? throw new NotFoundException(ResourceNames.Claim(id));
            ClaimWorkflow.EnsureCanMove(row.Name, row.StatusValue, to);
            return row;
        }).ToList();
    }

    /// <summary>The row as a move to <paramref name="to"/> at <paramref name="now"/> leaves it (no verdict change).</summary>
    public static ClaimRow Moved(ClaimRow row, ClaimStatus to, string now) =>
        row with { Status = DbEnum.ToDb(to), UpdateTime = now, Revision = row.Revision + 1 };

    /// <summary>
    /// The UPDATE of <see cref="ApplyAsync"/> for many claims at once (no verdict change): each row moves only from
    /// the revision it was read at, or the whole command fails (ABORTED), so a claim changed since it was read is never
    /// overwritten. The caller appends the timeline events.
    /// </summary>
    public static async Task MoveManyAsync(DbSession db, IReadOnlyList<ClaimRow> rows, ClaimStatus to, string now, CancellationToken ct)
    {
        var changed = await db.ExecuteAsync(MoveManySql(db), new { To = DbEnum.ToDb(to), Now = now, Rows = JsonRows.Of(rows, r => [r.Id, r.Revision]) }, ct);
        if (changed != rows.Count)
        {
            // Name the first claim that changed since it was read: not the one this statement just moved (the transaction
            // is rolled back either way).
            var current = (await ClaimReads.RowsAsync(db, rows.Select(r => r.Id).ToList(), ct)).ToDictionary(r => r.Id, StringComparer.Ordinal);
            var changedSince = rows.FirstOrDefault(r => current.GetValueOrDefault(r.Id) is not { } c || c.Revision != r.Revision + 1 || c.UpdateTime != now) ?? rows[0];
            throw new EtagMismatchException(changedSince.Name, Etags.For(current.GetValueOrDefault(changedSince.Id)?.Revision ?? changedSince.Revision));
        }
    }
}
