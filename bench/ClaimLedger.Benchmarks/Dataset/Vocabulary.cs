using ClaimLedger.NearDuplicateQuality;

namespace ClaimLedger.Benchmarks.Dataset;

/// <summary>
/// English-like words ranked by frequency: about 300 common English words first, then several thousand pronounceable
/// pseudo-words built from syllables ("dravin", "monteculo"), drawn with Zipf-distributed frequencies like real text.
/// Deterministic for a seed. Every word is lower-case ASCII letters only, so any word is a valid FTS5 query term.
/// </summary>
public sealed class Vocabulary
{
    public const int PseudoWordCount = 6000;

    private static readonly string[] Onsets =
    [
        "b", "br", "c", "ch", "cl", "cr", "d", "dr", "f", "fl", "fr", "g", "gr", "h", "j", "k", "l", "m", "n", "p", "pl",
        "pr", "r", "s", "sh", "sl", "sp", "st", "t", "th", "tr", "v", "w", "b", "c", "d", "l", "m", "n", "p", "r", "s", "t", "",
    ];

    private static readonly string[] Nuclei = ["a", "e", "i", "o", "u", "a", "e", "i", "o", "ai", "ea", "ou", "ar", "er", "or", "an", "en", "in", "on", "al"];

    private static readonly string[] Codas = ["", "", "", "", "n", "r", "s", "t", "l", "m", "nd", "nt", "st", "ck", "ng", "sh", "th"];

    private static readonly string[] Suffixes =
    [
        "", "", "", "", "", "", "", "", "", "", "", "", "ed", "ing", "ion", "ity", "ment", "ous", "al", "ive", "er", "s", "s", "ly",
    ];

    private readonly Zipf _zipf;

    public Vocabulary(int seed)
    {
        var random = new SplitMixRandom((ulong)(uint)seed);
        var words = new List<string>(CommonWords.Length + PseudoWordCount);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var word in CommonWords)
        {
            if (seen.Add(word))
            {
                words.Add(word);
            }
        }

        CommonCount = words.Count;
        while (words.Count < CommonCount + PseudoWordCount)
        {
            var word = PseudoWord(random);
            if (word.Length >= 4 && seen.Add(word))
            {
                words.Add(word);
            }
        }

        Words = words;
        _zipf = new Zipf(words.Count, 1.0);
    }

    /// <summary>All words, most frequent first.</summary>
    public IReadOnlyList<string> Words { get; }

    /// <summary>How many of the most frequent words are common English words.</summary>
    public int CommonCount { get; }

    /// <summary>A word drawn with Zipf-distributed frequency.</summary>
    public string Next(Random random) => Words[_zipf.Next(random)];

    /// <summary>
    /// A word for a search query, weighted toward mid-frequency words: rank log-uniform in [CommonCount, 4000], so
    /// queries are neither stop words (matching everything) nor hapaxes (matching nothing).
    /// </summary>
    public string NextQueryWord(Random random)
    {
        var low = Math.Log(CommonCount);
        var high = Math.Log(Math.Min(4000, Words.Count - 1));
        return Words[(int)Math.Exp(low + (random.NextDouble() * (high - low)))];
    }

    private static string PseudoWord(Random random)
    {
        var syllables = random.NextDouble() switch
        {
            < 0.45 => 1,
            < 0.90 => 2,
            _ => 3,
        };
        var chars = new System.Text.StringBuilder();
        for (var i = 0; i < syllables; i++)
        {
            chars.Append(Onsets[random.Next(Onsets.Length)]);
            chars.Append(Nuclei[random.Next(Nuclei.Length)]);
            if (i == syllables - 1 || random.NextDouble() < 0.15)
            {
                chars.Append(Codas[random.Next(Codas.Length)]);
            }
        }

        chars.Append(Suffixes[random.Next(Suffixes.Length)]);
        return chars.ToString();
    }

    /// <summary>About 300 of the most frequent English words, roughly in frequency order.</summary>
    private static readonly string[] CommonWords =
    [
        "the", "of", "and", "to", "in", "a", "is", "that", "for", "it", "as", "was", "with", "be", "by", "on", "not", "he",
        "this", "are", "or", "his", "from", "at", "which", "but", "have", "an", "had", "they", "you", "were", "their", "one",
        "all", "we", "can", "her", "has", "there", "been", "if", "more", "when", "will", "would", "who", "so", "no", "she",
        "other", "its", "may", "these", "what", "them", "than", "some", "him", "time", "into", "only", "do", "new", "about",
        "two", "over", "any", "out", "then", "also", "our", "first", "most", "could", "after", "people", "years", "such",
        "made", "many", "like", "should", "us", "state", "those", "did", "government", "between", "where", "before",
        "three", "world", "through", "last", "because", "same", "million", "year", "under", "while", "still", "against",
        "public", "country", "percent", "said", "says", "claims", "report", "since", "during", "without", "national",
        "every", "number", "each", "workers", "city", "money", "high", "half", "law", "school", "million", "billion",
        "president", "minister", "police", "health", "children", "women", "tax", "taxes", "jobs", "prices", "cost",
        "price", "budget", "spending", "crime", "rate", "rates", "election", "vote", "votes", "voters", "party",
        "council", "court", "study", "data", "official", "figures", "show", "shows", "increase", "increased", "rise",
        "fell", "doubled", "cut", "cuts", "more", "less", "fewer", "higher", "lower", "record", "largest", "biggest",
        "only", "never", "always", "every", "almost", "nearly", "over", "under", "than", "since", "ago", "today", "week",
        "month", "months", "decade", "per", "average", "total", "new", "old", "young", "local", "federal", "foreign",
        "military", "energy", "oil", "gas", "water", "food", "housing", "homes", "schools", "hospitals", "doctors",
        "nurses", "teachers", "students", "companies", "banks", "farmers", "families", "citizens", "immigrants",
        "refugees", "vaccine", "vaccines", "virus", "climate", "carbon", "emissions", "temperature", "trade", "exports",
        "imports", "border", "army", "war", "peace", "drones", "weapons", "missiles", "sanctions", "aid", "debt", "deficit",
        "economy", "growth", "inflation", "wages", "pension", "pensions", "unemployment", "benefits", "insurance",
        "transport", "roads", "rail", "fuel", "electricity", "power", "nuclear", "solar", "wind", "coal", "forest",
        "land", "sea", "river", "air", "pollution", "plastic", "waste", "recycling", "internet", "online", "social",
        "media", "phone", "digital", "technology", "research", "science", "university", "universities", "children",
        "parents", "deaths", "cases", "patients", "hospital", "care", "drug", "drugs", "alcohol", "smoking", "obesity",
        "cancer", "disease", "rules", "ban", "banned", "allowed", "illegal", "legal", "plan", "policy", "program",
        "funding", "funds", "paid", "pays", "spent", "spend", "received", "gave", "given", "built", "closed", "opened",
    ];
}
