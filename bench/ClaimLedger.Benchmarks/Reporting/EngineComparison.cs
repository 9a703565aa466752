using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ClaimLedger.Benchmarks.Reporting;

/// <summary>
/// The report of a run over several engines (<c>--database sqlite,postgresql,postgresql:2</c>): the side-by-side table
/// of <see cref="Comparison"/> over the engines' own reports, and one JSON with every engine's size records (each names
/// its <c>engine</c> and <c>instances</c>), detector figures, problems and targets.
/// </summary>
public static class EngineComparison
{
    public static string Markdown(DateTimeOffset start, IReadOnlyList<string> reports)
    {
        var b = new StringBuilder();
        b.AppendLine($"# ClaimLedger benchmark, engines side by side ({start:yyyy-MM-dd HH:mm} UTC)");
        b.AppendLine();
        b.AppendLine("Each engine ran in turn on the same machine, from a fresh database, with the same options; each has its own full report:");
        b.AppendLine();
        foreach (var (report, root) in Load(reports))
        {
            var completed = root.TryGetProperty("completed", out var c) && c.ValueKind == JsonValueKind.True;
            b.AppendLine($"- {Describe(root)}: [{Path.GetFileName(Path.ChangeExtension(report, ".md"))}]({Path.GetFileName(Path.ChangeExtension(report, ".md"))})" +
                (completed ? "" : " — **did not complete**"));
            foreach (var problem in Problems(root))
            {
                b.AppendLine($"  - problem: {problem}");
            }
        }

        b.AppendLine();
        // The reports sit beside this one: name them by file name, not by where this machine keeps them.
        var table = Comparison.Render(reports, null);
        foreach (var report in reports)
        {
            table = table.Replace(report, Path.GetFileName(report), StringComparison.Ordinal);
        }

        b.Append(table);

        // --profile: each engine's profile of each goal's phase, side by side (the last size of each engine's run).
        var profiled = Load(reports)
            .Select(x => (Label: Describe(x.Root), Profiles: LastProfiles(x.Root)))
            .Where(x => x.Profiles.Count > 0)
            .ToList();
        if (profiled.Count > 0)
        {
            b.AppendLine();
            ProfileReport.Append(b, profiled);
        }

        return b.ToString();
    }

    public static string Json(DateTimeOffset start, IReadOnlyList<string> reports)
    {
        var sizes = new JsonArray();
        var runs = new JsonArray();
        var problems = new JsonArray();
        var completed = true;
        foreach (var (report, root) in Load(reports))
        {
            var label = Describe(root);
            completed &= root.TryGetProperty("completed", out var c) && c.ValueKind == JsonValueKind.True;
            foreach (var size in root.GetProperty("sizes").EnumerateArray())
            {
                sizes.Add(JsonNode.Parse(size.GetRawText()));
            }

            foreach (var problem in Problems(root))
            {
                problems.Add($"{label}: {problem}");
            }

            runs.Add(new JsonObject
            {
                ["report"] = Path.GetFileName(report),
                ["engine"] = label,
                ["settings"] = JsonNode.Parse(root.GetProperty("settings").GetRawText()),
                ["duplicate_detector"] = root.TryGetProperty("duplicate_detector", out var d) ? JsonNode.Parse(d.GetRawText()) : null,
                ["targets"] = root.TryGetProperty("targets", out var t) ? JsonNode.Parse(t.GetRawText()) : null,
                ["peak_server_rss_bytes"] = root.TryGetProperty("peak_server_rss_bytes", out var p) ? JsonNode.Parse(p.GetRawText()) : null,
            });
        }

        var combined = new JsonObject
        {
            ["start_time"] = start,
            ["end_time"] = DateTimeOffset.UtcNow,
            ["completed"] = completed,
            ["runs"] = runs,
            ["sizes"] = sizes,
            ["problems"] = problems,
        };
        return combined.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    private static IReadOnlyList<PhaseProfile> LastProfiles(JsonElement root) =>
        root.GetProperty("sizes").EnumerateArray().LastOrDefault() is { ValueKind: JsonValueKind.Object } size
            && size.TryGetProperty("profiles", out var profiles) && profiles.ValueKind == JsonValueKind.Array
            ? profiles.Deserialize<List<PhaseProfile>>(JsonOptions.Indented) ?? []
            : [];

    private static IEnumerable<(string Report, JsonElement Root)> Load(IReadOnlyList<string> reports) =>
        reports.Select(r => (r, JsonDocument.Parse(File.ReadAllText(r)).RootElement));

    private static IEnumerable<string> Problems(JsonElement root) =>
        root.TryGetProperty("problems", out var p) && p.ValueKind == JsonValueKind.Array
            ? p.EnumerateArray().Select(x => x.GetString() ?? "")
            : [];

    private static string Describe(JsonElement root)
    {
        var settings = root.GetProperty("settings");
        var database = settings.TryGetProperty("database", out var d) ? d.GetString() : "sqlite";
        var instances = settings.TryGetProperty("instances", out var i) ? i.GetInt32() : 1;
        return database == "postgresql" ? $"PostgreSQL, {instances} instance{(instances == 1 ? "" : "s")}" : "SQLite";
    }
}
