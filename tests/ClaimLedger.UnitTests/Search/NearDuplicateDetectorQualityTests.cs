using ClaimLedger.NearDuplicateQuality;
using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Infrastructure.Search;

namespace ClaimLedger.UnitTests.Search;

/// <summary>
/// The near-duplicate detector — claims sharing a MinHash band key (at most <see cref="MinHashCandidates.PerKey"/> per
/// key, the newest), scored with TextSimilarity — against exhaustive comparison with TextSimilarity at the duplicate
/// threshold, over the generated labelled set (ADR 21): 20,000 claims in ten languages and scripts, 2,000 labelled
/// pairs planted among them.
/// </summary>
public sealed class NearDuplicateDetectorQualityTests : IClassFixture<NearDuplicateDetectorQualityTests.Measured>
{
    private readonly Measured _measured;

    public NearDuplicateDetectorQualityTests(Measured measured) => _measured = measured;

    public sealed class Measured
    {
        public Measured()
        {
            Corpus = LabelledCorpus.Generate(seed: 20260214, claims: 20_000, pairs: 2_000);
            var normalized = Corpus.Claims.Select(TextSimilarity.Normalize).ToList();
            Truth = DetectorEvaluation.Exhaustive(normalized, Corpus.Pairs.Select(p => TextSimilarity.Normalize(p.Variant)).ToList(), TextSimilarity.DuplicateThreshold);
            Index = new InMemoryBandIndex(MinHashBands.Default, MinHashCandidates.PerKey, normalized);
            Quality = DetectorEvaluation.MeasureAsync(Corpus, Truth, TextSimilarity.DuplicateThreshold,
                text => Task.FromResult(Index.Detect(text, TextSimilarity.DuplicateThreshold))).GetAwaiter().GetResult();
        }

        public LabelledCorpus Corpus { get; }

        public IReadOnlyList<HashSet<int>> Truth { get; }

        public InMemoryBandIndex Index { get; }

        public DetectorQuality Quality { get; }
    }

    [Fact]
    public void Detector_FindsAtLeast99PercentOfThePairsExhaustiveComparisonFinds()
    {
        _measured.Quality.Pairs.ShouldBeGreaterThan(1_000);
        _measured.Quality.Recall.ShouldBeGreaterThanOrEqualTo(0.99, $"found {_measured.Quality.Found} of {_measured.Quality.Pairs}");
    }

    [Fact]
    public void Detector_Reports99PercentOrMoreOfPairsThatExhaustiveComparisonReports()
    {
        _measured.Quality.Reported.ShouldBeGreaterThan(1_000);
        _measured.Quality.Precision.ShouldBeGreaterThanOrEqualTo(0.99, $"{_measured.Quality.Found} of {_measured.Quality.Reported} reported");
    }

    [Fact]
    public void Detector_ScoresAFewCandidates_NeverMoreThanOneKeysCapPerKey()
    {
        _measured.Quality.MeanCandidates.ShouldBeLessThan(10);
        _measured.Quality.MaxCandidates.ShouldBeLessThanOrEqualTo((MinHashBands.Default.Count * MinHashCandidates.PerKey) + 1);
    }

    [Fact]
    public void LabelledSet_HasPairsAtTheThreshold_InEveryLanguage_AndOfEveryChange()
    {
        var corpus = _measured.Corpus;
        var atThreshold = corpus.Pairs.Where((p, i) => _measured.Truth[i].Contains(p.Original)).ToList();

        atThreshold.Select(p => p.Language).Distinct().Order().ShouldBe(["ar", "de", "en", "es", "fr", "hi", "ja", "pt", "ru", "zh"]);
        // Every change that keeps the claim reaches the threshold somewhere; so do those that make another claim but
        // look alike (a figure, a negation, entities swapped or renamed), which TextSimilarity cannot tell apart.
        atThreshold.Select(p => p.Change).Distinct().Order()
            .ShouldBe(LabelledCorpus.SameClaimChanges.Concat(["number", "negation", "swap", "rename"]).Order());
        corpus.Pairs.Count(p => p.NearDuplicate).ShouldBeGreaterThan(corpus.Pairs.Count / 2);
    }

    [Fact]
    public void AKeyOverItsCap_KeepsItsNewestClaims_SoATwinOfAnOverfullClusterIsStillFound()
    {
        // 400 recorded variants of one template: far more claims share its keys than the cap lets through.
        var cluster = Enumerable.Range(0, 400).Select(i => $"Verdict expired: review was due 2026-11-{1 + (i % 28):D2} at {i % 24:D2}:00, interval 00:01:00, run {i}").ToList();
        var normalized = cluster.Select(TextSimilarity.Normalize).ToList();
        var index = new InMemoryBandIndex(MinHashBands.Default, MinHashCandidates.PerKey, normalized);

        var answer = index.Detect(TextSimilarity.Normalize("Verdict expired: review was due 2026-11-07 at 05:00, interval 00:01:00, run 401"), TextSimilarity.DuplicateThreshold);

        index.KeySizes()[0].ShouldBeGreaterThan(MinHashCandidates.PerKey);
        answer.Found.ShouldNotBeEmpty();
        answer.Candidates.ShouldBeLessThanOrEqualTo(MinHashBands.Default.Count * MinHashCandidates.PerKey);
    }
}
