using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Infrastructure.Data;

namespace ClaimLedger.Server.Features.Claims;

/// <summary>
/// Finds claims similar to a text: candidates are the best BM25 matches for any of the text's rarest words (see
/// <see cref="TermRarity"/>; plus exact normalised matches), then each is scored with <see cref="TextSimilarity.Similarity"/>. Retracted claims are ignored
/// unless asked for (imports count them, so re-importing a retracted claim creates nothing).
/// </summary>
internal static class SimilarClaims
{
    private const int MaxWords = 24;
    private const int RareWords = 6;
    private const long PostingsBudget = 600;
    private const string MaxCandidates = "25";

    private const string CandidatesSql = $"""
        SELECT c.seq AS Seq, c.id AS Id, c.normalized_text AS NormalizedText
        FROM claims_fts f JOIN claims c ON c.seq = f.rowid
        WHERE claims_fts MATCH @Match AND f.rowid > @Since AND (@IncludeRetracted OR c.status <> 'RETRACTED')
        ORDER BY bm25(claims_fts)
        LIMIT {MaxCandidates}
        """;

    private const string ExactSql = """
        SELECT c.seq AS Seq, c.id AS Id, c.normalized_text AS NormalizedText
        FROM claims c
        WHERE c.normalized_text = @Normalized AND c.seq > @Since AND (@IncludeRetracted OR c.status <> 'RETRACTED')
        """;

    /// <param name="since">Only claims recorded after this seq (see <see cref="NearDuplicatePrecheck"/>); 0 for all.</param>
    public sealed record Match(long Seq, string Id, double Similarity);

    private sealed record Candidate(long Seq, string Id, string NormalizedText);

    public static async Task<IReadOnlyList<Match>> FindAsync(DbSession db, TermRarity rarity, string normalized, double threshold, int max,
        CancellationToken ct, bool includeRetracted = false, long since = 0)
    {
        var words = await rarity.RarestAsync(db, TextSimilarity.Words(normalized, MaxWords), RareWords, PostingsBudget, ct);
        var candidates = new List<Candidate>(await db.QueryAsync<Candidate>(ExactSql, new { Normalized = normalized, IncludeRetracted = includeRetracted, Since = since }, ct));
        if (words.Count > 0)
        {
            var match = string.Join(" OR ", words.Select(w => "\"" + w + "\""));
            candidates.AddRange(await db.QueryAsync<Candidate>(CandidatesSql, new { Match = match, IncludeRetracted = includeRetracted, Since = since }, ct));
        }

        var profile = TextSimilarity.Profile.Of(normalized);
        return candidates
            .DistinctBy(c => c.Seq)
            .Select(c => new Match(c.Seq, c.Id, TextSimilarity.Similarity(profile, TextSimilarity.Profile.Of(c.NormalizedText))))
            .Where(m => m.Similarity >= threshold)
            .OrderByDescending(m => m.Similarity)
            .ThenBy(m => m.Seq)
            .Take(max)
            .ToList();
    }
}
