using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Infrastructure.Data;
using ClaimLedger.Server.Infrastructure.Messaging;
using ClaimLedger.Server.Infrastructure.Security;
using FluentValidation;
using MediatR;

namespace ClaimLedger.Server.Features.Sources;

/// <summary>Sources, newest first, optionally filtered by kind and publisher.</summary>
public static class ListSources
{
    [Requires(Permission.Read)]
    public sealed record Query(int PageSize, string PageToken, SourceKind Kind, string Publisher) : IQuery<ListSourcesResponse>;

    public sealed class Validator : AbstractValidator<Query>
    {
        public Validator()
        {
            RuleFor(q => q.PageSize).GreaterThanOrEqualTo(0).OverridePropertyName("page_size");
            RuleFor(q => q.Kind).Must(Enum.IsDefined).OverridePropertyName("kind").WithMessage("must be a defined kind");
            RuleFor(q => q.Publisher).MaximumLength(SourceRules.MaxNameLength).OverridePropertyName("publisher");
        }
    }

    internal sealed class Handler(DbSession db) : IRequestHandler<Query, ListSourcesResponse>
    {
        private const string Sql = $"""
            SELECT {SourceReads.Columns}
            FROM sources s
            WHERE (@Kind IS NULL OR s.kind = @Kind)
              AND (@Publisher = '' OR s.publisher = @Publisher)
              AND (@After IS NULL OR s.create_time < @After OR (s.create_time = @After AND s.seq < @AfterSeq))
            ORDER BY s.create_time DESC, s.seq DESC
            LIMIT @Limit
            """;

        public async Task<ListSourcesResponse> Handle(Query query, CancellationToken ct)
        {
            var kind = DbEnum.ToDbOrNull(query.Kind);
            var fingerprint = PageTokens.Fingerprint("sources", kind, query.Publisher);
            var after = PageTokens.Decode(query.PageToken, fingerprint);
            var size = PageTokens.Size(query.PageSize);
            var rows = await db.QueryAsync<SourceRow>(Sql, new
            {
                Kind = kind,
                query.Publisher,
                After = after?.After,
                AfterSeq = after?.Seq ?? 0,
                Limit = size + 1,
            }, ct);

            var response = new ListSourcesResponse();
            response.Sources.AddRange(rows.Take(size).Select(r => r.ToSource()));
            if (rows.Count > size)
            {
                var last = rows[size - 1];
                response.NextPageToken = PageTokens.Encode(new PageTokens.Position(last.CreateTime, last.Seq), fingerprint);
            }

            return response;
        }
    }
}
