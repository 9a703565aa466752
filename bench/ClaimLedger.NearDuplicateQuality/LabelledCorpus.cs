using System.Globalization;
using System.Text;

namespace ClaimLedger.NearDuplicateQuality;

/// <summary>A claim of the corpus and a text made from it, labelled as a near-duplicate or a distinct claim.</summary>
/// <param name="Original">The index of the original in <see cref="LabelledCorpus.Claims"/>.</param>
/// <param name="Variant">The text made from it: the probe, not itself in the corpus.</param>
/// <param name="Language">The language code.</param>
/// <param name="Change">What was changed ("typo", "reorder", "number", "negation"…).</param>
/// <param name="NearDuplicate">The label: the same claim reworded (true), or a different claim (false).</param>
public sealed record LabelledPair(int Original, string Variant, string Language, string Change, bool NearDuplicate);

/// <summary>
/// Generated claims with labelled pairs planted among them, deterministic for a seed: claims in ten languages and
/// scripts (English, Spanish, Portuguese, French, German, Russian, Arabic, Hindi, Chinese, Japanese) made of each
/// language's common words, names in its script and figures, 60–280 characters for languages written with spaces;
/// clusters of claims recorded as variants of one another (as allow_duplicate leaves them); and pairs of a recorded
/// claim and a text made from it by a change that keeps the claim (case, punctuation, diacritics, white space, typos,
/// words inserted, deleted or reordered, paraphrase, an attribution appended, truncation, several of these) or makes
/// another one (numbers changed, negation, entities swapped or renamed, the same opening with a different ending, an
/// unrelated claim of the same language).
/// </summary>
public sealed class LabelledCorpus
{
    /// <summary>Changes that keep the claim, and those that make another one.</summary>
    public static readonly IReadOnlyList<string> SameClaimChanges =
        ["case", "punctuation", "diacritics", "whitespace", "typo", "insert", "delete", "reorder", "paraphrase", "attribution", "truncate", "mixed"];

    /// <summary>The changes made to the written text rather than to its words (applied last when several are mixed).</summary>
    private static readonly HashSet<string> TextChanges = ["case", "punctuation", "diacritics", "whitespace", "typo"];

    public static readonly IReadOnlyList<string> OtherClaimChanges = ["number", "negation", "swap", "rename", "same-opening", "unrelated"];

    private readonly Random _random;
    private readonly Dictionary<Language, string[]> _names = [];
    private readonly Dictionary<Language, Zipf> _nameRanks = [];
    private readonly Dictionary<Language, string[]> _ranked = [];
    private readonly Dictionary<Language, Zipf> _rankedZipf = [];
    private readonly int[] _languageShares;

