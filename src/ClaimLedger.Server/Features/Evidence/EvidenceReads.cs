using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Domain;
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

    public string Name => ResourceNames.Evidence(ClaimId, Id);

    public Contracts.V1.Evidence ToEvidence() => new()
    {
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
        e.source_content_sha256, e.create_time, e.remove_time, e.revision
        """;

    public static async Task<EvidenceRow> RowAsync(DbSession db, string claimId, string id, CancellationToken ct) =>
        await db.QuerySingleOrDefaultAsync<EvidenceRow>(
            $"SELECT {Columns} FROM evidence e WHERE e.id = @Id AND e.claim_id = @ClaimId", new { Id = id, ClaimId = claimId }, ct)
        ?? throw new NotFoundException(ResourceNames.Evidence(claimId, id));
}
