using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Features.Claims;
using ClaimLedger.Server.Features.History;
using ClaimLedger.Server.Features.Ledger;
using ClaimLedger.Server.Infrastructure.Data;
using ClaimLedger.Server.Infrastructure.Security;
using ClaimLedger.Server.Infrastructure.Ledger;
using ClaimLedger.Server.Infrastructure.Messaging;
using FluentValidation;
using MediatR;

namespace ClaimLedger.Server.Features.Evidence;

/// <summary>
/// Soft-removes evidence: it keeps its row (verdicts may cite it) and gets remove_time. Evidence the current verdict
/// of a VERIFIED claim rests on cannot be removed: that would quietly change what the verdict stands on.
/// </summary>
public static class RemoveEvidence
{
    [Requires(Permission.Contribute)]
    public sealed record Command(string Name, string Etag, string RequestId) : ICommand<Contracts.V1.Evidence>, IIdempotentCommand
    {
        public LedgerRecord Ledger(Contracts.V1.Evidence result) => LedgerPayloads.ForEvidence("evidence.removed", result);
    }

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator()
        {
            RuleFor(c => c.Name).Must(ResourceNames.IsEvidence).OverridePropertyName("name")
                .WithMessage("must be an evidence name, claims/{claim}/evidence/{evidence}");
            RuleFor(c => c.Etag).Etag().OverridePropertyName("etag");
            RuleFor(c => c.RequestId).RequestId().OverridePropertyName("request_id");
        }
    }

    internal sealed class Handler(DbSession db, TimeProvider clock, ICurrentActor actor) : IRequestHandler<Command, Contracts.V1.Evidence>
    {
        private const string CitedSql = """
            SELECT count(*) FROM verdict_evidence ve
            JOIN claims c ON c.verdict_id = ve.verdict_id
            WHERE ve.evidence_id = @Id AND c.id = @ClaimId AND c.status = 'VERIFIED'
            """;

        private const string RemoveSql = """
            UPDATE evidence SET remove_time = @Now, removed_by = @Actor, revision = revision + 1
            WHERE id = @Id AND remove_time IS NULL
            """;

        public async Task<Contracts.V1.Evidence> Handle(Command command, CancellationToken ct)
        {
            ResourceNames.TryParseEvidence(command.Name, out var claimId, out var id);
            var row = await EvidenceReads.RowAsync(db, claimId, id, ct);
            Etags.EnsureCurrent(row.Name, command.Etag, row.Revision);
            if (row.RemoveTime is not null)
            {
                throw new FailedPreconditionException("EVIDENCE_ALREADY_REMOVED", $"{row.Name} was already removed.", row.Name);
            }

            if (await db.ExecuteScalarAsync<long>(CitedSql, new { Id = id, ClaimId = claimId }, ct) > 0)
            {
                throw new FailedPreconditionException(
                    "EVIDENCE_CITED_BY_VERDICT",
                    $"{row.Name} is cited by the current verdict of {ResourceNames.Claim(claimId)}; re-review the claim before removing it.",
                    row.Name);
            }

            var claim = await ClaimReads.RowAsync(db, claimId, ct);
            if (claim.StatusValue == ClaimStatus.Retracted)
            {
                throw new FailedPreconditionException("CLAIM_RETRACTED", $"{claim.Name} is RETRACTED and cannot change.", claim.Name);
            }

            var now = DbTime.ToDb(clock.GetUtcNow());
            await db.ExecuteAsync(RemoveSql, new { Id = id, Now = now, Actor = actor.Name }, ct);
            await ClaimTimeline.AppendAsync(db, new ClaimTimeline.Entry(claimId, ClaimEvent.Types.Type.EvidenceRemoved, actor.Name, now,
                EvidenceId: id, Detail: $"{row.Stance} from {ResourceNames.Source(row.SourceId)}"), ct);
            return await EvidenceReads.LoadAsync(db, claimId, id, ct);
        }
    }
}
