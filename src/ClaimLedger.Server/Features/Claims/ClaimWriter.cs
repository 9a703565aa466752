using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Features.History;
using ClaimLedger.Server.Features.Reviews;
using ClaimLedger.Server.Infrastructure.Data;
using ClaimLedger.Server.Infrastructure.Search;

namespace ClaimLedger.Server.Features.Claims;

/// <summary>Recording a claim inside the caller's transaction: shared by CreateClaim and ImportClaims.</summary>
internal static class ClaimWriter
{
    public sealed record NewClaim(string Text, string Claimant, DateTimeOffset? ClaimTime, string LanguageCode, IReadOnlyList<string> Topics, long? ReviewIntervalSeconds,
        IReadOnlyList<Party> Claimants, LanguageOrigin LanguageOrigin);

    private const string InsertSql = """
        INSERT INTO claims (id, text, normalized_text, claimant, claim_time, language_code, status,
                            review_interval_seconds, create_time, update_time, revision, claimants, language_origin)
        VALUES (@Id, @Text, @NormalizedText, @Claimant, @ClaimTime, @LanguageCode, 'UNVERIFIED',
                @ReviewIntervalSeconds, @Now, @Now, 1, @Claimants, @LanguageOrigin)
        RETURNING seq
        """;

    private const string InsertTopicSql = "INSERT INTO claim_topics (claim_seq, topic) VALUES (@Seq, @Topic)";

    /// <summary>ALREADY_EXISTS (NEAR_DUPLICATE_CLAIM, naming the similar claims) when a live claim is that similar.</summary>
    /// <param name="precheck">The search already done outside the transaction, if any: then only later claims are searched here.</param>
    public static async Task EnsureNotDuplicateAsync(DbSession db, INearDuplicateCandidates index, string text, CancellationToken ct, bool includeRetracted = false,
        NearDuplicatePrecheck? precheck = null)
    {
        var similar = await FindDuplicatesAsync(db, index, text, ct, includeRetracted, precheck);
        if (similar.Count > 0)
        {
            throw DuplicateOf(similar);
        }
    }

    /// <summary>The live (or, with <paramref name="includeRetracted"/>, any) claims this text nearly duplicates, most similar first.</summary>
    public static async Task<IReadOnlyList<SimilarClaims.Match>> FindDuplicatesAsync(DbSession db, INearDuplicateCandidates index, string text, CancellationToken ct,
        bool includeRetracted = false, NearDuplicatePrecheck? precheck = null)
    {
        var normalized = TextSimilarity.Normalize(text.Trim());
        var since = precheck?.SearchedThrough(normalized, includeRetracted) ?? 0;
        return await SimilarClaims.FindAsync(db, index, normalized, TextSimilarity.DuplicateThreshold, 10, ct, includeRetracted, since);
    }

    public static AlreadyExistsException DuplicateOf(IReadOnlyList<SimilarClaims.Match> similar, string hint = "set allow_duplicate to record it anyway.")
    {
        var names = similar.Select(m => ResourceNames.Claim(m.Id)).ToList();
        return new AlreadyExistsException(
            "NEAR_DUPLICATE_CLAIM",
            $"The claim nearly duplicates {string.Join(", ", names)} (similarity {similar[0].Similarity:0.00} ≥ {TextSimilarity.DuplicateThreshold:0.00}); " +
            hint,
            names)
        {
            Metadata = new Dictionary<string, string>
            {
                ["similar_claims"] = string.Join(",", names),
                ["best_similarity"] = similar[0].Similarity.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture),
            },
        };
    }

    /// <summary>The display claimant: as given, else the structured claimants' names joined by "; " (within the length limit).</summary>
    public static string DisplayClaimant(string claimant, IReadOnlyList<Party> claimants)
    {
        if (!string.IsNullOrWhiteSpace(claimant) || claimants.Count == 0)
        {
            return claimant.Trim();
        }

        var joined = string.Join("; ", claimants.Select(p => p.Name.Trim()).Where(n => n.Length > 0).Distinct(StringComparer.Ordinal));
        return joined.Length <= ClaimRules.MaxClaimantLength ? joined : joined[..(ClaimRules.MaxClaimantLength - 1)] + "…";
    }

    /// <returns>The new claim's id. The claim is UNVERIFIED, with its CREATED event, and indexed for near-duplicate detection.</returns>
    public static async Task<string> InsertAsync(DbSession db, INearDuplicateCandidates index, NewClaim c, string actor, string now, CancellationToken ct)
    {
        var id = ResourceNames.NewId();
        var text = c.Text.Trim();
        var normalized = TextSimilarity.Normalize(text);
        var seq = await db.ExecuteScalarAsync<long>(InsertSql, new
        {
            Id = id,
            Text = text,
            NormalizedText = normalized,
            Claimant = DisplayClaimant(c.Claimant, c.Claimants),
            ClaimTime = c.ClaimTime is { } t ? DbTime.ToDb(t) : null,
            LanguageCode = LanguageTags.Canonicalize(c.LanguageCode),
            c.ReviewIntervalSeconds,
            Now = now,
            Claimants = PublishedReviews.PartiesJson(c.Claimants),
            LanguageOrigin = DbEnum.ToDbOrNull(c.LanguageOrigin),
        }, ct);
        await index.AddAsync(db, seq, normalized, ct);
        foreach (var topic in ClaimRules.NormalizeTopics(c.Topics))
        {
            await db.ExecuteAsync(InsertTopicSql, new { Seq = seq, Topic = topic }, ct);
        }

        await ClaimTimeline.AppendAsync(db, new ClaimTimeline.Entry(id, ClaimEvent.Types.Type.Created, actor, now, ToStatus: ClaimStatus.Unverified), ct);
        return id;
    }
}
