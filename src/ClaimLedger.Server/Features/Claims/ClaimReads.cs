using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Infrastructure.Data;
using Google.Protobuf.WellKnownTypes;

namespace ClaimLedger.Server.Features.Claims;

/// <summary>A claims row as stored.</summary>
internal sealed record ClaimRow
{
    public long Seq { get; init; }
    public string Id { get; init; } = "";
    public string Text { get; init; } = "";
    public string Claimant { get; init; } = "";
    public string? ClaimTime { get; init; }
    public string LanguageCode { get; init; } = "";
    public string Status { get; init; } = "";
    public string? VerdictId { get; init; }
    public long? ReviewIntervalSeconds { get; init; }
    public string? RetractionReason { get; init; }
    public string? RetractionNote { get; init; }
    public string? RetractionDuplicateOf { get; init; }
    public string? RetractionActor { get; init; }
    public string? RetractTime { get; init; }
    public string CreateTime { get; init; } = "";
    public string UpdateTime { get; init; } = "";
    public long Revision { get; init; }
    public string? UnsourcedSince { get; init; }
    public long EffectiveReviewIntervalSeconds { get; init; }
    public string? Claimants { get; init; }
    public string? LanguageOrigin { get; init; }

    /// <summary>The claim's topics joined by <see cref="ClaimReads.TopicSeparator"/>, when the query read them with the row.</summary>
    public string? TopicList { get; init; }

    public string Name => ResourceNames.Claim(Id);
    public ClaimStatus StatusValue => DbEnum.Parse<ClaimStatus>(Status);
}

internal sealed class VerdictRow
{
    public string Id { get; init; } = "";
    public string ClaimId { get; init; } = "";
    public string Rating { get; init; } = "";
    public double? Score { get; init; }
    public string Rationale { get; init; } = "";
    public string Reviewer { get; init; } = "";
    public string CreateTime { get; init; } = "";
    public string OriginalRating { get; init; } = "";
    public string? ReviewId { get; init; }
}

/// <summary>Reads claims into their API shape: the row, its topics and its current verdict, in three batched queries.</summary>
internal static class ClaimReads
{
    public const string Columns = $"""
        c.seq, c.id, c.text, c.claimant, c.claim_time, c.language_code, c.status, c.verdict_id,
        c.review_interval_seconds, c.retraction_reason, c.retraction_note, c.retraction_duplicate_of,
        c.retraction_actor, c.retract_time, c.create_time, c.update_time, c.revision, c.unsourced_since, c.claimants, c.language_origin,
        {Staleness.ReviewPolicyReads.EffectiveIntervalSql} AS effective_review_interval_seconds
        """;

    private const string ByIdSql = $"SELECT {Columns} FROM claims c WHERE c.id = @Id";

    /// <summary>Joins topics in one column (a topic has no control characters: ClaimRules.Topics).</summary>
    public const string TopicSeparator = "\u001f";

    // One statement for a claim and its topics (string_agg … ORDER BY: SQLite 3.44+ and PostgreSQL alike).
    private const string ByIdWithTopicsSql = $"""
        SELECT {Columns},
               (SELECT string_agg(tp.topic, @TopicSeparator ORDER BY tp.topic) FROM claim_topics tp WHERE tp.claim_seq = c.seq) AS topic_list
        FROM claims c WHERE c.id = @Id
        """;

    private static string TopicsSql(DbSession db) =>
        $"SELECT claim_seq AS ClaimSeq, topic AS Topic FROM claim_topics WHERE {db.InList("claim_seq", "@Seqs")} ORDER BY topic";

    private static string VerdictsSql(DbSession db) => $"""
        SELECT id, claim_id, rating, score, rationale, reviewer, create_time, original_rating, review_id
        FROM verdicts WHERE {db.InList("id", "@Ids")}
        """;

    private static string VerdictEvidenceSql(DbSession db) => $"""
        SELECT verdict_id AS VerdictId, evidence_id AS EvidenceId
        FROM verdict_evidence WHERE {db.InList("verdict_id", "@Ids")} ORDER BY evidence_id
        """;

