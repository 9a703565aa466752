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

namespace ClaimLedger.Server.Features.Evidence;

/// <summary>Links a claim to a source with a stance. The source's content hash at this moment is kept with the link.</summary>
public static class AddEvidence
{
    [Requires(Permission.Contribute)]
    public sealed record Command(string Parent, EvidenceInput Evidence, string RequestId) : ICommand<Contracts.V1.Evidence>, IIdempotentCommand
    {
        public LedgerRecord Ledger(Contracts.V1.Evidence result) => LedgerPayloads.ForEvidence("evidence.added", result);
    }

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator()
        {
            RuleFor(c => c.Parent).Must(ResourceNames.IsClaim).OverridePropertyName("parent").WithMessage("must be a claim name, claims/{claim}");
            RuleFor(c => c.Evidence).SetValidator(new EvidenceInput.Validator()).OverridePropertyName("evidence");
            RuleFor(c => c.RequestId).RequestId().OverridePropertyName("request_id");
        }
    }

    internal sealed class Handler(DbSession db, TimeProvider clock, ICurrentActor actor) : IRequestHandler<Command, Contracts.V1.Evidence>
    {
        public async Task<Contracts.V1.Evidence> Handle(Command command, CancellationToken ct)
        {
            ResourceNames.TryParseClaim(command.Parent, out var claimId);
            var claim = await ClaimReads.RowAsync(db, claimId, ct);
            if (claim.StatusValue == ClaimStatus.Retracted)
            {
                throw new FailedPreconditionException("CLAIM_RETRACTED", $"{claim.Name} is RETRACTED; evidence can no longer be added.", claim.Name);
            }

            var id = await EvidenceWriter.AddAsync(db, claimId, command.Evidence, actor.Name, DbTime.ToDb(clock.GetUtcNow()), ct);
            return await EvidenceReads.LoadAsync(db, claimId, id, ct);
        }
    }
}
