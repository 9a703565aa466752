using System.Globalization;
using System.Net;
using System.Text.Json;

namespace ClaimLedger.Cli.Import;

/// <summary>
/// Reading schema.org JSON-LD as publishers write it: any property may hold one value or an array, a string or an
/// object ({"@value": …}, {"name": …}), a reference ({"@id": …}) to another node of the document, and text with HTML
/// entities left in by the CMS ("Singh&amp;#039;s"). Types come as "ClaimReview", ["ClaimReview"],
/// "schema:ClaimReview" or "https://schema.org/ClaimReview".
/// </summary>
internal static class JsonLd
{
    public static readonly JsonDocumentOptions ParseOptions = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };

    /// <summary>The values of a property: its array's items, or the one value; none when absent or null.</summary>
    public static IEnumerable<JsonElement> Values(JsonElement node, string property, NodeIndex? ids = null)
    {
        if (node.ValueKind != JsonValueKind.Object || !node.TryGetProperty(property, out var value))
        {
            yield break;
        }

        if (value.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in value.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Null)
                {
                    yield return ids?.Resolve(item) ?? item;
                }
            }
        }
        else if (value.ValueKind != JsonValueKind.Null)
        {
            yield return ids?.Resolve(value) ?? value;
        }
    }

    public static bool Has(JsonElement node, string property) => Values(node, property).Any();

    /// <summary>A value as text: a string, a number, {"@value": …}, or (for a thing) its name. HTML entities decoded, trimmed.</summary>
    public static string? Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => Clean(value.GetString()),
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        JsonValueKind.Object when value.TryGetProperty("@value", out var v) => Text(v),
        JsonValueKind.Object when value.TryGetProperty("name", out var n) => Texts(n).FirstOrDefault(),
        JsonValueKind.Array => value.EnumerateArray().Select(Text).FirstOrDefault(t => !string.IsNullOrEmpty(t)),
        _ => null,
    };

    /// <summary>Every non-empty text of a property (arrays flattened).</summary>
    public static IReadOnlyList<string> Texts(JsonElement value) =>
        (value.ValueKind == JsonValueKind.Array ? value.EnumerateArray() : Enumerable.Repeat(value, 1))
            .Select(Text).Where(t => !string.IsNullOrEmpty(t)).Select(t => t!).Distinct(StringComparer.Ordinal).ToList();

    public static string? FirstText(JsonElement node, string property, NodeIndex? ids = null) =>
        Values(node, property, ids).Select(Text).FirstOrDefault(t => !string.IsNullOrEmpty(t));

    /// <summary>A number given as a number or as text ("4", "4.5"); null when absent or not a number.</summary>
    public static double? Number(JsonElement node, string property)
    {
        var value = Values(node, property).FirstOrDefault();
        return value.ValueKind switch
        {
            JsonValueKind.Number => value.GetDouble(),
            JsonValueKind.String when double.TryParse(value.GetString()?.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) => d,
            JsonValueKind.Object when value.TryGetProperty("@value", out var v) && v.ValueKind == JsonValueKind.Number => v.GetDouble(),
            _ => null,
        };
    }

    /// <summary>The node's types, without vocabulary prefixes.</summary>
    public static IReadOnlyList<string> Types(JsonElement node) =>
        Values(node, "@type").Concat(Values(node, "type")).Where(t => t.ValueKind == JsonValueKind.String)
            .Select(t => t.GetString()!.Trim())
            .Select(t => t.StartsWith("schema:", StringComparison.OrdinalIgnoreCase) ? t["schema:".Length..]
                : t.Contains("schema.org/", StringComparison.OrdinalIgnoreCase) ? t[(t.LastIndexOf('/') + 1)..] : t)
            .Where(t => t.Length > 0).ToList();

    public static bool IsA(JsonElement node, string type) => Types(node).Contains(type, StringComparer.OrdinalIgnoreCase);

    /// <summary>A date or date-time as published ("2024-03-05", "2024-03-05T10:00:00+01:00", "March 5, 2024"); UTC.</summary>
    public static DateTimeOffset? Date(string? text) =>
        text is not null && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t)
            ? t : null;

    /// <summary>Text as the reader should see it: HTML entities decoded (once), whitespace collapsed and trimmed.</summary>
    public static string? Clean(string? text)
    {
        if (text is null)
        {
            return null;
        }

        var decoded = text.Contains('&', StringComparison.Ordinal) ? WebUtility.HtmlDecode(text) : text;
        return string.Join(' ', decoded.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>A short description of a node for messages: "WebPage", "no @type".</summary>
    public static string Describe(JsonElement node) =>
        node.ValueKind != JsonValueKind.Object ? $"a JSON {node.ValueKind.ToString().ToLowerInvariant()}"
        : Types(node) is { Count: > 0 } types ? $"@type {string.Join(", ", types)}" : "no @type";
}

/// <summary>The nodes of one document by @id, so that {"@id": "…#organization"} references resolve to the node itself.</summary>
internal sealed class NodeIndex
{
    private readonly Dictionary<string, JsonElement> _nodes = new(StringComparer.Ordinal);

    public NodeIndex(params IEnumerable<JsonElement> roots)
    {
        foreach (var root in roots)
        {
            Collect(root, 0);
        }
    }

    /// <summary>The node a bare reference points to, else the value itself.</summary>
    public JsonElement Resolve(JsonElement value) =>
        value.ValueKind == JsonValueKind.Object && value.TryGetProperty("@id", out var id) && id.ValueKind == JsonValueKind.String
        && value.EnumerateObject().Count() == 1 && _nodes.TryGetValue(id.GetString()!, out var node)
            ? node : value;

    private static int Weight(JsonElement node) => (node.TryGetProperty("@type", out _) ? 1000 : 0) + node.EnumerateObject().Count();

    private void Collect(JsonElement e, int depth)
    {
        if (depth > 64)
        {
            return;
        }

        if (e.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in e.EnumerateArray())
            {
                Collect(item, depth + 1);
            }
        }
        else if (e.ValueKind == JsonValueKind.Object)
        {
            // The same @id may appear as a full node and as a partial copy ({"@id", "name"}) inside another node: keep the
            // fullest (typed first, then most properties).
            if (e.TryGetProperty("@id", out var id) && id.ValueKind == JsonValueKind.String && e.EnumerateObject().Count() > 1
                && (!_nodes.TryGetValue(id.GetString()!, out var known) || Weight(e) > Weight(known)))
            {
                _nodes[id.GetString()!] = e;
            }

            foreach (var property in e.EnumerateObject())
            {
                Collect(property.Value, depth + 1);
            }
        }
    }
}
