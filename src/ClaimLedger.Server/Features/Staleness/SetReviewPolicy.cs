using System.Text.Json.Nodes;
using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Features.Claims;
using ClaimLedger.Server.Features.Ledger;
using ClaimLedger.Server.Infrastructure.Data;
using ClaimLedger.Server.Infrastructure.Ledger;
using ClaimLedger.Server.Infrastructure.Messaging;
using ClaimLedger.Server.Infrastructure.Security;
using FluentValidation;
using MediatR;

namespace ClaimLedger.Server.Features.Staleness;

/// <summary>Replaces the review policy: default interval, per-topic intervals, unsourced threshold (admin).</summary>
public static class SetReviewPolicy
{
    public const int MaxTopics = 500;

    [Requires(Permission.Administer)]
    public sealed record Command(long DefaultReviewIntervalSeconds, IReadOnlyDictionary<string, long> TopicReviewIntervals, long UnsourcedAfterSeconds,
        string Etag, string RequestId) : ICommand<ReviewPolicy>, IIdempotentCommand
    {
        public LedgerRecord Ledger(ReviewPolicy result) => new("review_policy.set", result.Name, LedgerPayloads.ReviewPolicyState(result));
    }

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator()
        {
            var max = (long)ClaimRules.MaxReviewInterval.TotalSeconds;
            RuleFor(c => c.DefaultReviewIntervalSeconds).InclusiveBetween(60, max).OverridePropertyName("policy.default_review_interval")
                .WithMessage("must be between 1 minute and 3650 days");
            RuleFor(c => c.UnsourcedAfterSeconds).InclusiveBetween(60, max).OverridePropertyName("policy.unsourced_after")
                .WithMessage("must be between 1 minute and 3650 days");
            RuleFor(c => c.TopicReviewIntervals).Must(t => t.Count <= MaxTopics).OverridePropertyName("policy.topic_review_intervals")
                .WithMessage($"must have at most {MaxTopics} topics");
            RuleForEach(c => c.TopicReviewIntervals)
                .Must(t => !string.IsNullOrWhiteSpace(t.Key) && t.Key.Trim().Length <= ClaimRules.MaxTopicLength && t.Value >= 60 && t.Value <= max)
                .When(c => c.TopicReviewIntervals.Count <= MaxTopics)
                .OverridePropertyName("policy.topic_review_intervals")
                .WithMessage((_, t) => $"topic {ClientText.Quote(t.Key)}: topics are 1 to {ClaimRules.MaxTopicLength} characters and intervals between 1 minute and 3650 days");
            RuleFor(c => c.Etag).Etag().OverridePropertyName("policy.etag");
            RuleFor(c => c.RequestId).RequestId().OverridePropertyName("request_id");
        }
    }

    internal sealed class Handler(DbSession db, TimeProvider clock) : IRequestHandler<Command, ReviewPolicy>
    {
        public async Task<ReviewPolicy> Handle(Command command, CancellationToken ct)
        {
            var current = (await db.QuerySingleOrDefaultAsync<PolicyRow>(ReviewPolicyReads.PolicySql, null, ct))!;
            Etags.EnsureCurrent("reviewPolicy", command.Etag, current.Revision);
            await db.ExecuteAsync("""
                UPDATE review_policy
                SET default_review_interval_seconds = @Default, unsourced_after_seconds = @Unsourced, update_time = @Now, revision = revision + 1
                WHERE id = 1
                """, new { Default = command.DefaultReviewIntervalSeconds, Unsourced = command.UnsourcedAfterSeconds, Now = DbTime.ToDb(clock.GetUtcNow()) }, ct);
            await db.ExecuteAsync("DELETE FROM topic_review_intervals", null, ct);
            foreach (var (topic, seconds) in command.TopicReviewIntervals)
            {
                await db.ExecuteAsync(
                    "INSERT INTO topic_review_intervals (topic, interval_seconds) VALUES (@Topic, @Seconds) ON CONFLICT (topic) DO UPDATE SET interval_seconds = excluded.interval_seconds",
                    new { Topic = topic.Trim().ToLowerInvariant(), Seconds = seconds }, ct);
            }

            return await ReviewPolicyReads.LoadAsync(db, ct);
        }
    }
}