    /// <summary>The row, or NOT_FOUND.</summary>
    public static async Task<ClaimRow> RowAsync(DbSession db, string claimId, CancellationToken ct) =>
        await db.QuerySingleOrDefaultAsync<ClaimRow>(ByIdSql, new { Id = claimId }, ct)
        ?? throw new NotFoundException(ResourceNames.Claim(claimId));

    /// <summary>The rows of those of <paramref name="claimIds"/> that exist, in no particular order.</summary>
    public static async Task<IReadOnlyList<ClaimRow>> RowsAsync(DbSession db, IReadOnlyCollection<string> claimIds, CancellationToken ct) =>
        claimIds.Count == 0 ? [] : await db.QueryAsync<ClaimRow>($"SELECT {Columns} FROM claims c WHERE {db.InList("c.id", "@Ids")}", new { Ids = claimIds.ToArray() }, ct);

    /// <summary>A claim in its API shape: one statement for the row and its topics, more only for a verdict.</summary>
    public static async Task<Claim> LoadAsync(DbSession db, string claimId, CancellationToken ct)
    {
        var row = await db.QuerySingleOrDefaultAsync<ClaimRow>(ByIdWithTopicsSql, new { Id = claimId, TopicSeparator }, ct)
            ?? throw new NotFoundException(ResourceNames.Claim(claimId));
        var topics = (row.TopicList ?? "").Split(TopicSeparator[0], StringSplitOptions.RemoveEmptyEntries).ToLookup(_ => row.Seq);
        return (await ToClaimsAsync(db, [row], topics, ct))[0];
    }

    public static async Task<IReadOnlyList<Claim>> ToClaimsAsync(DbSession db, IReadOnlyList<ClaimRow> rows, CancellationToken ct)
    {
        if (rows.Count == 0)
        {
            return [];
        }

        var topics = (await db.QueryAsync<(long ClaimSeq, string Topic)>(TopicsSql(db), new { Seqs = rows.Select(r => r.Seq).ToArray() }, ct))
            .ToLookup(t => t.ClaimSeq, t => t.Topic);
        return await ToClaimsAsync(db, rows, topics, ct);
    }

    private static async Task<IReadOnlyList<Claim>> ToClaimsAsync(DbSession db, IReadOnlyList<ClaimRow> rows, ILookup<long, string> topics, CancellationToken ct)
    {
        var verdictIds = rows.Where(r => r.VerdictId is not null).Select(r => r.VerdictId!).ToArray();
        var verdicts = await VerdictsAsync(db, verdictIds, ct);
        return ToClaims(rows, topics, verdicts);
    }

    /// <summary>
    /// The claims of <paramref name="rows"/> with their topics (by claim seq, in topic order) and current verdicts
    /// (<paramref name="verdicts"/> may hold more), loaded by the caller — e.g. for a whole range of claims at once.
    /// </summary>
    public static IReadOnlyList<Claim> ToClaims(IReadOnlyList<ClaimRow> rows, ILookup<long, string> topics, IReadOnlyDictionary<string, Verdict> verdicts) =>
        rows.Select(r =>
        {
            var claim = ToClaim(r);
            claim.Topics.AddRange(topics[r.Seq]);
            if (r.VerdictId is not null && verdicts.TryGetValue(r.VerdictId, out var verdict))
            {
                claim.Verdict = verdict;
                claim.ReviewDueTime = Timestamp.FromDateTimeOffset(verdict.CreateTime.ToDateTimeOffset().AddSeconds(r.EffectiveReviewIntervalSeconds));
            }

            return claim;
        }).ToList();

