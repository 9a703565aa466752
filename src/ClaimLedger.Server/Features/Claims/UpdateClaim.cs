using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Features.History;
using ClaimLedger.Server.Features.Ledger;
using ClaimLedger.Server.Infrastructure.Data;
using ClaimLedger.Server.Infrastructure.Security;
using ClaimLedger.Server.Infrastructure.Ledger;
using ClaimLedger.Server.Infrastructure.Messaging;
using ClaimLedger.Server.Infrastructure.Search;
using FluentValidation;
using MediatR;

namespace ClaimLedger.Server.Features.Claims;

/// <summary>
/// Updates the fields named in the field mask (AIP-134; an empty mask means the fields that are set, "*" all).
/// The text is fixed once a verdict exists; a retracted claim does not change.
/// </summary>
public static class UpdateClaim
{
    public static readonly IReadOnlySet<string> Updatable =
        new HashSet<string>(StringComparer.Ordinal) { "text", "claimant", "claimants", "claim_time", "language_code", "topics", "review_interval" };

    [Requires(Permission.Contribute)]
    public sealed record Command(
        string Name,
        string Etag,
        IReadOnlyList<string> Paths,
        string Text,
        string Claimant,
        IReadOnlyList<Party> Claimants,
        DateTimeOffset? ClaimTime,
        string LanguageCode,
        IReadOnlyList<string> Topics,
        long? ReviewIntervalSeconds,
        string RequestId) : ICommand<Claim>, IIdempotentCommand
    {
        public LedgerRecord Ledger(Claim result) => LedgerPayloads.ForClaim("claim.updated", result, new() { ["updated_fields"] = string.Join(",", Paths.Distinct().Order(StringComparer.Ordinal)) });

        public bool Has(string path) => Paths.Contains(path);
    }

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator()
        {
            RuleFor(c => c.Name).Must(ResourceNames.IsClaim).OverridePropertyName("claim.name").WithMessage("must be a claim name, claims/{claim}");
            RuleFor(c => c.Paths).NotEmpty().OverridePropertyName("update_mask").WithMessage("names no field to update");
            RuleFor(c => c.Paths).Must(p => p.All(Updatable.Contains)).OverridePropertyName("update_mask")
                .WithMessage(c => $"names fields that cannot be updated ({ClientText.QuoteList(c.Paths.Where(p => !Updatable.Contains(p)))}); updatable: {string.Join(", ", Updatable)}");
            RuleFor(c => c.Text).ClaimText().When(c => c.Has("text")).OverridePropertyName("claim.text");
            RuleFor(c => c.Claimant).Claimant().When(c => c.Has("claimant")).OverridePropertyName("claim.claimant");
            RuleFor(c => c.Claimants).Claimants().When(c => c.Has("claimants")).OverridePropertyName("claim.claimants");
            RuleForEach(c => c.Claimants).SetValidator(new Reviews.PublishedReviews.PartyValidator())
                .When(c => c.Has("claimants") && c.Claimants.Count <= Reviews.PublishedReviews.MaxClaimants).OverridePropertyName("claim.claimants");
            RuleFor(c => c.LanguageCode).Language().When(c => c.Has("language_code")).OverridePropertyName("claim.language_code");
            RuleFor(c => c.Topics).Topics().When(c => c.Has("topics")).OverridePropertyName("claim.topics");
            RuleFor(c => c.ReviewIntervalSeconds).ReviewInterval().When(c => c.Has("review_interval")).OverridePropertyName("claim.review_interval");
            RuleFor(c => c.Etag).Etag().OverridePropertyName("claim.etag");
            RuleFor(c => c.RequestId).RequestId().OverridePropertyName("request_id");
        }
    }

    internal sealed class Handler(DbSession db, INearDuplicateCandidates index, TimeProvider clock, ICurrentActor actor) : IRequestHandler<Command, Claim>
    {
        private const string UpdateSql = """
            UPDATE claims SET
                text = @Text, normalized_text = @NormalizedText, claimant = @Claimant, claim_time = @ClaimTime,
                language_code = @LanguageCode, language_origin = @LanguageOrigin, review_interval_seconds = @ReviewIntervalSeconds,
                claimants = @Claimants, update_time = @Now, revision = revision + 1
            WHERE id = @Id
            """;

        public async Task<Claim> Handle(Command command, CancellationToken ct)
        {
            ResourceNames.TryParseClaim(command.Name, out var id);
            var row = await ClaimReads.RowAsync(db, id, ct);
            Etags.EnsureCurrent(row.Name, command.Etag, row.Revision);
            var status = row.StatusValue;
            if (status == ClaimStatus.Retracted)
            {
                throw new FailedPreconditionException("CLAIM_RETRACTED", $"{row.Name} is RETRACTED and cannot change.", row.Name);
            }

            var text = command.Has("text") ? command.Text.Trim() : row.Text;
            if (text != row.Text && status is not (ClaimStatus.Unverified or ClaimStatus.InReview))
            {
                throw new FailedPreconditionException(
                    "CLAIM_TEXT_FROZEN",
                    $"{row.Name} is {DbEnum.ToDb(status)}: its text is what the verdict judged and cannot change; record a new claim instead.",
                    row.Name);
            }

            var now = DbTime.ToDb(clock.GetUtcNow());
            var normalized = TextSimilarity.Normalize(text);
            var previous = await db.ExecuteScalarAsync<string>("SELECT normalized_text FROM claims WHERE seq = @Seq", new { row.Seq }, ct);
            await db.ExecuteAsync(UpdateSql, new
            {
                Id = id,
                Text = text,
                NormalizedText = normalized,
                Claimant = command.Has("claimant") ? command.Claimant.Trim() : row.Claimant,
                ClaimTime = command.Has("claim_time") ? (command.ClaimTime is { } t ? DbTime.ToDb(t) : null) : row.ClaimTime,
                LanguageCode = command.Has("language_code") ? LanguageTags.Canonicalize(command.LanguageCode) : row.LanguageCode,
                LanguageOrigin = command.Has("language_code") ? DbEnum.ToDb(LanguageOrigin.Given) : row.LanguageOrigin,
                Claimants = command.Has("claimants") ? Reviews.PublishedReviews.PartiesJson(command.Claimants) : row.Claimants,
                ReviewIntervalSeconds = command.Has("review_interval") ? command.ReviewIntervalSeconds : row.ReviewIntervalSeconds,
                Now = now,
            }, ct);
            if (normalized != previous)
            {
                // Near-duplicate keys follow the normalised text (ADR 21).
                await index.RemoveAsync(db, row.Seq, previous, ct);
                await index.AddAsync(db, row.Seq, normalized, ct);
            }

            if (command.Has("topics"))
            {
                await db.ExecuteAsync("DELETE FROM claim_topics WHERE claim_seq = @Seq", new { row.Seq }, ct);
                foreach (var topic in ClaimRules.NormalizeTopics(command.Topics))
                {
                    await db.ExecuteAsync("INSERT INTO claim_topics (claim_seq, topic) VALUES (@Seq, @Topic)", new { row.Seq, Topic = topic }, ct);
                }
            }

            await ClaimTimeline.AppendAsync(db, new ClaimTimeline.Entry(id, ClaimEvent.Types.Type.Updated, actor.Name, now,
                Detail: "updated " + string.Join(", ", command.Paths.Distinct().Order(StringComparer.Ordinal))), ct);
            return await ClaimReads.LoadAsync(db, id, ct);
        }
    }
}
