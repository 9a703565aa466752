using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Infrastructure.Data;
using ClaimLedger.Server.Infrastructure.Search;

namespace ClaimLedger.Server.Features.Claims;

/// <summary>
/// Finds claims similar to a text: candidates are the claims with the same normalised text (<see cref="INearDuplicateCandidates.SameTextAsync"/>) plus those
/// <see cref="INearDuplicateCandidates"/> proposes (the claims sharing a MinHash band key with it, ADR 21), then each
/// is scored with <see cref="TextSimilarity.Similarity"/> — the same scoring, threshold and order on every engine.
/// Retracted claims are ignored unless asked for (imports count them, so re-importing a retracted claim creates
/// nothing).
/// </summary>
internal static class SimilarClaims
{
    public sealed record Match(long Seq, string Id, double Similarity);

    /// <param name="since">Only claims recorded after this seq (see <see cref="NearDuplicatePrecheck"/>); 0 for all.</param>
    public static async Task<IReadOnlyList<Match>> FindAsync(DbSession db, INearDuplicateCandidates index, string normalized, double threshold, int max,
        CancellationToken ct, bool includeRetracted = false, long since = 0)
    {
        var filter = new NearDuplicateFilter(threshold, includeRetracted, since);
        var candidates = new List<NearDuplicateCandidate>(await index.SameTextAsync(db, normalized, filter, ct));
        candidates.AddRange(await index.FindAsync(db, normalized, filter, ct));

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
