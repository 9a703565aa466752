using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Features.History;
using ClaimLedger.Server.Features.Reviews;
using ClaimLedger.Server.Infrastructure.Data;
using FluentValidation;

namespace ClaimLedger.Server.Features.Evidence;

/// <summary>Evidence to attach to a claim, as AddEvidence and CreateClaim receive it. Review: FACT_CHECK only.</summary>
public sealed record EvidenceInput(string Source, Stance Stance, string Excerpt, string Locator, Credibility Credibility, PublishedReview? Review = null)
{
    public const int MaxExcerptLength = 5000;
    public const int MaxLocatorLength = 200;

    public static EvidenceInput From(Contracts.V1.Evidence? e) =>
        new(e?.Source ?? "", e?.Stance ?? Stance.Unspecified, e?.Excerpt ?? "", e?.Locator ?? "", e?.Credibility ?? Credibility.Unspecified, e?.Review);

    /// <summary>Rules for one item; the caller sets the path prefix ("evidence", "evidence[2]").</summary>
    public sealed class Validator : AbstractValidator<EvidenceInput>
    {
        public Validator()
        {
            RuleFor(e => e.Source).Must(ResourceNames.IsSource).OverridePropertyName("source").WithMessage("must be a source name, sources/{source}");
            RuleFor(e => e.Stance).Must(s => s != Stance.Unspecified && Enum.IsDefined(s)).OverridePropertyName("stance")
                .WithMessage("must be ORIGIN, SUPPORTS, REFUTES, CONTEXT or FACT_CHECK");
            RuleFor(e => e.Review).Null().When(e => e.Stance != Stance.FactCheck).OverridePropertyName("review")
                .WithMessage("is only for FACT_CHECK evidence");
            RuleFor(e => e.Review).SetValidator(new PublishedReviews.Validator()!).When(e => e.Review is not null).OverridePropertyName("review");
            RuleFor(e => e.Excerpt).MaximumLength(MaxExcerptLength).OverridePropertyName("excerpt").WithMessage($"must be at most {MaxExcerptLength} characters");
            RuleFor(e => e.Locator).MaximumLength(MaxLocatorLength).OverridePropertyName("locator").WithMessage($"must be at most {MaxLocatorLength} characters");
            RuleFor(e => e.Credibility).Must(Enum.IsDefined).OverridePropertyName("credibility").WithMessage("must be a defined credibility");
        }
    }
}

/// <summary>Attaches evidence to a claim inside the caller's transaction and records it on the claim's timeline.</summary>
internal static class EvidenceWriter
{
    private const string SourceSql = "SELECT id AS Id, content_sha256 AS ContentSha256, url AS Url FROM sources WHERE id = @Id";

    private const string InsertSql = """
        INSERT INTO evidence (id, claim_id, source_id, stance, excerpt, locator, credibility, added_by, source_content_sha256, create_time, review_id)
        VALUES (@Id, @ClaimId, @SourceId, @Stance, @Excerpt, @Locator, @Credibility, @AddedBy, @SourceContentSha256, @CreateTime, @ReviewId)
        """;

    /// <returns>The new evidence id.</returns>
    public static async Task<string> AddAsync(DbSession db, string claimId, EvidenceInput input, string actor, string now, CancellationToken ct)
    {
        ResourceNames.TryParseSource(input.Source, out var sourceId);
        var source = await db.QuerySingleOrDefaultAsync<SourceRef>(SourceSql, new { Id = sourceId }, ct)
            ?? throw new NotFoundException(input.Source);
        var id = ResourceNames.NewId();
        var reviewId = input.Review is null ? null : await PublishedReviews.InsertAsync(db, input.Review, source.Url ?? "", now, ct);
        await db.ExecuteAsync(InsertSql, new
        {
            Id = id,
            ClaimId = claimId,
            SourceId = sourceId,
            Stance = DbEnum.ToDb(input.Stance),
            input.Excerpt,
            input.Locator,
            Credibility = DbEnum.ToDbOrNull(input.Credibility),
            AddedBy = actor,
            SourceContentSha256 = source.ContentSha256,
            CreateTime = now,
            ReviewId = reviewId,
        }, ct);
        // Evidence ends an "unsourced" flag.
        if (await db.ExecuteAsync("UPDATE claims SET unsourced_since = NULL WHERE id = @ClaimId AND unsourced_since IS NOT NULL", new { ClaimId = claimId }, ct) > 0)
        {
            db.LedgerAdditions.ClaimField(ResourceNames.Claim(claimId), "unsourced_since", null);
        }

        await ClaimTimeline.AppendAsync(db, new ClaimTimeline.Entry(claimId, ClaimEvent.Types.Type.EvidenceAdded, actor, now,
            EvidenceId: id, Detail: $"{DbEnum.ToDb(input.Stance)} from {input.Source}"), ct);
        db.LedgerAdditions.Evidence(ResourceNames.Evidence(claimId, id), Ledger.LedgerPayloads.EvidenceState(await EvidenceReads.LoadAsync(db, claimId, id, ct)));
        return id;
    }

    private sealed record SourceRef(string Id, string? ContentSha256, string? Url);
}
