using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Infrastructure.Data;
using ClaimLedger.Server.Infrastructure.Messaging;
using ClaimLedger.Server.Infrastructure.Security;
using FluentValidation;
using MediatR;

namespace ClaimLedger.Server.Features.Claims;

public static class GetClaim
{
    [Requires(Permission.Read)]
    public sealed record Query(string Name, DateTimeOffset? AsOfTime = null, long AsOfSequence = 0) : IQuery<Claim>;

    public sealed class Validator : AbstractValidator<Query>
    {
        public Validator()
        {
            RuleFor(q => q.Name).Must(ResourceNames.IsClaim).OverridePropertyName("name").WithMessage("must be a claim name, claims/{claim}");
            RuleFor(q => q.AsOfSequence).GreaterThanOrEqualTo(0).OverridePropertyName("as_of_sequence");
            RuleFor(q => q.AsOfSequence).Equal(0).When(q => q.AsOfTime is not null).OverridePropertyName("as_of_sequence")
                .WithMessage("give as_of_time or as_of_sequence, not both");
        }
    }

    internal sealed class Handler(DbSession db) : IRequestHandler<Query, Claim>
    {
        public async Task<Claim> Handle(Query query, CancellationToken ct)
        {
            if (query.AsOfTime is not null || query.AsOfSequence > 0)
            {
                var sequence = await Ledger.AsOf.SequenceAsync(db, query.AsOfTime, query.AsOfSequence, ct);
                return Ledger.AsOf.ToClaim(await Ledger.AsOf.FoldAsync(db, query.Name, sequence, ct));
            }

            ResourceNames.TryParseClaim(query.Name, out var id);
            return await ClaimReads.LoadAsync(db, id, ct);
        }
    }
}
