using ClaimLedger.NearDuplicateQuality;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ClaimLedger.Contracts.V1;
using Google.Protobuf.WellKnownTypes;

namespace ClaimLedger.Benchmarks.Dataset;

/// <summary>
/// A deterministic, realistic-looking dataset: claim <c>i</c> (and source <c>j</c>) depends only on the seed and its
/// index, never on which client asks first, so every run with the same seed records the same claims. Claim texts are
/// 60–280 characters (mean ≈ 140, like quoted claims), built from a Zipf-distributed vocabulary with the numbers and
/// years real claims carry; claimants come from a pool of about 2000 people and organisations (a few say a lot),
/// each claim has 1–3 of 40 topics, and one ORIGIN evidence item quoting a source from the pool.
/// </summary>
public sealed class DatasetGenerator
{
    public const int SourceCount = 2000;
    public const int ClaimantCount = 2000;

    private static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly string[] Topics =
    [
        "health", "economy", "elections", "climate", "immigration", "crime", "education", "energy", "housing", "taxes",
        "employment", "defence", "foreign-policy", "vaccines", "covid-19", "transport", "agriculture", "environment",
        "technology", "social-media", "budget", "pensions", "inflation", "trade", "ukraine", "middle-east", "europe",
        "science", "justice", "policing", "water", "food", "disinformation", "religion", "sport", "culture", "media",
        "local-government", "human-rights", "nuclear",
    ];

    private static readonly string[] FirstNames =
    [
        "James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "William", "Elizabeth", "David",
        "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Charles", "Karen", "Christopher", "Nancy",
        "Daniel", "Lisa", "Matthew", "Betty", "Anthony", "Margaret", "Mark", "Sandra", "Donald", "Ashley", "Steven",
        "Kimberly", "Paul", "Emily", "Andrew", "Donna", "Joshua", "Michelle", "Kenneth", "Dorothy", "Kevin", "Carol",
        "Brian", "Amanda", "George", "Melissa", "Edward", "Deborah", "Ahmed", "Fatima", "Wei", "Mei", "Carlos", "Lucia",
        "Olga", "Ivan", "Amara", "Kofi",
    ];

    private static readonly string[] LastNames =
    [
        "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
        "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee",
        "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young",
        "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker",
        "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Khan", "Chen", "Okafor", "Petrov", "Novak",
        "Silva", "Müller", "Dubois", "Rossi", "Kowalski",
    ];

    private static readonly string[] Roles =
    [
        "Senator", "Minister", "Mayor", "Governor", "Councillor", "Dr.", "Professor", "Representative", "", "", "", "",
    ];

    private static readonly string[] Organisations =
    [
        "Ministry of Health", "Ministry of Finance", "Department of Energy", "Office for National Statistics",
        "Chamber of Commerce", "Teachers' Union", "Farmers' Association", "Green Party", "Labour Party",
        "Conservative Party", "Liberal Party", "City Council", "Central Bank", "Police Federation",
        "Taxpayers' Alliance", "Climate Action Network", "Public Health Agency", "Transport Authority",
        "Housing Association", "Employers' Federation",
    ];

    private static readonly string[] Publishers =
    [
        "Example Gazette", "The Daily Example", "Example Times", "Example Herald", "Example Post", "Example Tribune",
        "Example Observer", "Example Chronicle", "Example Courier", "Example Ledger", "Example Sentinel",
        "Example Examiner", "Example Record", "Example Standard", "Example Review", "Example Wire", "Example News",
        "Example Broadcasting", "Example Radio", "Example Weekly", "Parliament of Example", "Example Statistics Office",
        "Example Ministry", "Example University Press", "Example Research Institute",
    ];

    private static readonly string[] LeadIns =
    [
        "The government", "Official figures show that", "A new study found that", "Since 2020,", "Last year", "Our city",
        "The council", "Experts say", "Under the new law,", "This country", "The opposition", "Every week", "Today",
        "For the first time,", "Over the past decade,", "According to the report,", "Despite the cuts,", "Right now",
        "Nationwide,", "In our region,",
    ];

    private readonly int _seed;
    private readonly Vocabulary _vocabulary;
    private readonly Zipf _claimants = new(ClaimantCount, 0.9);
    private readonly Zipf _topics = new(Topics.Length, 0.8);
    private readonly Zipf _sources = new(SourceCount, 0.7);
    private readonly string[] _claimantNames;

    public DatasetGenerator(int seed)
    {
        _seed = seed;
        _vocabulary = new Vocabulary(seed);
        _claimantNames = BuildClaimants(new SplitMixRandom(((ulong)(uint)seed << 16) ^ 0x5eed));
    }

    public Vocabulary Vocabulary => _vocabulary;

    public static IReadOnlyList<string> AllTopics => Topics;

