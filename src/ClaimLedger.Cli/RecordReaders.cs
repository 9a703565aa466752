using System.Globalization;
using System.Text.Json;
using ClaimLedger.Contracts.V1;
using CsvHelper;
using Google.Protobuf;

namespace ClaimLedger.Cli;

/// <summary>One record read from an import file, or the reason it could not be read.</summary>
public sealed record ReadRecord(int Line, ClaimRecord? Record, string? Error);

/// <summary>
/// Turns import files into ClaimRecords: JSON Lines (one ClaimRecord as protobuf JSON per line, what `export` writes),
/// CSV (one claim per row; see docs/import-formats.md), and schema.org ClaimReview JSON-LD (an array, an object with
/// "@graph", or one object). A record that cannot be read is reported with its line and never sent.
/// </summary>
public static class RecordReaders
{
    public static string Detect(string path, string? format) => (format ?? Path.GetExtension(path).TrimStart('.')).ToLowerInvariant() switch
    {
        "jsonl" or "ndjson" => "jsonl",
        "csv" => "csv",
        "claimreview" or "json" or "jsonld" => "claimreview",
        var other => throw new UsageException($"--format must be jsonl, csv or claimreview (could not tell from \"{other}\")."),
    };

    public static IEnumerable<ReadRecord> Read(string path, string format) => format switch
    {
        "jsonl" => JsonLines(path),
        "csv" => Csv(path),
        _ => ClaimReviews(path),
    };

    private static IEnumerable<ReadRecord> JsonLines(string path)
    {
        var parser = new JsonParser(JsonParser.Settings.Default.WithIgnoreUnknownFields(false));
        var line = 0;
        foreach (var text in File.ReadLines(path))
        {
            line++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            ReadRecord read;
            try
            {
                read = new ReadRecord(line, parser.Parse<ClaimRecord>(text), null);
            }
            catch (Exception e) when (e is InvalidJsonException or InvalidProtocolBufferException or FormatException)
            {
                read = new ReadRecord(line, null, $"not a ClaimRecord: {e.Message}");
            }

            yield return read;
        }
    }

    /// <summary>Columns: text, claimant, language, topics (";"-separated), claim_time, origin_url, origin_title, excerpt, locator.</summary>
    private static IEnumerable<ReadRecord> Csv(string path)
    {
        using var reader = new CsvReader(new StreamReader(path), CultureInfo.InvariantCulture);
        if (!reader.Read() || !reader.ReadHeader())
        {
            yield break;
        }

        var headers = reader.HeaderRecord!.Select(h => h.Trim().ToLowerInvariant()).ToArray();
        if (!headers.Contains("text") || !headers.Contains("claimant"))
        {
            yield return new ReadRecord(1, null, "the header must name at least the columns text and claimant");
            yield break;
        }

        while (reader.Read())
        {
            var line = reader.Parser.RawRow;
            string Field(string name) => Array.IndexOf(headers, name) is var i and >= 0 && i < reader.Parser.Count ? reader.GetField(i)?.Trim() ?? "" : "";
            var claim = new Claim { Text = Field("text"), Claimant = Field("claimant"), LanguageCode = Field("language") is { Length: > 0 } l ? l : "en" };
            claim.Topics.AddRange(Field("topics").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            string? error = null;
            if (Field("claim_time") is { Length: > 0 } time)
            {
                if (DateTimeOffset.TryParse(time, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t))
                {
                    claim.ClaimTime = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(t);
                }
                else
                {
                    error = $"claim_time \"{time}\" is not a date";
                }
            }

            var record = new ClaimRecord { Claim = claim };
            if (Field("origin_url") is { Length: > 0 } url)
            {
                record.Sources.Add(new Source { Url = url, Title = Field("origin_title"), Kind = SourceKind.Other });
                record.Evidence.Add(new RecordEvidence { Source = url, Stance = Stance.Origin, Excerpt = Field("excerpt"), Locator = Field("locator") });
            }

            yield return new ReadRecord(line, error is null ? record : null, error);
        }
    }

    private static IEnumerable<ReadRecord> ClaimReviews(string path)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            return [new ReadRecord(0, null, $"not JSON: {e.Message}")];
        }

        var items = doc.RootElement.ValueKind switch
        {
            JsonValueKind.Array => doc.RootElement.EnumerateArray().ToList(),
            JsonValueKind.Object when doc.RootElement.TryGetProperty("@graph", out var graph) && graph.ValueKind == JsonValueKind.Array => graph.EnumerateArray().ToList(),
            JsonValueKind.Object => [doc.RootElement],
            _ => [],
        };
        return items.Select((item, i) => ClaimReviewMapping.ToRecord(item, i + 1)).ToList();
    }
}
