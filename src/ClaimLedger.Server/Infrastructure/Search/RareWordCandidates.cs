using System.Collections.Concurrent;
using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Infrastructure.Data;

namespace ClaimLedger.Server.Infrastructure.Search;

/// <summary>
/// Near-duplicate candidates by a text's rarest words (ADR 6), the scheme of both engines: of the text's 24 longest
/// distinct words, those that occur in some claim are taken rarest first — at most 6, and only while the claims
/// containing them add up to at most 600, except the rarest, which is always taken — and the candidates are the 25 best
/// full-text matches for any of them. A near-duplicate shares the text's rare words, and their postings are short, so
/// the candidate query stays cheap at millions of claims however common the text's other words are. The engine counts
/// a word's claims and runs the match (<see cref="SqliteNearDuplicateCandidates"/>: FTS5, fts5vocab;
/// <see cref="PostgresNearDuplicateCandidates"/>: search_vector and its GIN index).
/// </summary>
/// <remarks>
/// Counting a word costs a lookup (and time in proportion to its frequency), so counts are cached for a while: they
/// only rank a text's words against each other, and word frequencies change slowly. The threshold the caller needs
/// plays no part: the same candidates serve every threshold. One instance per process.
/// </remarks>
public abstract class RareWordCandidates(TimeProvider clock) : INearDuplicateCandidates
{
    /// <summary>How many of the text's longest words are counted.</summary>
    public const int MaxWords = 24;

    /// <summary>How many rare words are looked up at most.</summary>
    public const int RareWords = 6;

    /// <summary>The claims containing the chosen words add up to at most this many (the rarest word aside).</summary>
    public const long PostingsBudget = 600;

    /// <summary>How many of the best matches become candidates.</summary>
    public const int MaxCandidates = 25;

    private const int MaxCached = 200_000;
    private static readonly TimeSpan CacheFor = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<string, (long Documents, DateTimeOffset Until)> _counts = new(StringComparer.Ordinal);

    public async Task<IReadOnlyList<NearDuplicateCandidate>> FindAsync(DbSession db, string normalized, NearDuplicateFilter filter, CancellationToken ct)
    {
        var words = await RarestAsync(db, TextSimilarity.Words(normalized, MaxWords), RareWords, PostingsBudget, ct);
        return words.Count == 0 ? [] : await MatchAsync(db, words, filter, ct);
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

    /// <summary>How many claims contain <paramref name="word"/> (a word of a normalised text); an engine may stop counting at some bound above <see cref="PostingsBudget"/>.</summary>
    protected abstract Task<long> CountAsync(DbSession db, string word, CancellationToken ct);

    /// <summary>The <see cref="MaxCandidates"/> best matches for any of <paramref name="words"/> that pass <paramref name="filter"/>.</summary>
    protected abstract Task<IReadOnlyList<NearDuplicateCandidate>> MatchAsync(DbSession db, IReadOnlyList<RareWord> words, NearDuplicateFilter filter, CancellationToken ct);

    /// <summary>
    /// The rarest of <paramref name="words"/> that occur in some claim, rarest first: at most <paramref name="count"/>,
    /// and only while the claims containing them add up to at most <paramref name="budget"/> — except the rarest word,
    /// which is always taken. What a candidate query by these words has to rank stays small however many claims there are.
    /// </summary>
    internal async Task<IReadOnlyList<RareWord>> RarestAsync(DbSession db, IReadOnlyList<string> words, int count, long budget, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var counted = new List<(string Word, long Documents)>(words.Count);
        foreach (var word in words)
        {
            counted.Add((word, await DocumentsAsync(db, word, now, ct)));
        }

        var chosen = new List<RareWord>(count);
        long total = 0;
        foreach (var (word, documents) in counted.Where(w => w.Documents > 0).OrderBy(w => w.Documents).ThenBy(w => w.Word, StringComparer.Ordinal))
        {
            if (chosen.Count == count || (chosen.Count > 0 && total + documents > budget))
            {
                break;
            }

            chosen.Add(new RareWord(word, documents));
            total += documents;
        }

        return chosen;
    }

    /// <summary>A word chosen for the candidate query, and how many claims contain it (as counted).</summary>
    protected internal readonly record struct RareWord(string Word, long Documents);

    private async Task<long> DocumentsAsync(DbSession db, string word, DateTimeOffset now, CancellationToken ct)
    {
        if (_counts.TryGetValue(word, out var cached) && cached.Until > now)
        {
            return cached.Documents;
        }

        var documents = await CountAsync(db, word, ct);
        if (_counts.Count >= MaxCached)
        {
            _counts.Clear();
        }

        _counts[word] = (documents, now + CacheFor);

        return documents;
    }
}
