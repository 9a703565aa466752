using System.Globalization;

namespace ClaimLedger.Benchmarks.Reporting;

/// <summary>
/// The targets of the benchmark issue, judged at every size. Targets stated "at 1M" are binding only at sizes of at
/// least a million claims; at smaller sizes they are shown as indications. "Constant memory" for the report means the
/// server's RSS grows by at most <see cref="ReportMemoryGrowthLimitBytes"/> while it streams the report.
/// </summary>
public static class Targets
{
    public const long OneMillion = 1_000_000;
    public const long ReportMemoryGrowthLimitBytes = 50_000_000;
    public const long ServerRssLimitBytes = 300_000_000;

    public const string CreateVsPing = "CreateClaim@64 ≥ 10% of Ping";
    public const string CreateVsFloor = "CreateClaim ≥ 5× one-txn-per-claim";
    public const string GetVsPing = "GetClaim ≥ 70% of Ping";
    public const string SearchP95 = "SearchClaims p95 ≤ 20 ms at 1M";
    public const string SearchP95Light = "SearchClaims p95 ≤ 20 ms at 1M, 4 clients";
    public const string Staleness = "Staleness sweep ≤ 2 s at 1M";
    public const string Verify = "VerifyLedger ≥ 500k entries/s";
    public const string ReportMemory = "Audit report in constant memory (RSS growth ≤ 50 MB)";
    public const string ServerRss = "Server RSS (peak) ≤ 300 MB at 1M";
    public const string IntegrationDrop = "CreateClaim drop with the Merkle integrator ≤ 5%";
    public const string DatabaseSize = "Database ≤ 1.5 KB per claim at 1M";
    public const string DetectorQuality = "Near-duplicate detector recall and precision ≥ 0.99";
    public const double DatabaseBytesPerClaimLimit = 1_500;

    public static IReadOnlyList<string> All { get; } = [CreateVsPing, CreateVsFloor, GetVsPing, SearchP95, SearchP95Light, Staleness, Verify, ReportMemory, ServerRss, IntegrationDrop, DatabaseSize, DetectorQuality];

    public static IReadOnlyList<TargetCheck> Evaluate(IReadOnlyList<SizeResult> sizes, int clients)
    {
        var checks = new List<TargetCheck>();
        foreach (var s in sizes)
        {
            var atScale = s.TargetClaims >= OneMillion;
            var ping = s.Ping.PerSecond;
            var createShare = Ratio(s.CreateClaim.PerSecond, ping);
            checks.Add(new(CreateVsPing, s.TargetClaims, Percent(createShare), createShare >= 0.10, clients == 64));
            var createFloor = Ratio(s.CreateClaim.PerSecond, s.StorageCeiling.PerClaimPerSecond);
            checks.Add(new(CreateVsFloor, s.TargetClaims, Times(createFloor), createFloor >= 5, true));
            var getShare = Ratio(s.GetClaim.PerSecond, ping);
            checks.Add(new(GetVsPing, s.TargetClaims, Percent(getShare), getShare >= 0.70, true));
            checks.Add(new(SearchP95, s.TargetClaims, $"{s.SearchClaims.P95Ms:0.0} ms", s.SearchClaims.P95Ms <= 20 && s.SearchClaims.Errors == 0, atScale));
            checks.Add(new(SearchP95Light, s.TargetClaims, $"{s.SearchClaimsLight.P95Ms:0.0} ms", s.SearchClaimsLight.P95Ms <= 20 && s.SearchClaimsLight.Errors == 0, atScale));
            checks.Add(new(Staleness, s.TargetClaims, $"{s.Staleness.ClientSeconds:0.00} s",
                s.Staleness.ClientSeconds <= 2 && s.Staleness.State == "SUCCEEDED", atScale));
            checks.Add(new(Verify, s.TargetClaims, $"{s.VerifyLedger.EntriesPerSecond.ToString("N0", CultureInfo.InvariantCulture)}/s",
                s.VerifyLedger.Valid && s.VerifyLedger.EntriesPerSecond >= 500_000, true));
            var growth = s.AuditReport.RssMaxDuringBytes - s.AuditReport.RssBeforeBytes;
            checks.Add(new(ReportMemory, s.TargetClaims, $"+{Mb(growth)}", s.AuditReport.Error is null && growth <= ReportMemoryGrowthLimitBytes, true));
            // Per server process: with several instances, the highest of their peaks.
            var peak = s.ServerMemoryAtEnd?.MaxInstancePeakRssBytes ?? 0;
            checks.Add(new(ServerRss, s.TargetClaims, Mb(peak), peak > 0 && peak <= ServerRssLimitBytes, atScale));
            if (s.CreateClaimIntegrationDropPct is { } drop && s.CreateClaimWithoutIntegration is { } off && s.CreateClaimWithIntegrationRestarted is { } on)
            {
                checks.Add(new(IntegrationDrop, s.TargetClaims, $"{drop:0.0}% ({on.PerSecond.ToString("N0", CultureInfo.InvariantCulture)}/s vs " +
                    $"{off.PerSecond.ToString("N0", CultureInfo.InvariantCulture)}/s)", drop <= 5 && on.Errors == 0 && off.Errors == 0, true));
            }
            if (s.DatabaseBytesPerClaim is { } perClaim)
            {
                checks.Add(new(DatabaseSize, s.TargetClaims, $"{perClaim.ToString("N0", CultureInfo.InvariantCulture)} B/claim", perClaim <= DatabaseBytesPerClaimLimit, atScale));
            }

            if (s is { Recall: { } recall, Precision: { } precision })
            {
                checks.Add(new(DetectorQuality, s.TargetClaims, $"recall {recall:0.0000}, precision {precision:0.0000}", recall >= 0.99 && precision >= 0.99, true));
            }
        }

        return checks;
    }

    public static double Ratio(double value, double of) => of > 0 ? value / of : 0;

    public static string Percent(double ratio) => $"{ratio * 100:0}%";

    public static string Times(double ratio) => $"{ratio:0.0}×";

    public static string Mb(long bytes) => $"{bytes / 1e6:N0} MB";
}
