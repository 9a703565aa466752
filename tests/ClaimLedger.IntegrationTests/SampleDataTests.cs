using ClaimLedger.Contracts.V1;
using ClaimLedger.IntegrationTests.Cli;
using ClaimLedger.IntegrationTests.Infrastructure;
using ClaimLedger.SampleLoader;

namespace ClaimLedger.IntegrationTests;

/// <summary>
/// The seed-article sample, loaded by samples/SampleLoader and imported by `claimledger import`: each on its own, and
/// one after the other in both orders, where the second must find everything already held and change nothing.
/// </summary>
public sealed class SampleDataTests(ClaimLedgerServer server) : IClassFixture<ClaimLedgerServer>
{
    private static string SamplesDirectory => AppContext.BaseDirectory;

    private static SampleDataset Dataset => SampleDataset.Read(Path.Combine(SamplesDirectory, "seed-article.claims.json"));

    private static string SampleJsonLines => Path.Combine(SamplesDirectory, "seed-article.claims.jsonl");

    [Fact]
    public async Task SampleDataset_LoadsTheArticleClaims_WithOriginEvidence_AndNoVerdicts_AndLoadingTwiceChangesNothing()
    {
        var dataset = Dataset;
        var loaded = await dataset.LoadAsync(server.As("sample-loader"), SamplesDirectory, TextWriter.Null);
        var snapshot = Db.Snapshot(server.DatabasePath);

        var again = await dataset.LoadAsync(server.As("sample-loader"), SamplesDirectory, TextWriter.Null);

        again.Claims.Select(c => c.Name).ShouldBe(loaded.Claims.Select(c => c.Name));
        (again.Created, again.AlreadyHeld, again.EvidenceAdded).ShouldBe((0, dataset.Claims.Count, 0));
        Db.Snapshot(server.DatabasePath).ShouldBe(snapshot);
        loaded.Created.ShouldBe(dataset.Claims.Count);
        loaded.Claims.Count.ShouldBe(dataset.Claims.Count);
        loaded.Claims.ShouldAllBe(c => c.Status == ClaimStatus.Unverified || c.Status == ClaimStatus.InReview);
        loaded.Claims.Count(c => c.Status == ClaimStatus.InReview).ShouldBe(dataset.Claims.Count(c => c.StartReview));
        loaded.Claims.ShouldAllBe(c => c.Verdict == null);
        Db.Scalar(server.DatabasePath, "SELECT count(*) FROM verdicts").ShouldBe(0);

        var articleText = await File.ReadAllTextAsync(Path.Combine(SamplesDirectory, "seed-article.txt"));
        var evidence = server.Evidence();
        var sourceNames = new HashSet<string>();
        foreach (var claim in loaded.Claims)
        {
            var items = (await evidence.ListEvidenceAsync(new ListEvidenceRequest { Parent = claim.Name })).Evidence;
            items.Count.ShouldBe(1);
            items[0].Stance.ShouldBe(Stance.Origin);
            articleText.ShouldContain(items[0].Excerpt); // every excerpt is quoted from the article itself
            sourceNames.Add(items[0].Source);
        }

        sourceNames.Count.ShouldBe(1);
        var source = await server.Sources().GetSourceAsync(new GetSourceRequest { Name = sourceNames.Single() });
        source.ContentSha256.ShouldBe(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(await File.ReadAllBytesAsync(Path.Combine(SamplesDirectory, "seed-article.txt")))));
    }

    [Fact]
    public void SampleDataset_AndTheJsonLinesTheCliImports_HoldTheSameClaimsExcerptsAndStatuses()
    {
        var records = File.ReadAllLines(SampleJsonLines).Where(l => l.Length > 0)
            .Select(l => Google.Protobuf.JsonParser.Default.Parse<ClaimRecord>(l)).ToList();

        records.Select(r => (r.Claim.Text, r.Claim.Claimant, r.Claim.Status == ClaimStatus.InReview, r.Evidence.Single().Excerpt, r.Evidence.Single().Locator))
            .ShouldBe(Dataset.Claims.Select(c => (c.Text, Dataset.Claimant, c.StartReview, c.Excerpt, c.Locator)));
        records.ShouldAllBe(r => r.Claim.Topics.Count > 0);
        records.Select(r => r.Claim.Topics.ToList()).ShouldBe(Dataset.Claims.Select(c => c.Topics.ToList()));
    }

    [Fact]
    public async Task SampleLoader_AfterTheCliImportOfTheSameSample_SucceedsAndAddsNothing()
    {
        using var cliServer = new CliServer();
        var cli = new CliRunner(cliServer);
        var imported = (await cli.RunAsync("import", SampleJsonLines, "--json")).Json();
        var snapshot = Db.Snapshot(cliServer.DatabasePath);

        var loaded = await Dataset.LoadAsync(cliServer.Authorized(cliServer.AdminKey), SamplesDirectory, TextWriter.Null);

        imported.Int64("created").ShouldBe(Dataset.Claims.Count);
        (loaded.Created, loaded.AlreadyHeld, loaded.EvidenceAdded).ShouldBe((0, Dataset.Claims.Count, 0));
        loaded.Claims.Select(c => c.Name).ShouldBe(imported.Items("results").Select(r => r.Text("claim")));
        loaded.Claims.Count(c => c.Status == ClaimStatus.InReview).ShouldBe(Dataset.Claims.Count(c => c.StartReview));
        Db.Snapshot(cliServer.DatabasePath).ShouldBe(snapshot);
    }

    [Fact]
    public async Task CliImport_AfterTheSampleLoader_FindsEveryRecordADuplicate_AndAddsNothing()
    {
        using var cliServer = new CliServer();
        var cli = new CliRunner(cliServer);
        var loaded = await Dataset.LoadAsync(cliServer.Authorized(cliServer.AdminKey), SamplesDirectory, TextWriter.Null);
        var snapshot = Db.Snapshot(cliServer.DatabasePath);

        var imported = await cli.RunAsync("import", SampleJsonLines, "--json");

        loaded.Created.ShouldBe(Dataset.Claims.Count);
        imported.ExitCode.ShouldBe(0, imported.ToString());
        var report = imported.Json();
        (report.Int64("created"), report.Int64("attached"), report.Int64("duplicates"), report.Int64("invalid")).ShouldBe((0L, 0L, Dataset.Claims.Count, 0L));
        report.Items("results").Select(r => r.Text("claim")).ShouldBe(loaded.Claims.Select(c => c.Name));
        Db.Snapshot(cliServer.DatabasePath).ShouldBe(snapshot);
    }
}
