using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Lingua;

namespace ClaimLedger.Cli.Import;

/// <summary>
/// Language tags as publishers write them: a BCP-47 code ("pt-BR", "es_419"), an English name ("Spanish"), a native
/// name ("Português", "Deutsch", "हिन्दी"), or an object {"name": "French", "alternateName": "fr"} (read by the
/// caller). Names are matched against .NET's culture data and the detector's language list, ignoring case and accents.
/// </summary>
internal static partial class LanguageNames
{
    private static readonly Lazy<Dictionary<string, string>> ByName = new(BuildNames);

    /// <summary>The BCP-47 tag for a code or a language name; null when it is neither.</summary>
    public static string? ToCode(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var t = text.Trim().Replace('_', '-');
        if (Tag().IsMatch(t))
        {
            var parts = t.Split('-');
            return string.Join('-', parts.Select((p, i) => i == 0 ? p.ToLowerInvariant()
                : p.Length == 2 ? p.ToUpperInvariant()
                : p.Length == 4 ? char.ToUpperInvariant(p[0]) + p[1..].ToLowerInvariant()
                : p));
        }

        var key = Key(t);
        // "Português (Brasil)", "English (US)": the language before the parenthesis.
        return ByName.Value.GetValueOrDefault(key) ?? (key.Contains('(') ? ByName.Value.GetValueOrDefault(Key(key[..key.IndexOf('(')])) : null);
    }

    private static string Key(string name)
    {
        var decomposed = name.Trim().ToLowerInvariant().Normalize(NormalizationForm.FormD);
        return new string(decomposed.Where(c => CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark || c > '\u036f').ToArray())
            .Normalize(NormalizationForm.FormC).Trim();
    }

    private static Dictionary<string, string> BuildNames()
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var language in LanguageInfo.All())
        {
            names.TryAdd(Key(language.ToString()), language.IsoCode6391().ToString().ToLowerInvariant());
        }

        // With ICU: English and native names of every neutral culture ("Deutsch", "Español", "العربية", "中文").
        foreach (var culture in CultureInfo.GetCultures(CultureTypes.NeutralCultures))
        {
            if (culture.Name.Length is < 2 or > 3)
            {
                continue;
            }

            names.TryAdd(Key(culture.EnglishName), culture.Name);
            names.TryAdd(Key(culture.NativeName), culture.Name);
        }

        return names;
    }

    [GeneratedRegex(@"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]
    private static partial Regex Tag();
}

/// <summary>
/// Language detection for claims whose markup declares none, with SearchPioneer.Lingua. Over every spoken language it
/// runs in low-accuracy (trigram) mode, which loads in under a second and 150 MB instead of 11 s and 1.9 GB
/// (docs/adr/0017-claimreview-import.md), optionally restricted to the archive's languages (--detect-languages), which
/// is also more accurate. Languages that trigrams confuse (Hindi/Marathi, Malay/Indonesian, …) are confirmed by a
/// high-accuracy detector over just that family (whose full models are shipped). A language is taken only at
/// <see cref="MinConfidence"/> or above; below, the record needs --language.
/// </summary>
internal sealed class LanguageDetection(IReadOnlyCollection<Language>? among = null)
{
    public const double MinConfidence = 0.80;

    // Close relatives that short texts, read by trigrams alone, confidently mistake for one another.
    private static readonly Language[][] Families =
    [
        [Language.Hindi, Language.Marathi],
        [Language.Malay, Language.Indonesian],
        [Language.Bosnian, Language.Croatian, Language.Serbian],
        [Language.Danish, Language.Bokmal, Language.Nynorsk],
        [Language.Czech, Language.Slovak],
        [Language.Spanish, Language.Portuguese, Language.Catalan],
    ];

    private readonly Lazy<LanguageDetector> _detector = new(() => (among is { Count: > 0 }
        ? LanguageDetectorBuilder.FromLanguages([.. among])
        : LanguageDetectorBuilder.FromAllSpokenLanguages()).WithLowAccuracyMode().Build());

    private readonly Dictionary<int, LanguageDetector> _familyDetectors = [];

    /// <summary>Languages by ISO 639-1 code ("hi", "pt"); a usage error names the unknown one.</summary>
    public static IReadOnlyCollection<Language> Parse(IEnumerable<string> codes) =>
        codes.SelectMany(c => c.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(code => LanguageInfo.All().FirstOrDefault(l => l.IsoCode6391().ToString().Equals(code.Split('-')[0], StringComparison.OrdinalIgnoreCase)) is var l
                && l != default ? l : throw new UsageException($"--detect-languages: \"{code}\" is not a language the detector knows (ISO 639-1 codes such as hi, pt, ar)."))
            .Distinct().ToList();

    /// <summary>The detected ISO 639-1 code and its confidence, or null with the best guess when below the threshold.</summary>
    public (string? Code, string Best, double Confidence) Detect(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return (null, "none", 0);
        }

        var (language, confidence) = Top(_detector.Value, text);
        var familyIndex = Array.FindIndex(Families, f => f.Contains(language));
        if (language != default && familyIndex >= 0)
        {
            var members = Families[familyIndex].Where(l => among is not { Count: > 0 } || among.Contains(l)).ToArray();
            if (members.Length > 1)
            {
                if (!_familyDetectors.TryGetValue(familyIndex, out var family))
                {
                    _familyDetectors[familyIndex] = family = LanguageDetectorBuilder.FromLanguages(members).Build();
                }

                (language, confidence) = Top(family, text);
            }
        }

        if (language == default)
        {
            return (null, "none", 0);
        }

        var code = language.IsoCode6391().ToString().ToLowerInvariant();
        return (confidence >= MinConfidence ? code : null, code, confidence);
    }

    private static (Language Language, double Confidence) Top(LanguageDetector detector, string text)
    {
        var values = detector.ComputeLanguageConfidenceValues(text);
        return values.Count == 0 ? (default, 0) : (values.First().Key, values.First().Value);
    }
}
