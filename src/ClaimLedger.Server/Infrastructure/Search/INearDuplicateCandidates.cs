using ClaimLedger.Server.Infrastructure.Data;

namespace ClaimLedger.Server.Infrastructure.Search;

/// <summary>
/// Where near-duplicate detection finds the claims worth scoring (ADR 6, ADR 21), and the index it finds them in, kept
/// in the same transaction as the claims' text: the database engine's side of it (ADR 5). Both engines use the scheme
/// of <see cref="MinHashCandidates"/> — the claims sharing a MinHash band key with the text (claim_bands), a bounded
/// number per key — each in its own SQL (<see cref="SqliteMinHashCandidates"/>, <see cref="PostgresMinHashCandidates"/>).
/// Whatever finds them, the candidates are then scored in C# by TextSimilarity, with the same threshold and order
/// (SimilarClaims), and claims with the same normalised text are always looked up besides (<see cref="SameTextAsync"/>). Registered per engine in
/// ServiceRegistration.AddDatabaseEngine.
/// </summary>
public interface INearDuplicateCandidates
{
    /// <summary>
    /// Claims that may be at least <see cref="NearDuplicateFilter.MinSimilarity"/> similar to <paramref name="normalized"/>
    /// (a text normalised by TextSimilarity.Normalize): a bounded list, which need not all be that similar.
    /// </summary>
    Task<IReadOnlyList<NearDuplicateCandidate>> FindAsync(DbSession db, string normalized, NearDuplicateFilter filter, CancellationToken ct);

    /// <summary>
    /// Every claim whose normalised text is exactly <paramref name="normalized"/> (with a seq above the filter's Since, not
    /// RETRACTED unless it says so; its MinSimilarity is not used): all of them, not a bounded list.
    /// </summary>
    Task<IReadOnlyList<NearDuplicateCandidate>> SameTextAsync(DbSession db, string normalized, NearDuplicateFilter filter, CancellationToken ct);

    /// <summary>Indexes claim <paramref name="seq"/> under its normalised text, in the caller's transaction (a claim recorded, or its text changed).</summary>
    Task AddAsync(DbSession db, long seq, string normalized, CancellationToken ct);

    /// <summary>Removes what <see cref="AddAsync"/> indexed for claim <paramref name="seq"/> under <paramref name="normalized"/> (its text is changing).</summary>
    Task RemoveAsync(DbSession db, long seq, string normalized, CancellationToken ct);
}

/// <param name="MinSimilarity">The TextSimilarity the caller will require, 0..1.</param>
/// <param name="IncludeRetracted">Whether RETRACTED claims count.</param>
/// <param name="Since">Only claims with a seq above this one (0 for all).</param>
public sealed record NearDuplicateFilter(double MinSimilarity, bool IncludeRetracted, long Since);

/// <param name="Seq">The claim's row sequence.</param>
/// <param name="Id">The claim's id.</param>
/// <param name="NormalizedText">Its normalised text, to be scored.</param>
public sealed record NearDuplicateCandidate(long Seq, string Id, string NormalizedText);
