using ClaimLedger.Server.Infrastructure.Data;

namespace ClaimLedger.Server.Infrastructure.Search;

/// <summary>
/// Where near-duplicate detection finds the claims worth scoring (ADR 6), the database engine's side of it (ADR 5). Both
/// engines look them up by the text's rarest words (<see cref="RareWordCandidates"/>): SQLite with FTS5 and fts5vocab
/// (<see cref="SqliteNearDuplicateCandidates"/>), PostgreSQL with claims.search_vector's GIN index
/// (<see cref="PostgresNearDuplicateCandidates"/>). Whatever the engine, the candidates are then scored in C# by
/// TextSimilarity, with the same threshold and order (SimilarClaims), and claims with the same normalised text are
/// always looked up besides. Registered per engine in ServiceRegistration.AddDatabaseEngine.
/// </summary>
public interface INearDuplicateCandidates
{
    /// <summary>
    /// Claims that may be at least <see cref="NearDuplicateFilter.MinSimilarity"/> similar to <paramref name="normalized"/>
    /// (a text normalised by TextSimilarity.Normalize): a bounded list, which need not all be that similar.
    /// </summary>
    Task<IReadOnlyList<NearDuplicateCandidate>> FindAsync(DbSession db, string normalized, NearDuplicateFilter filter, CancellationToken ct);

    /// <summary>A claim with this normalised text is being recorded (for engines that keep statistics of their own).</summary>
    void Recorded(string normalizedText);
}

/// <param name="MinSimilarity">The TextSimilarity the caller will require, 0..1.</param>
/// <param name="IncludeRetracted">Whether RETRACTED claims count.</param>
/// <param name="Since">Only claims with a seq above this one (0 for all).</param>
public sealed record NearDuplicateFilter(double MinSimilarity, bool IncludeRetracted, long Since);

/// <param name="Seq">The claim's row sequence.</param>
/// <param name="Id">The claim's id.</param>
/// <param name="NormalizedText">Its normalised text, to be scored.</param>
public sealed record NearDuplicateCandidate(long Seq, string Id, string NormalizedText);
