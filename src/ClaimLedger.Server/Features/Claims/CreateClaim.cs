using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Features.Evidence;
using ClaimLedger.Server.Features.History;
using ClaimLedger.Server.Features.Ledger;
using ClaimLedger.Server.Infrastructure.Data;
using ClaimLedger.Server.Infrastructure.Security;
using ClaimLedger.Server.Infrastructure.Ledger;
using ClaimLedger.Server.Infrastructure.Messaging;
using ClaimLedger.Server.Infrastructure.Search;
using FluentValidation;
using MediatR;
using MediatR.Pipeline;

namespace ClaimLedger.Server.Features.Claims;

/// <summary>Records a claim (UNVERIFIED), optionally with evidence, unless it nearly duplicates a live claim.</summary>
public static class CreateClaim
{
    public const int MaxEvidence = 50;

    [Requires(Permission.Contribute)]
    public sealed record Command(
        string Text,
        string Claimant,
        IReadOnlyList<Party> Claimants,
        DateTimeOffset? ClaimTime,
        string LanguageCode,
        IReadOnlyList<string> Topics,
        long? ReviewIntervalSeconds,
        IReadOnlyList<EvidenceInput> Evidence,
        bool AllowDuplicate,
        string RequestId) : ICommand<Claim>, IIdempotentCommand
    {
        public LedgerRecord Ledger(Claim result) => LedgerPayloads.ForClaim("claim.created", result, new() { ["evidence"] = new System.Text.Json.Nodes.JsonArray(Evidence.Select(e => (System.Text.Json.Nodes.JsonNode?)LedgerPayloads.EvidenceInput(e.Source, e.Stance, e.Excerpt, e.Locator, e.Review)).ToArray()) });
    }

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator()
        {
            RuleFor(c => c.Text).ClaimText().OverridePropertyName("claim.text");
            RuleFor(c => c.Claimant).Claimant().When(c => c.Claimants.Count == 0).OverridePropertyName("claim.claimant");
            RuleFor(c => c.Claimant).MaximumLength(ClaimRules.MaxClaimantLength).OverridePropertyName("claim.claimant")
                .WithMessage($"must be at most {ClaimRules.MaxClaimantLength} characters");
            RuleFor(c => c.Claimants).Claimants().OverridePropertyName("claim.claimants");
            RuleForEach(c => c.Claimants).SetValidator(new Reviews.PublishedReviews.PartyValidator())
                .When(c => c.Claimants.Count <= Reviews.PublishedReviews.MaxClaimants).OverridePropertyName("claim.claimants");
            RuleFor(c => c.LanguageCode).Language().OverridePropertyName("claim.language_code");
            RuleFor(c => c.Topics).Topics().OverridePropertyName("claim.topics");
            RuleFor(c => c.ReviewIntervalSeconds).ReviewInterval().OverridePropertyName("claim.review_interval");
            RuleFor(c => c.Evidence).Must(e => e.Count <= MaxEvidence).OverridePropertyName("evidence")
                .WithMessage($"must have at most {MaxEvidence} items");
            // A list over its limit is one violation, not one per item (ADR 7).
            RuleForEach(c => c.Evidence).SetValidator(new EvidenceInput.Validator()).When(c => c.Evidence.Count <= MaxEvidence).OverridePropertyName("evidence");
            RuleFor(c => c.RequestId).RequestId().OverridePropertyName("request_id");
        }
    }

    /// <summary>The costly part of the near-duplicate search, before the write transaction (see <see cref="NearDuplicatePrecheck"/>).</summary>
    internal sealed class Precheck(DbSession db, INearDuplicateCandidates index, NearDuplicatePrecheck precheck) : IRequestPreProcessor<Command>
    {
        public Task Process(Command command, CancellationToken ct) =>
            command.AllowDuplicate ? Task.CompletedTask : precheck.RunAsync(db, index, command.Text, includeRetracted: false, ct);
    }

    internal sealed class Handler(DbSession db, INearDuplicateCandidates index, NearDuplicatePrecheck precheck, TimeProvider clock, ICurrentActor actor) : IRequestHandler<Command, Claim>
    {
        public async Task<Claim> Handle(Command command, CancellationToken ct)
        {
            if (!command.AllowDuplicate)
            {
                await ClaimWriter.EnsureNotDuplicateAsync(db, index, command.Text, ct, precheck: precheck);
            }

            var now = DbTime.ToDb(clock.GetUtcNow());
            var who = actor.Name;
            var id = await ClaimWriter.InsertAsync(db, index, new ClaimWriter.NewClaim(
                command.Text, command.Claimant, command.ClaimTime, command.LanguageCode, command.Topics, command.ReviewIntervalSeconds,
                command.Claimants, LanguageOrigin.Given), who, now, ct);
            foreach (var evidence in command.Evidence)
            {
                await EvidenceWriter.AddAsync(db, id, evidence, who, now, ct);
            }

            return await ClaimReads.LoadAsync(db, id, ct);
        }
    }
}
