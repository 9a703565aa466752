using ClaimLedger.Server.Infrastructure.Data;

namespace ClaimLedger.Server.Infrastructure.Search;

/// <summary>
/// Full-text search on PostgreSQL: the query, validated and translated by <see cref="FullTextQuery"/> (the same
/// syntax and the same errors as FTS5 on SQLite), becomes <c>to_tsquery('simple', claimledger_unaccent(@Query))</c> —
/// the functions that build claims.search_vector (migration 0001), so query and claim words fold case and accents
/// alike — matched against search_vector through its GIN index, ranked by <c>ts_rank_cd</c> (higher is better) with
/// the row sequence as tie-breaker, and the text of the page's claims highlighted by <c>ts_headline</c>.
/// </summary>
/// <remarks>
/// <para>
/// <b>Ranking.</b> <c>ts_rank_cd(search_vector, query, 1)</c>: cover density — more matches, and matched words closer
/// together, rank higher — divided by 1 + log(length), so that, as with BM25 on SQLite, a match in a short claim
/// outranks the same match in a long one. As on SQLite only the newest <see cref="FullTextSearchRequest.Window"/>
/// matches are ranked (ADR 16), and the rank is computed for those only.
/// </para>
/// <para>
/// <b>Snippets</b> are made for the returned page only. Like FTS5's <c>snippet(…, 24)</c> they are the whole text when
/// it has at most 24 words, otherwise the 24-word fragment with the most matches (<c>MaxFragments=1</c>), with "…"
/// where text was cut. <c>ts_headline</c> highlights the query's words that are not negated (so <c>a NOT b</c> never
/// marks b). It compares the words of the text as written with the query's lexemes, which lost their accents; the
/// text's own lexemes whose unaccented form matches a query word are therefore added to its query, so that "Zürich"
/// is marked for <c>zurich</c>, as FTS5 (remove_diacritics) marks it.
/// </para>
/// </remarks>
public sealed class PostgresFullTextSearch : IFullTextSearch
{
    // Snippets of at most 24 words, as FTS5's snippet(…, 24) on SQLite.
    private const string PageSql = """
        ranked AS (
            SELECT r.seq, ts_rank_cd(r.search_vector, q.query, 1)::double precision AS rank
            FROM recent r CROSS JOIN q),
        page AS (SELECT seq, rank FROM ranked ORDER BY rank DESC, seq LIMIT @Limit OFFSET @Offset)
        SELECT page.seq AS Seq, c.id AS Id, c.text AS Text, page.rank AS Rank,
               ts_headline('simple', c.text,
                   coalesce(q.terms || (
                       SELECT string_agg('''' || replace(replace(l.lexeme, '\', '\\'), '''', '\''') || '''', ' | ')::tsquery
                       FROM unnest(to_tsvector('simple', c.text)) AS l
                       WHERE l.lexeme <> claimledger_unaccent(l.lexeme)
                         AND to_tsvector('simple', claimledger_unaccent(l.lexeme)) @@ q.terms), q.terms),
                   CASE WHEN array_length(regexp_split_to_array(btrim(c.text), '\s+'), 1) <= 24
                        THEN 'StartSel=<mark>, StopSel=</mark>, HighlightAll=true'
                        ELSE 'StartSel=<mark>, StopSel=</mark>, MaxWords=24, MinWords=23, ShortWord=0, MaxFragments=1'
                   END) AS Snippet
        FROM page JOIN claims c ON c.seq = page.seq CROSS JOIN q
        ORDER BY page.rank DESC, page.seq
        """;

    private const string QuerySql = """
        WITH q AS MATERIALIZED (
            SELECT to_tsquery('simple', claimledger_unaccent(@Query)) AS query,
                   coalesce(to_tsquery('simple', claimledger_unaccent(@Terms)), to_tsquery('simple', claimledger_unaccent(@Query))) AS terms),
        """;

    // (1) The newest Window matches, nothing ranked yet: the GIN index finds a rare word's, a backward scan of the
    // primary key a common word's (the tsquery is written out, not taken from q, so that the planner can estimate how
    // many claims match). (2) Those ranked, one page kept. (3) Snippets for the page only.
    private const string Sql = $"""
        {QuerySql}
        recent AS (
            SELECT c.seq, c.search_vector
            FROM claims c
            WHERE c.search_vector @@ to_tsquery('simple', claimledger_unaccent(@Query))
            ORDER BY c.seq DESC
            LIMIT @Window),
        {PageSql}
        """;

    private const string WithStatusSql = $"""
        {QuerySql}
        recent AS (
            SELECT c.seq, c.search_vector
            FROM claims c
            WHERE c.search_vector @@ to_tsquery('simple', claimledger_unaccent(@Query)) AND c.status = @Status
            ORDER BY c.seq DESC
            LIMIT @Window),
        {PageSql}
        """;

    public async Task<IReadOnlyList<FullTextHit>> SearchAsync(DbSession db, FullTextSearchRequest request, CancellationToken ct)
    {
        var query = FullTextQuery.Parse(request.Query);
        if (query.ToTsQuery() is not { } tsQuery)
        {
            return [];
        }

        var rows = await db.QueryAsync<Row>(request.Status is null ? Sql : WithStatusSql, new
        {
            Query = tsQuery,
            Terms = query.HighlightTerms(),
            request.Status,
            request.Limit,
            // A page token is the client's to send: SQLite reads a negative OFFSET as 0, PostgreSQL refuses it.
            Offset = Math.Max(0, request.Offset),
            request.Window,
        }, ct);
        return rows.Select(r => new FullTextHit(r.Seq, r.Id, Ellipsize(r.Text, r.Snippet), r.Rank)).ToList();
    }

    /// <summary>
    /// "…" where the fragment leaves out words of the text (ts_headline does not say so), as FTS5's snippet does;
    /// punctuation after the fragment's last word, when nothing else follows, is kept rather than dropped.
    /// </summary>
    internal static string Ellipsize(string text, string snippet)
    {
        var plain = snippet.Replace("<mark>", "", StringComparison.Ordinal).Replace("</mark>", "", StringComparison.Ordinal);
        var at = plain.Length == 0 ? -1 : text.IndexOf(plain, StringComparison.Ordinal);
        if (at < 0)
        {
            return snippet;
        }

        var after = text[(at + plain.Length)..];
        return (text[..at].Any(char.IsLetterOrDigit) ? "…" : "") + snippet + (after.Any(char.IsLetterOrDigit) ? "…" : after.TrimEnd());
    }

    private sealed class Row
    {
        public long Seq { get; init; }

        public string Id { get; init; } = "";

        public string Text { get; init; } = "";

        public string Snippet { get; init; } = "";

        public double Rank { get; init; }
    }
}
