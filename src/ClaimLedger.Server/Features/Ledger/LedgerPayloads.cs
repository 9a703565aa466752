using System.Globalization;
using System.Text.Json.Nodes;
using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Features.Reviews;
using ClaimLedger.Server.Infrastructure.Data;
using ClaimLedger.Server.Infrastructure.Ledger;

namespace ClaimLedger.Server.Features.Ledger;

/// <summary>
/// The "changes" object of each kind of ledger entry: the resource's state after the change, as the API shows it.
/// Every entry about a claim carries its "status" and "verdict", which is what VerifyLedger compares the claims table
/// against. Decimals (scores) are strings; times are ISO-8601 UTC text (docs/ledger-format.md).
/// </summary>
public static class LedgerPayloads
{
    public static LedgerRecord ForClaim(string action, Claim claim, JsonObject? extra = null)
    {
        var changes = new JsonObject
        {
            ["text"] = claim.Text,
            ["claimant"] = claim.Claimant,
            ["claim_time"] = Time(claim.ClaimTime),
            ["language_code"] = claim.LanguageCode,
            ["topics"] = new JsonArray(claim.Topics.Select(t => (JsonNode?)t).ToArray()),
            ["review_interval_seconds"] = claim.ReviewInterval is null ? null : claim.ReviewInterval.Seconds,
            ["status"] = DbEnum.ToDb(claim.Status),
            ["verdict"] = Verdict(claim.Verdict),
            ["retraction"] = claim.Retraction is null ? null : new JsonObject
            {
                ["reason"] = DbEnum.ToDb(claim.Retraction.Reason),
                ["note"] = claim.Retraction.Note,
                ["duplicate_of"] = claim.Retraction.DuplicateOf,
            },
        };
        // Added with ClaimReview import; left out when empty, so entries of claims without them stay as before.
        if (claim.Claimants.Count > 0)
        {
            changes["claimants"] = new JsonArray(claim.Claimants.Select(p => (JsonNode?)PublishedReviews.PartyNode(p)).ToArray());
        }

        if (claim.LanguageOrigin != LanguageOrigin.Unspecified)
        {
            changes["language_origin"] = DbEnum.ToDb(claim.LanguageOrigin);
        }

        foreach (var (key, value) in extra ?? [])
        {
            changes[key] = value?.DeepClone();
        }

        return new LedgerRecord(action, claim.Name, changes);
    }

    public static LedgerRecord ForSource(string action, Source s) => new(action, s.Name, new JsonObject
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
    });

    public static LedgerRecord ForEvidence(string action, Contracts.V1.Evidence e)
    {
        var changes = new JsonObject
        {
            ["source"] = e.Source,
            ["stance"] = DbEnum.ToDb(e.Stance),
            ["excerpt"] = e.Excerpt,
            ["locator"] = e.Locator,
            ["credibility"] = DbEnum.ToDbOrNull(e.Credibility),
            ["source_content_sha256"] = e.SourceContentSha256,
            ["removed"] = e.RemoveTime is not null,
        };
        if (e.Review is not null)
        {
            changes["review"] = PublishedReviews.LedgerNode(e.Review);
        }

        return new LedgerRecord(action, e.Name, changes);
    }

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
        };
        if (v.PublishedReview is not null)
        {
            node["published_review"] = PublishedReviews.LedgerNode(v.PublishedReview);
        }

        return node;
    }

    private static string? Time(Google.Protobuf.WellKnownTypes.Timestamp? t) => t is null ? null : DbTime.ToDb(t.ToDateTimeOffset());
}
