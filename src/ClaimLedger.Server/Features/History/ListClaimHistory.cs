using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Features.Claims;
using ClaimLedger.Server.Infrastructure.Data;
using ClaimLedger.Server.Infrastructure.Messaging;
using ClaimLedger.Server.Infrastructure.Security;
using FluentValidation;
using MediatR;

namespace ClaimLedger.Server.Features.History;

/// <summary>A claim's timeline, oldest first: every status change, verdict, update and evidence change.</summary>
public static class ListClaimHistory
{
    [Requires(Permission.Read)]
    public sealed record Query(string Name, int PageSize, string PageToken, DateTimeOffset? AsOfTime = null, long AsOfSequence = 0) : IQuery<ListClaimHistoryResponse>;

    public sealed class Validator : AbstractValidator<Query>
    {
        public Validator()
        {
            RuleFor(q => q.Name).Must(ResourceNames.IsClaim).OverridePropertyName("name").WithMessage("must be a claim name, claims/{claim}");
            RuleFor(q => q.PageSize).GreaterThanOrEqualTo(0).OverridePropertyName("page_size");
            RuleFor(q => q.AsOfSequence).GreaterThanOrEqualTo(0).OverridePropertyName("as_of_sequence");
            RuleFor(q => q.AsOfSequence).Equal(0).When(q => q.AsOfTime is not null).OverridePropertyName("as_of_sequence")
                .WithMessage("give as_of_time or as_of_sequence, not both");
        }
    }

    private sealed class EventRow
    {
        public long Sequence { get; init; }
        public string Type { get; init; } = "";
        public string? FromStatus { get; init; }
        public string? ToStatus { get; init; }
        public string? VerdictId { get; init; }
        public string? EvidenceId { get; init; }
        public string Actor { get; init; } = "";
        public string Time { get; init; } = "";
        public string Detail { get; init; } = "";
    }

    internal sealed class Handler(DbSession db) : IRequestHandler<Query, ListClaimHistoryResponse>
    {
        private const string Sql = """
            SELECT sequence, type, from_status, to_status, verdict_id, evidence_id, actor, time, detail
            FROM claim_events
            WHERE claim_id = @ClaimId AND sequence > @After
            ORDER BY sequence
            LIMIT @Limit
            """;

        public async Task<ListClaimHistoryResponse> Handle(Query query, CancellationToken ct)
        {
            ResourceNames.TryParseClaim(query.Name, out var claimId);
            var asOf = await Ledger.AsOf.SequenceAsync(db, query.AsOfTime, query.AsOfSequence, ct);
            var fingerprint = PageTokens.Fingerprint("history", claimId, asOf);
            var after = PageTokens.Decode(query.PageToken, fingerprint)?.Seq ?? 0;
            var size = PageTokens.Size(query.PageSize);
            if (query.AsOfTime is not null || query.AsOfSequence > 0)
            {
                // Recomputed from the entries up to that point, not read from the timeline rows.
                var events = Ledger.AsOf.Events(await Ledger.AsOf.FoldAsync(db, query.Name, asOf, ct)).Where(e => e.Sequence > after).Take(size + 1).ToList();
                var recomputed = new ListClaimHistoryResponse();
                recomputed.Events.AddRange(events.Take(size));
                if (events.Count > size)
                {
                    recomputed.NextPageToken = PageTokens.Encode(new PageTokens.Position(null, events[size - 1].Sequence), fingerprint);
                }

                return recomputed;
            }

            await ClaimReads.RowAsync(db, claimId, ct); // NOT_FOUND for an unknown claim
            var rows = await db.QueryAsync<EventRow>(Sql, new { ClaimId = claimId, After = after, Limit = size + 1 }, ct);
            var page = rows.Take(size).ToList();
            var verdicts = await ClaimReads.VerdictsAsync(db, page.Where(r => r.VerdictId is not null).Select(r => r.VerdictId!).ToList(), ct);

            var response = new ListClaimHistoryResponse();
            response.Events.AddRange(page.Select(r => new ClaimEvent
            {
                Sequence = r.Sequence,
                Type = DbEnum.Parse<ClaimEvent.Types.Type>(r.Type),
                FromStatus = DbEnum.Parse<ClaimStatus>(r.FromStatus),
                ToStatus = DbEnum.Parse<ClaimStatus>(r.ToStatus),
                Verdict = r.VerdictId is not null && verdicts.TryGetValue(r.VerdictId, out var v) ? v : null,
                Evidence = r.EvidenceId is null ? "" : ResourceNames.Evidence(claimId, r.EvidenceId),
                Actor = r.Actor,
                Time = DbTime.ToTimestamp(r.Time),
                Detail = r.Detail,
            }));
            if (rows.Count > size)
            {
                response.NextPageToken = PageTokens.Encode(new PageTokens.Position(null, page[^1].Sequence), fingerprint);
            }

            return response;
        }
    }
}
