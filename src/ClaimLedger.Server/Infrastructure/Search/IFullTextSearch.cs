using ClaimLedger.Server.Infrastructure.Data;

namespace ClaimLedger.Server.Infrastructure.Search;

/// <summary>
/// Full-text search over claims (text and claimant), the database engine's side of SearchClaims (ADR 5): SQLite
/// answers with FTS5 (<see cref="SqliteFullTextSearch"/>), PostgreSQL with claims.search_vector
/// (<see cref="PostgresFullTextSearch"/>). Both take the query syntax the API documents (<see cref="FullTextQuery"/>),
/// rank the newest <see cref="FullTextSearchRequest.Window"/> matches, best first, and highlight matches with
/// &lt;mark&gt;…&lt;/mark&gt;. Registered per engine in ServiceRegistration.AddDatabaseEngine.
/// </summary>
public interface IFullTextSearch
{
    /// <summary>
    /// One page of the ranked matches, best first (ties by seq, oldest first), with snippets for that page only.
    /// </summary>
    /// <exception cref="FullTextSyntaxException">The query is not valid search syntax.</exception>
    Task<IReadOnlyList<FullTextHit>> SearchAsync(DbSession db, FullTextSearchRequest request, CancellationToken ct);
}

/// <param name="Query">The caller's query, in the API's search syntax.</param>
/// <param name="Status">Only claims in this status (its database name), or null for all.</param>
/// <param name="Offset">Ranked matches to skip.</param>
/// <param name="Limit">Ranked matches to return at most.</param>
/// <param name="Window">How many of the most recently recorded matches are ranked (Search:RankingWindow, ADR 16).</param>
public sealed record FullTextSearchRequest(string Query, string? Status, long Offset, int Limit, int Window);

/// <param name="Seq">The claim's row sequence.</param>
/// <param name="Id">The claim's id.</param>
/// <param name="Snippet">A fragment of the claim text with the matches wrapped in &lt;mark&gt;…&lt;/mark&gt;.</param>
/// <param name="Relevance">The engine's relevance score: higher is better (SQLite: −bm25; PostgreSQL: ts_rank_cd).</param>
public sealed record FullTextHit(long Seq, string Id, string Snippet, double Relevance);

/// <summary>
/// The query is not valid search syntax. The message says what is wrong in the words SQLite's FTS5 uses (for example
/// <c>fts5: syntax error near "AND"</c> or <c>unterminated string</c>), the same on every engine.
/// </summary>
public sealed class FullTextSyntaxException(string message) : Exception(message);
