using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Infrastructure.Data;
using ClaimLedger.Server.Infrastructure.Messaging;
using ClaimLedger.Server.Infrastructure.Security;
using FluentValidation;
using MediatR;
using Microsoft.Extensions.Options;

namespace ClaimLedger.Server.Features.Claims;

/// <summary>
/// Full-text search (SQLite FTS5) over claim text and claimant, ranked by BM25 with the row sequence as tie-breaker,
/// with a highlighted snippet of the text. The ranking covers the most recent <see cref="Options.RankingWindow"/>
/// matching claims, so its cost is bounded however common the words are (ADR 0016). Malformed query syntax is INVALID_ARGUMENT on field "query".
/// </summary>
public static class SearchClaims
{
    public const int MaxQueryLength = 500;

    /// <summary>Configuration section "Search".</summary>
    public sealed class Options
    {
        public const string Section = "Search";

        /// <summary>How many of the most recently recorded matching claims a query ranks (see ADR 0016).</summary>
        public int RankingWindow { get; set; } = 10_000;
    }

    [Requires(Permission.Read)]
    public sealed record Query(string Text, int PageSize, string PageToken, ClaimStatus Status) : IQuery<SearchClaimsResponse>;

    public sealed class Validator : AbstractValidator<Query>
    {
        public Validator()
        {
            RuleFor(q => q.Text).Must(t => !string.IsNullOrWhiteSpace(t)).WithMessage("is required")
                .MaximumLength(MaxQueryLength).WithMessage($"must be at most {MaxQueryLength} characters")
                .OverridePropertyName("query");
            RuleFor(q => q.PageSize).GreaterThanOrEqualTo(0).OverridePropertyName("page_size");
            RuleFor(q => q.Status).Must(Enum.IsDefined).OverridePropertyName("status").WithMessage("must be a defined status");
        }
    }

    private sealed class Hit
    {
        public long Seq { get; init; }
        public string Id { get; init; } = "";
        public string Snippet { get; init; } = "";
        public double Rank { get; init; }
    }

    // SQLite dialect: FTS5 MATCH, bm25() and snippet(). A PostgreSQL build will bring its own (tsvector) query.
    internal sealed class Handler(DbSession db, ISqlDialect dialect, IOptions<Options> options) : IRequestHandler<Query, SearchClaimsResponse>
    {
        // Three steps. (1) The newest Options.RankingWindow matches, in the index's own rowid order, so the scan stops there
        // whatever the words' frequency: BM25-ranking every match of a common word cost ~1 µs a match (60 ms for a word
        // in 70,000 of 1M claims). (2) Those ranked, one page kept. (3) Snippets for the page only: snippet() re-reads
        // and re-tokenises a claim's text, and SQLite evaluates the select list of every row it sorts.
        private const string PageSql = """
            SELECT page.seq AS Seq, c.id AS Id,
                   snippet(claims_fts, 0, '<mark>', '</mark>', '…', 24) AS Snippet,
                   page.rank AS Rank
            FROM page
            JOIN claims_fts ON claims_fts.rowid = page.seq AND claims_fts MATCH @Match
            JOIN claims c ON c.seq = page.seq
            ORDER BY page.rank, page.seq
            """;

        private const string Sql = $"""
            WITH recent AS (
                SELECT rowid AS seq, bm25(claims_fts) AS rank
                FROM claims_fts
                WHERE claims_fts MATCH @Match
                ORDER BY rowid DESC
                LIMIT @Window),
            page AS (SELECT seq, rank FROM recent ORDER BY rank, seq LIMIT @Limit OFFSET @Offset)
            {PageSql}
            """;

        private const string WithStatusSql = $"""
            WITH recent AS (
                SELECT claims_fts.rowid AS seq, bm25(claims_fts) AS rank
                FROM claims_fts JOIN claims s ON s.seq = claims_fts.rowid AND s.status = @Status
                WHERE claims_fts MATCH @Match
                ORDER BY claims_fts.rowid DESC
                LIMIT @Window),
            page AS (SELECT seq, rank FROM recent ORDER BY rank, seq LIMIT @Limit OFFSET @Offset)
            {PageSql}
            """;

        public async Task<SearchClaimsResponse> Handle(Query query, CancellationToken ct)
        {
            var status = DbEnum.ToDbOrNull(query.Status);
            var fingerprint = PageTokens.Fingerprint("search", query.Text, status);
            var offset = PageTokens.Decode(query.PageToken, fingerprint)?.Seq ?? 0;
            var size = PageTokens.Size(query.PageSize);

            IReadOnlyList<Hit> hits;
            try
            {
                hits = await db.QueryAsync<Hit>(status is null ? Sql : WithStatusSql,
                    new { Match = query.Text, Status = status, Limit = size + 1, Offset = offset, Window = Math.Max(1, options.Value.RankingWindow) }, ct);
            }
            catch (Exception e) when (dialect.IsFullTextSyntaxError(e))
            {
                throw new InvalidFieldException("query", $"is not valid search syntax ({EngineMessage(e)}); quote words containing punctuation, e.g. \"S-400\"");
            }

            var page = hits.Take(size).ToList();
            var rows = await db.QueryAsync<ClaimRow>(
                $"SELECT {ClaimReads.Columns} FROM claims c WHERE c.seq IN @Seqs", new { Seqs = page.Select(h => h.Seq).ToArray() }, ct);
            var claims = (await ClaimReads.ToClaimsAsync(db, rows, ct)).ToDictionary(c => c.Name);

            var response = new SearchClaimsResponse();
            response.Results.AddRange(page.Select(h => new SearchResult
            {
                Claim = claims[ResourceNames.Claim(h.Id)],
                Snippet = h.Snippet,
                Relevance = -h.Rank,
            }));
            if (hits.Count > size)
            {
                response.NextPageToken = PageTokens.Encode(new PageTokens.Position(null, offset + size), fingerprint);
            }

            return response;
        }

        // "SQLite Error 1: 'fts5: syntax error near "AND"'." → "fts5: syntax error near "AND"".
        private static string EngineMessage(Exception e)
        {
            var first = e.Message.IndexOf('\'');
            var last = e.Message.LastIndexOf('\'');
            return last > first + 1 ? e.Message[(first + 1)..last] : e.Message;
        }
    }
}
