using System.Text.Json.Nodes;

namespace ClaimLedger.Server.Infrastructure.Ledger;

/// <summary>
/// What a command tells the ledger about the change it made: an action ("claim.verdict_submitted"), the resource
/// changed, and the changed state as a JSON object (canonicalised when stored).
/// </summary>
public sealed record LedgerRecord(string Action, string Subject, JsonObject Changes);
