using System.Globalization;
using System.Text.Json.Nodes;
using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Features.Reviews;
using ClaimLedger.Server.Infrastructure.Data;
using ClaimLedger.Server.Infrastructure.Ledger;

namespace ClaimLedger.Server.Features.Ledger;

/// <summary>
/// The "changes" object of each kind of ledger entry: the resource's state after the change, every field the API shows
/// of it (docs/ledger-format.md, "What an entry covers"), so that VerifyLedger can recompute each row of record from the
/// ledger and catch a direct edit of any readable field. The same functions render a row read back from the database
/// for that comparison. Decimals (scores) are strings; times are ISO-8601 UTC text with microseconds.
/// Fields derived from other resources (a claim's review_due_time, from the review policy) are left out.
/// </summary>
public static class LedgerPayloads
{
    public static LedgerRecord ForClaim(string action, Claim claim, JsonObject? extra = null)
    {
        // Built as a list and then the object, sized once: a staleness sweep makes thousands of these at a time.
        var fields = new List<KeyValuePair<string, JsonNode?>>(19 + (extra?.Count ?? 0))
        {
            new("text", claim.Text),
            new("claimant", claim.Claimant),
            new("claim_time", Time(claim.ClaimTime)),
            new("language_code", claim.LanguageCode),
            new("topics", new JsonArray(claim.Topics.Select(t => (JsonNode?)t).ToArray())),
            new("review_interval_seconds", claim.ReviewInterval is null ? null : claim.ReviewInterval.Seconds),
            new("status", DbEnum.ToDb(claim.Status)),
            new("verdict", Verdict(claim.Verdict)),
            new("retraction", claim.Retraction is null ? null : new JsonObject
            {
                ["reason"] = DbEnum.ToDb(claim.Retraction.Reason),
                ["note"] = claim.Retraction.Note,
                ["duplicate_of"] = claim.Retraction.DuplicateOf,
                ["actor"] = claim.Retraction.Actor,
                ["retract_time"] = Time(claim.Retraction.RetractTime),
            }),
            new("create_time", Time(claim.CreateTime)),
            new("update_time", Time(claim.UpdateTime)),
            new("etag", claim.Etag),
            new("unsourced_since", Time(claim.UnsourcedSince)),
            // Added with ClaimReview import (entries written before it lack them).
            new("claimants", new JsonArray(claim.Claimants.Select(p => (JsonNode?)PublishedReviews.PartyNode(p)).ToArray())),
            new("language_origin", DbEnum.ToDbOrNull(claim.LanguageOrigin)),
        };
        foreach (var (key, value) in extra ?? [])
        {
            var field = new KeyValuePair<string, JsonNode?>(key, value?.DeepClone());
            var existing = fields.FindIndex(f => f.Key == key);
            if (existing >= 0)
            {
                fields[existing] = field;
            }
            else
            {
                fields.Add(field);
            }
        }

        return new LedgerRecord(action, claim.Name, new JsonObject(fields));
    }

    public static LedgerRecord ForSource(string action, Source s) => new(action, s.Name, SourceState(s));

    /// <summary>A source: what source entries carry, and each source an import registered (created_sources).</summary>
    public static JsonObject SourceState(Source s) => new()
    {
        ["url"] = s.Url,
        ["canonical_url"] = s.CanonicalUrl,
        ["title"] = s.Title,
        ["publisher"] = s.Publisher,
        ["author"] = s.Author,
        ["kind"] = DbEnum.ToDb(s.Kind),
        ["publish_time"] = Time(s.PublishTime),
        ["retrieve_time"] = Time(s.RetrieveTime),
        ["content_sha256"] = s.ContentSha256,
        ["archive_url"] = s.ArchiveUrl,
        ["reliability"] = DbEnum.ToDbOrNull(s.Reliability),
        ["create_time"] = Time(s.CreateTime),
        ["update_time"] = Time(s.UpdateTime),
        ["etag"] = s.Etag,
        ["health"] = DbEnum.ToDb(s.Health),
        ["last_check_time"] = Time(s.LastCheckTime),
        ["last_http_status"] = s.LastHttpStatus,
        ["final_url"] = s.FinalUrl,
        ["last_content_sha256"] = s.LastContentSha256,
        ["consecutive_failures"] = s.ConsecutiveFailures,
    };

    public static LedgerRecord ForEvidence(string action, Contracts.V1.Evidence e) => new(action, e.Name, EvidenceState(e));

