using System.Text.Json.Nodes;
using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Features.Claims;
using ClaimLedger.Server.Features.Ledger;
using ClaimLedger.Server.Infrastructure.Data;
using ClaimLedger.Server.Infrastructure.Ledger;
using ClaimLedger.Server.Infrastructure.Messaging;
using ClaimLedger.Server.Infrastructure.Security;
using FluentValidation;
using MediatR;

namespace ClaimLedger.Server.Features.Verification;

/// <summary>
/// VERIFIED → STALE, with the findings that caused it (VERDICT_EXPIRED; SOURCE_BROKEN / SOURCE_CHANGED naming the source and
/// the verdict's evidence). Sent by the staleness checks as "system:staleness"; not exposed over gRPC. The verdict stays
/// on the claim until a new review replaces it.
/// </summary>
public static class MarkStale
{
    public sealed record Finding(StaleReason Reason, string SourceId, string EvidenceId, string Detail);

    [Requires(Permission.Administer)]
    public sealed record Command(string Name, IReadOnlyList<Finding> Findings, string RunId = "") : ICommand<Claim>
    {
        public LedgerRecord Ledger(Claim result) => LedgerPayloads.ForClaim("claim.marked_stale", result, new JsonObject
        {
            ["run"] = RunId.Length > 0 ? $"stalenessRuns/{RunId}" : "",
            ["findings"] = new JsonArray(Findings.Select(f => (JsonNode?)new JsonObject
            {
                ["reason"] = DbEnum.ToDb(f.Reason),
                ["source"] = f.SourceId.Length > 0 ? ResourceNames.Source(f.SourceId) : "",
                ["evidence"] = f.EvidenceId.Length > 0 ? ResourceNames.Evidence(result.Name["claims/".Length..], f.EvidenceId) : "",
                ["detail"] = f.Detail,
                ["time"] = result.UpdateTime is null ? null : DbTime.ToDb(result.UpdateTime.ToDateTimeOffset()),
            }).ToArray()),
        });
    }

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator()
        {
            RuleFor(c => c.Name).Must(ResourceNames.IsClaim).OverridePropertyName("name").WithMessage("must be a claim name, claims/{claim}");
            RuleFor(c => c.Findings).NotEmpty().OverridePropertyName("findings").WithMessage("must name why the claim is stale");
            RuleForEach(c => c.Findings).Must(f => f.Reason != StaleReason.Unspecified && Enum.IsDefined(f.Reason) && f.Detail.Length <= 2000)
                .OverridePropertyName("findings");
        }
    }

    /// <summary>
    /// Many claims marked stale at once (the staleness sweep), in one transaction and with set statements: each claim
    /// validated as its <see cref="Command"/> would be, and with the same ledger entry of its own, chained in the order
    /// given; if one cannot be marked, none is. Returns the claims marked, in that order.
    /// </summary>
    [Requires(Permission.Administer)]
    public sealed record Batch(IReadOnlyList<Command> Claims) : IBulkCommand<IReadOnlyList<Marked>>
    {
        public IReadOnlyList<LedgerRecord> Ledger(IReadOnlyList<Marked> result) => result.Select(m =>
        {
            // What the single command's entry holds: its own record, and the timeline event it appended.
            var record = m.Command.Ledger(m.Claim);
            record.Changes["events"] = new JsonArray(m.Event);
            return record;
        }).ToList();
    }

    /// <summary>A claim a <see cref="Batch"/> marked: the command, the claim after it, and the timeline event it appended.</summary>
    public sealed record Marked(Command Command, Claim Claim, JsonObject Event);

    public sealed class BatchValidator : AbstractValidator<Batch>
    {
        public BatchValidator()
        {
            RuleFor(b => b.Claims).NotEmpty().OverridePropertyName("claims");
            RuleFor(b => b.Claims).Must(c => c.Select(x => x.Name).Distinct(StringComparer.Ordinal).Count() == c.Count)
                .OverridePropertyName("claims").WithMessage("must name each claim once");
            RuleForEach(b => b.Claims).SetValidator(new Validator()).OverridePropertyName("claims");
        }
    }

    internal sealed class BatchHandler(DbSession db, TimeProvider clock, ICurrentActor actor) : IRequestHandler<Batch, IReadOnlyList<Marked>>
    {
        public async Task<IReadOnlyList<Marked>> Handle(Batch batch, CancellationToken ct)
        {
            var ids = batch.Claims.Select(c => c.Name["claims/".Length..]).ToList();
            var rows = await StatusChange.PrepareManyAsync(db, ids, ClaimStatus.Stale, ct);
            var now = DbTime.ToDb(clock.GetUtcNow());
            var events = await StatusChange.ApplyManyAsync(db, rows.Select((row, i) => (row, Detail(batch.Claims[i]))).ToList(),
                ClaimStatus.Stale, ClaimEvent.Types.Type.MarkedStale, actor.Name, now, ct);
            var findings = batch.Claims.SelectMany((c, i) => c.Findings.Select(f => (ClaimId: ids[i], c.RunId, Finding: f))).ToList();
            await ValuesList.ExecuteAsync(db, FindingsSql, FindingRow, findings, f => FindingValues(f.ClaimId, f.RunId, f.Finding, now), ct);
            var claims = (await ClaimReads.ToClaimsAsync(db, await ClaimReads.RowsAsync(db, ids, ct), ct)).ToDictionary(c => c.Name, StringComparer.Ordinal);
            return batch.Claims.Select((c, i) => new Marked(c, claims[c.Name], events[ids[i]])).ToList();
        }
    }

    private const string FindingSql = """
        INSERT INTO stale_findings (claim_id, run_id, reason, source_id, evidence_id, detail, time)
        VALUES (@ClaimId, @RunId, @Reason, @SourceId, @EvidenceId, @Detail, @Time)
        """;

    private const string FindingsSql = "INSERT INTO stale_findings (claim_id, run_id, reason, source_id, evidence_id, detail, time) VALUES {values}";
    private const string FindingRow = "(@ClaimId, @RunId, @Reason, @SourceId, @EvidenceId, @Detail, @Time)";

    private static object?[] FindingValues(string claimId, string runId, Finding f, string now) =>
    [
        claimId, runId.Length > 0 ? runId : null, DbEnum.ToDb(f.Reason), f.SourceId.Length > 0 ? f.SourceId : null,
        f.EvidenceId.Length > 0 ? f.EvidenceId : null, f.Detail, now,
    ];

    /// <summary>The timeline event's detail: each finding, "REASON: detail".</summary>
    private static string Detail(Command command) =>
        string.Join("; ", command.Findings.Select(f => f.Detail.Length > 0 ? $"{DbEnum.ToDb(f.Reason)}: {f.Detail}" : DbEnum.ToDb(f.Reason)));

    internal sealed class Handler(DbSession db, TimeProvider clock, ICurrentActor actor) : IRequestHandler<Command, Claim>
    {
        public async Task<Claim> Handle(Command command, CancellationToken ct)
        {
            var row = await StatusChange.PrepareAsync(db, command.Name, "", ClaimStatus.Stale, ct);
            var now = DbTime.ToDb(clock.GetUtcNow());
            await StatusChange.ApplyAsync(db, row, ClaimStatus.Stale, ClaimEvent.Types.Type.MarkedStale, actor.Name, now, ct, detail: Detail(command));
            foreach (var f in command.Findings)
            {
                var v = FindingValues(row.Id, command.RunId, f, now);
                await db.ExecuteAsync(FindingSql, new { ClaimId = v[0], RunId = v[1], Reason = v[2], SourceId = v[3], EvidenceId = v[4], Detail = v[5], Time = v[6] }, ct);
            }

            return await ClaimReads.LoadAsync(db, row.Id, ct);
        }
    }
}
