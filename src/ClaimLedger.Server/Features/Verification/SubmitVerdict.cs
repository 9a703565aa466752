using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Features.Claims;
using ClaimLedger.Server.Features.Ledger;
using ClaimLedger.Server.Infrastructure.Data;
using ClaimLedger.Server.Infrastructure.Security;
using ClaimLedger.Server.Infrastructure.Ledger;
using ClaimLedger.Server.Infrastructure.Messaging;
using FluentValidation;
using MediatR;

namespace ClaimLedger.Server.Features.Verification;

/// <summary>
/// IN_REVIEW → VERIFIED with a new verdict. The verdict rests on evidence of this claim that has not been removed:
/// at least one SUPPORTS, REFUTES or FACT_CHECK item unless the rating is UNPROVEN. Earlier verdicts stay (append-only).
/// </summary>
public static class SubmitVerdict
{
    public const int MaxRationaleLength = 10_000;
    public const int MaxEvidence = 100;

    [Requires(Permission.Decide)]
    public sealed record Command(string Name, Rating Rating, string Rationale, IReadOnlyList<string> Evidence, string Etag, string RequestId)
        : ICommand<Claim>, IIdempotentCommand
    {
        public LedgerRecord Ledger(Claim result) => LedgerPayloads.ForClaim("claim.verdict_submitted", result);
    }

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator()
        {
            RuleFor(c => c.Name).Must(ResourceNames.IsClaim).OverridePropertyName("name").WithMessage("must be a claim name, claims/{claim}");
            RuleFor(c => c.Rating).Must(r => r != Rating.Unspecified && Enum.IsDefined(r)).OverridePropertyName("rating")
                .WithMessage("must be TRUE, MOSTLY_TRUE, MIXED, MOSTLY_FALSE, FALSE, MISLEADING or UNPROVEN");
            RuleFor(c => c.Rationale).Must(r => !string.IsNullOrWhiteSpace(r)).WithMessage("is required")
                .MaximumLength(MaxRationaleLength).WithMessage($"must be at most {MaxRationaleLength} characters")
                .OverridePropertyName("rationale");
            RuleFor(c => c.Evidence).Must(e => e.Count <= MaxEvidence).WithMessage($"must have at most {MaxEvidence} items")
                .Must(e => e.Distinct().Count() == e.Count).WithMessage("must not repeat an item")
                .OverridePropertyName("evidence");
            RuleForEach(c => c.Evidence)
                .Must((c, e) => ResourceNames.TryParseEvidence(e, out var claimId, out _) && ResourceNames.Claim(claimId) == c.Name)
                .When(c => c.Evidence.Count <= MaxEvidence)
                .OverridePropertyName("evidence").WithMessage("must name evidence of this claim, {name}/evidence/{evidence}");
            RuleFor(c => c.Etag).Etag().OverridePropertyName("etag");
            RuleFor(c => c.RequestId).RequestId().OverridePropertyName("request_id");
        }
    }

    internal sealed class Handler(DbSession db, TimeProvider clock, ICurrentActor actor) : IRequestHandler<Command, Claim>
    {
        private string EvidenceSql => $"""
            SELECT id AS Id, stance AS Stance, remove_time AS RemoveTime
            FROM evidence WHERE claim_id = @ClaimId AND {db.InList("id", "@Ids")}
            """;

        public async Task<Claim> Handle(Command command, CancellationToken ct)
        {
            var row = await StatusChange.PrepareAsync(db, command.Name, command.Etag, ClaimStatus.Verified, ct);
            var ids = command.Evidence.Select(e => { ResourceNames.TryParseEvidence(e, out _, out var id); return id; }).ToArray();
            var found = (await db.QueryAsync<EvidenceRef>(EvidenceSql, new { ClaimId = row.Id, Ids = ids }, ct)).ToDictionary(e => e.Id);
            for (var i = 0; i < ids.Length; i++)
            {
                if (!found.TryGetValue(ids[i], out var e))
                {
                    throw new NotFoundException(command.Evidence[i]);
                }

                if (e.RemoveTime is not null)
                {
                    throw new FailedPreconditionException("EVIDENCE_REMOVED", $"{command.Evidence[i]} was removed and cannot support a verdict.", command.Evidence[i]);
                }
            }

            if (!VerdictRules.EvidenceSuffices(command.Rating, found.Values.Select(e => DbEnum.Parse<Stance>(e.Stance))))
            {
                throw new FailedPreconditionException(
                    "VERDICT_NEEDS_EVIDENCE",
                    $"A {DbEnum.ToDb(command.Rating)} verdict must rest on at least one SUPPORTS, REFUTES or FACT_CHECK evidence of {row.Name}; only UNPROVEN may rest on none.",
                    row.Name);
            }

            var now = DbTime.ToDb(clock.GetUtcNow());
            var verdictId = await VerdictWriter.InsertAsync(db, row.Id, command.Rating, command.Rationale, ids, actor.Name, "", null, now, ct);
            await StatusChange.ApplyAsync(db, row, ClaimStatus.Verified, ClaimEvent.Types.Type.VerdictSubmitted, actor.Name, now, ct,
                verdictId, DbEnum.ToDb(command.Rating));
            return await ClaimReads.LoadAsync(db, row.Id, ct);
        }

        private sealed record EvidenceRef(string Id, string Stance, string? RemoveTime);
    }
}
