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
    public static double Similarity(string normalizedA, string normalizedB) =>
        string.Equals(normalizedA, normalizedB, StringComparison.Ordinal) ? 1.0 : Similarity(Profile.Of(normalizedA), Profile.Of(normalizedB));

    /// <summary>Similarity of two profiled texts: build the profile of a text once to compare it with many.</summary>
    public static double Similarity(Profile a, Profile b)
    {
        if (string.Equals(a.Text, b.Text, StringComparison.Ordinal))
        {
            return 1.0;
        }

        return (Dice(a.Trigrams, b.Trigrams) + Dice(a.WordBigrams, b.WordBigrams)) / 2.0;
    }

    /// <summary>The distinct words of a normalised text, longest first, for candidate retrieval.</summary>
    public static IReadOnlyList<string> Words(string normalized, int max) =>
        normalized.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Distinct(StringComparer.Ordinal)
            .OrderByDescending(w => w.Length)
            .Take(max)
            .ToList();

    /// <summary>
    /// A normalised text's shingles as sorted, distinct 64-bit keys, so a comparison is one merge of two arrays with
    /// no allocation: a character trigram is its three UTF-16 code units (exact); a word bigram is the pair of its
    /// words' hashes (start and end markers included).
    /// </summary>
    public sealed class Profile
    {
        private Profile(string text, long[] trigrams, long[] wordBigrams)
        {
            Text = text;
            Trigrams = trigrams;
            WordBigrams = wordBigrams;
        }

        public string Text { get; }

        internal long[] Trigrams { get; }

        internal long[] WordBigrams { get; }

        public static Profile Of(string normalized) => new(normalized, TrigramKeys(normalized), WordBigramKeys(normalized));

        private static long[] TrigramKeys(string normalized)
        {
            var padded = " " + normalized + " ";
            var keys = new long[Math.Max(0, padded.Length - 2)];
            for (var i = 0; i + 3 <= padded.Length; i++)
            {
                keys[i] = ((long)padded[i] << 32) | ((long)padded[i + 1] << 16) | padded[i + 2];
            }

            return SortedDistinct(keys);
        }

        private static long[] WordBigramKeys(string normalized)
        {
            var words = normalized.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length == 0)
            {
                return [];
            }

            const int Start = 0x5E; // "^"
            const int End = 0x24; // "$"
            var keys = new long[words.Length + 1];
            keys[0] = Pair(Start, Hash(words[0]));
            for (var i = 0; i + 1 < words.Length; i++)
            {
                keys[i + 1] = Pair(Hash(words[i]), Hash(words[i + 1]));
            }

            keys[^1] = Pair(Hash(words[^1]), End);
            return SortedDistinct(keys);
        }

        private static int Hash(string word) => string.GetHashCode(word, StringComparison.Ordinal);

        private static long Pair(int first, int second) => ((long)first << 32) | (uint)second;

        private static long[] SortedDistinct(long[] keys)
        {
            Array.Sort(keys);
            var n = 0;
            for (var i = 0; i < keys.Length; i++)
            {
                if (n == 0 || keys[i] != keys[n - 1])
                {
                    keys[n++] = keys[i];
                }
            }

            return n == keys.Length ? keys : keys[..n];
        }
    }

    private static double Dice(long[] a, long[] b)
    {
        if (a.Length == 0 || b.Length == 0)
        {
            return 0.0;
        }

        int i = 0, j = 0, common = 0;
        while (i < a.Length && j < b.Length)
        {
            if (a[i] == b[j])
            {
                common++;
                i++;
                j++;
            }
            else if (a[i] < b[j])
            {
                i++;
            }
            else
            {
                j++;
            }
        }

        return 2.0 * common / (a.Length + b.Length);
    }
}
