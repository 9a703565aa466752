using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Infrastructure.Data;
using ClaimLedger.Server.Infrastructure.Messaging;
using ClaimLedger.Server.Infrastructure.Security;
using FluentValidation;
using MediatR;

namespace ClaimLedger.Server.Features.Claims;

/// <summary>
/// Lists claims with optional filters, ordered by create_time or update_time (ascending or descending) with the
/// row sequence as tie-breaker, so pages are stable. Keyset pagination: a page costs the same at any depth.
/// </summary>
public static class ListClaims
{
    [Requires(Permission.Read)]
    public sealed record Query(int PageSize, string PageToken, ClaimStatus Status, string Topic, string Claimant, string Source, string OrderBy,
        bool Unsourced = false) : IQuery<ListClaimsResponse>;

    internal sealed record Ordering(string Column, bool Descending)
    {
        public static bool TryParse(string? orderBy, out Ordering ordering)
        {
            ordering = new Ordering("create_time", true);
            if (string.IsNullOrWhiteSpace(orderBy))
            {
                return true;
            }

            var parts = orderBy.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length > 2 || parts[0] is not ("create_time" or "update_time") || (parts.Length == 2 && parts[1] is not ("desc" or "asc")))
            {
                return false;
            }

            ordering = new Ordering(parts[0], parts.Length == 2 && parts[1] == "desc");
            return true;
        }
    }

    public sealed class Validator : AbstractValidator<Query>
    {
        public Validator()
        {
            RuleFor(q => q.PageSize).GreaterThanOrEqualTo(0).OverridePropertyName("page_size");
            RuleFor(q => q.Status).Must(Enum.IsDefined).OverridePropertyName("status").WithMessage("must be a defined status");
            RuleFor(q => q.Topic).MaximumLength(ClaimRules.MaxTopicLength).OverridePropertyName("topic");
            RuleFor(q => q.Claimant).MaximumLength(ClaimRules.MaxClaimantLength).OverridePropertyName("claimant");
            RuleFor(q => q.Source).Must(s => s.Length == 0 || ResourceNames.IsSource(s)).OverridePropertyName("source")
                .WithMessage("must be a source name, sources/{source}");
            RuleFor(q => q.OrderBy).Must(o => Ordering.TryParse(o, out _)).OverridePropertyName("order_by")
                .WithMessage("must be \"create_time\" or \"update_time\", optionally followed by \" desc\"");
        }
    }

    internal sealed class Handler(DbSession db) : IRequestHandler<Query, ListClaimsResponse>
    {
        public async Task<ListClaimsResponse> Handle(Query query, CancellationToken ct)
        {
            Ordering.TryParse(query.OrderBy, out var order);
            var status = DbEnum.ToDbOrNull(query.Status);
            var topic = query.Topic.Trim().ToLowerInvariant();
            ResourceNames.TryParseSource(query.Source, out var sourceId);
            var fingerprint = PageTokens.Fingerprint("claims", status, topic, query.Claimant, sourceId, order.Column, order.Descending, query.Unsourced);
            var after = PageTokens.Decode(query.PageToken, fingerprint);
            var size = PageTokens.Size(query.PageSize);

            // Every fragment is a fixed string; only the parameters carry client input.
            var where = new List<string>();
            if (status is not null)
            {
                where.Add("c.status = @Status");
            }

            if (topic.Length > 0)
            {
                where.Add("EXISTS (SELECT 1 FROM claim_topics t WHERE t.claim_seq = c.seq AND t.topic = @Topic)");
            }

            if (query.Claimant.Length > 0)
            {
                where.Add("c.claimant = @Claimant");
            }

            if (sourceId.Length > 0)
            {
                where.Add("EXISTS (SELECT 1 FROM evidence e WHERE e.claim_id = c.id AND e.source_id = @SourceId AND e.remove_time IS NULL)");
            }

            if (query.Unsourced)
            {
                where.Add("c.unsourced_since IS NOT NULL AND c.status = 'UNVERIFIED'");
            }

            var cmp = order.Descending ? "<" : ">";
            var dir = order.Descending ? "DESC" : "ASC";
            if (after is not null)
            {
                where.Add($"(c.{order.Column} {cmp} @After OR (c.{order.Column} = @After AND c.seq {cmp} @AfterSeq))");
            }

            var sql = $"""
                SELECT {ClaimReads.Columns}
                FROM claims c
                {(where.Count > 0 ? "WHERE " + string.Join(" AND ", where) : "")}
                ORDER BY c.{order.Column} {dir}, c.seq {dir}
                LIMIT @Limit
                """;
            var rows = await db.QueryAsync<ClaimRow>(sql, new
            {
                Status = status,
                Topic = topic,
                query.Claimant,
                SourceId = sourceId,
                After = after?.After,
                AfterSeq = after?.Seq ?? 0,
                Limit = size + 1,
            }, ct);

            var page = rows.Take(size).ToList();
            var response = new ListClaimsResponse();
            response.Claims.AddRange(await ClaimReads.ToClaimsAsync(db, page, ct));
            if (rows.Count > size)
            {
                var last = page[^1];
                var key = order.Column == "create_time" ? last.CreateTime : last.UpdateTime;
                response.NextPageToken = PageTokens.Encode(new PageTokens.Position(key, last.Seq), fingerprint);
            }

            return response;
        }
    }
}