    /// <summary>
    /// Every verdict of the claims whose id lies in (<paramref name="after"/>, <paramref name="last"/>] (no upper bound
    /// when <paramref name="last"/> is null), by verdict id: two range scans instead of lists of ids.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, Verdict>> VerdictsOfClaimRangeAsync(DbSession db, string after, string? last, CancellationToken ct)
    {
        var where = last is null ? "v.claim_id > @After" : "v.claim_id > @After AND v.claim_id <= @Last";
        var range = new { After = after, Last = last ?? "" };
        var rows = await db.QueryAsync<VerdictRow>($"""
            SELECT v.id, v.claim_id, v.rating, v.score, v.rationale, v.reviewer, v.create_time, v.original_rating, v.review_id
            FROM verdicts v WHERE {where}
            """, range, ct);
        var evidence = (await db.QueryAsync<(string VerdictId, string EvidenceId)>($"""
                SELECT ve.verdict_id AS VerdictId, ve.evidence_id AS EvidenceId
                FROM verdict_evidence ve JOIN verdicts v ON v.id = ve.verdict_id WHERE {where} ORDER BY ve.evidence_id
                """, range, ct))
            .ToLookup(e => e.VerdictId, e => e.EvidenceId);
        return await ToVerdictsAsync(db, rows, evidence, ct);
    }

    public static async Task<IReadOnlyDictionary<string, Verdict>> VerdictsAsync(DbSession db, IReadOnlyCollection<string> verdictIds, CancellationToken ct)
    {
        if (verdictIds.Count == 0)
        {
            return new Dictionary<string, Verdict>();
        }

        var ids = verdictIds.Distinct().ToArray();
        var rows = await db.QueryAsync<VerdictRow>(VerdictsSql(db), new { Ids = ids }, ct);
        var evidence = (await db.QueryAsync<(string VerdictId, string EvidenceId)>(VerdictEvidenceSql(db), new { Ids = ids }, ct))
            .ToLookup(e => e.VerdictId, e => e.EvidenceId);
        return await ToVerdictsAsync(db, rows, evidence, ct);
    }

    private static async Task<IReadOnlyDictionary<string, Verdict>> ToVerdictsAsync(DbSession db, IReadOnlyList<VerdictRow> rows, ILookup<string, string> evidence,
        CancellationToken ct)
    {
        var reviews = await Reviews.PublishedReviews.LoadAsync(db, rows.Select(r => r.ReviewId), ct);
        return rows.ToDictionary(v => v.Id, v =>
        {
            var verdict = new Verdict
            {
                Name = ResourceNames.Verdict(v.ClaimId, v.Id),
                Rating = DbEnum.Parse<Rating>(v.Rating),
                Rationale = v.Rationale,
                Reviewer = v.Reviewer,
                CreateTime = DbTime.ToTimestamp(v.CreateTime),
                OriginalRating = v.OriginalRating,
                PublishedReview = v.ReviewId is null ? null : reviews[v.ReviewId],
            };
            if (v.Score is { } score)
            {
                verdict.Score = score;
            }

            verdict.Evidence.AddRange(evidence[v.Id].Select(e => ResourceNames.Evidence(v.ClaimId, e)));
            return verdict;
        });
    }

    private static Claim ToClaim(ClaimRow r)
    {
        var claim = new Claim
        {
            Name = r.Name,
            Text = r.Text,
            Claimant = r.Claimant,
            ClaimTime = DbTime.ToTimestamp(r.ClaimTime),
            LanguageCode = r.LanguageCode,
            Status = r.StatusValue,
            CreateTime = DbTime.ToTimestamp(r.CreateTime),
            UpdateTime = DbTime.ToTimestamp(r.UpdateTime),
            Etag = Etags.For(r.Revision),
            UnsourcedSince = DbTime.ToTimestamp(r.UnsourcedSince),
            LanguageOrigin = DbEnum.Parse<LanguageOrigin>(r.LanguageOrigin),
        };
        claim.Claimants.AddRange(Reviews.PublishedReviews.ParseParties(r.Claimants));
        if (r.ReviewIntervalSeconds is { } seconds)
        {
            claim.ReviewInterval = Duration.FromTimeSpan(TimeSpan.FromSeconds(seconds));
        }

        if (r.RetractionReason is not null)
        {
            claim.Retraction = new Retraction
            {
                Reason = DbEnum.Parse<RetractionReason>(r.RetractionReason),
                Note = r.RetractionNote ?? "",
                DuplicateOf = r.RetractionDuplicateOf ?? "",
                Actor = r.RetractionActor ?? "",
                RetractTime = DbTime.ToTimestamp(r.RetractTime),
            };
        }

        return claim;
    }
}
