using System.Text.Json.Nodes;
using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Features.Claims;
using ClaimLedger.Server.Features.History;
using ClaimLedger.Server.Infrastructure.Data;
using ClaimLedger.Server.Infrastructure.Ledger;
using ClaimLedger.Server.Infrastructure.Messaging;
using ClaimLedger.Server.Infrastructure.Security;
using FluentValidation;
using MediatR;
using MediatR.Pipeline;

namespace ClaimLedger.Server.Features.Verification;

public static partial class MarkStale
{
    /// <summary>
    /// Many claims marked stale at once (the staleness sweep), in one transaction and with set statements: each claim
    /// validated as its <see cref="Command"/> would be, and with the same ledger entry of its own, chained in the order
    /// given; if one cannot be marked, none is. Returns the claims marked, in that order (ADR 30). Its reads and the
    /// building of its entries need not hold the writer: they are done before the transaction (<see cref="BatchPrecheck"/>),
    /// or given as <paramref name="Prepared"/>, made by <see cref="PlanBatch"/> while an earlier batch was written.
    /// </summary>
    [Requires(Permission.Administer)]
    public sealed record Batch(IReadOnlyList<Command> Claims, BatchPlan? Prepared = null) : IBulkCommand<IReadOnlyList<Marked>>
    {
        public IReadOnlyList<LedgerRecord> Ledger(IReadOnlyList<Marked> result) => result.Select(m => m.Record).ToList();
    }

    /// <summary>
    /// A claim a <see cref="Batch"/> marked: the command, the claim after it, and its ledger entry's record — what the
    /// command alone would have recorded, with the timeline event it appended.
    /// </summary>
    public sealed record Marked(Command Command, Claim Claim, LedgerRecord Record);

    public sealed class BatchValidator : AbstractValidator<Batch>
    {
        public BatchValidator()
        {
            // A plan is made only of claims PlanBatch validated (the same command objects, IsFor): validated once.
            When(b => b.Prepared is null || !b.Prepared.IsFor(b.Claims), () => RuleFor(b => b.Claims).ClaimsToMark());
            RuleFor(b => b.Prepared).Must((b, plan) => plan is null || plan.IsFor(b.Claims)).OverridePropertyName("prepared")
                .WithMessage("must be the plan of these claims");
        }
    }

    /// <summary>
    /// The plan of a <see cref="Batch"/> of <paramref name="Claims"/>, made without writing anything: a staleness run
    /// makes the next batch's plan while the last batch writes.
    /// </summary>
    [Requires(Permission.Administer)]
    public sealed record PlanBatch(IReadOnlyList<Command> Claims) : IQuery<BatchPlan>;

    public sealed class PlanBatchValidator : AbstractValidator<PlanBatch>
    {
        public PlanBatchValidator()
        {
            RuleFor(b => b.Claims).ClaimsToMark();
        }
    }

    /// <summary>A batch's claims: at least one, each named once, each valid as its own <see cref="Command"/>.</summary>
    private static void ClaimsToMark<T>(this IRuleBuilder<T, IReadOnlyList<Command>> claims) =>
        claims.NotEmpty()
            .Must(c => c.Select(x => x.Name).Distinct(StringComparer.Ordinal).Count() == c.Count).WithMessage("must name each claim once")
            .ForEach(each => each.SetValidator(new Validator()))
            .OverridePropertyName("claims");

    internal sealed class PlanBatchHandler(DbSession db, TimeProvider clock, ICurrentActor actor) : IRequestHandler<PlanBatch, BatchPlan>
    {
        public Task<BatchPlan> Handle(PlanBatch request, CancellationToken ct) =>
            BatchPlan.MakeAsync(db, request.Claims, DbTime.ToDb(clock.GetUtcNow()), actor.Name, ct);
    }

    /// <summary>
    /// Everything a batch writes, worked out from what it read: the claims' rows as read (each moves only from that
    /// revision), their timeline events with the next sequence of each claim's timeline, the claims as they will be,
    /// their ledger records with the canonical text already made, and the findings' rows.
    /// </summary>
    public sealed class BatchPlan
    {
        private BatchPlan(string now, IReadOnlyList<ClaimRow> rows, IReadOnlyList<(ClaimTimeline.Entry Entry, long Sequence)> events, string findingRows,
            IReadOnlyList<Marked> marked) => (Now, Rows, Events, FindingRows, Marked) = (now, rows, events, findingRows, marked);

