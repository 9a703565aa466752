using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Features.Claims;
using ClaimLedger.Server.Features.Evidence;
using ClaimLedger.Server.Features.History;
using ClaimLedger.Server.Features.Sources;
using ClaimLedger.Server.Infrastructure.Data;
using ClaimLedger.Server.Infrastructure.Hosting;
using ClaimLedger.Server.Infrastructure.Messaging;
using ClaimLedger.Server.Infrastructure.Security;
using FluentValidation;
using Grpc.Core;
using MediatR;

namespace ClaimLedger.Server.Features.Transfer;

/// <summary>
/// Every claim (optionally one topic) as a ClaimRecord — the claim, the sources of its evidence, its non-removed
/// evidence, the evidence its current verdict rests on, and its history — streamed one claim at a time from one snapshot.
/// </summary>
public static class ExportClaims
{
    [Requires(Permission.Read)]
    public sealed record Query(string Topic, IServerStreamWriter<ClaimRecord> Output) : IQuery<long>;

    public sealed class Validator : AbstractValidator<Query>
    {
        public Validator() => RuleFor(q => q.Topic).MaximumLength(ClaimRules.MaxTopicLength).OverridePropertyName("topic");
    }

    internal sealed class Handler(DbSession db, IMediator mediator, ServerStopping stopping) : IRequestHandler<Query, long>
    {
        public Task<long> Handle(Query query, CancellationToken ct) =>
            stopping.RunAsync(token => ExportAsync(query, token), "run the export again.", ct);

        private async Task<long> ExportAsync(Query query, CancellationToken ct)
        {
            await db.BeginReadSnapshotAsync(ct);
            var topic = query.Topic.Trim().ToLowerInvariant();
            long count = 0;
            await foreach (var id in db.StreamAsync<string>("""
                SELECT c.id FROM claims c
                WHERE @Topic = '' OR EXISTS (SELECT 1 FROM claim_topics t WHERE t.claim_seq = c.seq AND t.topic = @Topic)
                ORDER BY c.seq
                """, new { Topic = topic }, ct))
            {
                await query.Output.WriteAsync(await RecordAsync(id, ct), ct);
                count++;
            }

            return count;
        }

        private async Task<ClaimRecord> RecordAsync(string claimId, CancellationToken ct)
        {
            var claim = await ClaimReads.LoadAsync(db, claimId, ct);
            var evidence = await db.QueryAsync<EvidenceRow>(
                $"SELECT {EvidenceReads.Columns} FROM evidence e WHERE e.claim_id = @Id AND e.remove_time IS NULL ORDER BY e.seq", new { Id = claimId }, ct);
            var sources = (await db.QueryAsync<SourceRow>(
                $"SELECT {SourceReads.Columns} FROM sources s WHERE {db.InList("s.id", "@Ids")} ORDER BY s.seq", new { Ids = evidence.Select(e => e.SourceId).Distinct().ToArray() }, ct))
                .ToDictionary(s => s.Id);

            var record = new ClaimRecord { Claim = claim };
            record.Sources.AddRange(sources.Values.Select(s => s.ToSource()));
            var reviews = await Reviews.PublishedReviews.LoadAsync(db, evidence.Select(e => e.ReviewId), ct);
            foreach (var e in evidence)
            {
                var source = sources[e.SourceId];
                record.Evidence.Add(new RecordEvidence
                {
                    Source = source.Url ?? $"sha256:{source.ContentSha256}",
                    Stance = DbEnum.Parse<Stance>(e.Stance),
                    Excerpt = e.Excerpt,
                    Locator = e.Locator,
                    Credibility = DbEnum.Parse<Credibility>(e.Credibility),
                    Review = e.ReviewId is null ? null : reviews[e.ReviewId],
                });
            }

            if (claim.Verdict is { } verdict)
            {
                var names = evidence.Select(e => e.Name).ToList();
                record.VerdictEvidence.AddRange(verdict.Evidence.Select(n => names.IndexOf(n)).Where(i => i >= 0));
            }

            var token = "";
            do
            {
                var page = await mediator.Send(new ListClaimHistory.Query(claim.Name, PageTokens.MaxPageSize, token), ct);
                record.History.AddRange(page.Events);
                token = page.NextPageToken;
            }
            while (token.Length > 0);

            return record;
        }
    }
}
