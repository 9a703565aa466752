using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Features.Claims;
using ClaimLedger.Server.Infrastructure.Data;
using ClaimLedger.Server.Infrastructure.Messaging;
using ClaimLedger.Server.Infrastructure.Security;
using FluentValidation;
using MediatR;

namespace ClaimLedger.Server.Features.Evidence;

/// <summary>A claim's evidence in the order it was added; removed items only when asked for.</summary>
public static class ListEvidence
{
    [Requires(Permission.Read)]
    public sealed record Query(string Parent, int PageSize, string PageToken, Stance Stance, bool ShowRemoved) : IQuery<ListEvidenceResponse>;

    public sealed class Validator : AbstractValidator<Query>
    {
        public Validator()
        {
            RuleFor(q => q.Parent).Must(ResourceNames.IsClaim).OverridePropertyName("parent").WithMessage("must be a claim name, claims/{claim}");
            RuleFor(q => q.PageSize).GreaterThanOrEqualTo(0).OverridePropertyName("page_size");
            RuleFor(q => q.Stance).Must(Enum.IsDefined).OverridePropertyName("stance").WithMessage("must be a defined stance");
        }
    }

    internal sealed class Handler(DbSession db) : IRequestHandler<Query, ListEvidenceResponse>
    {
        private const string Sql = $"""
            SELECT {EvidenceReads.Columns}
            FROM evidence e
            WHERE e.claim_id = @ClaimId AND e.seq > @AfterSeq
              AND (@Stance IS NULL OR e.stance = @Stance)
              AND (@ShowRemoved OR e.remove_time IS NULL)
            ORDER BY e.seq
            LIMIT @Limit
            """;

        public async Task<ListEvidenceResponse> Handle(Query query, CancellationToken ct)
        {
            ResourceNames.TryParseClaim(query.Parent, out var claimId);
            var stance = DbEnum.ToDbOrNull(query.Stance);
            var fingerprint = PageTokens.Fingerprint("evidence", claimId, stance, query.ShowRemoved);
            var after = PageTokens.Decode(query.PageToken, fingerprint)?.Seq ?? 0;
            var size = PageTokens.Size(query.PageSize);
            await ClaimReads.RowAsync(db, claimId, ct); // NOT_FOUND for an unknown claim

            var rows = await db.QueryAsync<EvidenceRow>(Sql, new
            {
                ClaimId = claimId,
                AfterSeq = after,
                Stance = stance,
                query.ShowRemoved,
                Limit = size + 1,
            }, ct);
            var response = new ListEvidenceResponse();
            response.Evidence.AddRange(await EvidenceReads.ToEvidenceAsync(db, rows.Take(size).ToList(), ct));
            if (rows.Count > size)
            {
                response.NextPageToken = PageTokens.Encode(new PageTokens.Position(null, rows[size - 1].Seq), fingerprint);
            }

            return response;
        }
    }
}
