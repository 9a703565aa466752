using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Infrastructure.Data;
using ClaimLedger.Server.Infrastructure.Messaging;
using ClaimLedger.Server.Infrastructure.Security;
using FluentValidation;
using MediatR;

namespace ClaimLedger.Server.Features.Access;

/// <summary>API keys without their secrets, newest first.</summary>
public static class ListApiKeys
{
    [Requires(Permission.Administer)]
    public sealed record Query(int PageSize, string PageToken, bool ShowRevoked) : IQuery<ListApiKeysResponse>;

    public sealed class Validator : AbstractValidator<Query>
    {
        public Validator() => RuleFor(q => q.PageSize).GreaterThanOrEqualTo(0).OverridePropertyName("page_size");
    }

    internal sealed class Handler(DbSession db) : IRequestHandler<Query, ListApiKeysResponse>
    {
        private const string Sql = $"""
            SELECT {ApiKeyRow.Columns} FROM api_keys
            WHERE (@ShowRevoked OR revoke_time IS NULL) AND seq < @Before
            ORDER BY seq DESC
            LIMIT @Limit
            """;

        public async Task<ListApiKeysResponse> Handle(Query query, CancellationToken ct)
        {
            var fingerprint = PageTokens.Fingerprint("api_keys", query.ShowRevoked);
            var before = PageTokens.Decode(query.PageToken, fingerprint)?.Seq ?? long.MaxValue;
            var size = PageTokens.Size(query.PageSize);
            var rows = await db.QueryAsync<ApiKeyRow>(Sql, new { query.ShowRevoked, Before = before, Limit = size + 1 }, ct);
            var response = new ListApiKeysResponse();
            response.ApiKeys.AddRange(rows.Take(size).Select(r => r.ToApiKey()));
            if (rows.Count > size)
            {
                response.NextPageToken = PageTokens.Encode(new PageTokens.Position(null, rows[size - 1].Seq), fingerprint);
            }

            return response;
        }
    }
}
