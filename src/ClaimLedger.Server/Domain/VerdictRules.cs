using ClaimLedger.Contracts.V1;

namespace ClaimLedger.Server.Domain;

public static class VerdictRules
{
    /// <summary>
    /// The normalised truth score: TRUE 1.0, MOSTLY_TRUE 0.75, MIXED 0.5, MOSTLY_FALSE 0.25, FALSE 0.0.
    /// MISLEADING and UNPROVEN are not statements about truth and have no score.
    /// </summary>
    public static double? Score(Rating rating) => rating switch
    {
        Rating.True => 1.0,
        Rating.MostlyTrue => 0.75,
        Rating.Mixed => 0.5,
        Rating.MostlyFalse => 0.25,
        Rating.False => 0.0,
        _ => null,
    };

    /// <summary>
    /// A verdict rests on at least one SUPPORTS, REFUTES or FACT_CHECK item, except UNPROVEN. A published fact-check
    /// is documented reasoning a verdict may rest on (and is what a verdict imported from our own archive rests on);
    /// ORIGIN and CONTEXT say where the claim appeared or what surrounds it, not whether it is true.
    /// </summary>
    public static bool EvidenceSuffices(Rating rating, IEnumerable<Stance> stances) =>
        rating == Rating.Unproven || stances.Any(s => s is Stance.Supports or Stance.Refutes or Stance.FactCheck);
}
