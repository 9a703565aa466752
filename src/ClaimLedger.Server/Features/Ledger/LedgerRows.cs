using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Infrastructure.Data;

namespace ClaimLedger.Server.Features.Ledger;

internal sealed class LedgerRow
{
    public long Sequence { get; init; }
    public string Time { get; init; } = "";
    public string Actor { get; init; } = "";
    public string Action { get; init; } = "";
    public string Subject { get; init; } = "";
    public string Changes { get; init; } = "";
    public string PreviousHash { get; init; } = "";
    public string EntryHash { get; init; } = "";

    public const string Columns = "sequence, time, actor, action, subject, changes, previous_hash, entry_hash";

    public LedgerEntry ToEntry() => new()
    {
        Sequence = Sequence,
        Time = DbTime.ToTimestamp(Time),
        Actor = Actor,
        Action = Action,
        Subject = Subject,
        Changes = Changes,
        PreviousHash = PreviousHash,
        EntryHash = EntryHash,
    };
}
