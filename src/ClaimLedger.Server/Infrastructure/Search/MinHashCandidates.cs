using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Infrastructure.Data;
using Dapper;
using Microsoft.Extensions.Options;

namespace ClaimLedger.Server.Infrastructure.Search;

/// <summary>
/// Near-duplicate candidates by locality-sensitive hashing (ADR 21): every claim is indexed under the
/// <see cref="MinHashBands"/> keys of its normalised text (claim_bands, written in the transaction that writes the
/// text), and a text's candidates are the claims that share at least one key with it — for each key the
/// <see cref="PerKey"/> most recently recorded. Cost per check: <see cref="MinHashBands.Count"/> index range reads of
/// at most <see cref="PerKey"/> entries, whatever the number of claims; a pair at TextSimilarity 0.8 or more shares a
/// key with probability at least 0.99 (<see cref="MinHashBands"/>).
/// </summary>
/// <remarks>
/// <para>
/// <b>The cap per key.</b> A key holds the claims whose MinHash values agree on all rows of one band: claims alike
/// enough to be near-duplicates, and by chance claims built of the same common shingles. Only the latter make a key
/// large, so a key is cut to its <see cref="PerKey"/> most recent claims. A near-duplicate is lost only if every key it
/// shares with the text is over the cap and it is older than the claims kept for each; a pair at 0.8 shares on average
/// a third of its keys with the text, most of them made of its rarer shingles, and CreateClaim needs one match to
/// refuse. Measured (ADR 21): the cap changed no answer at 1M claims, where 0.5 % of keys were over it.
/// </para>
/// <para>
/// <b>Below the duplicate threshold.</b> The bands are sized for <see cref="TextSimilarity.DuplicateThreshold"/>; pairs
/// below it share a key less often (ADR 21 gives the curve). When a caller asks for less (FindSimilarClaims'
/// min_similarity), the <see cref="FullTextCandidates"/> best full-text matches for the text's words are candidates too,
/// found as SearchClaims finds them (<see cref="IFullTextSearch"/>, the newest Search:RankingWindow matches ranked), so
/// that loosely similar claims sharing its rarer words are still found, at a bounded cost.
/// </para>
/// <para>
/// The SQL is the same on both engines: a union of one LIMIT-ed index range per key (claim_bands' primary key is
/// (band_key, claim_seq)), its placeholders numbered from the constant number of keys.
/// </para>
/// </remarks>
public sealed class MinHashCandidates(IFullTextSearch fullText, IOptions<Features.Claims.SearchClaims.Options> search) : INearDuplicateCandidates
{
    /// <summary>How many claims one band key yields at most: the most recently recorded.</summary>
    public const int PerKey = 50;

    /// <summary>How many full-text matches are candidates too when the caller asks for less than the duplicate threshold.</summary>
    public const int FullTextCandidates = 25;

    /// <summary>How many of a text's longest words the full-text query holds.</summary>
    public const int FullTextWords = 24;

    private static readonly MinHashBands Bands = MinHashBands.Default;

    private static readonly string InsertSql =
        "INSERT INTO claim_bands (band_key, claim_seq) VALUES " + string.Join(", ", Keys.Select(k => $"({k}, @Seq)"));

    private static readonly string DeleteSql =
        $"DELETE FROM claim_bands WHERE claim_seq = @Seq AND band_key IN ({string.Join(", ", Keys)})";

    private static readonly string CandidatesSql = $"""
        WITH banded (claim_seq) AS (
            {string.Join("\n    UNION ALL\n    ", Keys.Select((k, i) =>
                $"SELECT claim_seq FROM (SELECT claim_seq FROM claim_bands WHERE band_key = {k} AND claim_seq > @Since ORDER BY claim_seq DESC LIMIT @PerKey) AS b{i}"))})
        SELECT c.seq AS Seq, c.id AS Id, c.normalized_text AS NormalizedText
        FROM claims c
        WHERE c.seq IN (SELECT claim_seq FROM banded) AND (@IncludeRetracted OR c.status <> 'RETRACTED')
        """;

    /// <summary>The key placeholders: @K0 … @K(n−1), one per band.</summary>
    private static IEnumerable<string> Keys => Enumerable.Range(0, Bands.Count).Select(i => "@K" + i);

    public async Task<IReadOnlyList<NearDuplicateCandidate>> FindAsync(DbSession db, string normalized, NearDuplicateFilter filter, CancellationToken ct)
    {
        var keys = Bands.Keys(normalized);
        if (keys.Length == 0)
        {
            return [];
        }

        var parameters = KeyParameters(keys);
        parameters.Add("Since", filter.Since);
        parameters.Add("PerKey", PerKey);
        parameters.Add("IncludeRetracted", filter.IncludeRetracted);
        var candidates = await db.QueryAsync<NearDuplicateCandidate>(CandidatesSql, parameters, ct);
        return filter.MinSimilarity < TextSimilarity.DuplicateThreshold
            ? [.. candidates, .. await FullTextAsync(db, normalized, filter, ct)]
            : candidates;
    }

    public Task AddAsync(DbSession db, long seq, string normalized, CancellationToken ct) => WriteAsync(db, InsertSql, seq, normalized, ct);

    public Task RemoveAsync(DbSession db, long seq, string normalized, CancellationToken ct) => WriteAsync(db, DeleteSql, seq, normalized, ct);

    private static async Task WriteAsync(DbSession db, string sql, long seq, string normalized, CancellationToken ct)
    {
        var keys = Bands.Keys(normalized);
        if (keys.Length == 0)
        {
            return; // the empty text: found by its exact normalised match only
        }

        var parameters = KeyParameters(keys);
        parameters.Add("Seq", seq);
        await db.ExecuteAsync(sql, parameters, ct);
    }

    private static DynamicParameters KeyParameters(long[] keys)
    {
        var parameters = new DynamicParameters();
        for (var i = 0; i < keys.Length; i++)
        {
            parameters.Add("K" + i, keys[i]);
        }

        return parameters;
    }

    /// <summary>The best full-text matches for any of the text's longest words (each quoted: a word of a normalised text is letters and digits).</summary>
    private async Task<IReadOnlyList<NearDuplicateCandidate>> FullTextAsync(DbSession db, string normalized, NearDuplicateFilter filter, CancellationToken ct)
    {
        var words = TextSimilarity.Words(normalized, FullTextWords);
        if (words.Count == 0)
        {
            return [];
        }

        var query = string.Join(" OR ", words.Select(w => "\"" + w + "\""));
        var hits = await fullText.SearchAsync(db, new FullTextSearchRequest(query, null, 0, FullTextCandidates, Math.Max(1, search.Value.RankingWindow)), ct);
        if (hits.Count == 0)
        {
            return [];
        }

        return await db.QueryAsync<NearDuplicateCandidate>(
            $"""
             SELECT c.seq AS Seq, c.id AS Id, c.normalized_text AS NormalizedText
             FROM claims c
             WHERE {db.InList("c.seq", "@Seqs")} AND c.seq > @Since AND (@IncludeRetracted OR c.status <> 'RETRACTED')
             """,
            new { Seqs = hits.Select(h => h.Seq).ToArray(), filter.Since, filter.IncludeRetracted }, ct);
    }
}
