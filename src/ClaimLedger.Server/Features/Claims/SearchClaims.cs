using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Infrastructure.Data;
using ClaimLedger.Server.Infrastructure.Messaging;
using ClaimLedger.Server.Infrastructure.Search;
using ClaimLedger.Server.Infrastructure.Security;
using FluentValidation;
using MediatR;
using Microsoft.Extensions.Options;

namespace ClaimLedger.Server.Features.Claims;

/// <summary>
/// Full-text search over claim text and claimant, ranked (SQLite: BM25; PostgreSQL: ts_rank_cd; higher relevance is
/// better) with the row sequence as tie-breaker, with a highlighted snippet of the text. The engine's side is an
/// <see cref="IFullTextSearch"/> (ADR 5); the query syntax, FTS5's, is the same on both (<see cref="FullTextQuery"/>).
/// The ranking covers the most recent <see cref="Options.RankingWindow"/> matching claims, so its cost is bounded however
/// common the words are (ADR 0016). Malformed query syntax is INVALID_ARGUMENT on field "query".
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

    /// <summary>
    /// Asks the engine's <see cref="IFullTextSearch"/> (SQLite: FTS5 and BM25; PostgreSQL: tsvector and ts_rank_cd) for
    /// one page, then reads those claims. Syntax errors are the engine's, in the same words on both.
    /// </summary>
    internal sealed class Handler(DbSession db, IFullTextSearch search, IOptions<Options> options) : IRequestHandler<Query, SearchClaimsResponse>
    {
        public async Task<SearchClaimsResponse> Handle(Query query, CancellationToken ct)
        {
            var status = DbEnum.ToDbOrNull(query.Status);
            var fingerprint = PageTokens.Fingerprint("search", query.Text, status);
            var offset = PageTokens.Decode(query.PageToken, fingerprint)?.Seq ?? 0;
            var size = PageTokens.Size(query.PageSize);

            IReadOnlyList<FullTextHit> hits;
            try
            {
                hits = await search.SearchAsync(db, new FullTextSearchRequest(query.Text, status, offset, size + 1, Math.Max(1, options.Value.RankingWindow)), ct);
            }
            catch (FullTextSyntaxException e)
            {
                throw new InvalidFieldException("query", $"is not valid search syntax ({e.Message}); quote words containing punctuation, e.g. \"S-400\"");
            }

            var page = hits.Take(size).ToList();
            var rows = await db.QueryAsync<ClaimRow>(
                $"SELECT {ClaimReads.Columns} FROM claims c WHERE {db.InList("c.seq", "@Seqs")}", new { Seqs = page.Select(h => h.Seq).ToArray() }, ct);
            var claims = (await ClaimReads.ToClaimsAsync(db, rows, ct)).ToDictionary(c => c.Name);

            var response = new SearchClaimsResponse();
            response.Results.AddRange(page.Select(h => new SearchResult
            {
                Claim = claims[ResourceNames.Claim(h.Id)],
                Snippet = h.Snippet,
                Relevance = h.Relevance,
            }));
            if (hits.Count > size)
            {
                response.NextPageToken = PageTokens.Encode(new PageTokens.Position(null, offset + size), fingerprint);
            }

            return response;
        }
    }
}
