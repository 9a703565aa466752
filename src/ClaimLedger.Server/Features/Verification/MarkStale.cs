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
/// VERIFIED → STALE with a reason (e.g. VERDICT_EXPIRED, SOURCE_BROKEN). Sent by the scheduled staleness checks as
/// "system:staleness"; not exposed over gRPC. The verdict stays on the claim until a new review replaces it.
/// </summary>
public static class MarkStale
{
    [Requires(Permission.Administer)]
    public sealed record Command(string Name, string Reason, string Detail) : ICommand<Claim>
    {
        public LedgerRecord Ledger(Claim result) =>
            LedgerPayloads.ForClaim("claim.marked_stale", result, new JsonObject { ["reason"] = Reason, ["detail"] = Detail });
    }

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator()
        {
            RuleFor(c => c.Name).Must(ResourceNames.IsClaim).OverridePropertyName("name").WithMessage("must be a claim name, claims/{claim}");
            RuleFor(c => c.Reason).Matches("^[A-Z_]{1,64}$").OverridePropertyName("reason").WithMessage("must be an UPPER_SNAKE_CASE reason");
            RuleFor(c => c.Detail).MaximumLength(2000).OverridePropertyName("detail");
        }
    }

    internal sealed class Handler(DbSession db, TimeProvider clock, ICurrentActor actor) : IRequestHandler<Command, Claim>
    {
        public async Task<Claim> Handle(Command command, CancellationToken ct)
        {
            var row = await StatusChange.PrepareAsync(db, command.Name, "", ClaimStatus.Stale, ct);
            await StatusChange.ApplyAsync(db, row, ClaimStatus.Stale, ClaimEvent.Types.Type.MarkedStale, actor.Name,
                DbTime.ToDb(clock.GetUtcNow()), ct, detail: command.Detail.Length > 0 ? $"{command.Reason}: {command.Detail}" : command.Reason);
            return await ClaimReads.LoadAsync(db, row.Id, ct);
        }
    }
}
