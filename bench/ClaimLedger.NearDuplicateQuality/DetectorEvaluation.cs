using System.Diagnostics;
using ClaimLedger.Server.Domain;

namespace ClaimLedger.NearDuplicateQuality;

/// <summary>What a detector answered for one text: the claims it reports at the threshold, and how many it scored to find them.</summary>
/// <param name="Found">Indexes into the corpus of the claims reported (each at least the threshold similar).</param>
/// <param name="Candidates">How many claims it scored.</param>
public sealed record DetectorAnswer(IReadOnlyCollection<int> Found, int Candidates);

/// <summary>Recall and precision of a detector over one labelled corpus, against exhaustive comparison at the same threshold.</summary>
/// <param name="Pairs">(probe, claim) pairs at or above the threshold by exhaustive comparison: what recall is out of.</param>
/// <param name="Reported">Pairs the detector reported.</param>
/// <param name="Found">Pairs both reported and at or above the threshold.</param>
public sealed record DetectorQuality(
    double Threshold,
    int Corpus,
    int Probes,
    long Pairs,
    long Reported,
    long Found,
    double Recall,
    double Precision,
    double MeanCandidates,
    int P99Candidates,
    int MaxCandidates,
    double MeanMilliseconds,
    double P99Milliseconds,
    IReadOnlyList<ChangeQuality> ByChange);

/// <summary>The planted pairs of one change: how many are at or above the threshold, and how many of those the detector found.</summary>
public sealed record ChangeQuality(string Change, bool NearDuplicate, int Planted, int AtThreshold, int Found);

/// <summary>
/// Measures a near-duplicate detector against exhaustive comparison: every probe (each labelled pair's variant) is
/// scored with <see cref="TextSimilarity"/> against every claim of the corpus, and the claims at or above the
/// threshold are the truth. Recall is the share of those (probe, claim) pairs the detector reports; precision the
/// share of its reports that are in the truth.
/// </summary>
public static class DetectorEvaluation
{
    /// <summary>
    /// For each probe, the corpus claims at least <paramref name="threshold"/> similar: every claim that can reach the
    /// threshold is scored. Above 0.5 that is every claim sharing a word bigram with the probe, found through an
    /// inverted index (exact, only faster): unless two texts are equal (similarity 1), their similarity is at most
    /// (1 + word-bigram Dice) / 2, so a pair below 2 × threshold − 1 on word bigrams — one sharing none, in particular —
    /// cannot reach the threshold. At 0.5 or below, every pair is scored.
    /// </summary>
    public static IReadOnlyList<HashSet<int>> Exhaustive(IReadOnlyList<string> corpusNormalized, IReadOnlyList<string> probesNormalized, double threshold)
    {
        var corpus = new TextSimilarity.Profile[corpusNormalized.Count];
        Parallel.For(0, corpus.Length, c => corpus[c] = TextSimilarity.Profile.Of(corpusNormalized[c]));
        var equal = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var postings = new Dictionary<long, List<int>>();
        for (var c = 0; c < corpus.Length; c++)
        {
            Add(equal, corpus[c].Text, c);
            foreach (var bigram in corpus[c].WordBigrams)
            {
                Add(postings, bigram, c);
            }
        }

        var truth = new HashSet<int>[probesNormalized.Count];
        Parallel.For(0, probesNormalized.Count, () => new int[corpus.Length], (p, _, shared) =>
        {
            var probe = TextSimilarity.Profile.Of(probesNormalized[p]);
            var found = new HashSet<int>(equal.GetValueOrDefault(probe.Text) ?? []);
            if (threshold <= 0.5)
            {
                found.UnionWith(Enumerable.Range(0, corpus.Length).Where(c => TextSimilarity.Similarity(probe, corpus[c]) >= threshold));
            }
            else
            {
                var touched = new List<int>();
                foreach (var bigram in probe.WordBigrams)
                {
                    foreach (var c in postings.GetValueOrDefault(bigram) ?? [])
                    {
                        if (shared[c]++ == 0)
                        {
                            touched.Add(c);
                        }
                    }
                }

                foreach (var c in touched)
                {
                    var wordDice = 2.0 * shared[c] / (probe.WordBigrams.Length + corpus[c].WordBigrams.Length);
                    if ((1 + wordDice) / 2 >= threshold && TextSimilarity.Similarity(probe, corpus[c]) >= threshold)
                    {
                        found.Add(c);
                    }

                    shared[c] = 0;
                }
            }

            truth[p] = found;
            return shared;
        }, _ => { });
        return truth;
    }

    private static void Add<TKey>(Dictionary<TKey, List<int>> index, TKey key, int claim)
        where TKey : notnull
    {
        if (!index.TryGetValue(key, out var claims))
        {
            index[key] = claims = [];
        }

        claims.Add(claim);
    }

