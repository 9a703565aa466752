using System.Globalization;
using ClaimLedger.Transparency;

namespace ClaimLedger.Server.Infrastructure.Data;

/// <summary>
/// Many rows as one parameter: a JSON array with an array of values per row, which a statement reads as a table
/// through <see cref="DbSession.JsonRows"/> (<c>INSERT … SELECT r.value -&gt;&gt; 0, … FROM {rows}</c>). The set
/// writes of a bulk command (a staleness sweep's batch) are then one statement per table, however many rows: not a
/// statement per row (on PostgreSQL a round trip each; on SQLite, measured, three times the cost of the JSON), nor a
/// parameter per value (binding thousands of named parameters is quadratic in SQLite). ADR 30.
/// </summary>
internal static class JsonRows
{
    /// <summary>
    /// The parameter's text: each item's <paramref name="values"/> (strings, integers or null) as one row. Strings are
    /// escaped only where JSON requires it (<see cref="CanonicalJson.WriteString"/>): the ledger's rows carry canonical
    /// JSON texts, full of quotes, which a general-purpose writer escapes a character at a time. Its length is worked out
    /// first and the text written straight into the string: a sweep's batch is one large object, not its copies too.
    /// </summary>
    public static string Of<T>(IEnumerable<T> items, Func<T, object?[]> values)
    {
        var rows = items.Select(values).ToList();
        var length = 1 + Math.Max(1, rows.Count); // the brackets and the commas between rows
        foreach (var row in rows)
        {
            length += 1 + Math.Max(1, row.Length);
            foreach (var value in row)
            {
                length += value switch
                {
                    null => 4,
                    string text => CanonicalJson.StringLength(text),
                    long number => Digits(number),
                    int number => Digits(number),
                    _ => throw new ArgumentException($"A row value must be a string, an integer or null, not {value.GetType().Name}."),
                };
            }
        }

        return string.Create(length, rows, static (text, rows) =>
        {
            var at = 0;
            text[at++] = '[';
            for (var r = 0; r < rows.Count; r++)
            {
                if (r > 0)
                {
                    text[at++] = ',';
                }

                text[at++] = '[';

                var row = rows[r];
                for (var i = 0; i < row.Length; i++)
                {
                    if (i > 0)
                    {
                        text[at++] = ',';
                    }

                    at += row[i] switch
                    {
                        null => "null".AsSpan().TryCopyTo(text[at..]) ? 4 : 0,
                        string s => CanonicalJson.WriteString(text[at..], s),
                        long n => n.TryFormat(text[at..], out var w, default, CultureInfo.InvariantCulture) ? w : 0,
                        int n => n.TryFormat(text[at..], out var w, default, CultureInfo.InvariantCulture) ? w : 0,
                        _ => 0,
                    };
                }

                text[at++] = ']';
            }

            text[at++] = ']';
            if (at != text.Length)
            {
                throw new InvalidOperationException($"JsonRows measured {text.Length} characters and wrote {at}.");
            }
        });
    }

    private static int Digits(long number)
    {
        Span<char> digits = stackalloc char[20];
        number.TryFormat(digits, out var written, default, CultureInfo.InvariantCulture);
        return written;
    }
}
