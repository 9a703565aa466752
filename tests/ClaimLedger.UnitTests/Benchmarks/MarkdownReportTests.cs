using System.Text.Json;
using ClaimLedger.Benchmarks.Reporting;
using Shouldly;

namespace ClaimLedger.UnitTests.Benchmarks;

/// <summary>
/// The human-readable report rendered from a real run's JSON (bench/results, a quick SQLite run): the same report as
/// that run wrote, and its settings line saying how the load grew the dataset, each way.
/// </summary>
public sealed class MarkdownReportTests
{
    private const string Run = "benchmark-20261201T222709Z";

    // The benchmark writes its JSON with snake_case names (Program's JsonOptions); the same options read it back.
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private static string Report(string file) => Path.Combine(AppContext.BaseDirectory, "BenchmarkReports", file);

    private static BenchmarkResult Result() =>
        JsonSerializer.Deserialize<BenchmarkResult>(File.ReadAllText(Report(Run + ".json")), Json).ShouldNotBeNull();

    private static string SettingsLine(string markdown) =>
        markdown.Split('\n').Single(line => line.StartsWith("- Settings: ", StringComparison.Ordinal));

    [Fact]
    public void ARunsJson_RendersTheReportItWrote_ApartFromTheSettingsLinesLaterWording()
    {
        var rendered = MarkdownReport.Render(Result()).Split('\n');
        var written = File.ReadAllText(Report(Run + ".md")).Split('\n');

        // The run's report was written before the settings line's wording about the load changed (the next test);
        // every other line is as the run wrote it: the tables, the targets, the profiles' absence, the problems.
        rendered.Length.ShouldBe(written.Length);
        var differing = rendered.Zip(written).Where(p => p.First != p.Second).ToList();
        differing.Select(p => p.Second).ShouldBe([SettingsLine(string.Join('\n', written))]);
        rendered.ShouldContain(line => line.StartsWith("| SearchClaims", StringComparison.Ordinal));
    }

    [Fact]
    public void TheSettingsLine_SaysWhetherTheLoadCheckedForNearDuplicates()
    {
        var result = Result();
        result.Settings.LoadAllowDuplicates.ShouldBeTrue(); // the default since the load stopped checking

        SettingsLine(MarkdownReport.Render(result)).ShouldEndWith(
            "; the load used allow_duplicate (no near-duplicate check while growing the dataset; the CreateClaim phase checks)");
        SettingsLine(MarkdownReport.Render(result with { Settings = result.Settings with { LoadAllowDuplicates = false } })).ShouldEndWith(
            "; the load checked every claim for near-duplicates (--load-check-duplicates)");
    }
}
