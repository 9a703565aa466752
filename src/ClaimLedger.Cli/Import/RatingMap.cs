using System.Buffers;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using ClaimLedger.Contracts.V1;

namespace ClaimLedger.Cli.Import;

/// <summary>What a <see cref="RatingReading"/> was decided from.</summary>
public enum RatingBasis
{
    /// <summary>Nothing: the rating is unmapped.</summary>
    None,

    /// <summary>The publisher's words, ClaimReview <c>reviewRating.alternateName</c>.</summary>
    Label,

    /// <summary><c>reviewRating.ratingValue</c> on its <c>worstRating</c>..<c>bestRating</c> scale, used only when there is no label.</summary>
    Scale,
}

/// <summary>
/// How a fact-checker's published rating reads on our scale. <see cref="Rating"/> is <see cref="Rating.Unspecified"/> when it
/// is unmapped (the import keeps the publisher's label and reports it rather than guess). <see cref="Phrase"/> is the table
/// phrase that decided it; <see cref="Note"/> a short sentence for the import report when something is worth saying (the
/// number disagreeing with the label, a label mixing ratings, a negated phrase, a number without its scale), else null.
/// </summary>
public sealed record RatingReading(Rating Rating, RatingBasis Basis, string? Phrase, string? Note);

/// <summary>A rating map (the built-in table or a user's <c>--rating-map</c>) that cannot be used; the message says why and where.</summary>
public sealed class RatingMapException(string message) : Exception(message);

/// <summary>
/// Maps the rating a fact-checker publishes in ClaimReview markup ("Pants on Fire", "Falso", "زائف", "錯誤", "That's not
/// correct.") to our <see cref="Rating"/> scale. The phrases live in a data file (the built-in one is embedded
/// <c>claimreview-ratings.json</c>; docs/claimreview-ratings.md describes the file, the table and the matching rules) so that
/// they can be reviewed by people who read the languages, and extended by users without a release. Reading is deliberately
/// conservative: a label is matched whole, then by its head ("False: …"), then by the rating phrases it contains, and a
/// negated phrase ("not misleading") or a label mixing ratings stays unmapped. An unmapped rating is reported; a wrong one
/// would silently publish the opposite of what the fact-checker said.
/// </summary>
public sealed class RatingMap
{
    private const string ResourceName = "claimreview-ratings.json";

    // Stands for clause punctuation in the marked normal form the phrase scan works on; every other control becomes a space.
    private const char ClauseMark = '\u0001';

    // A negation word up to two words before a phrase, or right after it, negates it: "not misleading", "no es engañoso",
    // "भ्रामक नहीं". A hedge word up to two words either side qualifies a phrase that is itself a negation: "klopt niet
    // helemaal", "पूरी तरह सच नहीं". In scripts written without spaces both are looked for in the three characters before the
    // phrase: 並非錯誤, 不完全錯誤.
    private static readonly Reach NegationReach = new(WordsBefore: 2, WordsAfter: 1, CharactersBefore: 3);
    private static readonly Reach HedgeReach = new(WordsBefore: 2, WordsAfter: 2, CharactersBefore: 3);

    private static readonly Lazy<RatingMap> builtIn = new(LoadBuiltIn);

    private static readonly Dictionary<string, Rating> RatingsByName = new(StringComparer.Ordinal)
    {
        ["TRUE"] = Rating.True,
        ["MOSTLY_TRUE"] = Rating.MostlyTrue,
        ["MIXED"] = Rating.Mixed,
        ["MOSTLY_FALSE"] = Rating.MostlyFalse,
        ["FALSE"] = Rating.False,
        ["MISLEADING"] = Rating.Misleading,
        ["UNPROVEN"] = Rating.Unproven,
    };

    // Where a label's head ends in "Rating: explanation", "Rating. Explanation", "Rating - explanation", "Rating (…)".
    private static readonly string[] HeadSeparators =
        [":", "：", " - ", " – ", " — ", "|", "(", "（", ".", "!", "！", "。", ",", "，", ";", "；", "،", "؛", "।"];

    // Punctuation that ends a clause: a negation does not reach across it ("No, that's not correct" is not a negated "correct").
    private static readonly SearchValues<char> ClausePunctuation =
        SearchValues.Create(".,;:!?¡¿()[]{}|–—。、，；：！？（）【】«»،؛؟।॥");

    private static readonly UnicodeRange[] LatinRanges =
    [
        UnicodeRanges.BasicLatin, UnicodeRanges.Latin1Supplement, UnicodeRanges.LatinExtendedA, UnicodeRanges.LatinExtendedB,
        UnicodeRanges.IpaExtensions, UnicodeRanges.LatinExtendedAdditional, UnicodeRanges.LatinExtendedC,
        UnicodeRanges.LatinExtendedD, UnicodeRanges.LatinExtendedE,
    ];

