using System.Collections.Concurrent;
using System.Globalization;
using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Infrastructure.Data;
using Microsoft.Extensions.Options;

namespace ClaimLedger.Server.Infrastructure.Search;

/// <summary>
/// Near-duplicate candidates by locality-sensitive hashing (ADR 21), the scheme of both engines: every claim is
/// indexed under the <see cref="MinHashBands"/> keys of its normalised text (claim_bands, written in the transaction
/// that writes the text), and a text's candidates are the claims that share at least one key with it — for each key
/// the <see cref="PerKey"/> most recently recorded. Cost per check: <see cref="MinHashBands.Count"/> index range reads
/// of at most <see cref="PerKey"/> entries, whatever the number of claims; a pair at TextSimilarity 0.8 or more shares
/// a key with probability at least 0.99 (<see cref="MinHashBands"/>). The engine writes the SQL, one statement each
/// with the keys as one parameter (<see cref="SqliteMinHashCandidates"/>: a JSON array and json_each;
/// <see cref="PostgresMinHashCandidates"/>: a bigint[] and unnest).
/// </summary>
/// <remarks>
/// <para>
/// <b>The cap per key.</b> A key holds the claims whose MinHash values agree on all rows of one band: claims alike
/// enough to be near-duplicates, and by chance claims made of the same common shingles. Only the latter make a key
/// large, so a key yields its <see cref="PerKey"/> most recent claims. A near-duplicate is lost only if every key it
/// shares with the text is over the cap and it is older than the claims kept for each; a pair at 0.8 shares several
/// keys on average, most of them made of its rarer shingles, and CreateClaim needs one match to refuse. Measured
/// (ADR 21): the cap changed no answer at a million claims.
/// </para>
/// <para>
/// <b>Below the duplicate threshold.</b> The bands are sized for <see cref="TextSimilarity.DuplicateThreshold"/>; pairs
/// below it share a key less often (ADR 21 gives the curve). When a caller asks for less (FindSimilarClaims'
/// min_similarity), the <see cref="FullTextCandidates"/> best full-text matches for the text's words are candidates too,
/// found as SearchClaims finds them (<see cref="IFullTextSearch"/>, the newest Search:RankingWindow matches ranked), so
/// that loosely similar claims sharing its rarer words are still found, at a bounded cost.
/// </para>
/// <para>
/// A request computes a text's keys up to three times (the search before the transaction, the search inside it, the
/// insert): the keys of recent texts are kept, so the two inside the single writer's turn find them computed.
/// </para>
/// </remarks>
public abstract class MinHashCandidates(IFullTextSearch fullText, IOptions<Features.Claims.SearchClaims.Options> search) : INearDuplicateCandidates
{
    /// <summary>How many claims one band key yields at most: the most recently recorded.</summary>
    public const int PerKey = 50;

    /// <summary>How many full-text matches are candidates too when the caller asks for less than the duplicate threshold.</summary>
    public const int FullTextCandidates = 25;

    /// <summary>How many of a text's longest words the full-text query holds.</summary>
    public const int FullTextWords = 24;

    private const int MaxKept = 4096;

    private static readonly MinHashBands Bands = MinHashBands.Default;

    private readonly ConcurrentDictionary<string, long[]> _kept = new(StringComparer.Ordinal);
    private int _keptCount;

    private const string EmptyTextSql = """
        SELECT c.seq AS Seq, c.id AS Id, c.normalized_text AS NormalizedText
        FROM claims c
        WHERE c.normalized_text = '' AND c.seq > @Since AND (@IncludeRetracted OR c.status <> 'RETRACTED')
        """;

    /// <summary>
    /// Candidates: the claims of claim_bands with a key of @Keys and a seq above @Since, the @PerKey newest per key,
    /// that are not RETRACTED unless @IncludeRetracted; columns Seq, Id, NormalizedText.
    /// </summary>
    protected abstract string CandidatesSql { get; }

    /// <summary>
    /// The claims indexed under @Key (a text's first band key) with a seq above @Since whose normalised text is
    /// @Normalized, not RETRACTED unless @IncludeRetracted; columns Seq, Id, NormalizedText. Read from the key's few
    /// claim_bands entries, then each claim by its primary key, whatever the engine's statistics say.
    /// </summary>
    protected internal abstract string SameTextSql { get; }

