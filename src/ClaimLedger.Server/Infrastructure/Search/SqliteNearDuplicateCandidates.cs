using ClaimLedger.Server.Infrastructure.Data;

namespace ClaimLedger.Server.Infrastructure.Search;

/// <summary>
/// Near-duplicate candidates on SQLite (<see cref="RareWordCandidates"/>): a word's claims are counted by
/// claims_fts_vocab (fts5vocab, migration 0006), and the candidates are the best BM25 matches (FTS5) for any of the
/// chosen words.
/// </summary>
public sealed class SqliteNearDuplicateCandidates(TimeProvider clock) : RareWordCandidates(clock)
{
    private const string CountSql = "SELECT doc FROM claims_fts_vocab WHERE term = @Term";

    private const string CandidatesSql = """
        SELECT c.seq AS Seq, c.id AS Id, c.normalized_text AS NormalizedText
        FROM claims_fts f JOIN claims c ON c.seq = f.rowid
        WHERE claims_fts MATCH @Match AND f.rowid > @Since AND (@IncludeRetracted OR c.status <> 'RETRACTED')
        ORDER BY bm25(claims_fts)
        LIMIT @Limit
        """;

    protected override async Task<long> CountAsync(DbSession db, string word, CancellationToken ct) =>
        await db.QuerySingleOrDefaultAsync<long?>(CountSql, new { Term = word }, ct) ?? 0;

    protected override Task<IReadOnlyList<NearDuplicateCandidate>> MatchAsync(DbSession db, IReadOnlyList<RareWord> words, NearDuplicateFilter filter, CancellationToken ct) =>
        db.QueryAsync<NearDuplicateCandidate>(CandidatesSql, new
        {
            Match = string.Join(" OR ", words.Select(w => "\"" + w.Word + "\"")),
            filter.IncludeRetracted,
            filter.Since,
            Limit = MaxCandidates,
        }, ct);
}
