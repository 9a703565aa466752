using System.Globalization;
using System.Text;

namespace ClaimLedger.Benchmarks.Reporting;

/// <summary>The --profile section of a report: where each goal's phase spent the machine's CPU, one table per phase.</summary>
public static class ProfileReport
{
    /// <summary>
    /// One table per phase; a column per (label, profile), so the per-engine report has one column and the engines
    /// report one per engine.
    /// </summary>
    public static void Append(StringBuilder b, IReadOnlyList<(string Label, IReadOnlyList<PhaseProfile> Profiles)> columns)
    {
        var phases = columns.SelectMany(c => c.Profiles.Select(p => p.Phase)).Distinct(StringComparer.Ordinal).ToList();
        if (phases.Count == 0)
        {
            return;
        }

        b.AppendLine("### Where the CPU went (`--profile`: perf, every CPU, during each measured window)");
        b.AppendLine();
        b.AppendLine("`perf record -e cpu-clock -F 199 -a -g` over the whole machine while the phase's measured window ran (after its " +
            "warm-up; for the staleness sweep, the audit report and VerifyLedger, the whole call). Every figure is a percent of all samples of both CPUs, " +
            "idle included. Functions are the innermost frame of a sample (JIT-compiled methods named by the server's perf map; " +
            "the runtime's own native code has no symbols, so it shows as its library). \"Innermost managed assembly\" and \"under " +
            "ClaimLedger method\" attribute each of the server's samples to the innermost .NET frame, and the innermost ClaimLedger " +
            "method, on its stack; a stack that passes through native code " +
            "without frame pointers (the SQLite engine, OpenSSL) loses its callers and counts as \"no ClaimLedger frame\".");
        b.AppendLine();
        foreach (var phase in phases)
        {
            var profiles = columns.Select(c => (c.Label, Profile: c.Profiles.FirstOrDefault(p => p.Phase == phase))).ToList();
            b.AppendLine($"**{phase}**");
            b.AppendLine();
            b.AppendLine($"| | {string.Join(" | ", profiles.Select(p => p.Label))} |");
            b.AppendLine($"| --- |{string.Concat(profiles.Select(_ => " --- |"))}");
            Row(b, "Window (s); samples", profiles, p => $"{p.Seconds:0.0}; {p.Samples.ToString("N0", CultureInfo.InvariantCulture)}");
            Row(b, "CPU by process", profiles, p => Shares(p.Processes, 6));
            Row(b, "Server, by kind of code", profiles, p => Shares(p.ServerCode, 6));
            Row(b, "Server's hottest functions", profiles, p => Shares(p.ServerFunctions, 8));
            Row(b, "Server, by innermost managed assembly", profiles, p => Shares(p.ServerAssemblies ?? [], 6));
            Row(b, "Server, under ClaimLedger method", profiles, p => Shares(p.ServerMethods, 8));
            if (profiles.Any(p => p.Profile is { PostgresFunctions.Count: > 0 }))
            {
                Row(b, "PostgreSQL's hottest functions", profiles, p => Shares(p.PostgresFunctions, 6));
            }

            b.AppendLine();
        }
    }

    private static void Row(StringBuilder b, string name, List<(string Label, PhaseProfile? Profile)> profiles, Func<PhaseProfile, string> cell) =>
        b.AppendLine($"| {name} | {string.Join(" | ", profiles.Select(p => p.Profile is { } profile ? cell(profile) : "—"))} |");

    private static string Shares(IReadOnlyList<ProfileShare> shares, int count) =>
        string.Join("<br>", shares.Take(count).Select(s => $"{s.Percent.ToString("0.0", CultureInfo.InvariantCulture)} % {Escape(s.Name)}"));

    private static string Escape(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal)
        .Replace(">", "&gt;", StringComparison.Ordinal).Replace("`", "'", StringComparison.Ordinal);
}
