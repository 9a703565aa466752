using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

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
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The parameter's text: each item's <paramref name="values"/> (strings, integers or null) as one row.</summary>
    public static string Of<T>(IEnumerable<T> items, Func<T, object?[]> values)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, Options))
        {
            json.WriteStartArray();
            foreach (var item in items)
            {
                json.WriteStartArray();
                foreach (var value in values(item))
                {
                    switch (value)
                    {
                        case null:
                            json.WriteNullValue();
                            break;
                        case string text:
                            json.WriteStringValue(text);
                            break;
                        case long number:
                            json.WriteNumberValue(number);
                            break;
                        case int number:
                            json.WriteNumberValue(number);
                            break;
                        default:
                            throw new ArgumentException($"A row value must be a string, an integer or null, not {value.GetType().Name}.");
                    }
                }

                json.WriteEndArray();
            }

            json.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
