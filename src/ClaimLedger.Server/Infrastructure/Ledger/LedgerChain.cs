using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using ClaimLedger.Transparency;

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

    /// <summary>
    /// The hash of a new entry whose <paramref name="canonicalChanges"/> is already canonical (as the ledger stores it):
    /// written straight into bytes where <see cref="TryEntryHash"/> can, else through <see cref="CanonicalEntry"/>.
    /// </summary>
    public static string EntryHash(string previousHashHex, long sequence, string time, string actor, string action, string subject, string canonicalChanges)
    {
        Span<byte> hash = stackalloc byte[32];
        return TryEntryHash(previousHashHex, sequence, time, actor, action, subject, canonicalChanges, hash)
            ? Convert.ToHexStringLower(hash)
            : EntryHash(previousHashHex, CanonicalEntry(sequence, time, actor, action, subject, JsonNode.Parse(canonicalChanges)));
    }

    /// <summary>
    /// The entry hash without building a JSON tree: the canonical entry is written straight into bytes, with
    /// <paramref name="changes"/> taken verbatim (the ledger stores it canonical, so a stored text that is not canonical
    /// no longer matches its hash). Returns false, asking for <see cref="EntryHash"/>, when a string field is not plain
    /// printable ASCII (it might need escaping) or <paramref name="previousHashHex"/> is not 64 hex digits.
    /// </summary>
    public static bool TryEntryHash(string previousHashHex, long sequence, string time, string actor, string action, string subject,
        string changes, Span<byte> hash)
    {
        if (!IsPlain(time) || !IsPlain(actor) || !IsPlain(action) || !IsPlain(subject) || previousHashHex.Length != 64)
        {
            return false;
        }

        var rented = ArrayPool<byte>.Shared.Rent(32 + MaxCanonicalLength(time, actor, action, subject, changes));
        try
        {
            var buffer = rented.AsSpan();
            if (Convert.FromHexString(previousHashHex, buffer[..32], out _, out var written) != OperationStatus.Done || written != 32)
            {
                return false;
            }

            var length = WriteCanonical(buffer[32..], sequence, time, actor, action, subject, changes);
            SHA256.HashData(buffer[..(32 + length)], hash);
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// The canonical entry's bytes without building a JSON tree, <paramref name="changes"/> taken verbatim (stored
    /// canonical; a stored text that is not no longer matches its hash): the Merkle tree's leaf. Falls back to
    /// <see cref="CanonicalEntry"/> when a string field is not plain printable ASCII.
    /// </summary>
    public static byte[] CanonicalEntryBytes(long sequence, string time, string actor, string action, string subject, string changes)
    {
        if (!IsPlain(time) || !IsPlain(actor) || !IsPlain(action) || !IsPlain(subject))
        {
            return CanonicalEntry(sequence, time, actor, action, subject, JsonNode.Parse(changes));
        }

        var rented = ArrayPool<byte>.Shared.Rent(MaxCanonicalLength(time, actor, action, subject, changes));
        try
        {
            var length = WriteCanonical(rented, sequence, time, actor, action, subject, changes);
            return rented.AsSpan(0, length).ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static int MaxCanonicalLength(string time, string actor, string action, string subject, string changes) =>
        80 + time.Length + actor.Length + action.Length + subject.Length + Encoding.UTF8.GetMaxByteCount(changes.Length);

    private static int WriteCanonical(Span<byte> buffer, long sequence, string time, string actor, string action, string subject, string changes)
    {
        var at = 0;
        at += Append(buffer[at..], "{\"action\":\"", action);
        at += Append(buffer[at..], "\",\"actor\":\"", actor);
        at += Encoding.ASCII.GetBytes("\",\"changes\":", buffer[at..]);
        at += Encoding.UTF8.GetBytes(changes, buffer[at..]);
        at += Encoding.ASCII.GetBytes(",\"sequence\":", buffer[at..]);
        sequence.TryFormat(buffer[at..], out var digits, default, System.Globalization.CultureInfo.InvariantCulture);
        at += digits;
        at += Append(buffer[at..], ",\"subject\":\"", subject);
        at += Append(buffer[at..], "\",\"time\":\"", time);
        at += Encoding.ASCII.GetBytes("\"}", buffer[at..]);
        return at;
    }

    private static int Append(Span<byte> destination, string literal, string value)
    {
        var n = Encoding.ASCII.GetBytes(literal, destination);
        return n + Encoding.ASCII.GetBytes(value, destination[n..]);
    }

    private static bool IsPlain(string value)
    {
        foreach (var c in value)
        {
            if (c is < ' ' or > '~' or '"' or '\\')
            {
                return false;
            }
        }

        return true;
    }
}