    private static readonly UnicodeRange[] NoSpaceRanges =
    [
        UnicodeRanges.CjkUnifiedIdeographs, UnicodeRanges.CjkUnifiedIdeographsExtensionA, UnicodeRanges.CjkCompatibilityIdeographs,
        UnicodeRanges.Hiragana, UnicodeRanges.Katakana, UnicodeRanges.KatakanaPhoneticExtensions, UnicodeRanges.Thai,
        UnicodeRanges.Lao, UnicodeRanges.Khmer, UnicodeRanges.Myanmar,
    ];

    private static readonly UnicodeRange[] HanRanges =
        [UnicodeRanges.CjkUnifiedIdeographs, UnicodeRanges.CjkUnifiedIdeographsExtensionA, UnicodeRanges.CjkCompatibilityIdeographs];

    private static readonly UnicodeRange[] KanaRanges = [UnicodeRanges.Hiragana, UnicodeRanges.Katakana, UnicodeRanges.KatakanaPhoneticExtensions];

    private static readonly JsonDocumentOptions JsonOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    private readonly List<LanguageTable> languages;
    private readonly List<Entry> entries;
    private readonly Dictionary<string, Phrase> exact = new(StringComparer.Ordinal);
    private readonly ScanPhrase[] scan;
    private readonly HashSet<string> negations = new(StringComparer.Ordinal);
    private readonly string[] noSpaceNegations;
    private readonly string[] suffixNegations;
    private readonly HashSet<string> contrasts = new(StringComparer.Ordinal);
    private readonly string[] noSpaceContrasts;
    private readonly HashSet<string> hedges = new(StringComparer.Ordinal);
    private readonly string[] noSpaceHedges;

    private RatingMap(List<LanguageTable> languages, List<Entry> entries)
    {
        this.languages = languages;
        this.entries = entries;
        var listings = new Dictionary<string, List<Entry>>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            if (!listings.TryGetValue(entry.Key, out var listed))
            {
                listings[entry.Key] = [entry];
                continue;
            }

            // Chinese and Japanese share the Han characters, and some words mean one thing in each (不正確): such a phrase may
            // mean one rating per language, read by the label's language. Anywhere else two ratings for one phrase is a mistake.
            var seen = listed.Find(e => e.Rating != entry.Rating && (e.Language == entry.Language || !IsHanOnly(entry.Key)));
            if (seen is not null)
            {
                throw new RatingMapException(
                    $"\"{entry.Phrase}\" ({entry.Language}) is {NameOf(entry.Rating)} but \"{seen.Phrase}\" ({seen.Language}) is " +
                    $"{NameOf(seen.Rating)}; both read \"{entry.Key}\", and a phrase must mean one rating in every language " +
                    "(only one written in Han characters alone may mean one rating in Chinese and another in Japanese)");
            }

            if (listed[0].ExactOnly != entry.ExactOnly)
            {
                var (only, scanned) = entry.ExactOnly ? (entry, listed[0]) : (listed[0], entry);
                throw new RatingMapException(
                    $"\"={only.Phrase}\" ({only.Language}) is exact-only but \"{scanned.Phrase}\" ({scanned.Language}) is not; both read " +
                    $"\"{entry.Key}\", so mark both or neither with =");
            }

            listed.Add(entry);
        }

        foreach (var (key, listed) in listings)
        {
            exact[key] = new Phrase(key, listed[0].ExactOnly, [.. listed]);
        }

        foreach (var language in languages)
        {
            negations.UnionWith(language.Negations);
            contrasts.UnionWith(language.Contrasts);
            hedges.UnionWith(language.Hedges);
        }

