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

/// <summary>UNVERIFIED or STALE → IN_REVIEW.</summary>
public static class StartReview
{
    public const int MaxNoteLength = 2000;

    [Requires(Permission.Contribute)]
    public sealed record Command(string Name, string Etag, string Note, string RequestId) : ICommand<Claim>, IIdempotentCommand
    {
        public LedgerRecord Ledger(Claim result) => LedgerPayloads.ForClaim("claim.review_started", result, new() { ["note"] = Note.Trim() });
    }

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator()
        {
            RuleFor(c => c.Name).Must(ResourceNames.IsClaim).OverridePropertyName("name").WithMessage("must be a claim name, claims/{claim}");
            RuleFor(c => c.Note).MaximumLength(MaxNoteLength).OverridePropertyName("note");
            RuleFor(c => c.Etag).Etag().OverridePropertyName("etag");
            RuleFor(c => c.RequestId).RequestId().OverridePropertyName("request_id");
        }
    }

    internal sealed class Handler(DbSession db, TimeProvider clock, ICurrentActor actor) : IRequestHandler<Command, Claim>
    {
        public async Task<Claim> Handle(Command command, CancellationToken ct)
        {
            var row = await StatusChange.PrepareAsync(db, command.Name, command.Etag, ClaimStatus.InReview, ct);
            await StatusChange.ApplyAsync(db, row, ClaimStatus.InReview, ClaimEvent.Types.Type.ReviewStarted, actor.Name,
                DbTime.ToDb(clock.GetUtcNow()), ct, detail: command.Note.Trim());
            return await ClaimReads.LoadAsync(db, row.Id, ct);
        }
    }
}
