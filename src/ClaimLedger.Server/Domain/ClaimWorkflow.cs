using ClaimLedger.Contracts.V1;

namespace ClaimLedger.Server.Domain;

/// <summary>
/// The verification workflow: UNVERIFIED → IN_REVIEW → VERIFIED → STALE → IN_REVIEW → …, and any
/// status but RETRACTED → RETRACTED. RETRACTED is final.
/// </summary>
public static class ClaimWorkflow
{
    private static readonly IReadOnlyDictionary<ClaimStatus, ClaimStatus[]> Next = new Dictionary<ClaimStatus, ClaimStatus[]>
    {
        [ClaimStatus.Unverified] = [ClaimStatus.InReview, ClaimStatus.Retracted],
        [ClaimStatus.InReview] = [ClaimStatus.Verified, ClaimStatus.Retracted],
        [ClaimStatus.Verified] = [ClaimStatus.Stale, ClaimStatus.Retracted],
        [ClaimStatus.Stale] = [ClaimStatus.InReview, ClaimStatus.Retracted],
        [ClaimStatus.Retracted] = [],
    };

    public static IReadOnlyList<ClaimStatus> AllowedFrom(ClaimStatus from) =>
        Next.TryGetValue(from, out var to) ? to : [];

    public static bool CanMove(ClaimStatus from, ClaimStatus to) => AllowedFrom(from).Contains(to);

    /// <summary>Throws FAILED_PRECONDITION naming the allowed next statuses when the move is illegal.</summary>
    public static void EnsureCanMove(string claimName, ClaimStatus from, ClaimStatus to)
    {
        if (CanMove(from, to))
        {
            return;
        }

        var allowed = AllowedFrom(from);
        var allowedText = allowed.Count == 0 ? "none (RETRACTED is final)" : string.Join(", ", allowed.Select(DbEnum.ToDb));
        throw new FailedPreconditionException(
            "ILLEGAL_TRANSITION",
            $"{claimName} is {DbEnum.ToDb(from)} and cannot move to {DbEnum.ToDb(to)}; allowed next statuses: {allowedText}.",
            claimName)
        {
            Metadata = new Dictionary<string, string>
            {
                ["from"] = DbEnum.ToDb(from),
                ["to"] = DbEnum.ToDb(to),
                ["allowed"] = string.Join(",", allowed.Select(DbEnum.ToDb)),
            },
        };
    }
}
