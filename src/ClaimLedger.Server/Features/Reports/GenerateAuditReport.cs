using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Features.Ledger;
using ClaimLedger.Server.Infrastructure.Data;
using ClaimLedger.Server.Infrastructure.Grpc;
using ClaimLedger.Server.Infrastructure.Messaging;
using ClaimLedger.Server.Infrastructure.Security;
using FluentValidation;
using Grpc.Core;
using MediatR;

namespace ClaimLedger.Server.Features.Reports;

/// <summary>
/// Streams an audit report over [start, end) in JSON, CSV, Markdown or HTML. All figures come from one read snapshot,
/// together with the ledger's digest and a full verification, so the report is consistent with the digest it prints.
/// </summary>
public static class GenerateAuditReport
{
    public static readonly TimeSpan MaxPeriod = TimeSpan.FromDays(366);

    [Requires(Permission.Audit)]
    public sealed record Query(DateTimeOffset? Start, DateTimeOffset? End, string Topic, string Claim, ReportFormat Format,
        IServerStreamWriter<ReportChunk> Output, long AsOfTreeSize = 0) : IQuery<Result>;

    public sealed record Result(long Bytes, long Timelines);

    public sealed class Validator : AbstractValidator<Query>
    {
        public Validator()
        {
            RuleFor(q => q.Start).NotNull().OverridePropertyName("start_time").WithMessage("is required");
            RuleFor(q => q.End).NotNull().OverridePropertyName("end_time").WithMessage("is required");
            RuleFor(q => q.End).Must((q, end) => end > q.Start).When(q => q.Start is not null && q.End is not null)
                .OverridePropertyName("end_time").WithMessage("must be after start_time");
            RuleFor(q => q.End).Must((q, end) => end - q.Start <= MaxPeriod).When(q => q.Start is not null && q.End is not null)
                .OverridePropertyName("end_time").WithMessage("must be at most 366 days after start_time");
            RuleFor(q => q.Topic).MaximumLength(64).OverridePropertyName("topic");
            RuleFor(q => q.Claim).Must(c => c.Length == 0 || ResourceNames.IsClaim(c)).OverridePropertyName("claim")
                .WithMessage("must be a claim name, claims/{claim}");
            RuleFor(q => q.AsOfTreeSize).GreaterThanOrEqualTo(0).OverridePropertyName("as_of_tree_size");
            RuleFor(q => q.Format).Must(f => f != ReportFormat.Unspecified && Enum.IsDefined(f)).OverridePropertyName("format")
                .WithMessage("must be JSON, CSV, MARKDOWN or HTML");
        }
    }

    internal sealed class Handler(DbSession db, ISqlDialect dialect, IMediator mediator, TimeProvider clock) : IRequestHandler<Query, Result>
    {
        public async Task<Result> Handle(Query q, CancellationToken ct)
        {
            ResourceNames.TryParseClaim(q.Claim, out var claimId);
            await db.BeginReadSnapshotAsync(ct);
            var start = q.Start!.Value;
            var end = q.End!.Value;
            Checkpoint? checkpoint = null;
            LedgerDigest digest;
            var lastSequence = long.MaxValue;
            if (q.AsOfTreeSize > 0)
            {
                // As of a checkpoint: everything up to its last entry, and the proof that today's ledger still holds it.
                checkpoint = (await Transparency.TreeState.CheckpointAsync(db, q.AsOfTreeSize, "as_of_tree_size", ct)).ToProto();
                var head = await db.QuerySingleOrDefaultAsync<LedgerRow>($"SELECT {LedgerRow.Columns} FROM ledger_entries WHERE sequence = @S",
                    new { S = q.AsOfTreeSize }, ct) ?? throw new NotFoundException($"ledger entry {q.AsOfTreeSize}");
                lastSequence = head.Sequence;
                var headEnd = DbTime.FromDb(head.Time).AddTicks(10); // the end is exclusive; times have microseconds
                end = headEnd < end ? headEnd : end;
                if (end <= start)
                {
                    throw new InvalidFieldException("as_of_tree_size", $"checkpoint {q.AsOfTreeSize} ends at {head.Time}, before start_time");
                }

                digest = new LedgerDigest { HeadSequence = head.Sequence, HeadHash = head.EntryHash, Time = DbTime.ToTimestamp(head.Time) };
            }
            else
            {
                digest = await mediator.Send(new GetLedgerDigest.Query(), ct);
            }

            var period = new AuditReportData.Period(DbTime.ToDb(start), DbTime.ToDb(end), q.Topic.Trim().ToLowerInvariant(), claimId, lastSequence);
            var data = new AuditReportData(db, dialect);

            var verification = await mediator.Send(checkpoint is null ? new VerifyLedger.Query(0, "") : new VerifyLedger.Query(digest.HeadSequence, digest.HeadHash), ct);
            var (changes, overturned) = await data.VerdictChangesAsync(period, ct);
            var (stale, reverified) = await data.StaleAsync(period, ct);
            var (firsts, median) = await data.TimeToFirstVerdictAsync(period, ct);
            var summary = new AuditSummary(
                clock.GetUtcNow(), start, end, period.Topic, q.Claim,
                await data.ClaimsRecordedAsync(period, ct),
                await data.VerdictsByRatingAsync(period, ct),
                changes, overturned,
                await data.RetractionsByReasonAsync(period, ct),
                stale, reverified, firsts, median,
                await data.ActivityAsync(period, ct),
                await data.StatusSeriesAsync(period, start, end, ct),
                digest, verification, checkpoint);

            var (contentType, extension) = AuditReportWriter.Describe(q.Format);
            var output = new ChunkedResponseStream(q.Output, contentType, $"claimledger-audit-{start:yyyyMMdd}-{end:yyyyMMdd}.{extension}");
            long timelines = 0;
            await using (var writer = AuditReportWriter.Create(q.Format, output))
            {
                await writer.BeginAsync(summary, ct);
                await foreach (var timeline in data.TimelinesAsync(period, ct))
                {
                    await writer.TimelineAsync(timeline, ct);
                    timelines++;
                }

                await writer.EndAsync(timelines, ct);
            }

            await output.CompleteAsync(ct);
            return new Result(output.BytesWritten, timelines);
        }
    }
}
