using System.Diagnostics;
using ClaimLedger.Contracts.V1;
using ClaimLedger.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace ClaimLedger.IntegrationTests;

public sealed class StalenessProbeTmp(ITestOutputHelper output)
{
    [Fact]
    public async Task Probe()
    {
        await using var site = await TestWebsite.StartAsync();
        using var server = new ClaimLedgerServer();
        _ = server.AdminKey;
        var a = await StalenessDriver.SourceAsync(server, site.Url("/stable/a"));
        var b = await StalenessDriver.SourceAsync(server, site.Url("/fail-once/b"));
        var c = await StalenessDriver.SourceAsync(server, site.Url("/vanish/c"));
        site.Vanish("c", TestWebsite.VanishMode.ConnectionReset);
        var w = Stopwatch.StartNew();
        var run = await StalenessDriver.RunAsync(server, StalenessCheck.SourceHealth);
        output.WriteLine($"{w.ElapsedMilliseconds} ms {run}");
        foreach (var s in new[] { a, b, c })
        {
            output.WriteLine((await StalenessDriver.GetSourceAsync(server, s.Name)).ToString());
        }
        output.WriteLine($"hits b {site.Hits("/fail-once/b")} c {site.Hits("/vanish/c")}");
        foreach (var r in StalenessDriver.Rows(server.DatabasePath, "SELECT source_id, outcome, error, http_status, elapsed_ms FROM source_checks")) output.WriteLine(string.Join(" | ", r));
    }
}
