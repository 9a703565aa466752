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
    /// Many claims marked stale in one transaction (the staleness sweep): each claim is still its own
    /// <see cref="Command"/>, validated and with its own ledger entry, the same as when sent alone; if one fails, none
    /// of the batch is written. Returns how many were marked.
    /// </summary>
    [Requires(Permission.Administer)]
    public sealed record Batch(IReadOnlyList<Command> Claims) : ICommandBatch<int>;

    public sealed class BatchValidator : AbstractValidator<Batch>
    {
        public BatchValidator()
        {
            RuleFor(b => b.Claims).NotEmpty().OverridePropertyName("claims");
        }
    }

    internal sealed class BatchHandler(IMediator mediator) : IRequestHandler<Batch, int>
    {
        public async Task<int> Handle(Batch batch, CancellationToken ct)
        {
            foreach (var claim in batch.Claims)
            {
                await mediator.Send(claim, ct);
            }

            return batch.Claims.Count;
        }
    }

    internal sealed class Handler(DbSession db, TimeProvider clock, ICurrentActor actor) : IRequestHandler<Command, Claim>
    {
        private const string FindingSql = """
            INSERT INTO stale_findings (claim_id, run_id, reason, source_id, evidence_id, detail, time)
            VALUES (@ClaimId, @RunId, @Reason, @SourceId, @EvidenceId, @Detail, @Time)
            """;

        public async Task<Claim> Handle(Command command, CancellationToken ct)
        {
            var row = await StatusChange.PrepareAsync(db, command.Name, "", ClaimStatus.Stale, ct);
            var now = DbTime.ToDb(clock.GetUtcNow());
            await StatusChange.ApplyAsync(db, row, ClaimStatus.Stale, ClaimEvent.Types.Type.MarkedStale, actor.Name, now, ct,
                detail: string.Join("; ", command.Findings.Select(f => f.Detail.Length > 0 ? $"{DbEnum.ToDb(f.Reason)}: {f.Detail}" : DbEnum.ToDb(f.Reason))));
            foreach (var f in command.Findings)
            {
                await db.ExecuteAsync(FindingSql, new
                {
                    ClaimId = row.Id,
                    RunId = command.RunId.Length > 0 ? command.RunId : null,
                    Reason = DbEnum.ToDb(f.Reason),
                    SourceId = f.SourceId.Length > 0 ? f.SourceId : null,
                    EvidenceId = f.EvidenceId.Length > 0 ? f.EvidenceId : null,
                    f.Detail,
                    Time = now,
                }, ct);
            }

            return await ClaimReads.LoadAsync(db, row.Id, ct);
        }
    }
}