    /// <summary>Inserts (key, @Seq) for every key of @Keys.</summary>
    protected abstract string InsertSql { get; }

    /// <summary>Deletes (key, @Seq) for every key of @Keys.</summary>
    protected abstract string DeleteSql { get; }

    /// <summary>The keys as the one parameter @Keys.</summary>
    protected abstract object KeysParameter(long[] keys);

    public async Task<IReadOnlyList<NearDuplicateCandidate>> FindAsync(DbSession db, string normalized, NearDuplicateFilter filter, CancellationToken ct)
    {
        var keys = KeysOf(normalized);
        if (keys.Length == 0)
        {
            return [];
        }

        var candidates = await db.QueryAsync<NearDuplicateCandidate>(CandidatesSql,
            new { Keys = KeysParameter(keys), filter.Since, PerKey, filter.IncludeRetracted }, ct);
        return filter.MinSimilarity < TextSimilarity.DuplicateThreshold
            ? [.. candidates, .. await FullTextAsync(db, normalized, filter, ct)]
            : candidates;
    }

    /// <summary>
    /// Equal normalised texts have equal band keys, so the claims with this text are among those indexed under its first
    /// key (every one of them: no cap per key here), and the text itself decides. The empty text has no keys: its claims
    /// are found by the partial index ix_claims_empty_text (migration 0011). One statement on either engine, with no
    /// index of the text itself (it cost as much as the text, ADR 24).
    /// </summary>
    public async Task<IReadOnlyList<NearDuplicateCandidate>> SameTextAsync(DbSession db, string normalized, NearDuplicateFilter filter, CancellationToken ct)
    {
        var keys = KeysOf(normalized);
        return keys.Length == 0
            ? await db.QueryAsync<NearDuplicateCandidate>(EmptyTextSql, new { filter.Since, filter.IncludeRetracted }, ct)
            : await db.QueryAsync<NearDuplicateCandidate>(SameTextSql, new { Key = keys[0], Normalized = normalized, filter.Since, filter.IncludeRetracted }, ct);
    }

    public Task AddAsync(DbSession db, long seq, string normalized, CancellationToken ct) => WriteAsync(db, InsertSql, seq, normalized, ct);

    public Task RemoveAsync(DbSession db, long seq, string normalized, CancellationToken ct) => WriteAsync(db, DeleteSql, seq, normalized, ct);

    private async Task WriteAsync(DbSession db, string sql, long seq, string normalized, CancellationToken ct)
    {
        var keys = KeysOf(normalized);
        if (keys.Length > 0) // the empty text has none: only its exact normalised match finds it
        {
            await db.ExecuteAsync(sql, new { Keys = KeysParameter(keys), Seq = seq }, ct);
        }
    }

