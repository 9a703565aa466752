using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Infrastructure.Data;
using ClaimLedger.Server.Infrastructure.Messaging;
using ClaimLedger.Server.Infrastructure.Security;
using FluentValidation;
using MediatR;

namespace ClaimLedger.Server.Features.Ledger;

/// <summary>Ledger entries in sequence order, filtered by subject, actor, action and time range.</summary>
public static class ListLedgerEntries
{
    [Requires(Permission.Audit)]
    public sealed record Query(int PageSize, string PageToken, string Subject, string Actor, string Action, DateTimeOffset? StartTime, DateTimeOffset? EndTime)
        : IQuery<ListLedgerEntriesResponse>;

    public sealed class Validator : AbstractValidator<Query>
    {
        public Validator()
        {
            RuleFor(q => q.PageSize).GreaterThanOrEqualTo(0).OverridePropertyName("page_size");
            RuleFor(q => q.Subject).MaximumLength(200).OverridePropertyName("subject");
            RuleFor(q => q.Actor).MaximumLength(100).OverridePropertyName("actor");
            RuleFor(q => q.Action).MaximumLength(100).OverridePropertyName("action");
            RuleFor(q => q.EndTime).GreaterThan(q => q.StartTime).When(q => q.StartTime is not null && q.EndTime is not null)
                .OverridePropertyName("end_time").WithMessage("must be after start_time");
        }
    }

    internal sealed class Handler(DbSession db) : IRequestHandler<Query, ListLedgerEntriesResponse>
    {
        // Only the filters given go into the statement: a catch-all "(@Subject = '' OR subject = @Subject)" is planned
        // before its values are known, as a walk of the whole ledger in sequence order, so asking for one subject's
        // newest entries read every entry before them. With the filter spelled out, the (subject, sequence),
        // (actor, sequence), (action, sequence) and (time, sequence) indexes serve it. At most 32 texts, each prepared once.
        internal static string Sql(Query q, bool start, bool end)
        {
            var sql = new System.Text.StringBuilder($"SELECT {LedgerRow.Columns} FROM ledger_entries WHERE sequence > @After");
            if (!string.IsNullOrEmpty(q.Subject))
            {
                sql.Append(" AND subject = @Subject");
            }

            if (!string.IsNullOrEmpty(q.Actor))
            {
                sql.Append(" AND actor = @Actor");
            }

            if (!string.IsNullOrEmpty(q.Action))
            {
                sql.Append(" AND action = @Action");
            }

            if (start)
            {
                sql.Append(" AND time >= @StartTime");
            }

            if (end)
            {
                sql.Append(" AND time < @EndTime");
            }

            return sql.Append(" ORDER BY sequence LIMIT @Limit").ToString();
        }

        public async Task<ListLedgerEntriesResponse> Handle(Query q, CancellationToken ct)
        {
            var start = q.StartTime is { } s ? DbTime.ToDb(s) : null;
            var end = q.EndTime is { } e ? DbTime.ToDb(e) : null;
            var fingerprint = PageTokens.Fingerprint("ledger", q.Subject, q.Actor, q.Action, start, end);
            var after = PageTokens.Decode(q.PageToken, fingerprint)?.Seq ?? 0;
            var size = PageTokens.Size(q.PageSize);
            var rows = await db.QueryAsync<LedgerRow>(Sql(q, start is not null, end is not null), new { After = after, q.Subject, q.Actor, q.Action, StartTime = start, EndTime = end, Limit = size + 1 }, ct);
            var response = new ListLedgerEntriesResponse();
            response.Entries.AddRange(rows.Take(size).Select(r => r.ToEntry()));
            if (rows.Count > size)
            {
                response.NextPageToken = PageTokens.Encode(new PageTokens.Position(null, rows[size - 1].Sequence), fingerprint);
            }

            return response;
        }
    }
}
