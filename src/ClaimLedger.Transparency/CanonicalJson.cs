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
        // One builder per thread, kept while it stays small (off the large-object heap): the ledger canonicalises an
        // entry per change, thousands in a staleness sweep, and a new builder's chunks would be garbage each time.
        var builder = t_builder ?? new StringBuilder(1024);
        t_builder = null;
        try
        {
            Write(builder, node);
            return builder.ToString();
        }
        finally
        {
            if (builder.Capacity <= 16 * 1024)
            {
                t_builder = builder.Clear();
            }
        }
    }

    [ThreadStatic]
    private static StringBuilder? t_builder;

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
                    AppendString(b, name);
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
                AppendString(b, value.GetValue<string>());
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

    /// <summary>How each character of <see cref="NeedsCare"/> other than a surrogate is written.</summary>
    private static readonly string[] Escapes = Enumerable.Range(0, '\\' + 1).Select(c => (char)c switch
    {
        '"' => "\\\"",
        '\\' => "\\\\",
        '\b' => "\\b",
        '\f' => "\\f",
        '\n' => "\\n",
        '\r' => "\\r",
        '\t' => "\\t",
        < (char)0x20 => "\\u" + c.ToString("x4", CultureInfo.InvariantCulture),
        _ => "",
    }).ToArray();

    /// <summary>
    /// <paramref name="s"/> as a JSON string literal, escaped as RFC 8785 escapes it (only what JSON requires); runs of
    /// characters that need no care are copied whole.
    /// </summary>
    /// <exception cref="ArgumentException">A lone surrogate.</exception>
    public static void AppendString(StringBuilder b, string s)
    {
        b.Append('"');
        var rest = s.AsSpan();
        for (var i = rest.IndexOfAny(NeedsCare); i >= 0; i = rest.IndexOfAny(NeedsCare))
        {
            b.Append(rest[..i]);
            var special = Special(rest, i);
            if (special > 0)
            {
                b.Append(Escapes[rest[i]]);
            }
            else
            {
                b.Append(rest.Slice(i, 2));
            }

            rest = rest[(i + Math.Abs(special))..];
        }

        b.Append(rest).Append('"');
    }

    /// <summary>The length of <see cref="AppendString"/>'s literal of <paramref name="s"/>, quotes included.</summary>
    /// <exception cref="ArgumentException">A lone surrogate.</exception>
    public static int StringLength(string s)
    {
        var length = s.Length + 2;
        var rest = s.AsSpan();
        for (var i = rest.IndexOfAny(NeedsCare); i >= 0; i = rest.IndexOfAny(NeedsCare))
        {
            var special = Special(rest, i);
            length += special > 0 ? Escapes[rest[i]].Length - 1 : 0;
            rest = rest[(i + Math.Abs(special))..];
        }

        return length;
    }

    /// <summary>
    /// Writes <see cref="AppendString"/>'s literal of <paramref name="s"/> at the start of <paramref name="destination"/>,
    /// which holds at least <see cref="StringLength"/> characters; returns how many it wrote.
    /// </summary>
    /// <exception cref="ArgumentException">A lone surrogate.</exception>
    public static int WriteString(Span<char> destination, string s)
    {
        destination[0] = '"';
        var at = 1;
        var rest = s.AsSpan();
        for (var i = rest.IndexOfAny(NeedsCare); i >= 0; i = rest.IndexOfAny(NeedsCare))
        {
            rest[..i].CopyTo(destination[at..]);
            at += i;
            var special = Special(rest, i);
            var written = special > 0 ? Escapes[rest[i]].AsSpan() : rest.Slice(i, 2);
            written.CopyTo(destination[at..]);
            at += written.Length;
            rest = rest[(i + Math.Abs(special))..];
        }

        rest.CopyTo(destination[at..]);
        at += rest.Length;
        destination[at] = '"';
        return at + 1;
    }

    /// <summary>
    /// What <paramref name="text"/>[<paramref name="i"/>], a character of <see cref="NeedsCare"/>, is: 1 for one to
    /// escape (<see cref="Escapes"/>), -2 for a surrogate pair copied as it is.
    /// </summary>
    private static int Special(ReadOnlySpan<char> text, int i)
    {
        var c = text[i];
        if (!char.IsSurrogate(c))
        {
            return 1;
        }

        if (!char.IsHighSurrogate(c) || i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1]))
        {
            throw new ArgumentException("Strings with lone surrogates cannot be canonicalised.");
        }

        return -2;
    }
}
