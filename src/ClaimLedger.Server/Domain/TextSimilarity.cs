using System.Globalization;
using System.Text;

namespace ClaimLedger.Server.Domain;

/// <summary>
/// Near-duplicate detection for claim text. Texts are normalised (Unicode NFKC, lower case, diacritics and
/// punctuation removed, whitespace collapsed); the similarity is the mean of two Sørensen–Dice coefficients: over the
/// sets of character trigrams of " " + normalised + " " (robust to typos and inflections) and over the sets of word
/// bigrams with start/end markers (sensitive to word order, so "Iran supplies Russia with drones" and "Russia supplies
/// Iran with drones" — same letters, opposite claims — score 0.62, not 0.90). Two claims are near-duplicates at or
/// above <see cref="DuplicateThreshold"/>: punctuation, case and accent variants score 1.0 and a one-word change in an
/// eleven-word claim about 0.9, while rewordings such as "Iran supplies drones to Russia" vs "Iran supplies Russia with
/// drones" (0.57) are reported only by FindSimilarClaims. See docs/adr/0006-near-duplicate-claims.md.
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

    /// <summary>Similarity of two already-normalised texts, 0..1 (1 when equal).</summary>
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

        return (Dice(Trigrams(normalizedA), Trigrams(normalizedB)) + Dice(WordBigrams(normalizedA), WordBigrams(normalizedB))) / 2.0;
    }

    private static double Dice(HashSet<string> a, HashSet<string> b) =>
        a.Count == 0 || b.Count == 0 ? 0.0 : 2.0 * a.Count(b.Contains) / (a.Count + b.Count);

    private static HashSet<string> WordBigrams(string normalized)
    {
        var words = normalized.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var set = new HashSet<string>(StringComparer.Ordinal);
        if (words.Length == 0)
        {
            return set;
        }

        set.Add("^ " + words[0]);
        for (var i = 0; i + 1 < words.Length; i++)
        {
            set.Add(words[i] + " " + words[i + 1]);
        }

        set.Add(words[^1] + " $");
        return set;
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
