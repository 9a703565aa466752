using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Infrastructure.Data;
using ClaimLedger.Server.Infrastructure.Messaging;
using ClaimLedger.Server.Infrastructure.Security;
using FluentValidation;
using MediatR;

namespace ClaimLedger.Server.Features.Claims;

/// <summary>
/// Full-text search (SQLite FTS5) over claim text and claimant, ranked by BM25 with the row sequence as tie-breaker,
/// with a highlighted snippet of the text. Malformed query syntax is INVALID_ARGUMENT on field "query".
/// </summary>
public static class SearchClaims
{
    public const int MaxQueryLength = 500;

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
    internal sealed class Handler(DbSession db, ISqlDialect dialect) : IRequestHandler<Query, SearchClaimsResponse>
    {
        private const string Sql = """
            SELECT c.seq AS Seq, c.id AS Id,
                   snippet(claims_fts, 0, '<mark>', '</mark>', '…', 24) AS Snippet,
                   bm25(claims_fts) AS Rank
            FROM claims_fts JOIN claims c ON c.seq = claims_fts.rowid
            WHERE claims_fts MATCH @Match AND (@Status IS NULL OR c.status = @Status)
            ORDER BY Rank, c.seq
            LIMIT @Limit OFFSET @Offset
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
                hits = await db.QueryAsync<Hit>(Sql, new { Match = query.Text, Status = status, Limit = size + 1, Offset = offset }, ct);
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
