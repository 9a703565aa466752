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
    public sealed record Query(string Name) : IQuery<Claim>;

    public sealed class Validator : AbstractValidator<Query>
    {
        public Validator() =>
            RuleFor(q => q.Name).Must(ResourceNames.IsClaim).OverridePropertyName("name").WithMessage("must be a claim name, claims/{claim}");
    }

    internal sealed class Handler(DbSession db) : IRequestHandler<Query, Claim>
    {
        public Task<Claim> Handle(Query query, CancellationToken ct)
        {
            ResourceNames.TryParseClaim(query.Name, out var id);
            return ClaimReads.LoadAsync(db, id, ct);
        }
    }
}
