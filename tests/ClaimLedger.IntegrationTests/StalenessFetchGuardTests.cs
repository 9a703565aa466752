using ClaimLedger.Contracts.V1;
using ClaimLedger.IntegrationTests.Infrastructure;

namespace ClaimLedger.IntegrationTests;

/// <summary>The SSRF guard, end to end: a source health run never reaches addresses it must not, and records why.</summary>
public sealed class StalenessFetchGuardTests
{
    private static string? CheckError(ClaimLedgerServer server, Source source) =>
        StalenessDriver.Rows(server.DatabasePath, "SELECT error FROM source_checks WHERE source_id = @Id", ("@Id", source.Name["sources/".Length..]))
            .ShouldHaveSingleItem()[0];

    [Fact]
    public async Task WithPrivateAddressesRefused_ALoopbackSourceIsFailing_AndTheSiteIsNeverContacted()
    {
        await using var site = await TestWebsite.StartAsync();
        using var server = new ClaimLedgerServer();
        server.Settings["Staleness:Fetch:AllowPrivateAddresses"] = "false";
        var source = await StalenessDriver.SourceAsync(server, site.Url("/stable/guarded"));

        var run = await StalenessDriver.RunAsync(server, StalenessCheck.SourceHealth);

        run.State.ShouldBe(StalenessRun.Types.State.Succeeded);
        (run.SourcesChecked, run.SourcesFailing, run.SourcesOk).ShouldBe((1L, 1L, 0L));
        var after = await StalenessDriver.GetSourceAsync(server, source.Name);
        after.Health.ShouldBe(SourceHealth.Failing);
        after.ConsecutiveFailures.ShouldBe(1);
        after.LastHttpStatus.ShouldBe(0);
        after.LastContentSha256.ShouldBeEmpty();
        CheckError(server, source).ShouldBe("refused: loopback address 127.0.0.1");
        site.TotalHits.ShouldBe(0);
    }

    [Fact]
    public async Task WithPrivateAddressesAllowed_ARedirectToTheMetadataAddressIsRefused_AfterOnlyTheFirstHop()
    {
        await using var site = await TestWebsite.StartAsync();
        using var server = new ClaimLedgerServer();
        var source = await StalenessDriver.SourceAsync(server, site.Url("/to-metadata/m"));
        var control = await StalenessDriver.SourceAsync(server, site.Url("/stable/control"));

        var run = await StalenessDriver.RunAsync(server, StalenessCheck.SourceHealth);

        (run.SourcesChecked, run.SourcesFailing, run.SourcesOk).ShouldBe((2L, 1L, 1L));
        var after = await StalenessDriver.GetSourceAsync(server, source.Name);
        after.Health.ShouldBe(SourceHealth.Failing);
        after.FinalUrl.ShouldBe(TestWebsite.MetadataUrl);
        after.LastHttpStatus.ShouldBe(0);
        CheckError(server, source).ShouldBe("refused: metadata address 169.254.169.254");
        (await StalenessDriver.GetSourceAsync(server, control.Name)).Health.ShouldBe(SourceHealth.Ok, "loopback itself is allowed here");
        site.Hits("/to-metadata/m").ShouldBe(1, "the refusal is not retried");
        site.TotalHits.ShouldBe(2);
    }

    [Fact]
    public async Task WithPrivateAddressesAllowed_ALinkLocalSourceIsStillRefused()
    {
        using var server = new ClaimLedgerServer();
        var source = await StalenessDriver.SourceAsync(server, "http://169.254.10.20/status");

        var run = await StalenessDriver.RunAsync(server, StalenessCheck.SourceHealth);

        run.SourcesFailing.ShouldBe(1);
        (await StalenessDriver.GetSourceAsync(server, source.Name)).Health.ShouldBe(SourceHealth.Failing);
        CheckError(server, source).ShouldBe("refused: link-local address 169.254.10.20");
    }
}

/// <summary>How many fetches the source health check has in flight at once.</summary>
public sealed class StalenessFetchConcurrencyTests
{
    [Fact]
    public async Task ManySourcesOnOneHost_AreFetchedAtMostMaxPerHostAtOnce()
    {
        await using var site = await TestWebsite.StartAsync();
        site.SlowDelay = TimeSpan.FromMilliseconds(200);
        using var server = new ClaimLedgerServer();
        server.Settings["Staleness:Fetch:MaxPerHost"] = "2";
        server.Settings["Staleness:Fetch:MaxConcurrency"] = "4";
        for (var i = 0; i < 10; i++)
        {
            await StalenessDriver.SourceAsync(server, site.Url($"/slow/one-host-{i}"));
        }

        var run = await StalenessDriver.RunAsync(server, StalenessCheck.SourceHealth);

        (run.SourcesChecked, run.SourcesOk).ShouldBe((10L, 10L));
        site.SlowCompleted.ShouldBe(10);
        site.SlowMaxInFlight.ShouldBe(2, "never more than MaxPerHost, and the run does use both slots");
    }

    [Fact]
    public async Task SourcesOnTwoHostNames_AreBoundedByMaxConcurrencyOverall()
    {
        await using var site = await TestWebsite.StartAsync();
        site.SlowDelay = TimeSpan.FromMilliseconds(200);
        using var server = new ClaimLedgerServer();
        server.Settings["Staleness:Fetch:MaxPerHost"] = "2";
        server.Settings["Staleness:Fetch:MaxConcurrency"] = "3";
        // Two host names for the same loopback site: 127.0.0.1 and localhost.
        var other = site.BaseUrl.Replace("127.0.0.1", "localhost", StringComparison.Ordinal);
        for (var i = 0; i < 6; i++)
        {
            await StalenessDriver.SourceAsync(server, site.Url($"/slow/ip-{i}"));
            await StalenessDriver.SourceAsync(server, $"{other}/slow/name-{i}");
        }

        var run = await StalenessDriver.RunAsync(server, StalenessCheck.SourceHealth);

        (run.SourcesChecked, run.SourcesOk).ShouldBe((12L, 12L));
        site.SlowCompleted.ShouldBe(12);
        site.SlowMaxInFlight.ShouldBe(3, "two hosts could take four slots; MaxConcurrency allows three");
    }
}