    private LabelledCorpus(ulong seed)
    {
        _random = new SplitMixRandom(seed);
        _languageShares = Language.All.Select(l => l.Share).ToArray();
        foreach (var language in Language.All)
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            while (names.Count < 1500)
            {
                names.Add(language.Name(_random));
            }

            _names[language] = [.. names];
            _nameRanks[language] = new Zipf(names.Count, 1.0);
            var content = Enumerable.Range(0, Math.Max(language.Nouns.Count, language.Verbs.Count))
                .SelectMany(i => language.Nouns.Skip(i).Take(1).Concat(language.Verbs.Skip(i).Take(1)));
            _ranked[language] = [.. language.Function.Distinct(), .. content.Distinct(), .. names];
            _rankedZipf[language] = new Zipf(_ranked[language].Length, 1.0);
        }
    }

    public IReadOnlyList<string> Claims { get; private set; } = [];

    public IReadOnlyList<LabelledPair> Pairs { get; private set; } = [];

    /// <summary>
    /// <paramref name="claims"/> claims (about 3 % of them in clusters of 5–30 variants), and <paramref name="pairs"/>
    /// labelled pairs whose originals are among them, two thirds near-duplicates.
    /// </summary>
    public static LabelledCorpus Generate(ulong seed, int claims, int pairs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(claims, pairs);
        var corpus = new LabelledCorpus(seed);
        corpus.Build(claims, pairs);
        return corpus;
    }

    private void Build(int claimCount, int pairCount)
    {
        var claims = new List<string>(claimCount);
        var drafts = new List<Draft>(claimCount);
        var clustered = claimCount * 3 / 100;
        while (claims.Count < claimCount)
        {
            var draft = NewDraft(PickLanguage());
            claims.Add(draft.Text);
            drafts.Add(draft);
            if (claims.Count < clustered)
            {
                // A cluster: variants recorded on purpose (allow_duplicate), all in the corpus.
                var size = 5 + _random.Next(26);
                for (var i = 0; i < size && claims.Count < claimCount; i++)
                {
                    var variant = Change(draft, SameClaimChanges[_random.Next(SameClaimChanges.Count)]);
                    claims.Add(variant.Text);
                    drafts.Add(variant);
                }
            }
        }

        // Shuffle so that clusters and pair originals are spread over the sequence, as claims arrive over time.
        var order = Enumerable.Range(0, claims.Count).ToArray();
        _random.Shuffle(order);
        Claims = order.Select(i => claims[i]).ToList();
        var shuffledDrafts = order.Select(i => drafts[i]).ToList();

        var pairs = new List<LabelledPair>(pairCount);
        var originals = Enumerable.Range(0, Claims.Count).ToArray();
        _random.Shuffle(originals);
        for (var i = 0; i < pairCount; i++)
        {
            var original = originals[i];
            var draft = shuffledDrafts[original];
            var same = _random.Next(3) < 2;
            var change = same ? SameClaimChanges[_random.Next(SameClaimChanges.Count)] : OtherClaimChanges[_random.Next(OtherClaimChanges.Count)];
            pairs.Add(new LabelledPair(original, Change(draft, change).Text, draft.Language.Code, change, same));
        }

        Pairs = pairs;
    }

    private Language PickLanguage()
    {
        var pick = _random.Next(_languageShares.Sum());
        for (var i = 0; i < _languageShares.Length; i++)
        {
            pick -= _languageShares[i];
            if (pick < 0)
            {
                return Language.All[i];
            }
        }

        return Language.All[^1];
    }

    /// <summary>
    /// A claim as tokens: a subject, a verb and an object, then words drawn from the language's vocabulary ranked by
    /// frequency (function words, then nouns and verbs, then names) with Zipf-distributed frequencies, as in real text
    /// (about 45 % function words, the commonest noun in about one claim in ten), and a figure now and then.
    /// </summary>
    private Draft NewDraft(Language language)
    {
        var tokens = new List<string>();
        var length = language.Spaced ? 8 + _random.Next(28) : 6 + _random.Next(16);
        if (_random.Next(2) == 0)
        {
            tokens.Add(Pick(language.Function));
        }

        tokens.Add(_random.Next(2) == 0 ? Name(language) : Pick(language.Nouns));
        tokens.Add(Pick(language.Verbs));
        tokens.Add(Pick(language.Function));
        tokens.Add(Pick(language.Nouns));
        var ranked = _ranked[language];
        while (tokens.Count < length)
        {
            tokens.Add(_random.Next(100) < 7 ? language.Number(_random) : ranked[_rankedZipf[language].Next(_random)]);
        }

        return new Draft(language, tokens, _random.Next(3) == 0 ? -1 : 2 + _random.Next(tokens.Count), null);
    }

    private Draft Change(Draft draft, string change)
    {
        var language = draft.Language;
        var tokens = draft.Tokens.ToList();
        switch (change)
        {
            case "case":
                return draft with { Written = _random.Next(2) == 0 ? draft.Text.ToUpperInvariant() : draft.Text.ToLowerInvariant() };
            case "punctuation":
                return draft with { Written = Punctuate(draft) };
            case "diacritics":
                return draft with { Written = Diacritics(draft) };
            case "whitespace":
                return draft with { Written = Whitespace(draft.Text) };
            case "typo":
                return draft with { Written = Typos(draft.Text, 1 + _random.Next(2)) };
            case "insert":
                for (var n = 1 + _random.Next(2); n > 0; n--)
                {
                    tokens.Insert(_random.Next(tokens.Count + 1), _random.Next(2) == 0 ? Pick(language.Function) : Pick(language.Nouns));
                }

                break;
            case "delete":
                for (var n = 1 + _random.Next(2); n > 0 && tokens.Count > 3; n--)
                {
                    tokens.RemoveAt(_random.Next(tokens.Count));
                }

                break;
            case "reorder":
                if (_random.Next(2) == 0)
                {
                    var i = _random.Next(tokens.Count - 1);
                    (tokens[i], tokens[i + 1]) = (tokens[i + 1], tokens[i]);
                }
                else
                {
                    // A phrase moved to the front ("In 2019, …").
                    var start = tokens.Count / 2 + _random.Next(tokens.Count / 2);
                    var length = Math.Min(1 + _random.Next(3), tokens.Count - start);
                    var phrase = tokens.GetRange(start, length);
                    tokens.RemoveRange(start, length);
                    tokens.InsertRange(0, phrase);
                }

                break;
            case "paraphrase":
                for (var n = 1 + _random.Next(2); n > 0; n--)
                {
                    var i = _random.Next(tokens.Count);
                    tokens[i] = language.Verbs.Contains(tokens[i]) ? Pick(language.Verbs) : Pick(language.Nouns);
                }

                break;
            case "attribution":
                tokens.AddRange(Words(language, Pick(language.Attributions)));
                break;
            case "truncate":
                var cut = Math.Min(tokens.Count - 1, Math.Max(1, tokens.Count * (10 + _random.Next(16)) / 100));
                tokens.RemoveRange(tokens.Count - cut, cut);
                break;
            case "mixed":
                // Two or three changes: those of the words first, then those of the written text.
                var mixed = draft;
                var changes = Enumerable.Range(0, 2 + _random.Next(2)).Select(_ => SameClaimChanges[_random.Next(SameClaimChanges.Count - 1)]);
                foreach (var next in changes.OrderBy(c => TextChanges.Contains(c)))
                {
                    mixed = Change(mixed, next);
                }

                return mixed;
            case "number":
                var numbers = tokens.Select((t, i) => (t, i)).Where(x => x.t.Any(char.IsDigit)).Select(x => x.i).ToList();
                if (numbers.Count == 0)
                {
                    tokens.Insert(_random.Next(tokens.Count + 1), language.Number(_random));
                }
                else
                {
                    foreach (var i in numbers.Take(1 + _random.Next(2)))
                    {
                        tokens[i] = ChangeNumber(tokens[i]);
                    }
                }

                break;
            case "negation":
                var verb = tokens.FindIndex(t => language.Verbs.Contains(t));
                tokens.Insert(verb < 0 ? 1 : verb, language.Negation);
                break;
            case "swap":
                var entities = tokens.Select((t, i) => (t, i)).Where(x => language.Nouns.Contains(x.t) || _names[language].Contains(x.t)).Select(x => x.i).ToList();
                if (entities.Count >= 2)
                {
                    var (a, b) = (entities[0], entities[^1]);
                    (tokens[a], tokens[b]) = (tokens[b], tokens[a]);
                }

                break;
            case "rename":
                var named = tokens.FindIndex(t => _names[language].Contains(t));
                var renamed = named < 0 ? 0 : named;
                var name = tokens[renamed];
                while (name == tokens[renamed])
                {
                    name = Name(language);
                }

                tokens[renamed] = name;
                break;
            case "same-opening":
                var other = NewDraft(language);
                tokens = [.. tokens.Take(tokens.Count / 2), .. other.Tokens.Skip(other.Tokens.Count / 2)];
                break;
            case "unrelated":
                return NewDraft(language);
            default:
                throw new ArgumentOutOfRangeException(nameof(change), change, "no such change");
        }

        return draft with { Tokens = tokens, Written = null };
    }

    private string Punctuate(Draft draft)
    {
        var text = draft.Text;
        return _random.Next(4) switch
        {
            0 => "\"" + text.TrimEnd('.', '。', '।') + "\"",
            1 => text.TrimEnd('.', '。', '।') + "!",
            2 => text.Replace(",", " —", StringComparison.Ordinal).Replace("，", "：", StringComparison.Ordinal),
            _ => "«" + text + "»",
        };
    }

    private string Diacritics(Draft draft)
    {
        var text = draft.Text;
        if (draft.Language.Code == "ar")
        {
            // Short vowels written (harakat): combining marks that normalisation removes.
            var marked = new StringBuilder();
            foreach (var c in text)
            {
                marked.Append(c);
                if (c is >= '\u0628' and <= '\u064A' && _random.Next(3) == 0)
                {
                    marked.Append((char)('\u064E' + _random.Next(3)));
                }
            }

            return marked.ToString();
        }

        if (!draft.Language.Spaced)
        {
            // Fullwidth figures and letters (NFKC folds them).
            return new string(text.Select(c => c is >= '0' and <= '9' ? (char)(c - '0' + '０') : c).ToArray());
        }

        var decomposed = text.Normalize(NormalizationForm.FormD);
        if (decomposed.Length == text.Length)
        {
            // No accents to drop: some added (as in "café", "naïve"), which normalisation removes again.
            return new string(text.Select(c => "aeiou".Contains(c, StringComparison.Ordinal) && _random.Next(4) == 0 ? "áéíóú"["aeiou".IndexOf(c, StringComparison.Ordinal)] : c).ToArray());
        }

        // Accents dropped, as typed on a keyboard without them (or marks stripped from Devanagari).
        var stripped = new StringBuilder();
        foreach (var c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) is not (UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark))
            {
                stripped.Append(c);
            }
        }

        return stripped.ToString().Normalize(NormalizationForm.FormC);
    }

    private string Whitespace(string text)
    {
        var spaced = new StringBuilder("  ");
        foreach (var c in text)
        {
            spaced.Append(c == ' ' && _random.Next(3) == 0 ? (_random.Next(2) == 0 ? "  " : "\n\t") : c.ToString());
        }

        return spaced.Append('\n').ToString();
    }

    private string Typos(string text, int count)
    {
        var chars = text.ToList();
        for (var n = 0; n < count; n++)
        {
            var letters = Enumerable.Range(0, chars.Count).Where(i => char.IsLetter(chars[i])).ToList();
            if (letters.Count < 2)
            {
                break;
            }

            var i = letters[_random.Next(letters.Count)];
            switch (_random.Next(4))
            {
                case 0:
                    chars[i] = chars[letters[_random.Next(letters.Count)]];
                    break;
                case 1:
                    chars.Insert(i, chars[letters[_random.Next(letters.Count)]]);
                    break;
                case 2:
                    chars.RemoveAt(i);
                    break;
                default:
                    if (i + 1 < chars.Count && char.IsLetter(chars[i + 1]))
                    {
                        (chars[i], chars[i + 1]) = (chars[i + 1], chars[i]);
                    }

                    break;
            }
        }

        return new string([.. chars]);
    }

    private string ChangeNumber(string token)
    {
        var chars = token.ToCharArray();
        var digits = Enumerable.Range(0, chars.Length).Where(i => char.IsAsciiDigit(chars[i])).ToList();
        var at = digits[_random.Next(digits.Count)];
        chars[at] = (char)('0' + ((chars[at] - '0' + 1 + _random.Next(8)) % 10));
        return new string(chars);
    }

    private IEnumerable<string> Words(Language language, string phrase) =>
        language.Spaced ? phrase.Split(' ', StringSplitOptions.RemoveEmptyEntries) : [phrase];

    private string Pick(IReadOnlyList<string> words) => words[_random.Next(words.Count)];

    private string Name(Language language) => _names[language][_nameRanks[language].Next(_random)];

    private sealed record Draft(Language Language, IReadOnlyList<string> Tokens, int CommaAfter, string? Written)
    {
        public string Text => Written ?? Language.Write(Tokens, CommaAfter);
    }
}
