using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Infrastructure.Data;
using ClaimLedger.Server.Infrastructure.Search;

namespace ClaimLedger.Server.Features.Claims;

/// <summary>
/// The near-duplicate search, split so that its costly part runs outside the write transaction (ADR 0015): a
/// pre-processor searches every claim committed so far, on the request's own connection, concurrently with other
/// requests; inside the transaction, <see cref="ClaimWriter.EnsureNotDuplicateAsync"/> then only has to search the
/// claims recorded since (seq above <see cref="Result.Through"/>), which is what keeps the single writer's turn short.
/// Scoped: one per request.
/// </summary>
internal sealed class NearDuplicatePrecheck
{
    public sealed record Result(string Normalized, bool IncludeRetracted, long Through, IReadOnlyList<SimilarClaims.Match> Found);

    private const string ThroughSql = "SELECT coalesce(max(seq), 0) FROM claims";

    public Result? Done { get; private set; }

    public async Task RunAsync(DbSession db, INearDuplicateCandidates index, string text, bool includeRetracted, CancellationToken ct)
    {
        var normalized = TextSimilarity.Normalize(text.Trim());
        // Read first: every claim up to it is then visible to the search that follows.
        var through = await db.ExecuteScalarAsync<long>(ThroughSql, null, ct);
        var found = await SimilarClaims.FindAsync(db, index, normalized, TextSimilarity.DuplicateThreshold, 10, ct, includeRetracted);
        Done = new Result(normalized, includeRetracted, through, found);
    }

    /// <summary>Claims the search inside the transaction can skip: all up to this seq were searched already and none was similar.</summary>
    public long SearchedThrough(string normalized, bool includeRetracted) =>
        Done is { Found.Count: 0 } r && r.Normalized == normalized && r.IncludeRetracted == includeRetracted ? r.Through : 0;
}
