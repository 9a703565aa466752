using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Features.Reviews;
using ClaimLedger.Server.Infrastructure.Data;

namespace ClaimLedger.Server.Features.Evidence;

internal sealed class EvidenceRow
{
    public long Seq { get; init; }
    public string Id { get; init; } = "";
    public string ClaimId { get; init; } = "";
    public string SourceId { get; init; } = "";
    public string Stance { get; init; } = "";
    public string Excerpt { get; init; } = "";
    public string Locator { get; init; } = "";
    public string? Credibility { get; init; }
    public string AddedBy { get; init; } = "";
    public string? SourceContentSha256 { get; init; }
    public string CreateTime { get; init; } = "";
    public string? RemoveTime { get; init; }
    public long Revision { get; init; }
    public string? ReviewId { get; init; }

    public string Name => ResourceNames.Evidence(ClaimId, Id);

    /// <param name="review">The review this row's review_id names, loaded by the caller (<see cref="EvidenceReads.ToEvidenceAsync"/>).</param>
    public Contracts.V1.Evidence ToEvidence(PublishedReview? review) => new()
    {
        Review = review,
        Name = Name,
        Source = ResourceNames.Source(SourceId),
        Stance = DbEnum.Parse<Stance>(Stance),
        Excerpt = Excerpt,
        Locator = Locator,
        Credibility = DbEnum.Parse<Credibility>(Credibility),
        AddedBy = AddedBy,
        CreateTime = DbTime.ToTimestamp(CreateTime),
        RemoveTime = DbTime.ToTimestamp(RemoveTime),
        Etag = Etags.For(Revision),
        SourceContentSha256 = SourceContentSha256 ?? "",
    };
}

internal static class EvidenceReads
{
    public const string Columns = """
        e.seq, e.id, e.claim_id, e.source_id, e.stance, e.excerpt, e.locator, e.credibility, e.added_by,
        e.source_content_sha256, e.create_time, e.remove_time, e.revision, e.review_id
        """;

    /// <summary>The rows in their API shape, with the reviews they carry loaded in one query.</summary>
    public static async Task<IReadOnlyList<Contracts.V1.Evidence>> ToEvidenceAsync(DbSession db, IReadOnlyList<EvidenceRow> rows, CancellationToken ct)
    {
        var reviews = await PublishedReviews.LoadAsync(db, rows.Select(r => r.ReviewId), ct);
        return rows.Select(r => r.ToEvidence(r.ReviewId is null ? null : reviews[r.ReviewId])).ToList();
    }

    public static async Task<Contracts.V1.Evidence> LoadAsync(DbSession db, string claimId, string id, CancellationToken ct) =>
        (await ToEvidenceAsync(db, [await RowAsync(db, claimId, id, ct)], ct))[0];

    public static async Task<EvidenceRow> RowAsync(DbSession db, string claimId, string id, CancellationToken ct) =>
        await db.QuerySingleOrDefaultAsync<EvidenceRow>(
            $"SELECT {Columns} FROM evidence e WHERE e.id = @Id AND e.claim_id = @ClaimId", new { Id = id, ClaimId = claimId }, ct)
        ?? throw new NotFoundException(ResourceNames.Evidence(claimId, id));
}
