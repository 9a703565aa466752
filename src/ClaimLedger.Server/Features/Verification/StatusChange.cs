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

    // Many claims at once: each only if it is still at the revision it was read at (the key "id:revision").
    private static string UpdateManySql(DbSession db) => $"""
        UPDATE claims
        SET status = @To, update_time = @Now, revision = revision + 1
        WHERE {db.InList("id", "@Ids")} AND {db.InList("id || ':' || revision", "@Keys")}
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

    /// <summary>
    /// <see cref="ApplyAsync"/> for many claims (no verdict change), in set statements: each row moves only from the
    /// revision it was read at, and each gets its timeline event. Returns each claim's event for its ledger entry.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, System.Text.Json.Nodes.JsonObject>> ApplyManyAsync(DbSession db, IReadOnlyList<(ClaimRow Row, string Detail)> claims,
        ClaimStatus to, ClaimEvent.Types.Type eventType, string actor, string now, CancellationToken ct)
    {
        var changed = await db.ExecuteAsync(UpdateManySql(db), new
        {
            To = DbEnum.ToDb(to),
            Now = now,
            Ids = claims.Select(c => c.Row.Id).ToArray(),
            Keys = claims.Select(c => $"{c.Row.Id}:{c.Row.Revision}").ToArray(),
        }, ct);
        if (changed != claims.Count)
        {
            // Cannot happen under the write gate; a claim changed since it was read fails the whole command.
            throw new EtagMismatchException(claims[0].Row.Name, Etags.For(claims[0].Row.Revision + 1));
        }

        return await ClaimTimeline.AppendManyAsync(db, claims.Select(c =>
            new ClaimTimeline.Entry(c.Row.Id, eventType, actor, now, c.Row.StatusValue, to, Detail: c.Detail)).ToList(), ct);
    }
}
