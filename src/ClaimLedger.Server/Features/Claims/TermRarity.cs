using System.Collections.Concurrent;
using ClaimLedger.Server.Infrastructure.Data;

namespace ClaimLedger.Server.Features.Claims;

/// <summary>
/// How many claims contain a word (claims_fts_vocab), to look for similar claims by a text's rarest words: their
/// postings are short, so the candidate query stays cheap at millions of claims, and a near-duplicate shares them.
/// Counting a word costs a lookup (and time in proportion to its frequency), so counts are cached for a while: they
/// only rank a text's words against each other, and word frequencies change slowly.
/// </summary>
public sealed class TermRarity(TimeProvider clock)
{
    private const int MaxCached = 200_000;
    private static readonly TimeSpan CacheFor = TimeSpan.FromMinutes(10);

    private const string CountSql = "SELECT doc FROM claims_fts_vocab WHERE term = @Term";

    private readonly ConcurrentDictionary<string, (long Documents, DateTimeOffset Until)> _counts = new(StringComparer.Ordinal);

    /// <summary>
    /// The rarest of <paramref name="words"/> that occur in some claim, rarest first: at most <paramref name="count"/>,
    /// and only while the claims containing them add up to at most <paramref name="budget"/> — except the rarest word,
    /// which is always taken. What a candidate query by these words has to rank stays small however many claims there are.
    /// </summary>
    public async Task<IReadOnlyList<string>> RarestAsync(DbSession db, IReadOnlyList<string> words, int count, long budget, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var counted = new List<(string Word, long Documents)>(words.Count);
        foreach (var word in words)
        {
            counted.Add((word, await DocumentsAsync(db, word, now, ct)));
        }

        var chosen = new List<string>(count);
        long total = 0;
        foreach (var (word, documents) in counted.Where(w => w.Documents > 0).OrderBy(w => w.Documents).ThenBy(w => w.Word, StringComparer.Ordinal))
        {
            if (chosen.Count == count || (chosen.Count > 0 && total + documents > budget))
            {
                break;
            }

            chosen.Add(word);
            total += documents;
        }

        return chosen;
    }

    /// <summary>
    /// A claim with this text is being recorded: cached counts of its words go up by one, so a word first counted at
    /// zero is not skipped when the claim's twin arrives. (A rollback leaves a count one too high; it only ranks words.)
    /// </summary>
    public void Recorded(string normalizedText)
    {
        foreach (var word in normalizedText.Split(' ', StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal))
        {
            if (_counts.TryGetValue(word, out var cached))
            {
                _counts.TryUpdate(word, (cached.Documents + 1, cached.Until), cached);
            }
        }
    }

    private async Task<long> DocumentsAsync(DbSession db, string word, DateTimeOffset now, CancellationToken ct)
    {
        if (_counts.TryGetValue(word, out var cached) && cached.Until > now)
        {
            return cached.Documents;
        }

        var documents = await db.QuerySingleOrDefaultAsync<long?>(CountSql, new { Term = word }, ct) ?? 0;
        if (_counts.Count >= MaxCached)
        {
            _counts.Clear();
        }

        _counts[word] = (documents, now + CacheFor);

        return documents;
    }
}