    /// <summary>
    /// Runs <paramref name="detect"/> on every pair's variant (normalised) and compares its answers with
    /// <paramref name="truth"/> (from <see cref="Exhaustive"/>).
    /// </summary>
    public static async Task<DetectorQuality> MeasureAsync(LabelledCorpus corpus, IReadOnlyList<HashSet<int>> truth, double threshold,
        Func<string, Task<DetectorAnswer>> detect)
    {
        long pairs = 0, reported = 0, found = 0;
        var candidates = new int[corpus.Pairs.Count];
        var milliseconds = new double[corpus.Pairs.Count];
        var planted = new Dictionary<(string, bool), (int Planted, int AtThreshold, int Found)>();
        for (var p = 0; p < corpus.Pairs.Count; p++)
        {
            var pair = corpus.Pairs[p];
            var started = Stopwatch.GetTimestamp();
            var answer = await detect(TextSimilarity.Normalize(pair.Variant));
            milliseconds[p] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            candidates[p] = answer.Candidates;
            pairs += truth[p].Count;
            reported += answer.Found.Count;
            found += answer.Found.Count(truth[p].Contains);

            var key = (pair.Change, pair.NearDuplicate);
            var (n, at, hit) = planted.GetValueOrDefault(key);
            var atThreshold = truth[p].Contains(pair.Original);
            planted[key] = (n + 1, at + (atThreshold ? 1 : 0), hit + (atThreshold && answer.Found.Contains(pair.Original) ? 1 : 0));
        }

        Array.Sort(candidates);
        Array.Sort(milliseconds);
        return new DetectorQuality(
            threshold,
            corpus.Claims.Count,
            corpus.Pairs.Count,
            pairs,
            reported,
            found,
            pairs == 0 ? 1 : (double)found / pairs,
            reported == 0 ? 1 : (double)found / reported,
            candidates.Average(),
            candidates[(int)(0.99 * (candidates.Length - 1))],
            candidates[^1],
            milliseconds.Average(),
            milliseconds[(int)(0.99 * (milliseconds.Length - 1))],
            planted.OrderBy(e => !e.Key.Item2).ThenBy(e => e.Key.Item1, StringComparer.Ordinal)
                .Select(e => new ChangeQuality(e.Key.Item1, e.Key.Item2, e.Value.Planted, e.Value.AtThreshold, e.Value.Found))
                .ToList());
    }
}

/// <summary>
/// The band index in memory, as claim_bands and the candidate query hold it (ADR 21): (band key, claim) pairs sorted
/// like claim_bands' primary key; a text's candidates are the claims with the same normalised text and, for each of its
/// keys, the <c>perKey</c> most recently recorded claims (highest index) with that key. Scored with TextSimilarity.
/// </summary>
public sealed class InMemoryBandIndex
{
    private readonly MinHashBands _bands;
    private readonly int _perKey;
    private readonly IReadOnlyList<string> _normalized;
    private readonly long[] _keys;
    private readonly int[] _claims;
    private readonly Dictionary<string, List<int>> _exact = new(StringComparer.Ordinal);

    public InMemoryBandIndex(MinHashBands bands, int perKey, IReadOnlyList<string> corpusNormalized)
    {
        _bands = bands;
        _perKey = perKey;
        _normalized = corpusNormalized;
        var perClaim = new long[corpusNormalized.Count][];
        Parallel.For(0, corpusNormalized.Count, i => perClaim[i] = bands.Keys(corpusNormalized[i]));
        _keys = new long[perClaim.Sum(k => (long)k.Length)];
        _claims = new int[_keys.Length];
        var n = 0;
        for (var i = 0; i < perClaim.Length; i++)
        {
            foreach (var key in perClaim[i])
            {
                _keys[n] = key;
                _claims[n++] = i;
            }

            if (!_exact.TryGetValue(corpusNormalized[i], out var same))
            {
                _exact[corpusNormalized[i]] = same = [];
            }

            same.Add(i);
        }

        // Stable for equal keys only if claims were in order: sort by key, then claim.
        var order = Enumerable.Range(0, _keys.Length).ToArray();
        Array.Sort(order, (a, b) => _keys[a] != _keys[b] ? _keys[a].CompareTo(_keys[b]) : _claims[a].CompareTo(_claims[b]));
        _keys = order.Select(i => _keys[i]).ToArray();
        _claims = order.Select(i => _claims[i]).ToArray();
    }

    /// <summary>How many claims each band key has, largest first.</summary>
    public IReadOnlyList<int> KeySizes()
    {
        var sizes = new List<int>();
        for (var i = 0; i < _keys.Length;)
        {
            var j = i;
            while (j < _keys.Length && _keys[j] == _keys[i])
            {
                j++;
            }

            sizes.Add(j - i);
            i = j;
        }

        sizes.Sort((a, b) => b.CompareTo(a));
        return sizes;
    }

    public DetectorAnswer Detect(string normalized, double threshold)
    {
        var candidates = new HashSet<int>(_exact.GetValueOrDefault(normalized) ?? []);
        foreach (var key in _bands.Keys(normalized))
        {
            // The last entry with this key, then back over at most perKey of them.
            var end = Array.BinarySearch(_keys, key == long.MaxValue ? key : key + 1);
            end = end >= 0 ? end : ~end;
            while (end > 0 && _keys[end - 1] > key)
            {
                end--;
            }

            for (var i = end - 1; i >= 0 && _keys[i] == key && end - i <= _perKey; i--)
            {
                candidates.Add(_claims[i]);
            }
        }

        var profile = TextSimilarity.Profile.Of(normalized);
        var found = candidates.Where(c => TextSimilarity.Similarity(profile, TextSimilarity.Profile.Of(_normalized[c])) >= threshold).ToList();
        return new DetectorAnswer(found, candidates.Count);
    }
}
