namespace ClaimLedger.Benchmarks.Dataset;

/// <summary>--show-dataset: sample claims and the generator's statistics, to judge the data without running anything.</summary>
public static class DatasetSample
{
    public static void Print(DatasetGenerator generator, int count, TextWriter output)
    {
        var sources = Enumerable.Range(0, DatasetGenerator.SourceCount).Select(i => $"sources/{i:x32}").ToArray();
        for (var i = 0; i < count; i++)
        {
            var request = generator.Claim(i, sources, "sample");
            var e = request.Evidence[0];
            output.WriteLine($"#{i} [{string.Join(", ", request.Claim.Topics)}] {request.Claim.Claimant}:");
            output.WriteLine($"  {request.Claim.Text}");
            output.WriteLine($"  ORIGIN {e.Locator}: {e.Excerpt}");
        }

        var source = generator.Source(0);
        output.WriteLine($"Source 0: {source.Url} \"{source.Title}\" ({source.Publisher}, {source.Kind})");

        const int statistics = 20_000;
        var lengths = Enumerable.Range(0, statistics).Select(i => generator.Claim(1_000_000 + i, sources, "sample").Claim.Text.Length).Order().ToArray();
        var random = new Random(1);
        output.WriteLine($"Claim text over {statistics:N0} claims: mean {lengths.Average():0} chars, min {lengths[0]}, median {lengths[statistics / 2]}, max {lengths[^1]}");
        output.WriteLine($"Vocabulary: {generator.Vocabulary.Words.Count:N0} words ({generator.Vocabulary.CommonCount} common English); " +
            $"most frequent: {string.Join(" ", generator.Vocabulary.Words.Take(8))}; pseudo-words: " +
            string.Join(" ", generator.Vocabulary.Words.Skip(generator.Vocabulary.CommonCount).Take(12)));
        output.WriteLine($"Search queries: {string.Join(" | ", Enumerable.Range(0, 8).Select(_ => generator.SearchQuery(random)))}");
    }
}
