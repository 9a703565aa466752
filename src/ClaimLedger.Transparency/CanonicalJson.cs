using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ClaimLedger.Transparency;

/// <summary>
/// RFC 8785 (JSON Canonicalization Scheme) for the values the ledger uses: objects, arrays, strings, booleans, null
/// and integers. Object members are sorted by their names' UTF-16 code units; strings are escaped minimally
/// (\" \\ \b \f \n \r \t, other controls as \u00xx) and everything else is written as UTF-8; no whitespace.
/// Non-integer numbers are refused (the ledger writes decimals such as scores as strings), which keeps every
/// producer's output identical without reproducing ECMAScript number formatting.
/// </summary>
public static class CanonicalJson
{
    private const long MaxSafeInteger = 9_007_199_254_740_991;

    /// <summary>The canonical text of <paramref name="node"/>, UTF-8 encoded.</summary>
    /// <exception cref="ArgumentException">A non-integer number, an integer beyond ±(2^53 − 1), or a lone surrogate.</exception>
    public static byte[] Serialize(JsonNode? node) => Encoding.UTF8.GetBytes(ToText(node));

    /// <summary>The canonical text of <paramref name="node"/>.</summary>
    /// <exception cref="ArgumentException">A non-integer number, an integer beyond ±(2^53 − 1), or a lone surrogate.</exception>
    public static string ToText(JsonNode? node)
    {
        var builder = new StringBuilder();
        Write(builder, node);
        return builder.ToString();
    }

    private static void Write(StringBuilder b, JsonNode? node)
    {
        switch (node)
        {
            case null:
                b.Append("null");
                break;
            case JsonObject obj:
                b.Append('{');
                var first = true;
                foreach (var (name, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    if (!first)
                    {
                        b.Append(',');
                    }

                    first = false;
                    WriteString(b, name);
                    b.Append(':');
                    Write(b, value);
                }

                b.Append('}');
                break;
            case JsonArray array:
                b.Append('[');
                for (var i = 0; i < array.Count; i++)
                {
                    if (i > 0)
                    {
                        b.Append(',');
                    }

                    Write(b, array[i]);
                }

                b.Append(']');
                break;
            case JsonValue value:
                WriteValue(b, value);
                break;
            default:
                throw new ArgumentException($"Unsupported JSON node {node.GetType().Name}.");
        }
    }

    private static void WriteValue(StringBuilder b, JsonValue value)
    {
        switch (value.GetValueKind())
        {
            case JsonValueKind.String:
                WriteString(b, value.GetValue<string>());
                break;
            case JsonValueKind.True:
                b.Append("true");
                break;
            case JsonValueKind.False:
                b.Append("false");
                break;
            case JsonValueKind.Null:
                b.Append("null");
                break;
            case JsonValueKind.Number:
                var integer = Integer(value)
                    ?? throw new ArgumentException("Only integer numbers are allowed in canonical ledger JSON; write decimals as strings.");
                if (integer is < -MaxSafeInteger or > MaxSafeInteger)
                {
                    throw new ArgumentException("Integers beyond ±(2^53-1) are not representable in canonical JSON.");
                }

                b.Append(integer.ToString(CultureInfo.InvariantCulture));
                break;
            default:
                throw new ArgumentException($"Unsupported JSON value kind {value.GetValueKind()}.");
        }
    }

    /// <summary>The value as an integer, if it is one: parsed JSON without fraction or exponent, or a .NET integer type.</summary>
    private static long? Integer(JsonValue value)
    {
        if (value.TryGetValue<JsonElement>(out var element))
        {
            return element.TryGetInt64(out var parsed) ? parsed : null;
        }

        if (value.TryGetValue<long>(out var l))
        {
            return l;
        }

        if (value.TryGetValue<int>(out var i))
        {
            return i;
        }

        if (value.TryGetValue<uint>(out var ui))
        {
            return ui;
        }

        if (value.TryGetValue<short>(out var sh))
        {
            return sh;
        }

        if (value.TryGetValue<ushort>(out var us))
        {
            return us;
        }

        if (value.TryGetValue<byte>(out var by))
        {
            return by;
        }

        return value.TryGetValue<sbyte>(out var sb) ? sb : null;
    }

    /// <summary>The characters a string cannot be copied through as they are: controls, quote, backslash, surrogates.</summary>
    private static readonly SearchValues<char> NeedsCare = SearchValues.Create(
        string.Concat(Enumerable.Range(0, 0x20).Concat([(int)'"', (int)'\\']).Concat(Enumerable.Range(0xD800, 0x800)).Select(c => (char)c)));

    private static void WriteString(StringBuilder b, string s)
    {
        b.Append('"');
        var rest = s.AsSpan();
        for (var i = rest.IndexOfAny(NeedsCare); i >= 0; i = rest.IndexOfAny(NeedsCare))
        {
            b.Append(rest[..i]);
            var c = rest[i];
            switch (c)
            {
                case '"': b.Append("\\\""); break;
                case '\\': b.Append("\\\\"); break;
                case '\b': b.Append("\\b"); break;
                case '\f': b.Append("\\f"); break;
                case '\n': b.Append("\\n"); break;
                case '\r': b.Append("\\r"); break;
                case '\t': b.Append("\\t"); break;
                case < (char)0x20:
                    b.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default:
                    if (!char.IsHighSurrogate(c) || i + 1 >= rest.Length || !char.IsLowSurrogate(rest[i + 1]))
                    {
                        throw new ArgumentException("Strings with lone surrogates cannot be canonicalised.");
                    }

                    b.Append(rest.Slice(i, 2));
                    i++;
                    break;
            }

            rest = rest[(i + 1)..];
        }

        b.Append(rest).Append('"');
    }
}
