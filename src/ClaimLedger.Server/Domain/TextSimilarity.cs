using System.Globalization;
using System.Text;

namespace ClaimLedger.Server.Domain;

/// <summary>
/// Near-duplicate detection for claim text. Texts are normalised (Unicode NFKC, lower case, diacritics and
/// punctuation removed, whitespace collapsed) and compared with the Sørensen–Dice coefficient over the sets of
/// character trigrams of " " + normalised + " ". Two claims are near-duplicates at or above
/// <see cref="DuplicateThreshold"/>: high enough that rewordings such as "Iran supplies drones to Russia" vs
/// "Iran supplies Russia with drones" (0.5–0.7) are reported only by FindSimilarClaims, while punctuation, case,
/// accents and small typos (≥ 0.85) count as the same claim.
/// </summary>
public static class TextSimilarity
{
    public const double DuplicateThreshold = 0.8;

    public static string Normalize(string text)
    {
        var decomposed = text.Normalize(NormalizationForm.FormKC).Normalize(NormalizationForm.FormD);
        var builder = new StringBuilder(decomposed.Length);
        var pendingSpace = false;
        foreach (var c in decomposed)
        {
            var category = CharUnicodeInfo.GetUnicodeCategory(c);
            if (category is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark)
            {
                continue;
            }

            if (char.IsLetterOrDigit(c))
            {
                if (pendingSpace && builder.Length > 0)
                {
                    builder.Append(' ');
                }

                pendingSpace = false;
                builder.Append(char.ToLowerInvariant(c));
            }
            else
            {
                // Every non-letter separates words, as the full-text tokenizer does ("Iran's" → "iran s").
                pendingSpace = true;
            }
        }

        return builder.ToString().Normalize(NormalizationForm.FormC);
    }

    /// <summary>Dice coefficient of two already-normalised texts, 0..1.</summary>
    public static double Similarity(string normalizedA, string normalizedB)
    {
        if (normalizedA.Length == 0 && normalizedB.Length == 0)
        {
            return 1.0;
        }

        if (string.Equals(normalizedA, normalizedB, StringComparison.Ordinal))
        {
            return 1.0;
        }

        var a = Trigrams(normalizedA);
        var b = Trigrams(normalizedB);
        if (a.Count == 0 || b.Count == 0)
        {
            return 0.0;
        }

        var shared = a.Count(b.Contains);
        return 2.0 * shared / (a.Count + b.Count);
    }

    /// <summary>The distinct words of a normalised text, longest first, for candidate retrieval.</summary>
    public static IReadOnlyList<string> Words(string normalized, int max) =>
        normalized.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Distinct(StringComparer.Ordinal)
            .OrderByDescending(w => w.Length)
            .Take(max)
            .ToList();

    private static HashSet<string> Trigrams(string normalized)
    {
        var padded = " " + normalized + " ";
        var set = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i + 3 <= padded.Length; i++)
        {
            set.Add(padded.Substring(i, 3));
        }

        return set;
    }
}
