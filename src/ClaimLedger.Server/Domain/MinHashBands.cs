namespace ClaimLedger.Server.Domain;

/// <summary>
/// The locality-sensitive hashing of near-duplicate detection (ADR 21): a normalised text's MinHash signature, cut into
/// bands, each band hashed to one 64-bit key. Two texts that share a band key are candidates; <see cref="TextSimilarity"/>
/// then scores them. The shingles are TextSimilarity's own two sets, each with its own signature and bands: the
/// character trigrams of " " + text + " " and the word bigrams with start and end markers. A pair at
/// <see cref="TextSimilarity.DuplicateThreshold"/> has Dice coefficients on the two sets that add up to at least 1.6
/// (their mean is at least 0.8), so a Jaccard index J = D / (2 − D) of at least 2/3 on one of them, and at least 3/7 on
/// both; the bands are sized so that every such pair shares a key with probability at least 0.99, whichever the split
/// (<see cref="Default"/>, <see cref="WorstFoundProbability"/>).
/// </summary>
/// <remarks>
/// Keys are stored (claim_bands), so everything here is fixed: the shingle hashes do not depend on the process
/// (string.GetHashCode does), and the seeds, rows and bands are constants. Changing any of them changes every key:
/// that takes a migration that empties claim_bands and schedules the backfill again (ADR 21).
/// </remarks>
public sealed class MinHashBands
{
    /// <summary>
    /// 14 bands of 6 rows over trigrams and 18 bands of 4 rows over word bigrams: 32 keys per text. A pair at
    /// TextSimilarity 0.8 shares one with probability at least 0.9926 (<see cref="WorstFoundProbability"/>); six rows
    /// keep the claims that share a trigram band by chance few at a million claims (ADR 21).
    /// </summary>
    public static readonly MinHashBands Default = new(trigramRows: 6, trigramBands: 14, wordRows: 4, wordBands: 18);

    private const ulong TrigramSalt = 0x7472696772616D73; // "trigrams"
    private const ulong WordSalt = 0x776F726462696772; // "wordbigr"
    private const ulong StartMarker = 0x5E5E5E5E5E5E5E5E;
    private const ulong EndMarker = 0x2424242424242424;

    private readonly ulong[] _trigramSeeds;
    private readonly ulong[] _wordSeeds;

