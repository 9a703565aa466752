using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Infrastructure.Data;

namespace ClaimLedger.Server.Features.Verification;

/// <summary>
/// Appending a verdict and the evidence it rests on, inside the caller's transaction (SubmitVerdict, ImportClaims).
/// An imported verdict of ours keeps the review as we published it.
/// </summary>
internal static class VerdictWriter
{
    private const string InsertVerdictSql = """
        INSERT INTO verdicts (id, claim_id, rating, score, rationale, reviewer, original_rating, create_time, review_id)
        VALUES (@Id, @ClaimId, @Rating, @Score, @Rationale, @Reviewer, @OriginalRating, @Now, @ReviewId)
        """;

    private const string InsertVerdictEvidenceSql = "INSERT INTO verdict_evidence (verdict_id, evidence_id) VALUES (@VerdictId, @EvidenceId)";

    /// <returns>The new verdict's id. The caller moves the claim to VERIFIED.</returns>
    public static async Task<string> InsertAsync(DbSession db, string claimId, Rating rating, string rationale, IReadOnlyList<string> evidenceIds,
        string reviewer, string originalRating, PublishedReview? publishedReview, string now, CancellationToken ct)
    {
        var verdictId = ResourceNames.NewId();
        var reviewId = publishedReview is null ? null : await Reviews.PublishedReviews.InsertAsync(db, publishedReview, "", now, ct);
        await db.ExecuteAsync(InsertVerdictSql, new
        {
            Id = verdictId,
            ClaimId = claimId,
            Rating = DbEnum.ToDb(rating),
            Score = VerdictRules.Score(rating),
            Rationale = rationale.Trim(),
            Reviewer = reviewer,
            OriginalRating = originalRating,
            Now = now,
            ReviewId = reviewId,
        }, ct);
        foreach (var evidenceId in evidenceIds)
        {
            await db.ExecuteAsync(InsertVerdictEvidenceSql, new { VerdictId = verdictId, EvidenceId = evidenceId }, ct);
        }

        return verdictId;
    }
}
