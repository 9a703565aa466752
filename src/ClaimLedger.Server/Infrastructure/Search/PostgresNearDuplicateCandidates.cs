using ClaimLedger.Server.Infrastructure.Data;

namespace ClaimLedger.Server.Infrastructure.Search;

/// <summary>
/// Near-duplicate candidates on PostgreSQL, by SQLite's rare-word scheme (<see cref="RareWordCandidates"/>) over the
/// word postings of claims.search_vector (its GIN index ix_claims_search): a word's claims are counted with the index
/// (up to <see cref="CountCap"/>), and the candidates are the claims containing the chosen words, ranked BM25-like.
/// </summary>
/// <remarks>
/// <para>
/// A word goes through the functions that built search_vector (<c>to_tsquery('simple', claimledger_unaccent(…))</c>),
/// so a word of a normalised text meets the same word in the claims' text.
/// </para>
/// <para>
/// <b>Counts.</b> PostgreSQL keeps no per-lexeme document count (ts_stat reads every row), so a count is the number
/// of index matches, stopped at <see cref="CountCap"/>: the index reads the word's posting list, and at most that many
/// rows are visited; like SQLite's, counts are cached. Words counted at the cap tie (the first in ordinal order is then
/// the "rarest"), which only happens when every word of the text is that common.
/// </para>
/// <para>
/// <b>Ranking.</b> FTS5 ranks SQLite's candidates by BM25, which weighs a matched word by its rarity (IDF). Here a
/// claim scores the sum, over the chosen words it contains, of ln(1 + <see cref="CountCap"/> / count) — the same
/// weighting, from the counts already at hand — and shorter texts come first among equals, as BM25's length
/// normalisation puts them. (Ranked by ts_rank_cd, which knows no word rarity, the candidates held fewer of the pairs
/// SQLite finds: ADR 6.) Only the
/// <see cref="RankingWindow"/> most recently recorded matching claims are ranked, which only a text made of common words
/// reaches.
/// </para>
/// <para>
/// <b>Not pg_trgm.</b> Trigram similarity on normalized_text (the index migration 0006 creates) finds every pair at
/// TextSimilarity 0.8 with a trigram threshold of 0.45, but answering <c>%</c> reads the posting list of every trigram
/// of the text, common ones included: 68 to 680 ms a check at 100,000 claims, and growing with the table (ADR 6).
/// </para>
/// </remarks>
public sealed class PostgresNearDuplicateCandidates(TimeProvider clock) : RareWordCandidates(clock)
{
    /// <summary>A word's count stops here: ten times the postings budget orders the words that matter.</summary>
    public const int CountCap = 6_000;

    /// <summary>How many of the most recently recorded claims containing the chosen words are ranked at most.</summary>
    public const int RankingWindow = 2_000;

    private const string CountSql = """
        SELECT count(*) FROM (
            SELECT 1 FROM claims WHERE search_vector @@ to_tsquery('simple', claimledger_unaccent(@Term)) LIMIT @Cap) AS matches
        """;

    private const string CandidatesSql = """
        WITH words AS MATERIALIZED (
            SELECT to_tsquery('simple', claimledger_unaccent(w.term)) AS query, w.weight
            FROM unnest(@Terms::text[], @Weights::double precision[]) AS w(term, weight)),
        matching AS (
            SELECT c.seq
            FROM claims c
            WHERE c.search_vector @@ to_tsquery('simple', claimledger_unaccent(@Any))
              AND c.seq > @Since AND (@IncludeRetracted OR c.status <> 'RETRACTED')
            ORDER BY c.seq DESC
            LIMIT @Window)
        SELECT c.seq AS Seq, c.id AS Id, c.normalized_text AS NormalizedText
        FROM matching m JOIN claims c ON c.seq = m.seq
        ORDER BY (SELECT sum(w.weight) FROM words w WHERE c.search_vector @@ w.query) DESC, length(c.normalized_text), c.seq
        LIMIT @Limit
        """;

    protected override Task<long> CountAsync(DbSession db, string word, CancellationToken ct) =>
        db.ExecuteScalarAsync<long>(CountSql, new { Term = FullTextQuery.Operand(word), Cap = CountCap }, ct);

    protected override Task<IReadOnlyList<NearDuplicateCandidate>> MatchAsync(DbSession db, IReadOnlyList<RareWord> words, NearDuplicateFilter filter, CancellationToken ct)
    {
        var terms = words.Select(w => FullTextQuery.Operand(w.Word)).ToArray();
        return db.QueryAsync<NearDuplicateCandidate>(CandidatesSql, new
        {
            Terms = terms,
            Weights = words.Select(w => Math.Log(1.0 + (CountCap / (double)Math.Max(1, w.Documents)))).ToArray(),
            Any = string.Join(" | ", terms),
            filter.IncludeRetracted,
            filter.Since,
            Window = RankingWindow,
            Limit = MaxCandidates,
        }, ct);
    }
}