    private long[] KeysOf(string normalized)
    {
        if (_kept.TryGetValue(normalized, out var kept))
        {
            return kept;
        }

        var keys = Bands.Keys(normalized);
        if (Interlocked.Increment(ref _keptCount) > MaxKept)
        {
            _kept.Clear();
            Interlocked.Exchange(ref _keptCount, 0);
        }

        _kept[normalized] = keys;
        return keys;
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

/// <summary>
/// <see cref="MinHashCandidates"/> on SQLite: the keys are one JSON array read with json_each. For each key, the
/// correlated subquery finds the @PerKey-th newest claim with it (one seek and a short walk back along the primary key),
/// and the claims from there on are taken: @PerKey at most, with no per-key LIMIT, which SQLite has no LATERAL for. One
/// short statement (a union of one LIMIT-ed subquery per key took 1.4 ms to prepare and run, this 0.2 ms).
/// </summary>
public sealed class SqliteMinHashCandidates(IFullTextSearch fullText, IOptions<Features.Claims.SearchClaims.Options> search)
    : MinHashCandidates(fullText, search)
{
    protected override string CandidatesSql => """
        SELECT c.seq AS Seq, c.id AS Id, c.normalized_text AS NormalizedText
        FROM claims c
        WHERE c.seq IN (
                SELECT b.claim_seq
                FROM json_each(@Keys) AS k
                JOIN claim_bands b ON b.band_key = k.value AND b.claim_seq > @Since
                 AND b.claim_seq >= coalesce((
                        SELECT o.claim_seq FROM claim_bands o
                        WHERE o.band_key = k.value AND o.claim_seq > @Since
                        ORDER BY o.claim_seq DESC
                        LIMIT 1 OFFSET @PerKey - 1), 0))
          AND (@IncludeRetracted OR c.status <> 'RETRACTED')
        """;

    protected internal override string SameTextSql => """
        SELECT c.seq AS Seq, c.id AS Id, c.normalized_text AS NormalizedText
        FROM claim_bands b
        JOIN claims c ON c.seq = b.claim_seq
        WHERE b.band_key = @Key AND b.claim_seq > @Since AND c.normalized_text = @Normalized
          AND (@IncludeRetracted OR c.status <> 'RETRACTED')
        """;

    protected override string InsertSql => "INSERT INTO claim_bands (band_key, claim_seq) SELECT value, @Seq FROM json_each(@Keys)";

    protected override string DeleteSql => "DELETE FROM claim_bands WHERE claim_seq = @Seq AND band_key IN (SELECT value FROM json_each(@Keys))";

    protected override object KeysParameter(long[] keys) => "[" + string.Join(",", keys.Select(k => k.ToString(CultureInfo.InvariantCulture))) + "]";

    /// <summary>Rows for the back-fill's staging table: one JSON array of [key, seq] pairs.</summary>
    public static readonly ClaimBandsBackfill.StagingInsert BackfillStaging = new(
        "INSERT INTO claim_bands_staging (band_key, claim_seq) SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(@Rows)",
        rows => new { Rows = "[" + string.Join(",", rows.Select(r => string.Create(CultureInfo.InvariantCulture, $"[{r.Key},{r.Seq}]"))) + "]" });
}

/// <summary>
/// <see cref="MinHashCandidates"/> on PostgreSQL: the keys are one bigint[]; for each key a LATERAL subquery reads the
/// @PerKey newest claims with it, backwards along the primary key.
/// </summary>
public sealed class PostgresMinHashCandidates(IFullTextSearch fullText, IOptions<Features.Claims.SearchClaims.Options> search)
    : MinHashCandidates(fullText, search)
{
    protected override string CandidatesSql => """
        SELECT c.seq AS Seq, c.id AS Id, c.normalized_text AS NormalizedText
        FROM claims c
        WHERE c.seq IN (
                SELECT b.claim_seq
                FROM unnest(@Keys) AS k (band_key)
                CROSS JOIN LATERAL (
                    SELECT claim_seq FROM claim_bands
                    WHERE band_key = k.band_key AND claim_seq > @Since
                    ORDER BY claim_seq DESC
                    LIMIT @PerKey) AS b)
          AND (@IncludeRetracted OR c.status <> 'RETRACTED')
        """;

    /// <remarks>
    /// The key's claims are gathered into an array first, then read by primary key. The plain join (as on SQLite) was
    /// planned, before the first ANALYZE of a new database, as a scan of every claim comparing its text: 6.6 ms per
    /// check at 20,000 claims against 0.05 ms, until autovacuum's first ANALYZE (ADR 26).
    /// </remarks>
    protected internal override string SameTextSql => """
        SELECT c.seq AS Seq, c.id AS Id, c.normalized_text AS NormalizedText
        FROM claims c
        WHERE c.seq = ANY(ARRAY(SELECT claim_seq FROM claim_bands WHERE band_key = @Key AND claim_seq > @Since))
          AND c.normalized_text = @Normalized
          AND (@IncludeRetracted OR c.status <> 'RETRACTED')
        """;

    protected override string InsertSql => "INSERT INTO claim_bands (band_key, claim_seq) SELECT unnest(@Keys), @Seq";

    protected override string DeleteSql => "DELETE FROM claim_bands WHERE claim_seq = @Seq AND band_key = ANY(@Keys)";

    protected override object KeysParameter(long[] keys) => keys;

    /// <summary>Rows for the back-fill's staging table: two bigint[] read side by side.</summary>
    public static readonly ClaimBandsBackfill.StagingInsert BackfillStaging = new(
        "INSERT INTO claim_bands_staging (band_key, claim_seq) SELECT * FROM unnest(@Keys, @Seqs)",
        rows => new { Keys = rows.Select(r => r.Key).ToArray(), Seqs = rows.Select(r => r.Seq).ToArray() });
}
