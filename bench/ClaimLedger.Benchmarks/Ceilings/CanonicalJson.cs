using System.Globalization;
using System.Text;

namespace ClaimLedger.Benchmarks.Ceilings;

/// <summary>
/// RFC 8785 canonical JSON as docs/ledger-format.md restricts it (objects with members sorted by UTF-16 code units,
/// arrays, strings, integers, booleans, null; no whitespace), written independently of the server's implementation.
/// Values: null, string, bool, int, long, <see cref="RawJson"/> (already canonical text), sequences, and
/// <see cref="IReadOnlyDictionary{TKey,TValue}"/> of string to value.
/// </summary>
public static class CanonicalJson
{
    /// <summary>Text that is already canonical JSON (e.g. a stored ledger entry's changes), written as is.</summary>
    public sealed record RawJson(string Text);

    /// <summary>The canonical entry a ledger hash covers: {action, actor, changes, sequence, subject, time}.</summary>
    public static string LedgerEntry(long sequence, string time, string actor, string action, string subject, string canonicalChanges)
    {
        var b = new StringBuilder(canonicalChanges.Length + 256);
        b.Append("{\"action\":");
        WriteString(b, action);
        b.Append(",\"actor\":");
        WriteString(b, actor);
        b.Append(",\"changes\":").Append(canonicalChanges);
        b.Append(",\"sequence\":").Append(sequence.ToString(CultureInfo.InvariantCulture));
        b.Append(",\"subject\":");
        WriteString(b, subject);
        b.Append(",\"time\":");
        WriteString(b, time);
        b.Append('}');
        return b.ToString();
    }

    public static string Serialize(object? value)
    {
        var b = new StringBuilder();
        Write(b, value);
        return b.ToString();
    }

    private static void Write(StringBuilder b, object? value)
    {
        switch (value)
        {
            case null:
                b.Append("null");
                break;
            case string s:
                WriteString(b, s);
                break;
            case bool flag:
                b.Append(flag ? "true" : "false");
                break;
            case int i:
                b.Append(i.ToString(CultureInfo.InvariantCulture));
                break;
            case long l:
                b.Append(l.ToString(CultureInfo.InvariantCulture));
                break;
            case RawJson raw:
                b.Append(raw.Text);
                break;
            case IReadOnlyDictionary<string, object?> obj:
                b.Append('{');
                var first = true;
                foreach (var (key, member) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    if (!first)
                    {
                        b.Append(',');
                    }

                    first = false;
                    WriteString(b, key);
                    b.Append(':');
                    Write(b, member);
                }

                b.Append('}');
                break;
            case System.Collections.IEnumerable items:
                b.Append('[');
                var firstItem = true;
                foreach (var item in items)
                {
                    if (!firstItem)
                    {
                        b.Append(',');
                    }

                    firstItem = false;
                    Write(b, item);
                }

                b.Append(']');
                break;
            default:
                throw new ArgumentException($"{value.GetType().Name} has no canonical JSON form here.", nameof(value));
        }
    }

    public static void WriteString(StringBuilder b, string s)
    {
        b.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': b.Append("\\\""); break;
                case '\\': b.Append("\\\\"); break;
                case '\b': b.Append("\\b"); break;
                case '\t': b.Append("\\t"); break;
                case '\n': b.Append("\\n"); break;
                case '\f': b.Append("\\f"); break;
                case '\r': b.Append("\\r"); break;
                default:
                    if (c < 0x20)
                    {
                        b.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        b.Append(c);
                    }

                    break;
            }
        }

        b.Append('"');
    }
}
