using ClaimLedger.Benchmarks.Reporting;
using Shouldly;

namespace ClaimLedger.UnitTests.Benchmarks;

/// <summary>
/// <c>compare</c> over real reports (bench/results): the warm sweep's row shows the second sweep of a report that has
/// one, and a dash for a report written before the benchmark swept twice, beside the first sweep of both.
/// </summary>
public sealed class ComparisonTests
{
    private static string Report(string name) => Path.Combine(AppContext.BaseDirectory, "BenchmarkReports", name);

    private static string RowOf(string table, string measure) =>
        table.Split('\n').Single(line => line.StartsWith($"| {measure} |", StringComparison.Ordinal)).TrimEnd();

    [Fact]
    public void TheWarmSweep_IsShownBesideTheFirst_AndADashForAReportWithoutIt()
    {
        var table = Comparison.Render([Report("benchmark-20261201T105629Z.json"), Report("benchmark-20261201T064409Z.json")], null);

        RowOf(table, "Staleness sweep, verdict expiry (s; claims marked stale)").ShouldBe(
            "| Staleness sweep, verdict expiry (s; claims marked stale) | 2.98; 10,000 | 17.38; 10,000 |");
        RowOf(table, "… the same sweep again, warm (s; claims marked stale)").ShouldBe(
            "| … the same sweep again, warm (s; claims marked stale) | 2.25; 10,000 | — |");
    }
}
