using ClaimLedger.Server.Infrastructure.Search;

namespace ClaimLedger.Server.Features.Claims;

/// <summary>
/// What the claim handlers hold to look for near-duplicates: the database engine's <see cref="INearDuplicateCandidates"/>,
/// which <see cref="SimilarClaims"/> asks for candidates and which is told of every claim recorded
/// (<see cref="ClaimWriter.InsertAsync"/>). Both engines find candidates by a text's rarest terms
/// (<see cref="RareWordCandidates"/>, which keeps the term counts and their cache); how a term's claims are counted and
/// matched is the engine's (SQLite: fts5vocab and FTS5; PostgreSQL: search_vector's GIN index). One per process.
/// </summary>
public sealed class TermRarity(INearDuplicateCandidates candidates)
{
    /// <summary>The engine's candidate search.</summary>
    internal INearDuplicateCandidates Candidates => candidates;

    /// <summary>A claim with this normalised text is being recorded (SQLite bumps its cached term counts).</summary>
    public void Recorded(string normalizedText) => candidates.Recorded(normalizedText);
}
