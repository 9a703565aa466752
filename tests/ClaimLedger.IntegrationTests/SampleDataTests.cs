using ClaimLedger.Contracts.V1;
using ClaimLedger.IntegrationTests.Infrastructure;
using ClaimLedger.SampleLoader;

namespace ClaimLedger.IntegrationTests;

public sealed class SampleDataTests(ClaimLedgerServer server) : IClassFixture<ClaimLedgerServer>
{
    private static string SamplesDirectory => AppContext.BaseDirectory;

    [Fact]
    public async Task SampleDataset_LoadsTheArticleClaims_WithOriginEvidence_AndNoVerdicts_AndLoadingTwiceChangesNothing()
    {
        var dataset = SampleDataset.Read(Path.Combine(SamplesDirectory, "seed-article.claims.json"));
        var loaded = await dataset.LoadAsync(server.As("sample-loader"), SamplesDirectory, TextWriter.Null);
        var snapshot = Db.Snapshot(server.DatabasePath);

        var again = await dataset.LoadAsync(server.As("sample-loader"), SamplesDirectory, TextWriter.Null);

        again.Select(c => c.Name).ShouldBe(loaded.Select(c => c.Name));
        Db.Snapshot(server.DatabasePath).ShouldBe(snapshot);
        loaded.Count.ShouldBe(dataset.Claims.Count);
        loaded.ShouldAllBe(c => c.Status == ClaimStatus.Unverified || c.Status == ClaimStatus.InReview);
        loaded.Count(c => c.Status == ClaimStatus.InReview).ShouldBe(dataset.Claims.Count(c => c.StartReview));
        loaded.ShouldAllBe(c => c.Verdict == null);
        Db.Scalar(server.DatabasePath, "SELECT count(*) FROM verdicts").ShouldBe(0);

        var articleText = await File.ReadAllTextAsync(Path.Combine(SamplesDirectory, "seed-article.txt"));
        var evidence = server.Evidence();
        var sourceNames = new HashSet<string>();
        foreach (var claim in loaded)
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
}
