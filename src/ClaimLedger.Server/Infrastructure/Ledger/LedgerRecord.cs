using System.Text.Json.Nodes;

namespace ClaimLedger.Server.Infrastructure.Ledger;

/// <summary>
/// What a command tells the ledger about the change it made: an action ("claim.verdict_submitted"), the resource
/// changed, and the changed state as a JSON object (canonicalised when stored).
/// </summary>
public sealed record LedgerRecord(string Action, string Subject, JsonObject Changes)
{
    private string? _canonical;

    /// <summary>
    /// <see cref="Changes"/> as the ledger stores it (RFC 8785), made on first use and kept: the changes must be
    /// complete before it is read. A bulk command reads it before it holds the writer.
    /// </summary>
    public string CanonicalChanges => _canonical ??= Transparency.CanonicalJson.ToText(Changes);
}
