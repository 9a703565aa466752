using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Infrastructure.Data;
using ClaimLedger.Server.Infrastructure.Messaging;
using ClaimLedger.Server.Infrastructure.Search;
using ClaimLedger.Server.Infrastructure.Security;
using FluentValidation;
using MediatR;

namespace ClaimLedger.Server.Features.Claims;

/// <summary>Claims similar to a text, most similar first (see <see cref="TextSimilarity"/>).</summary>
public static class FindSimilarClaims
{
    [Requires(Permission.Read)]
    public sealed record Query(string Text, int PageSize, double MinSimilarity) : IQuery<FindSimilarClaimsResponse>;

    public sealed class Validator : AbstractValidator<Query>
    {
        public Validator()
        {
            RuleFor(q => q.Text).ClaimText().OverridePropertyName("text");
            RuleFor(q => q.PageSize).InclusiveBetween(0, 100).OverridePropertyName("page_size");
            RuleFor(q => q.MinSimilarity).InclusiveBetween(0, 1).OverridePropertyName("min_similarity");
        }
    }

    internal sealed class Handler(DbSession db, INearDuplicateCandidates index) : IRequestHandler<Query, FindSimilarClaimsResponse>
    {
        public async Task<FindSimilarClaimsResponse> Handle(Query query, CancellationToken ct)
        {
            var threshold = query.MinSimilarity > 0 ? query.MinSimilarity : TextSimilarity.DuplicateThreshold;
            var max = query.PageSize > 0 ? query.PageSize : 10;
            var matches = await SimilarClaims.FindAsync(db, index, TextSimilarity.Normalize(query.Text), threshold, max, ct);
            var rows = await db.QueryAsync<ClaimRow>(
                $"SELECT {ClaimReads.Columns} FROM claims c WHERE {db.InList("c.seq", "@Seqs")}", new { Seqs = matches.Select(m => m.Seq).ToArray() }, ct);
            var claims = (await ClaimReads.ToClaimsAsync(db, rows, ct)).ToDictionary(c => c.Name);

            var response = new FindSimilarClaimsResponse();
            response.Claims.AddRange(matches.Select(m => new SimilarClaim { Claim = claims[ResourceNames.Claim(m.Id)], Similarity = m.Similarity }));
            return response;
        }
    }
}
