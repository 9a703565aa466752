using System.Text.Json;
using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Features.Ledger;
using ClaimLedger.Server.Features.Sources;
using ClaimLedger.Server.Infrastructure.Data;
using ClaimLedger.Server.Infrastructure.Ledger;
using ClaimLedger.Server.Infrastructure.Messaging;
using ClaimLedger.Server.Infrastructure.Security;
using MediatR;

namespace ClaimLedger.Server.Features.Staleness;

/// <summary>
/// Records one fetch of a source and classifies it: BROKEN after N failures in a row (FAILING before that), CHANGED when
/// the content hash differs from one recorded when evidence was attached (or from the source's own recorded hash), MOVED
/// when redirects ended at another URL, else OK.
/// </summary>
public static class RecordSourceCheck
{
    public sealed record Fetch(int? HttpStatus, string FinalUrl, IReadOnlyList<string> Redirects, string? ContentSha256, string? Error, long ElapsedMs);

    [Requires(Permission.Administer)]
    public sealed record Command(string SourceId, string RunId, Fetch Result, int BrokenAfterFailures) : ICommand<Source>
    {
        public LedgerRecord Ledger(Source result)
        {
            var record = LedgerPayloads.ForSource("source.checked", result);
            record.Changes["run"] = RunId.Length > 0 ? StalenessRuns.Name(RunId) : "";
            return record;
        }
    }

    internal sealed class Handler(DbSession db, TimeProvider clock) : IRequestHandler<Command, Source>
    {
        private const string ChangedSql = """
            SELECT count(*) FROM evidence e
            WHERE e.source_id = @SourceId AND e.remove_time IS NULL AND e.source_content_sha256 IS NOT NULL AND e.source_content_sha256 <> @Sha
            """;

        public async Task<Source> Handle(Command c, CancellationToken ct)
        {
            var source = await SourceReads.RowAsync(db, c.SourceId, ct);
            var r = c.Result;
            var succeeded = r.Error is null && r.HttpStatus is >= 200 and < 300 && r.ContentSha256 is not null;
            string health;
            long failures;
            if (!succeeded)
            {
                failures = source.ConsecutiveFailures + 1;
                health = failures >= c.BrokenAfterFailures ? "BROKEN" : "FAILING";
            }
            else
            {
                failures = 0;
                var changed = (source.ContentSha256 is { } recorded && recorded != r.ContentSha256)
                    || await db.ExecuteScalarAsync<long>(ChangedSql, new { c.SourceId, Sha = r.ContentSha256 }, ct) > 0;
                var moved = UrlCanonicalizer.TryCanonicalize(r.FinalUrl, out var final, out _) && final != source.CanonicalUrl;
                health = changed ? "CHANGED" : moved ? "MOVED" : "OK";
            }

            var now = DbTime.ToDb(clock.GetUtcNow());
            await db.ExecuteAsync("""
                UPDATE sources SET health = @Health, last_check_time = @Now, last_http_status = @Status, final_url = @FinalUrl,
                       last_content_sha256 = coalesce(@Sha, last_content_sha256), consecutive_failures = @Failures
                WHERE id = @Id
                """, new { Id = c.SourceId, Health = health, Now = now, Status = r.HttpStatus, FinalUrl = r.FinalUrl, Sha = r.ContentSha256, Failures = failures }, ct);
            await db.ExecuteAsync("""
                INSERT INTO source_checks (source_id, run_id, check_time, http_status, final_url, redirects, content_sha256, outcome, error, elapsed_ms)
                VALUES (@SourceId, @RunId, @Now, @Status, @FinalUrl, @Redirects, @Sha, @Outcome, @Error, @Elapsed)
                """, new
            {
                c.SourceId,
                RunId = c.RunId.Length > 0 ? c.RunId : null,
                Now = now,
                Status = r.HttpStatus,
                r.FinalUrl,
                Redirects = JsonSerializer.Serialize(r.Redirects),
                Sha = r.ContentSha256,
                Outcome = health,
                r.Error,
                Elapsed = r.ElapsedMs,
            }, ct);
            return (await SourceReads.RowAsync(db, c.SourceId, ct)).ToSource();
        }
    }
}

/// <summary>Flags an UNVERIFIED claim that has had no evidence for longer than the policy allows.</summary>
public static class FlagUnsourced
{
    [Requires(Permission.Administer)]
    public sealed record Command(string ClaimId, string RunId) : ICommand<Claim>
    {
        public LedgerRecord Ledger(Claim result) => LedgerPayloads.ForClaim("claim.flagged_unsourced", result,
            new System.Text.Json.Nodes.JsonObject { ["run"] = StalenessRuns.Name(RunId), ["unsourced_since"] = DbTime.ToDb(result.UnsourcedSince.ToDateTimeOffset()) });
    }

    internal sealed class Handler(DbSession db, TimeProvider clock, ICurrentActor actor) : IRequestHandler<Command, Claim>
    {
        public async Task<Claim> Handle(Command c, CancellationToken ct)
        {
            var now = DbTime.ToDb(clock.GetUtcNow());
            var flagged = await db.ExecuteAsync("""
                UPDATE claims SET unsourced_since = @Now
                WHERE id = @Id AND status = 'UNVERIFIED' AND unsourced_since IS NULL
                  AND NOT EXISTS (SELECT 1 FROM evidence e WHERE e.claim_id = claims.id AND e.remove_time IS NULL)
                """, new { Id = c.ClaimId, Now = now }, ct);
            if (flagged == 0)
            {
                throw new FailedPreconditionException("NOT_UNSOURCED", $"{ResourceNames.Claim(c.ClaimId)} is no longer an unflagged unsourced claim.",
                    ResourceNames.Claim(c.ClaimId));
            }

            await History.ClaimTimeline.AppendAsync(db, new History.ClaimTimeline.Entry(c.ClaimId, ClaimEvent.Types.Type.FlaggedUnsourced, actor.Name, now,
                Detail: "no evidence since the claim was recorded"), ct);
            return await Claims.ClaimReads.LoadAsync(db, c.ClaimId, ct);
        }
    }
}
