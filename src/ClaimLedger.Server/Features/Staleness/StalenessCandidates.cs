using ClaimLedger.Server.Infrastructure.Data;
using ClaimLedger.Server.Infrastructure.Messaging;
using ClaimLedger.Server.Infrastructure.Security;
using MediatR;

namespace ClaimLedger.Server.Features.Staleness;

/// <summary>What each check looks at. The dialect turns stored times into seconds for comparison (ADR 5).</summary>
public static class StalenessCandidates
{
    // Classes, not positional records: Dapper matches constructors by column type, and SQLite reports no type for
    // computed columns.
    public sealed class ExpiredVerdict
    {
        public string ClaimId { get; init; } = "";
        public string VerdictTime { get; init; } = "";
        public long IntervalSeconds { get; init; }
    }

    public sealed record SourceToCheck(string Id, string Url);

    public sealed record RestingEvidence(string ClaimId, string EvidenceId, string? AttachedSha256);

    public sealed class Counts
    {
        public long Verified { get; init; }
        public long Unverified { get; init; }
    }

    /// <summary>VERIFIED claims whose review is due at or before now.</summary>
    [Requires(Permission.Read)]
    public sealed record ExpiredVerdicts(DateTimeOffset Now) : IQuery<IReadOnlyList<ExpiredVerdict>>;

    /// <summary>Every source with a URL, oldest first.</summary>
    [Requires(Permission.Read)]
    public sealed record SourcesToCheck : IQuery<IReadOnlyList<SourceToCheck>>;

    /// <summary>The evidence of a source that current verdicts of VERIFIED claims rest on.</summary>
    [Requires(Permission.Read)]
    public sealed record RestingOn(string SourceId) : IQuery<IReadOnlyList<RestingEvidence>>;

    /// <summary>UNVERIFIED, unflagged claims with no evidence, older than the policy's unsourced_after.</summary>
    [Requires(Permission.Read)]
    public sealed record Unsourced(DateTimeOffset Now) : IQuery<IReadOnlyList<string>>;

    [Requires(Permission.Read)]
    public sealed record ClaimCounts : IQuery<Counts>;

    internal sealed class Handlers(DbSession db, ISqlDialect dialect) :
        IRequestHandler<ExpiredVerdicts, IReadOnlyList<ExpiredVerdict>>,
        IRequestHandler<SourcesToCheck, IReadOnlyList<SourceToCheck>>,
        IRequestHandler<RestingOn, IReadOnlyList<RestingEvidence>>,
        IRequestHandler<Unsourced, IReadOnlyList<string>>,
        IRequestHandler<ClaimCounts, Counts>
    {
        public Task<IReadOnlyList<ExpiredVerdict>> Handle(ExpiredVerdicts q, CancellationToken ct) =>
            db.QueryAsync<ExpiredVerdict>($"""
                SELECT x.id AS ClaimId, x.verdict_time AS VerdictTime, x.interval AS IntervalSeconds FROM (
                    SELECT c.id, v.create_time AS verdict_time, {ReviewPolicyReads.EffectiveIntervalSql} AS interval
                    FROM claims c JOIN verdicts v ON v.id = c.verdict_id
                    WHERE c.status = 'VERIFIED'
                ) x
                WHERE {dialect.EpochSeconds("x.verdict_time")} + x.interval <= {dialect.EpochSeconds("@Now")}
                ORDER BY x.verdict_time
                """, new { Now = DbTime.ToDb(q.Now) }, ct);

        public Task<IReadOnlyList<SourceToCheck>> Handle(SourcesToCheck q, CancellationToken ct) =>
            db.QueryAsync<SourceToCheck>("SELECT id AS Id, url AS Url FROM sources WHERE url IS NOT NULL ORDER BY seq", null, ct);

        public Task<IReadOnlyList<RestingEvidence>> Handle(RestingOn q, CancellationToken ct) =>
            db.QueryAsync<RestingEvidence>("""
                SELECT c.id AS ClaimId, e.id AS EvidenceId, e.source_content_sha256 AS AttachedSha256
                FROM claims c
                JOIN verdict_evidence ve ON ve.verdict_id = c.verdict_id
                JOIN evidence e ON e.id = ve.evidence_id
                WHERE c.status = 'VERIFIED' AND e.source_id = @SourceId
                ORDER BY c.seq, e.seq
                """, new { q.SourceId }, ct);

        public Task<IReadOnlyList<string>> Handle(Unsourced q, CancellationToken ct) =>
            db.QueryAsync<string>($"""
                SELECT c.id FROM claims c
                WHERE c.status = 'UNVERIFIED' AND c.unsourced_since IS NULL
                  AND {dialect.EpochSeconds("c.create_time")} + (SELECT p.unsourced_after_seconds FROM review_policy p WHERE p.id = 1)
                      <= {dialect.EpochSeconds("@Now")}
                  AND NOT EXISTS (SELECT 1 FROM evidence e WHERE e.claim_id = c.id AND e.remove_time IS NULL)
                ORDER BY c.seq
                """, new { Now = DbTime.ToDb(q.Now) }, ct);

        public async Task<Counts> Handle(ClaimCounts q, CancellationToken ct) =>
            (await db.QuerySingleOrDefaultAsync<Counts>("""
                SELECT coalesce(sum(CASE WHEN status = 'VERIFIED' THEN 1 ELSE 0 END), 0) AS Verified,
                       coalesce(sum(CASE WHEN status = 'UNVERIFIED' THEN 1 ELSE 0 END), 0) AS Unverified
                FROM claims
                """, null, ct))!;
    }
}