    /// <summary>Source <paramref name="index"/> of the pool, 0 ≤ index &lt; <see cref="SourceCount"/>.</summary>
    public Source Source(int index)
    {
        var random = For(0x50, index);
        var publisher = Publishers[random.Next(Publishers.Length)];
        var host = index % 2 == 0 ? "news.example.org" : "www.example.com";
        var published = Epoch.AddDays(-random.Next(1, 3 * 365)).AddSeconds(random.Next(86_400));
        var title = Capitalise(Words(random, random.Next(5, 12)));
        var slug = string.Join('-', title.ToLowerInvariant().Split(' ').Take(6));
        var kind = random.NextDouble() switch
        {
            < 0.55 => SourceKind.NewsArticle,
            < 0.70 => SourceKind.OfficialStatement,
            < 0.80 => SourceKind.PrimaryDocument,
            < 0.92 => SourceKind.SocialPost,
            < 0.97 => SourceKind.Dataset,
            _ => SourceKind.Other,
        };
        return new Source
        {
            Url = $"https://{host}/{published:yyyy}/{published:MM}/{slug}-{index}",
            Title = title,
            Publisher = publisher,
            Author = $"{FirstNames[random.Next(FirstNames.Length)]} {LastNames[random.Next(LastNames.Length)]}",
            Kind = kind,
            PublishTime = Timestamp.FromDateTimeOffset(published),
            RetrieveTime = Timestamp.FromDateTimeOffset(published.AddHours(random.Next(1, 72))),
            ContentSha256 = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{_seed}/source/{index}"))),
            Reliability = (Reliability)random.Next(1, 7),
        };
    }

    /// <summary>Claim <paramref name="index"/> with its ORIGIN evidence (citing a source of <paramref name="sourceNames"/>).</summary>
    public CreateClaimRequest Claim(long index, IReadOnlyList<string> sourceNames, string runId)
    {
        var random = For(0xC1, index);
        var claim = new Claim
        {
            Text = ClaimText(random),
            Claimant = _claimantNames[_claimants.Next(random)],
            ClaimTime = Timestamp.FromDateTimeOffset(Epoch.AddSeconds(-random.NextInt64(3L * 365 * 86_400))),
            LanguageCode = "en",
        };
        var topicCount = random.Next(1, 4);
        while (claim.Topics.Count < topicCount)
        {
            var topic = Topics[_topics.Next(random)];
            if (!claim.Topics.Contains(topic))
            {
                claim.Topics.Add(topic);
            }
        }

        var request = new CreateClaimRequest { Claim = claim, RequestId = $"bench-{runId}-claim-{index}" };
        request.Evidence.Add(new Evidence
        {
            Source = sourceNames[_sources.Next(random) % sourceNames.Count],
            Stance = Stance.Origin,
            Excerpt = Excerpt(random),
            Locator = Locator(random),
            Credibility = (Credibility)random.Next(1, 7),
        });
        return request;
    }

    /// <summary>
    /// A claim ready for a verdict: like <see cref="Claim"/> plus a SUPPORTS or REFUTES item from another source,
    /// because a verdict other than UNPROVEN must rest on one (VerdictRules.EvidenceSuffices).
    /// </summary>
    public CreateClaimRequest ClaimWithStance(long index, IReadOnlyList<string> sourceNames, string runId, TimeSpan? reviewInterval = null)
    {
        var request = Claim(index, sourceNames, runId);
        var random = For(0xE5, index);
        request.Evidence.Add(new Evidence
        {
            Source = sourceNames[random.Next(sourceNames.Count)],
            Stance = random.NextDouble() < 0.6 ? Stance.Refutes : Stance.Supports,
            Excerpt = Excerpt(random),
            Locator = Locator(random),
            Credibility = (Credibility)random.Next(1, 7),
        });
        if (reviewInterval is { } interval)
        {
            request.Claim.ReviewInterval = Duration.FromTimeSpan(interval);
        }

        return request;
    }

    /// <summary>A verdict on a claim whose SUPPORTS/REFUTES evidence is <paramref name="evidenceName"/>; rationale ≈ 200 characters.</summary>
    public SubmitVerdictRequest Verdict(long index, string claimName, string evidenceName, string etag, string runId)
    {
        var random = For(0x7E, index);
        var rating = random.NextDouble() switch
        {
            < 0.30 => Rating.False,
            < 0.45 => Rating.MostlyFalse,
            < 0.60 => Rating.Misleading,
            < 0.72 => Rating.Mixed,
            < 0.84 => Rating.MostlyTrue,
            _ => Rating.True,
        };
        var request = new SubmitVerdictRequest
        {
            Name = claimName,
            Rating = rating,
            Rationale = Sentences(random, 170, 230),
            Etag = etag,
            RequestId = $"bench-{runId}-verdict-{index}",
        };
        request.Evidence.Add(evidenceName);
        return request;
    }

    /// <summary>A search query of 1–3 mid-frequency words (implicit AND).</summary>
    public string SearchQuery(Random random)
    {
        var words = random.NextDouble() switch
        {
            < 0.5 => 1,
            < 0.85 => 2,
            _ => 3,
        };
        return string.Join(' ', Enumerable.Range(0, words).Select(_ => _vocabulary.NextQueryWord(random)));
    }

