using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Infrastructure.Data;
using ClaimLedger.Server.Infrastructure.Ledger;
using ClaimLedger.Server.Infrastructure.Messaging;
using ClaimLedger.Server.Infrastructure.Security;
using Google.Protobuf.WellKnownTypes;
using MediatR;

namespace ClaimLedger.Server.Features.Ledger;

/// <summary>The chain's head (sequence and hash): what an auditor keeps outside the system.</summary>
public static class GetLedgerDigest
{
    [Requires(Permission.Audit)]
    public sealed record Query : IQuery<LedgerDigest>;

    internal sealed class Handler(DbSession db, TimeProvider clock) : IRequestHandler<Query, LedgerDigest>
    {
        public async Task<LedgerDigest> Handle(Query query, CancellationToken ct)
        {
            var head = await db.QuerySingleOrDefaultAsync<LedgerRow>(
                $"SELECT {LedgerRow.Columns} FROM ledger_entries ORDER BY sequence DESC LIMIT 1", null, ct);
            return new LedgerDigest
            {
                HeadSequence = head?.Sequence ?? 0,
                HeadHash = head?.EntryHash ?? LedgerChain.GenesisHash,
                Time = Timestamp.FromDateTimeOffset(clock.GetUtcNow()),
            };
        }
    }
}