    /// <summary>An evidence item: what evidence entries carry, and each item a claim entry created with the claim.</summary>
    public static JsonObject EvidenceState(Contracts.V1.Evidence e)
    {
        var changes = new JsonObject
        {
            ["name"] = e.Name,
            ["source"] = e.Source,
            ["stance"] = DbEnum.ToDb(e.Stance),
            ["excerpt"] = e.Excerpt,
            ["locator"] = e.Locator,
            ["credibility"] = DbEnum.ToDbOrNull(e.Credibility),
            ["source_content_sha256"] = e.SourceContentSha256,
            ["removed"] = e.RemoveTime is not null,
            ["added_by"] = e.AddedBy,
            ["create_time"] = Time(e.CreateTime),
            ["remove_time"] = Time(e.RemoveTime),
            ["etag"] = e.Etag,
        };
        if (e.Review is not null)
        {
            changes["review"] = PublishedReviews.LedgerNode(e.Review);
        }

        return changes;
    }

    /// <summary>The review policy.</summary>
    public static JsonObject ReviewPolicyState(ReviewPolicy p)
    {
        var topics = new JsonObject();
        foreach (var (topic, interval) in p.TopicReviewIntervals.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            topics[topic] = interval.Seconds;
        }

        return new JsonObject
        {
            ["default_review_interval_seconds"] = p.DefaultReviewInterval.Seconds,
            ["unsourced_after_seconds"] = p.UnsourcedAfter.Seconds,
            ["topic_review_intervals"] = topics,
            ["update_time"] = Time(p.UpdateTime),
            ["etag"] = p.Etag,
        };
    }

    /// <summary>An API key (never its secret).</summary>
    public static JsonObject ApiKeyState(ApiKey k) => new()
    {
        ["display_name"] = k.DisplayName,
        ["role"] = DbEnum.ToDb(k.Role),
        ["key_prefix"] = k.KeyPrefix,
        ["create_time"] = Time(k.CreateTime),
        ["created_by"] = k.CreatedBy,
        ["revoke_time"] = Time(k.RevokeTime),
        ["revoked_by"] = k.RevokedBy,
        ["etag"] = k.Etag,
    };

    /// <summary>An event of a claim's timeline, as the command that appended it records it (its actor is the entry's).</summary>
    public static JsonObject Event(string claim, long sequence, ClaimEvent.Types.Type type, ClaimStatus from, ClaimStatus to, string? verdict, string? evidence,
        string time, string detail) => new()
    {
        ["claim"] = claim,
        ["sequence"] = sequence,
        ["type"] = DbEnum.ToDb(type),
        ["from_status"] = DbEnum.ToDbOrNull(from),
        ["to_status"] = DbEnum.ToDbOrNull(to),
        ["verdict"] = verdict,
        ["evidence"] = evidence,
        ["time"] = time,
        ["detail"] = detail,
    };

    /// <summary>Evidence as a command received it (before it has a name): CreateClaim's and ImportClaims' entries.</summary>
    public static JsonObject EvidenceInput(string source, Stance stance, string excerpt, string locator, PublishedReview? review)
    {
        var node = new JsonObject { ["source"] = source, ["stance"] = DbEnum.ToDb(stance), ["excerpt"] = excerpt, ["locator"] = locator };
        if (review is not null)
        {
            node["review"] = PublishedReviews.LedgerNode(review);
        }

        return node;
    }

    public static JsonObject? Verdict(Verdict? v)
    {
        if (v is null)
        {
            return null;
        }

        var node = new JsonObject
        {
            ["name"] = v.Name,
            ["rating"] = DbEnum.ToDb(v.Rating),
            ["score"] = v.HasScore ? v.Score.ToString("0.00", CultureInfo.InvariantCulture) : null,
            ["rationale"] = v.Rationale,
            ["reviewer"] = v.Reviewer,
            ["evidence"] = new JsonArray(v.Evidence.Select(e => (JsonNode?)e).ToArray()),
            ["original_rating"] = v.OriginalRating,
            ["create_time"] = Time(v.CreateTime),
        };
        if (v.PublishedReview is not null)
        {
            node["published_review"] = PublishedReviews.LedgerNode(v.PublishedReview);
        }

        return node;
    }

    private static string? Time(Google.Protobuf.WellKnownTypes.Timestamp? t) => t is null ? null : DbTime.ToDb(t.ToDateTimeOffset());
}
