using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace ClaimLedger.Server.Infrastructure.Ledger;

/// <summary>
/// The hash chain (docs/ledger-format.md): entry_hash = SHA-256(previous_hash as 32 raw bytes ‖ canonical entry),
/// where the canonical entry is the RFC 8785 JSON object {action, actor, changes, sequence, subject, time}
/// and previous_hash of the first entry is 32 zero bytes.
/// </summary>
public static class LedgerChain
{
    public static readonly string GenesisHash = new('0', 64);

    public static byte[] CanonicalEntry(long sequence, string time, string actor, string action, string subject, JsonNode? changes) =>
        CanonicalJson.Serialize(new JsonObject
        {
            ["action"] = action,
            ["actor"] = actor,
            ["changes"] = changes,
            ["sequence"] = sequence,
            ["subject"] = subject,
            ["time"] = time,
        });

    public static string EntryHash(string previousHashHex, byte[] canonicalEntry)
    {
        var buffer = new byte[32 + canonicalEntry.Length];
        Convert.FromHexString(previousHashHex).CopyTo(buffer, 0);
        canonicalEntry.CopyTo(buffer, 32);
        return Convert.ToHexStringLower(SHA256.HashData(buffer));
    }
}