        internal string Now { get; }

        internal IReadOnlyList<ClaimRow> Rows { get; }

        internal IReadOnlyList<(ClaimTimeline.Entry Entry, long Sequence)> Events { get; }

        internal string FindingRows { get; }

        public IReadOnlyList<Marked> Marked { get; }

        /// <summary>Whether this is the plan of exactly these commands, in this order.</summary>
        public bool IsFor(IReadOnlyList<Command> claims) =>
            Marked.Count == claims.Count && Marked.Select(m => m.Command).Zip(claims).All(p => ReferenceEquals(p.First, p.Second));

        internal static async Task<BatchPlan> MakeAsync(DbSession db, IReadOnlyList<Command> commands, string now, string actor, CancellationToken ct)
        {
            var ids = commands.Select(c => c.Name["claims/".Length..]).ToList();
            var rows = await StatusChange.PrepareManyAsync(db, ids, ClaimStatus.Stale, ct);
            var next = await ClaimTimeline.NextSequencesAsync(db, ids, ct);
            var claims = await ClaimReads.ToClaimsAsync(db, rows.Select(r => StatusChange.Moved(r, ClaimStatus.Stale, now)).ToList(), ct);
            var events = rows.Select((r, i) => (new ClaimTimeline.Entry(r.Id, ClaimEvent.Types.Type.MarkedStale, actor, now, r.StatusValue, ClaimStatus.Stale,
                Detail: Detail(commands[i])), next[r.Id])).ToList();
            var marked = commands.Select((command, i) =>
            {
                var record = command.Ledger(claims[i]);
                record.Changes["events"] = new JsonArray(ClaimTimeline.LedgerEvent(events[i].Item1, events[i].Item2));
                _ = record.CanonicalChanges; // made here, before the writer is held
                return new Marked(command, claims[i], record);
            }).ToList();
            var findings = JsonRows.Of(commands.SelectMany((c, i) => c.Findings.Select(f => FindingValues(ids[i], c.RunId, f, now))), v => v);
            return new BatchPlan(now, rows, events, findings, marked);
        }
    }

    /// <summary>The plan of the batch this request carries, made by <see cref="BatchPrecheck"/> (one per request scope).</summary>
    internal sealed class BatchPreparation
    {
        private (Batch Batch, BatchPlan Plan)? _made;

        public void Made(Batch batch, BatchPlan plan) => _made = (batch, plan);

        public BatchPlan? For(Batch batch) => _made is { } made && ReferenceEquals(made.Batch, batch) ? made.Plan : null;
    }

    /// <summary>
    /// A batch's reads and the building of its entries, before the write transaction: on SQLite, outside the one
    /// writer, so the next batch is prepared while the last one writes. What it read is checked where it is written:
    /// a claim changed since (another revision) or a timeline grown since (its next sequence taken) fails the batch.
    /// </summary>
    internal sealed class BatchPrecheck(DbSession db, BatchPreparation preparation, TimeProvider clock, ICurrentActor actor) : IRequestPreProcessor<Batch>
    {
        public async Task Process(Batch batch, CancellationToken ct)
        {
            if (batch.Prepared is null)
            {
                preparation.Made(batch, await BatchPlan.MakeAsync(db, batch.Claims, DbTime.ToDb(clock.GetUtcNow()), actor.Name, ct));
            }
        }
    }

    internal sealed class BatchHandler(DbSession db, BatchPreparation preparation) : IRequestHandler<Batch, IReadOnlyList<Marked>>
    {
        public async Task<IReadOnlyList<Marked>> Handle(Batch batch, CancellationToken ct)
        {
            var plan = batch.Prepared ?? preparation.For(batch)
                ?? throw new InvalidOperationException("A batch is planned before its transaction (BatchPrecheck runs in the pipeline).");
            await StatusChange.MoveManyAsync(db, plan.Rows, ClaimStatus.Stale, plan.Now, ct);
            await ClaimTimeline.AppendManyAsync(db, plan.Events, ct);
            await db.ExecuteAsync(FindingsSql(db), new { Rows = plan.FindingRows }, ct);
            return plan.Marked;
        }
    }
}
