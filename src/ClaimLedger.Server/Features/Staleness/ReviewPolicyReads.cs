using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Infrastructure.Data;
using Google.Protobuf.WellKnownTypes;

namespace ClaimLedger.Server.Features.Staleness;

internal sealed class PolicyRow
{
    public long DefaultReviewIntervalSeconds { get; init; }
    public long UnsourcedAfterSeconds { get; init; }
    public string UpdateTime { get; init; } = "";
    public long Revision { get; init; }
}

/// <summary>The review policy (one row) and its per-topic intervals.</summary>
internal static class ReviewPolicyReads
{
    public const string PolicySql = """
        SELECT default_review_interval_seconds, unsourced_after_seconds, update_time, revision FROM review_policy WHERE id = 1
        """;

    public static async Task<ReviewPolicy> LoadAsync(DbSession db, CancellationToken ct)
    {
        var row = (await db.QuerySingleOrDefaultAsync<PolicyRow>(PolicySql, null, ct))!;
        var policy = new ReviewPolicy
        {
            Name = "reviewPolicy",
            DefaultReviewInterval = Duration.FromTimeSpan(TimeSpan.FromSeconds(row.DefaultReviewIntervalSeconds)),
            UnsourcedAfter = Duration.FromTimeSpan(TimeSpan.FromSeconds(row.UnsourcedAfterSeconds)),
            UpdateTime = DbTime.ToTimestamp(row.UpdateTime),
            Etag = Etags.For(row.Revision),
        };
        foreach (var (topic, seconds) in await db.QueryAsync<(string, long)>(
            "SELECT topic, interval_seconds FROM topic_review_intervals ORDER BY topic", null, ct))
        {
            policy.TopicReviewIntervals[topic] = Duration.FromTimeSpan(TimeSpan.FromSeconds(seconds));
        }

        return policy;
    }

    /// <summary>
    /// SQL for a claim's effective review interval in seconds (alias c): its override, else its topics' shortest, else
    /// the default. Shared by the claim reads (review_due_time) and the verdict-expiry check so they always agree.
    /// </summary>
    public const string EffectiveIntervalSql = """
        coalesce(c.review_interval_seconds,
                 (SELECT min(t.interval_seconds) FROM claim_topics ct JOIN topic_review_intervals t ON t.topic = ct.topic
                  WHERE ct.claim_seq = c.seq),
                 (SELECT p.default_review_interval_seconds FROM review_policy p WHERE p.id = 1))
        """;
}