    public MinHashBands(int trigramRows, int trigramBands, int wordRows, int wordBands)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(trigramRows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(wordRows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(trigramBands, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(wordBands, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(trigramBands + wordBands, 256);
        TrigramRows = trigramRows;
        TrigramBands = trigramBands;
        WordRows = wordRows;
        WordBands = wordBands;
        _trigramSeeds = Seeds(TrigramSalt, trigramRows * trigramBands);
        _wordSeeds = Seeds(WordSalt, wordRows * wordBands);
    }

    public int TrigramRows { get; }

    public int TrigramBands { get; }

    public int WordRows { get; }

    public int WordBands { get; }

    /// <summary>How many keys a non-empty text has (an empty one has none).</summary>
    public int Count => TrigramBands + WordBands;

    /// <summary>
    /// The band keys of a normalised text (<see cref="TextSimilarity.Normalize"/>): <see cref="Count"/> distinct keys,
    /// none for the empty text. A key's low 8 bits are its band's number, so keys of different bands never coincide.
    /// </summary>
    public long[] Keys(string normalized)
    {
        if (normalized.Length == 0)
        {
            return [];
        }

        var keys = new long[Count];
        Band(Signature(TrigramShingles(normalized), _trigramSeeds), TrigramRows, 0, keys);
        Band(Signature(WordShingles(normalized), _wordSeeds), WordRows, TrigramBands, keys);
        return keys;
    }

    /// <summary>
    /// The probability that a pair with these Dice coefficients (trigrams, word bigrams) shares at least one key, for
    /// ideal min-wise hashing: 1 − (1 − Jₜ^r)^b · (1 − J_w^r)^b with J = D / (2 − D).
    /// </summary>
    public double FoundProbability(double trigramDice, double wordDice)
    {
        static double Miss(double dice, int rows, int bands) => Math.Pow(1 - Math.Pow(dice / (2 - dice), rows), bands);
        return 1 - (Miss(trigramDice, TrigramRows, TrigramBands) * Miss(wordDice, WordRows, WordBands));
    }

    /// <summary>
    /// The lowest <see cref="FoundProbability"/> over every pair at TextSimilarity <paramref name="similarity"/>: over the
    /// splits of 2 × similarity into a trigram and a word-bigram Dice coefficient, each at most 1.
    /// </summary>
    public double WorstFoundProbability(double similarity, int steps = 1000)
    {
        var worst = 1.0;
        var low = Math.Max(0, (2 * similarity) - 1);
        for (var i = 0; i <= steps; i++)
        {
            var trigram = low + ((1 - low) * i / steps);
            var word = (2 * similarity) - trigram;
            if (word is < 0 or > 1)
            {
                continue;
            }

            worst = Math.Min(worst, FoundProbability(trigram, word));
        }

        return worst;
    }

    /// <summary>TextSimilarity's trigrams (three UTF-16 units of " " + text + " "), hashed.</summary>
    private static List<ulong> TrigramShingles(string normalized)
    {
        var padded = " " + normalized + " ";
        var shingles = new List<ulong>(padded.Length - 2);
        for (var i = 0; i + 3 <= padded.Length; i++)
        {
            shingles.Add(Mix(((ulong)padded[i] << 32) | ((ulong)padded[i + 1] << 16) | padded[i + 2]));
        }

        return shingles;
    }

    /// <summary>TextSimilarity's word bigrams, start and end markers included, from a hash of each word that every process computes alike.</summary>
    private static List<ulong> WordShingles(string normalized)
    {
        var words = normalized.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var shingles = new List<ulong>(words.Length + 1);
        var previous = StartMarker;
        foreach (var word in words)
        {
            var hash = WordHash(word);
            shingles.Add(Pair(previous, hash));
            previous = hash;
        }

        if (words.Length > 0)
        {
            shingles.Add(Pair(previous, EndMarker));
        }

        return shingles;
    }

    private static ulong[] Signature(List<ulong> shingles, ulong[] seeds)
    {
        var signature = new ulong[seeds.Length];
        Array.Fill(signature, ulong.MaxValue);
        foreach (var shingle in shingles)
        {
            for (var j = 0; j < seeds.Length; j++)
            {
                var h = Mix(shingle ^ seeds[j]);
                if (h < signature[j])
                {
                    signature[j] = h;
                }
            }
        }

        return signature;
    }

    private static void Band(ulong[] signature, int rows, int firstBand, long[] keys)
    {
        for (var band = 0; band < signature.Length / rows; band++)
        {
            var number = (ulong)(firstBand + band);
            var h = Mix(0xB4D5_0000_0000_0000UL ^ number);
            for (var row = band * rows; row < (band + 1) * rows; row++)
            {
                h = Mix(h ^ signature[row]);
            }

            keys[firstBand + band] = (long)((h & ~0xFFUL) | number);
        }
    }

    /// <summary>FNV-1a over the word's UTF-16 units, then mixed: the same in every process and version.</summary>
    private static ulong WordHash(string word)
    {
        var h = 0xCBF29CE484222325UL;
        foreach (var c in word)
        {
            h = (h ^ c) * 0x100000001B3UL;
        }

        return Mix(h);
    }

    private static ulong Pair(ulong first, ulong second) => Mix((first * 0x9E3779B97F4A7C15UL) ^ second ^ WordSalt);

    private static ulong[] Seeds(ulong salt, int count)
    {
        var seeds = new ulong[count];
        var state = salt;
        for (var i = 0; i < count; i++)
        {
            state += 0x9E3779B97F4A7C15UL;
            seeds[i] = Mix(state);
        }

        return seeds;
    }

    /// <summary>MurmurHash3's 64-bit finaliser: a bijection that mixes every input bit into every output bit.</summary>
    private static ulong Mix(ulong h)
    {
        h ^= h >> 33;
        h *= 0xFF51AFD7ED558CCDUL;
        h ^= h >> 33;
        h *= 0xC4CEB9FE1A85EC53UL;
        h ^= h >> 33;
        return h;
    }
}
