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
public static partial class MarkStale
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

    // A claim's findings, and in a batch every claim's, in one statement (JsonRows; the values of FindingValues).
    private static string FindingsSql(DbSession db) => $"""
        INSERT INTO stale_findings (claim_id, run_id, reason, source_id, evidence_id, detail, time)
        SELECT r.value ->> 0, r.value ->> 1, r.value ->> 2, r.value ->> 3, r.value ->> 4, r.value ->> 5, r.value ->> 6
        FROM {db.JsonRows("@Rows", "r")}
        """;

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
            await db.ExecuteAsync(FindingsSql(db), new { Rows = JsonRows.Of(command.Findings, f => FindingValues(row.Id, command.RunId, f, now)) }, ct);

            return await ClaimReads.LoadAsync(db, row.Id, ct);
        }
    }
}
