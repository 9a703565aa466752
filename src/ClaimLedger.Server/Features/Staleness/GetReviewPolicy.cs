using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Infrastructure.Data;
using ClaimLedger.Server.Infrastructure.Messaging;
using ClaimLedger.Server.Infrastructure.Security;
using MediatR;

namespace ClaimLedger.Server.Features.Staleness;

public static class GetReviewPolicy
{
    [Requires(Permission.Read)]
    public sealed record Query : IQuery<ReviewPolicy>;

    internal sealed class Handler(DbSession db) : IRequestHandler<Query, ReviewPolicy>
    {
        public Task<ReviewPolicy> Handle(Query query, CancellationToken ct) => ReviewPolicyReads.LoadAsync(db, ct);
    }
}
