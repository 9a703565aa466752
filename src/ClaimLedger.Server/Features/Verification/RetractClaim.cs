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

/// <summary>Any status but RETRACTED → RETRACTED, with a reason (withdrawn, duplicate of another claim, out of scope).</summary>
public static class RetractClaim
{
    public const int MaxNoteLength = 2000;

    [Requires(Permission.Decide)]
    public sealed record Command(string Name, RetractionReason Reason, string Note, string DuplicateOf, string Etag, string RequestId)
        : ICommand<Claim>, IIdempotentCommand
    {
        public LedgerRecord Ledger(Claim result) => LedgerPayloads.ForClaim("claim.retracted", result);
    }

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator()
        {
            RuleFor(c => c.Name).Must(ResourceNames.IsClaim).OverridePropertyName("name").WithMessage("must be a claim name, claims/{claim}");
            RuleFor(c => c.Reason).Must(r => r != RetractionReason.Unspecified && Enum.IsDefined(r)).OverridePropertyName("reason")
                .WithMessage("must be WITHDRAWN, DUPLICATE or OUT_OF_SCOPE");
            RuleFor(c => c.Note).MaximumLength(MaxNoteLength).OverridePropertyName("note");
            RuleFor(c => c.DuplicateOf).Must(ResourceNames.IsClaim).When(c => c.Reason == RetractionReason.Duplicate)
                .OverridePropertyName("duplicate_of").WithMessage("is required for DUPLICATE and must be a claim name, claims/{claim}");
            RuleFor(c => c.DuplicateOf).Empty().When(c => c.Reason != RetractionReason.Duplicate)
                .OverridePropertyName("duplicate_of").WithMessage("is only allowed with reason DUPLICATE");
            RuleFor(c => c.DuplicateOf).NotEqual(c => c.Name).When(c => c.DuplicateOf.Length > 0).OverridePropertyName("duplicate_of").WithMessage("must name another claim");
            RuleFor(c => c.Etag).Etag().OverridePropertyName("etag");
            RuleFor(c => c.RequestId).RequestId().OverridePropertyName("request_id");
        }
    }

    internal sealed class Handler(DbSession db, TimeProvider clock, ICurrentActor actor) : IRequestHandler<Command, Claim>
    {
        private const string RetractSql = """
            UPDATE claims
            SET retraction_reason = @Reason, retraction_note = @Note, retraction_duplicate_of = @DuplicateOf,
                retraction_actor = @Actor, retract_time = @Now
            WHERE id = @Id
            """;

        /// <summary>Stores the retraction's details (the status move is the caller's). Also used by imports.</summary>
        internal static Task RecordAsync(DbSession db, string claimId, string reason, string note, string duplicateOf, string actor, string now, CancellationToken ct) =>
            db.ExecuteAsync(RetractSql, new
            {
                Id = claimId,
                Reason = reason,
                Note = note.Trim(),
                DuplicateOf = duplicateOf.Length > 0 ? duplicateOf : null,
                Actor = actor,
                Now = now,
            }, ct);

        public async Task<Claim> Handle(Command command, CancellationToken ct)
        {
            var row = await StatusChange.PrepareAsync(db, command.Name, command.Etag, ClaimStatus.Retracted, ct);
            if (command.Reason == RetractionReason.Duplicate)
            {
                ResourceNames.TryParseClaim(command.DuplicateOf, out var originalId);
                await ClaimReads.RowAsync(db, originalId, ct); // NOT_FOUND if the original does not exist
            }

            var now = DbTime.ToDb(clock.GetUtcNow());
            var reason = DbEnum.ToDb(command.Reason);
            await StatusChange.ApplyAsync(db, row, ClaimStatus.Retracted, ClaimEvent.Types.Type.Retracted, actor.Name, now, ct,
                detail: command.Note.Length > 0 ? $"{reason}: {command.Note.Trim()}" : reason);
            await RecordAsync(db, row.Id, reason, command.Note, command.DuplicateOf, actor.Name, now, ct);
            return await ClaimReads.LoadAsync(db, row.Id, ct);
        }
    }
}
