using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Features.Evidence;
using ClaimLedger.Server.Features.History;
using ClaimLedger.Server.Features.Ledger;
using ClaimLedger.Server.Infrastructure.Data;
using ClaimLedger.Server.Infrastructure.Security;
using ClaimLedger.Server.Infrastructure.Ledger;
using ClaimLedger.Server.Infrastructure.Messaging;
using FluentValidation;
using MediatR;

namespace ClaimLedger.Server.Features.Claims;

/// <summary>Records a claim (UNVERIFIED), optionally with evidence, unless it nearly duplicates a live claim.</summary>
public static class CreateClaim
{
    public const int MaxEvidence = 50;

    [Requires(Permission.Contribute)]
    public sealed record Command(
        string Text,
        string Claimant,
        DateTimeOffset? ClaimTime,
        string LanguageCode,
        IReadOnlyList<string> Topics,
        long? ReviewIntervalSeconds,
        IReadOnlyList<EvidenceInput> Evidence,
        bool AllowDuplicate,
        string RequestId) : ICommand<Claim>, IIdempotentCommand
    {
        public LedgerRecord Ledger(Claim result) => LedgerPayloads.ForClaim("claim.created", result, new() { ["evidence"] = new System.Text.Json.Nodes.JsonArray(Evidence.Select(e => (System.Text.Json.Nodes.JsonNode?)new System.Text.Json.Nodes.JsonObject { ["source"] = e.Source, ["stance"] = DbEnum.ToDb(e.Stance), ["excerpt"] = e.Excerpt, ["locator"] = e.Locator }).ToArray()) });
    }

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator()
        {
            RuleFor(c => c.Text).ClaimText().OverridePropertyName("claim.text");
            RuleFor(c => c.Claimant).Claimant().OverridePropertyName("claim.claimant");
            RuleFor(c => c.LanguageCode).Language().OverridePropertyName("claim.language_code");
            RuleFor(c => c.Topics).Topics().OverridePropertyName("claim.topics");
            RuleFor(c => c.ReviewIntervalSeconds).ReviewInterval().OverridePropertyName("claim.review_interval");
            RuleFor(c => c.Evidence).Must(e => e.Count <= MaxEvidence).OverridePropertyName("evidence")
                .WithMessage($"must have at most {MaxEvidence} items");
            RuleForEach(c => c.Evidence).SetValidator(new EvidenceInput.Validator()).OverridePropertyName("evidence");
            RuleFor(c => c.RequestId).RequestId().OverridePropertyName("request_id");
        }
    }

    internal sealed class Handler(DbSession db, TimeProvider clock, ICurrentActor actor) : IRequestHandler<Command, Claim>
    {
        private const string InsertSql = """
            INSERT INTO claims (id, text, normalized_text, claimant, claim_time, language_code, status,
                                review_interval_seconds, create_time, update_time, revision)
            VALUES (@Id, @Text, @NormalizedText, @Claimant, @ClaimTime, @LanguageCode, 'UNVERIFIED',
                    @ReviewIntervalSeconds, @Now, @Now, 1)
            RETURNING seq
            """;

        private const string InsertTopicSql = "INSERT INTO claim_topics (claim_seq, topic) VALUES (@Seq, @Topic)";

        public async Task<Claim> Handle(Command command, CancellationToken ct)
        {
            var text = command.Text.Trim();
            var normalized = TextSimilarity.Normalize(text);
            if (!command.AllowDuplicate)
            {
                var similar = await SimilarClaims.FindAsync(db, normalized, TextSimilarity.DuplicateThreshold, 10, ct);
                if (similar.Count > 0)
                {
                    var names = similar.Select(m => ResourceNames.Claim(m.Id)).ToList();
                    throw new AlreadyExistsException(
                        "NEAR_DUPLICATE_CLAIM",
                        $"The claim nearly duplicates {string.Join(", ", names)} (similarity {similar[0].Similarity:0.00} ≥ {TextSimilarity.DuplicateThreshold:0.00}); " +
                        "set allow_duplicate to record it anyway.",
                        names)
                    {
                        Metadata = new Dictionary<string, string>
                        {
                            ["similar_claims"] = string.Join(",", names),
                            ["best_similarity"] = similar[0].Similarity.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture),
                        },
                    };
                }
            }

            var id = ResourceNames.NewId();
            var now = DbTime.ToDb(clock.GetUtcNow());
            var who = actor.Name;
            var seq = await db.ExecuteScalarAsync<long>(InsertSql, new
            {
                Id = id,
                Text = text,
                NormalizedText = normalized,
                Claimant = command.Claimant.Trim(),
                ClaimTime = command.ClaimTime is { } t ? DbTime.ToDb(t) : null,
                LanguageCode = LanguageTags.Canonicalize(command.LanguageCode),
                command.ReviewIntervalSeconds,
                Now = now,
            }, ct);
            foreach (var topic in ClaimRules.NormalizeTopics(command.Topics))
            {
                await db.ExecuteAsync(InsertTopicSql, new { Seq = seq, Topic = topic }, ct);
            }

            await ClaimTimeline.AppendAsync(db, new ClaimTimeline.Entry(id, ClaimEvent.Types.Type.Created, who, now, ToStatus: ClaimStatus.Unverified), ct);
            foreach (var evidence in command.Evidence)
            {
                await EvidenceWriter.AddAsync(db, id, evidence, who, now, ct);
            }

            return await ClaimReads.LoadAsync(db, id, ct);
        }
    }
}