        noSpaceNegations = [.. negations.Where(IsNoSpaceWord)];
        suffixNegations = [.. languages.SelectMany(l => l.SuffixNegations).Distinct(StringComparer.Ordinal)];
        noSpaceContrasts = [.. contrasts.Where(IsNoSpaceWord)];
        noSpaceHedges = [.. hedges.Where(IsNoSpaceWord)];
        scan = [.. exact.Values.Where(e => !e.ExactOnly)
            .Select(e => new ScanPhrase(e.Key, e, IsNoSpaceWord(e.Key),
                e.Key.Split(' ').Any(negations.Contains) || Array.Exists(noSpaceNegations, n => e.Key.Contains(n, StringComparison.Ordinal))
                || Array.Exists(suffixNegations, n => e.Key.Contains(n, StringComparison.Ordinal))))
            .OrderByDescending(p => p.Key.Length).ThenBy(p => p.Key, StringComparer.Ordinal)];
    }

    /// <summary>The built-in table, the embedded <c>claimreview-ratings.json</c>, loaded once.</summary>
    public static RatingMap BuiltIn => builtIn.Value;

    /// <summary>The language codes the map has phrases or negations for, in the order the file lists them ("en", "es", …).</summary>
    public IReadOnlyList<string> Languages => [.. languages.Select(l => l.Code)];

    /// <summary>
    /// Every phrase as the file writes it (without the leading <c>=</c> of an exact-only phrase), with its language, rating
    /// and whether it is matched only as the whole label or its head.
    /// </summary>
    public IEnumerable<(string Language, string Phrase, Rating Rating, bool ExactOnly)> Entries =>
        entries.Select(e => (e.Language, e.Phrase, e.Rating, e.ExactOnly));

    /// <summary>Reads a rating map in the claimreview-ratings.json format; throws <see cref="RatingMapException"/> saying what is wrong and where.</summary>
    public static RatingMap Load(Stream json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, JsonOptions);
        }
        catch (JsonException e)
        {
            throw new RatingMapException($"not valid JSON: {e.Message}");
        }

        using (document)
        {
            return FromJson(document.RootElement);
        }
    }

    /// <summary><see cref="Load"/> from a file; the exception's message names the file.</summary>
    public static RatingMap LoadFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        try
        {
            using var stream = File.OpenRead(path);
            return Load(stream);
        }
        catch (RatingMapException e)
        {
            throw new RatingMapException($"{path}: {e.Message}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new RatingMapException($"{path}: cannot read the rating map: {e.Message}");
        }
    }

    /// <summary>
    /// This map with a user's map on top: the user's phrases replace ours where they normalise to the same text (in any
    /// language), and the user's languages, phrases, negations, suffix negations, contrast words and hedges are added.
    /// </summary>
    public RatingMap With(RatingMap overrides)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        var replaced = overrides.entries.Select(e => e.Key).ToHashSet(StringComparer.Ordinal);
        var merged = languages.ToList();
        foreach (var theirs in overrides.languages)
        {
            var index = merged.FindIndex(l => l.Code == theirs.Code);
            if (index < 0)
            {
                merged.Add(theirs);
            }
            else
            {
                var ours = merged[index];
                merged[index] = new LanguageTable(ours.Code, theirs.Name ?? ours.Name,
                    [.. ours.Negations.Union(theirs.Negations, StringComparer.Ordinal)],
                    [.. ours.SuffixNegations.Union(theirs.SuffixNegations, StringComparer.Ordinal)],
                    [.. ours.Contrasts.Union(theirs.Contrasts, StringComparer.Ordinal)],
                    [.. ours.Hedges.Union(theirs.Hedges, StringComparer.Ordinal)]);
            }
        }

        return new RatingMap(merged, [.. entries.Where(e => !replaced.Contains(e.Key)), .. overrides.entries]);
    }

    /// <summary>
    /// Reads a rating label: the whole label, else its head (the part before the first ":", ".", " - ", "(" …), else the
    /// rating phrases it contains, longest first, which must agree and must not be negated. <paramref name="language"/> (a
    /// BCP-47 tag: the review's language) is consulted only for a phrase that means one rating in Chinese and another in
    /// Japanese (不正確): kana in the label make it Japanese; else the language decides, and without one it stays unmapped.
    /// </summary>
    public RatingReading FromLabel(string? label, string? language = null)
    {
        if (string.IsNullOrWhiteSpace(label))
        {
            return new RatingReading(Rating.Unspecified, RatingBasis.None, null, "no rating label");
        }

        var decoded = DecodeEntities(label);
        var whole = Normalize(decoded);
        if (whole.Length == 0)
        {
            return Unmapped(label);
        }

        var labelLanguage = LabelLanguage(decoded, language);
        var hit = exact.GetValueOrDefault(whole) ?? Head(decoded);
        if (hit is not null)
        {
            return hit.ReadIn(labelLanguage) is { } entry
                ? new RatingReading(entry.Rating, RatingBasis.Label, entry.Phrase, null)
                : LanguageUnknown(hit, labelLanguage);
        }

        return Scan(label, decoded, labelLanguage);
    }

    /// <summary>
    /// The rating a position on a numeric scale stands for: the fraction of the way from <paramref name="worst"/> to
    /// <paramref name="best"/> (an inverted scale, best below worst, is legal) below 1/8 is FALSE, below 3/8 MOSTLY_FALSE,
    /// below 5/8 MIXED, below 7/8 MOSTLY_TRUE, else TRUE. Unspecified when the scale is empty or the value is off it.
    /// </summary>
    public static Rating FromScale(double value, double worst, double best)
    {
        if (!double.IsFinite(value) || !double.IsFinite(worst) || !double.IsFinite(best) || best == worst
            || value < Math.Min(worst, best) || value > Math.Max(worst, best))
        {
            return Rating.Unspecified;
        }

        return ((value - worst) / (best - worst)) switch
        {
            < 0.125 => Rating.False,
            < 0.375 => Rating.MostlyFalse,
            < 0.625 => Rating.Mixed,
            < 0.875 => Rating.MostlyTrue,
            _ => Rating.True,
        };
    }

    /// <summary>
    /// Reads a ClaimReview reviewRating the way a careful fact-checker would: the label (alternateName) decides whenever there
    /// is one, even against the number (a note says so); a label we cannot read stays unmapped and its number is not used,
    /// since publishers' numbers are not always a truth scale; only without a label is the number read, and only with both
    /// bestRating and worstRating given.
    /// </summary>
    public RatingReading Resolve(string? label, double? value, double? best, double? worst, string? language = null)
    {
        string? scale = null;
        var byScale = Rating.Unspecified;
        if (value is { } v && best is { } b && worst is { } w)
        {
            scale = $"{Number(v)} on {Number(w)}–{Number(b)}";
            byScale = FromScale(v, w, b);
        }

        if (!string.IsNullOrWhiteSpace(label))
        {
            var reading = FromLabel(label, language);
            if (reading.Rating != Rating.Unspecified)
            {
                return byScale == Rating.Unspecified || byScale == reading.Rating
                    ? reading
                    : reading with { Note = $"the numeric rating {scale} reads {NameOf(byScale)}; the label \"{label.Trim()}\" wins" };
            }

            return value is null
                ? reading
                : reading with
                {
                    Note = $"{reading.Note}; the numeric rating {scale ?? Number(value.Value)} was not used: the label says something "
                        + "we cannot read, and publishers' numbers are not always a truth scale",
                };
        }

        if (value is null)
        {
            return new RatingReading(Rating.Unspecified, RatingBasis.None, null, "no rating label and no numeric rating");
        }

        if (scale is null)
        {
            var missing = (best, worst) switch
            {
                (null, null) => "bestRating/worstRating",
                (null, _) => "bestRating",
                _ => "worstRating",
            };
            return new RatingReading(Rating.Unspecified, RatingBasis.None, null,
                $"no rating label, and the numeric rating {Number(value.Value)} has no {missing} scale");
        }

        return byScale == Rating.Unspecified
            ? new RatingReading(Rating.Unspecified, RatingBasis.None, null, $"no rating label, and the numeric rating {scale} is not on its scale")
            : new RatingReading(byScale, RatingBasis.Scale, null, $"no rating label; the numeric rating {scale} reads {NameOf(byScale)}");
    }

    /// <summary>
    /// The form labels and table phrases are compared in: HTML entities decoded, Unicode NFKC, lower case, diacritics removed
    /// from Latin letters only (Indic vowel signs are letters' parts, not accents), Arabic harakat and tatweel removed and
    /// alef forms unified, apostrophes inside words dropped ("that's" → "thats"), every other punctuation or symbol a space,
    /// whitespace collapsed.
    /// </summary>
    public static string Normalize(string label)
    {
        ArgumentNullException.ThrowIfNull(label);
        return NormalizeCore(label, markClauses: false);
    }

    private static RatingMap LoadBuiltIn()
    {
        using var stream = typeof(RatingMap).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded resource {ResourceName} is missing.");
        return Load(stream);
    }

    private static RatingMap FromJson(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new RatingMapException("the rating map must be a JSON object with a \"languages\" object");
        }

        CheckKeys(root, "the rating map", "languages");
        if (!root.TryGetProperty("languages", out var languagesElement) || languagesElement.ValueKind != JsonValueKind.Object)
        {
            throw new RatingMapException("the rating map has no \"languages\" object");
        }

        var languages = new List<LanguageTable>();
        var entries = new List<Entry>();
        foreach (var language in languagesElement.EnumerateObject())
        {
            var code = language.Name.Trim();
            var path = $"languages.{language.Name}";
            if (code.Length == 0 || code.StartsWith('$'))
            {
                if (code.StartsWith('$'))
                {
                    continue;
                }

                throw new RatingMapException($"{path}: a language needs a code such as \"en\"");
            }

            if (languages.Exists(l => l.Code == code))
            {
                throw new RatingMapException($"{path}: the language \"{code}\" is listed twice");
            }

            var body = language.Value;
            if (body.ValueKind != JsonValueKind.Object)
            {
                throw new RatingMapException(
                    $"{path}: a language is an object with \"ratings\" (and optionally \"name\", \"negations\", \"suffix_negations\", \"contrasts\", \"hedges\")");
            }

            CheckKeys(body, path, "name", "negations", "suffix_negations", "contrasts", "hedges", "ratings");
            string? name = null;
            if (body.TryGetProperty("name", out var nameElement))
            {
                name = nameElement.ValueKind == JsonValueKind.String ? nameElement.GetString()
                    : throw new RatingMapException($"{path}.name: must be a string");
            }

            languages.Add(new LanguageTable(code, name, Words(body, path, "negations"), Words(body, path, "suffix_negations"), Words(body, path, "contrasts"),
                Words(body, path, "hedges")));
            if (!body.TryGetProperty("ratings", out var ratings))
            {
                continue;
            }

            if (ratings.ValueKind != JsonValueKind.Object)
            {
                throw new RatingMapException($"{path}.ratings: must be an object such as {{ \"FALSE\": [\"false\"] }}");
            }

            foreach (var list in ratings.EnumerateObject())
            {
                if (list.Name.StartsWith('$'))
                {
                    continue;
                }

                var listPath = $"{path}.ratings.{list.Name}";
                if (!RatingsByName.TryGetValue(list.Name, out var rating))
                {
                    throw new RatingMapException(
                        $"{listPath}: unknown rating \"{list.Name}\"; use {string.Join(", ", RatingsByName.Keys.SkipLast(1))} or {RatingsByName.Keys.Last()}");
                }

                foreach (var (written, index) in Strings(list.Value, listPath).Select((s, i) => (s, i)))
                {
                    var exactOnly = written.TrimStart().StartsWith('=');
                    var phrase = exactOnly ? written.TrimStart()[1..].Trim() : written.Trim();
                    var key = Normalize(phrase);
                    if (key.Length == 0)
                    {
                        throw new RatingMapException($"{listPath}[{index}]: the phrase \"{written}\" is empty once normalised");
                    }

                    entries.Add(new Entry(code, phrase, key, rating, exactOnly));
                }
            }
        }

        return new RatingMap(languages, entries);
    }

    private static void CheckKeys(JsonElement element, string path, params string[] known)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (!property.Name.StartsWith('$') && !known.Contains(property.Name, StringComparer.Ordinal))
            {
                throw new RatingMapException(
                    $"{path}: unknown key \"{property.Name}\"; expected {string.Join(", ", known.Select(k => $"\"{k}\""))} (keys starting with $ are comments)");
            }
        }
    }

    private static List<string> Strings(JsonElement list, string path)
    {
        if (list.ValueKind != JsonValueKind.Array)
        {
            throw new RatingMapException($"{path}: must be an array of strings");
        }

        return [.. list.EnumerateArray().Select((item, i) => item.ValueKind == JsonValueKind.String
            ? item.GetString()!
            : throw new RatingMapException($"{path}[{i}]: must be a string"))];
    }

    private static string[] Words(JsonElement language, string path, string name)
    {
        if (!language.TryGetProperty(name, out var list))
        {
            return [];
        }

        var words = new List<string>();
        foreach (var (written, index) in Strings(list, $"{path}.{name}").Select((s, i) => (s, i)))
        {
            var word = Normalize(written);
            if (word.Length == 0 || word.Contains(' ', StringComparison.Ordinal))
            {
                throw new RatingMapException($"{path}.{name}[{index}]: \"{written}\" must be one word");
            }

            words.Add(word);
        }

        return [.. words.Distinct(StringComparer.Ordinal)];
    }

    private static RatingReading Unmapped(string label) =>
        new(Rating.Unspecified, RatingBasis.None, null, $"unmapped rating \"{label.Trim()}\"");

    private Phrase? Head(string decoded)
    {
        for (var i = 0; i < decoded.Length; i++)
        {
            var separator = Array.Find(HeadSeparators, s => decoded.AsSpan(i).StartsWith(s, StringComparison.Ordinal));
            if (separator is null || string.IsNullOrWhiteSpace(decoded[..i]))
            {
                continue;
            }

            // Only the first separator with something before it counts.
            if (!exact.TryGetValue(Normalize(decoded[..i]), out var hit))
            {
                return null;
            }

            // "True, but misleading" is not a TRUE label: a head the rest qualifies falls through to the phrase scan.
            var rest = Normalize(decoded[(i + separator.Length)..]);
            var next = rest.Split(' ', 2)[0];
            return contrasts.Contains(next) || Array.Exists(noSpaceContrasts, c => rest.StartsWith(c, StringComparison.Ordinal)) ? null : hit;
        }

        return null;
    }

    private RatingReading Scan(string label, string decoded, string? labelLanguage)
    {
        var (text, tokens) = Tokenize(decoded);
        var found = new List<Match>();
        foreach (var phrase in scan)
        {
            for (var i = text.IndexOf(phrase.Key, StringComparison.Ordinal); i >= 0; i = text.IndexOf(phrase.Key, i + 1, StringComparison.Ordinal))
            {
                var end = i + phrase.Key.Length;
                if (phrase.NoSpace || ((i == 0 || text[i - 1] == ' ') && (end == text.Length || text[end] == ' ')))
                {
                    found.Add(new Match(i, end, phrase));
                }
            }
        }

        // Longest first, then leftmost; a match overlapping a chosen one is dropped ("mostly false" hides its "false").
        var chosen = new List<Match>();
        foreach (var match in found.OrderByDescending(m => m.End - m.Start).ThenBy(m => m.Start))
        {
            if (!chosen.Exists(c => c.Start < match.End && match.Start < c.End))
            {
                chosen.Add(match);
            }
        }

        if (chosen.Count == 0)
        {
            return Unmapped(label);
        }

        foreach (var match in chosen)
        {
            if ((Near(match, text, tokens, chosen, negations, noSpaceNegations, NegationReach) ?? Suffix(match, text, tokens, chosen)) is { } negated)
            {
                return new RatingReading(Rating.Unspecified, RatingBasis.None, null,
                    $"\"{negated}\": a negated rating phrase is not read as its opposite");
            }

            if (match.Phrase.Negative && Near(match, text, tokens, chosen, hedges, noSpaceHedges, HedgeReach) is { } hedged)
            {
                return new RatingReading(Rating.Unspecified, RatingBasis.None, null,
                    $"\"{hedged}\": a qualified negation (not entirely, not quite) is not read as a rating");
            }
        }

        // Each chosen phrase as its language reads it (chosen[0], the longest, names the reading when they agree).
        var read = chosen.Select(m => (m.Start, Phrase: m.Phrase.Entry, Entry: m.Phrase.Entry.ReadIn(labelLanguage))).ToList();
        if (read.Find(r => r.Entry is null) is { Phrase: { } unread })
        {
            return LanguageUnknown(unread, labelLanguage);
        }

        var ratings = read.OrderBy(r => r.Start).Select(r => r.Entry!).GroupBy(e => e.Rating).ToList();
        if (ratings.Count == 1)
        {
            return new RatingReading(ratings[0].Key, RatingBasis.Label, read[0].Entry!.Phrase, null);
        }

        var named = ratings.Select(g => $"{NameOf(g.Key)} (\"{g.First().Phrase}\")").ToList();
        return new RatingReading(Rating.Unspecified, RatingBasis.None, null,
            $"label mixes {string.Join(", ", named.SkipLast(1))} and {named[^1]}");
    }

    // A word of the set near a chosen match (not itself inside another chosen match), quoted as the label reads from the word
    // through the match or from the match through the word; null when there is none. Clause punctuation stops the search.
    private static string? Near(Match match, string text, Token[] tokens, List<Match> chosen, HashSet<string> words, string[] noSpaceWords, Reach reach)
    {
        bool Free(int start, int end) => !chosen.Exists(c => !ReferenceEquals(c, match) && c.Start < end && start < c.End);
        bool Is(Token t) => words.Contains(text[t.Start..t.End]) && Free(t.Start, t.End);
        var first = Array.FindLastIndex(tokens, t => t.Start <= match.Start);
        var last = Array.FindLastIndex(tokens, t => t.Start < match.End);

        if (tokens[first].Start == match.Start)
        {
            for (var k = first; k > 0 && k > first - reach.WordsBefore && !tokens[k].ClauseBefore; k--)
            {
                if (Is(tokens[k - 1]))
                {
                    return text[tokens[k - 1].Start..match.End];
                }
            }
        }
        else
        {
            // Inside a run of a script written without spaces: the leftmost word ending in the few characters before (a word
            // of one character starting in them; a longer one, such as 必ずしも, may start further back).
            var longest = noSpaceWords.Select(w => w.Length).DefaultIfEmpty(1).Max();
            var from = Math.Max(tokens[first].Start, match.Start - reach.CharactersBefore - longest + 1);
            var window = text[from..match.Start];
            var at = noSpaceWords
                .SelectMany(w => Enumerable.Range(0, window.Length).Where(i => window.AsSpan(i).StartsWith(w, StringComparison.Ordinal))
                    .Where(i => from + i + w.Length > match.Start - reach.CharactersBefore && Free(from + i, from + i + w.Length)))
                .DefaultIfEmpty(-1).Min();
            if (at >= 0)
            {
                return text[(from + at)..match.End];
            }
        }

        if (tokens[last].End == match.End)
        {
            for (var k = last + 1; k < tokens.Length && k <= last + reach.WordsAfter && !tokens[k].ClauseBefore; k++)
            {
                if (Is(tokens[k]))
                {
                    return text[match.Start..tokens[k].End];
                }
            }
        }

        return null;
    }

    // A suffix negation written straight after the match, or after one space, in the same clause: Japanese 誤りではない,
    // 正確とは言えない. Quoted from the match through the ending; null when there is none.
    private string? Suffix(Match match, string text, Token[] tokens, List<Match> chosen)
    {
        var at = match.End;
        if (at < text.Length && text[at] == ' ')
        {
            var next = Array.FindIndex(tokens, t => t.Start == at + 1);
            if (next < 0 || tokens[next].ClauseBefore)
            {
                return null;
            }

            at++;
        }

        var ending = Array.Find(suffixNegations, n => text.AsSpan(at).StartsWith(n, StringComparison.Ordinal)
            && !chosen.Exists(c => !ReferenceEquals(c, match) && c.Start < at + n.Length && at < c.End));
        return ending is null ? null : text[match.Start..(at + ending.Length)];
    }

    // The normal form with its words, each knowing whether clause punctuation came before it.
    private static (string Text, Token[] Tokens) Tokenize(string label)
    {
        var text = new StringBuilder();
        var tokens = new List<Token>();
        var clause = false;
        foreach (var part in NormalizeCore(label, markClauses: true).Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part[0] == ClauseMark)
            {
                clause = true;
                continue;
            }

            if (text.Length > 0)
            {
                text.Append(' ');
            }

            tokens.Add(new Token(text.Length, text.Length + part.Length, clause));
            text.Append(part);
            clause = false;
        }

        return (text.ToString(), [.. tokens]);
    }

    private static string NormalizeCore(string label, bool markClauses)
    {
        // Apostrophe look-alikes first: NFKC would turn the acute accent ´ into a space and a combining mark.
        var text = DecodeEntities(label)
            .Replace('’', '\'').Replace('‘', '\'').Replace('ʼ', '\'').Replace('`', '\'').Replace('´', '\'')
            .Normalize(NormalizationForm.FormKC);

        // Arabic, before decomposition so that ؤ and ئ keep their hamza.
        var arabic = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (c is (>= '\u064B' and <= '\u065F') or '\u0670' or '\u0640')
            {
                continue;
            }

            arabic.Append(c is 'أ' or 'إ' or 'آ' or 'ٱ' ? 'ا' : c == 'ى' ? 'ي' : c);
        }

        // Decomposed, a Latin letter's accents are separate marks to drop; other scripts' marks are kept. Lower case here,
        // after decomposition, also turns the Turkish İ (I + dot) into i; ß and the Turkish dotless ı fold as in searches.
        var letters = new StringBuilder(arabic.Length);
        Rune? lastBase = null;
        foreach (var rune in arabic.ToString().Normalize(NormalizationForm.FormD).EnumerateRunes())
        {
            if (IsMark(rune))
            {
                if (lastBase is { } b && Rune.IsLetter(b) && !IsLatin(b))
                {
                    letters.Append(rune.ToString());
                }

                continue;
            }

            lastBase = rune;
            var lower = Rune.ToLowerInvariant(rune);
            letters.Append(lower.Value switch { 0xDF => "ss", 0x131 => "i", _ => lower.ToString() });
        }

        var runes = letters.ToString().Normalize(NormalizationForm.FormC).EnumerateRunes().ToArray();
        var result = new StringBuilder(letters.Length);
        for (var i = 0; i < runes.Length; i++)
        {
            var rune = runes[i];
            var category = Rune.GetUnicodeCategory(rune);
            if (rune.Value == '\'')
            {
                var inWord = i > 0 && (Rune.IsLetter(runes[i - 1]) || IsMark(runes[i - 1])) && i + 1 < runes.Length && Rune.IsLetter(runes[i + 1]);
                result.Append(inWord ? "" : " ");
            }
            else if (category == UnicodeCategory.Format)
            {
                // Zero-width joiners and spaces, direction marks, soft hyphens: invisible, and never part of a word's identity.
            }
            else if (Rune.IsWhiteSpace(rune) || category == UnicodeCategory.Control)
            {
                result.Append(' ');
            }
            else if (Rune.IsPunctuation(rune) || Rune.IsSymbol(rune))
            {
                var clause = markClauses && rune.IsBmp && ClausePunctuation.Contains((char)rune.Value);
                result.Append(clause ? $" {ClauseMark} " : " ");
            }
            else
            {
                result.Append(rune.ToString());
            }
        }

        return string.Join(' ', result.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    // Labels scraped from pages may carry entities, sometimes encoded twice ("&amp;#039;").
    private static string DecodeEntities(string label)
    {
        var decoded = label;
        for (var i = 0; i < 3 && decoded.Contains('&', StringComparison.Ordinal); i++)
        {
            var next = WebUtility.HtmlDecode(decoded);
            if (next == decoded)
            {
                break;
            }

            decoded = next;
        }

        return decoded;
    }

    private static bool IsMark(Rune rune) => Rune.GetUnicodeCategory(rune) is UnicodeCategory.NonSpacingMark
        or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark;

    private static bool IsLatin(Rune rune) => Array.Exists(LatinRanges, r => rune.Value >= r.FirstCodePoint && rune.Value < r.FirstCodePoint + r.Length);

    // Han (with its supplementary-plane extensions), kana, Thai, Lao, Khmer, Myanmar: words are not separated by spaces.
    private static bool IsNoSpaceWord(string word) => word.EnumerateRunes().Any(IsNoSpaceScript);

    private static bool IsNoSpaceScript(Rune rune) =>
        rune.Value is >= 0x20000 and <= 0x3FFFF
        || Array.Exists(NoSpaceRanges, r => rune.Value >= r.FirstCodePoint && rune.Value < r.FirstCodePoint + r.Length);

    private static string NameOf(Rating rating) => RatingsByName.First(p => p.Value == rating).Key;

    // Written in Han ideographs alone (no kana, no other letters): a word Chinese and Japanese may both write.
    private static bool IsHanOnly(string key) =>
        key.EnumerateRunes().All(r => r.Value == ' ' || r.Value is >= 0x20000 and <= 0x3FFFF || IsInRanges(r, HanRanges));

    private static bool IsInRanges(Rune rune, UnicodeRange[] ranges) =>
        Array.Exists(ranges, r => rune.Value >= r.FirstCodePoint && rune.Value < r.FirstCodePoint + r.Length);

    // The language a label is read in where a phrase's meaning depends on it: kana are written only in Japanese; else the
    // review's language (its primary subtag), else none.
    private static string? LabelLanguage(string decoded, string? language)
    {
        if (decoded.EnumerateRunes().Any(r => IsInRanges(r, KanaRanges)))
        {
            return "ja";
        }

        var primary = language?.Split('-', '_')[0].Trim().ToLowerInvariant();
        return string.IsNullOrEmpty(primary) ? null : primary;
    }

    private static RatingReading LanguageUnknown(Phrase phrase, string? language)
    {
        var meanings = string.Join(" and ", phrase.Listings.GroupBy(l => l.Rating)
            .Select(g => $"{NameOf(g.Key)} in {string.Join("/", g.Select(l => l.Language))}"));
        var why = language is null ? "the review's language is not known" : $"the review's language ({language}) is neither";
        return new RatingReading(Rating.Unspecified, RatingBasis.None, null,
            $"\"{phrase.Listings[0].Phrase}\" reads {meanings}, and {why}");
    }

    private static string Number(double value) => value.ToString("G", CultureInfo.InvariantCulture);

    private sealed record Entry(string Language, string Phrase, string Key, Rating Rating, bool ExactOnly);

    private sealed record LanguageTable(string Code, string? Name, string[] Negations, string[] SuffixNegations, string[] Contrasts, string[] Hedges);

    /// <summary>
    /// A table phrase: every listing of one normalised text. The listings agree on the rating, except for a phrase in Han
    /// characters alone that Chinese and Japanese read differently; that one is read only in one of its languages.
    /// </summary>
    private sealed record Phrase(string Key, bool ExactOnly, Entry[] Listings)
    {
        public Entry? ReadIn(string? language) =>
            Array.TrueForAll(Listings, l => l.Rating == Listings[0].Rating) ? Listings[0]
            : language is null ? null
            : Array.Find(Listings, l => string.Equals(l.Language.Split('-')[0], language, StringComparison.OrdinalIgnoreCase));
    }

    // Negative: the phrase is itself a negation ("not true", "सच नहीं"), which a hedge next to it would make partial.
    private sealed record ScanPhrase(string Key, Phrase Entry, bool NoSpace, bool Negative);

    private sealed record Match(int Start, int End, ScanPhrase Phrase);

    private sealed record Reach(int WordsBefore, int WordsAfter, int CharactersBefore);

    private readonly record struct Token(int Start, int End, bool ClauseBefore);
}