    public static string RandomTopic(Random random) => Topics[random.Next(Topics.Length)];

    /// <summary>The generator of item <paramref name="index"/> of a stream (claims, sources, …): a 64-bit seed, unique per item.</summary>
    private SplitMixRandom For(int stream, long index) =>
        new(Mix(Mix(((ulong)(uint)_seed << 8) | (uint)stream) ^ (ulong)index));

    private static ulong Mix(ulong x)
    {
        // SplitMix64 finaliser: neighbouring indexes get unrelated seeds.
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }

    private string ClaimText(Random random)
    {
        // Kumaraswamy(2, 5) on [60, 280]: unimodal, skewed right, mean ≈ 141.
        var u = random.NextDouble();
        var target = 60 + (int)(220 * Math.Sqrt(1 - Math.Pow(1 - u, 1.0 / 5)));
        var text = new StringBuilder(target + 20);
        if (random.NextDouble() < 0.5)
        {
            text.Append(LeadIns[random.Next(LeadIns.Length)]);
        }

        while (text.Length < target - 1)
        {
            if (text.Length > 0)
            {
                text.Append(' ');
            }

            text.Append(random.NextDouble() < 0.07 ? Figure(random) : NextWord(random, text));
        }

        return Finish(text, 280);
    }

    private string Excerpt(Random random) => Sentences(random, 100, 400);

    private string Sentences(Random random, int min, int max)
    {
        var target = min + (int)((max - min) * Math.Sqrt(1 - Math.Pow(1 - random.NextDouble(), 1.0 / 3)));
        var text = new StringBuilder(target + 20);
        var sentenceStart = true;
        while (text.Length < target - 1)
        {
            if (text.Length > 0)
            {
                text.Append(' ');
            }

            var word = random.NextDouble() < 0.05 ? Figure(random) : NextWord(random, text);
            text.Append(sentenceStart ? Capitalise(word) : word);
            sentenceStart = random.NextDouble() < 0.07;
            if (sentenceStart)
            {
                text.Append('.');
            }
        }

        return Finish(text, max);
    }

    /// <summary>A word that differs from the last one written ("the the" reads as a typo, not as text).</summary>
    private string NextWord(Random random, StringBuilder text)
    {
        while (true)
        {
            var word = _vocabulary.Next(random);
            var end = text.Length - 1;
            if (end < word.Length || !EndsWithWord(text, word))
            {
                return word;
            }
        }
    }

    private static bool EndsWithWord(StringBuilder text, string word)
    {
        // text ends with "<word> " (we are about to append after a space)
        var start = text.Length - 1 - word.Length;
        if (start < 0 || (start > 0 && text[start - 1] != ' '))
        {
            return false;
        }

        for (var i = 0; i < word.Length; i++)
        {
            if (char.ToLowerInvariant(text[start + i]) != word[i])
            {
                return false;
            }
        }

        return true;
    }

    private static string Finish(StringBuilder text, int max)
    {
        var s = text.ToString().TrimEnd('.', ' ');
        if (s.Length > max - 1)
        {
            var cut = s.LastIndexOf(' ', max - 2);
            s = s[..(cut > 0 ? cut : max - 1)];
        }

        return Capitalise(s) + ".";
    }

    private static string Figure(Random random) => random.Next(6) switch
    {
        0 => $"{random.Next(2, 99)} percent",
        1 => $"in {random.Next(1990, 2026)}",
        2 => $"${random.Next(1, 99)}.{random.Next(10)} billion",
        3 => $"{random.Next(2, 900)} million",
        4 => random.Next(10, 100_000).ToString("N0", CultureInfo.InvariantCulture),
        _ => $"{random.Next(2, 20)} times",
    };

    private string Words(Random random, int count) => string.Join(' ', Enumerable.Range(0, count).Select(_ => _vocabulary.Next(random)));

    private static string Locator(Random random) => random.NextDouble() switch
    {
        < 0.75 => $"para {random.Next(1, 40)}",
        < 0.90 => $"p. {random.Next(1, 300)}",
        _ => $"{random.Next(0, 59):00}:{random.Next(0, 59):00}",
    };

    private static string Capitalise(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];

    private static string[] BuildClaimants(Random random)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var organisation in Organisations)
        {
            names.Add(organisation);
        }

        while (names.Count < ClaimantCount)
        {
            var role = Roles[random.Next(Roles.Length)];
            var name = $"{FirstNames[random.Next(FirstNames.Length)]} {LastNames[random.Next(LastNames.Length)]}";
            names.Add(role.Length == 0 ? name : $"{role} {name}");
        }

        // Shuffle deterministically so Zipf's most frequent claimants are a mix of people and organisations.
        var array = names.Order(StringComparer.Ordinal).ToArray();
        random.Shuffle(array);
        return array;
    }
}
