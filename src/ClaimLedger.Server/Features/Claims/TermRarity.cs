using System.Collections.Concurrent;
using ClaimLedger.Server.Infrastructure.Data;

namespace ClaimLedger.Server.Features.Claims;

/// <summary>
/// How many claims contain a word (claims_fts_vocab), to look for similar claims by a text's rarest words: their
/// postings are short, so the candidate query stays cheap at millions of claims, and a near-duplicate shares them.
/// Counting a word costs time in proportion to its frequency, so frequent words' counts are cached for a while (they
/// are only used to rank words, and a frequent word stays frequent); rare words are counted fresh, which is cheap.
/// </summary>
public sealed class TermRarity(TimeProvider clock)
{
    private const long CacheFrom = 1000;
    private const int MaxCached = 100_000;
    private static readonly TimeSpan CacheFor = TimeSpan.FromMinutes(10);

    private const string CountSql = "SELECT doc FROM claims_fts_vocab WHERE term = @Term";

    private readonly ConcurrentDictionary<string, (long Documents, DateTimeOffset Until)> _frequent = new(StringComparer.Ordinal);

    /// <summary>Up to <paramref name="count"/> of <paramref name="words"/> that occur in at least one claim, rarest first.</summary>
    public async Task<IReadOnlyList<string>> RarestAsync(DbSession db, IReadOnlyList<string> words, int count, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var counted = new List<(string Word, long Documents)>(words.Count);
        foreach (var word in words)
        {
            counted.Add((word, await DocumentsAsync(db, word, now, ct)));
        }

        return counted.Where(w => w.Documents > 0).OrderBy(w => w.Documents).ThenBy(w => w.Word, StringComparer.Ordinal)
            .Take(count).Select(w => w.Word).ToList();
    }

    private async Task<long> DocumentsAsync(DbSession db, string word, DateTimeOffset now, CancellationToken ct)
    {
        if (_frequent.TryGetValue(word, out var cached) && cached.Until > now)
        {
            return cached.Documents;
        }

        var documents = await db.QuerySingleOrDefaultAsync<long?>(CountSql, new { Term = word }, ct) ?? 0;
        if (documents >= CacheFrom)
        {
            if (_frequent.Count >= MaxCached)
            {
                _frequent.Clear();
            }

            _frequent[word] = (documents, now + CacheFor);
        }

        return documents;
    }
}
