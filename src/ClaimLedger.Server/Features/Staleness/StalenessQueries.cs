using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Features.Claims;
using ClaimLedger.Server.Infrastructure.Data;
using ClaimLedger.Server.Infrastructure.Messaging;
using ClaimLedger.Server.Infrastructure.Security;
using FluentValidation;
using MediatR;

namespace ClaimLedger.Server.Features.Staleness;

public static class GetStalenessRun
{
    [Requires(Permission.Read)]
    public sealed record Query(string Name) : IQuery<StalenessRun>;

    public sealed class Validator : AbstractValidator<Query>
    {
        public Validator() => RuleFor(q => q.Name).Must(n => StalenessRuns.TryParse(n, out _)).OverridePropertyName("name")
            .WithMessage("must be a run name, stalenessRuns/{run}");
    }

    internal sealed class Handler(DbSession db) : IRequestHandler<Query, StalenessRun>
    {
        public async Task<StalenessRun> Handle(Query query, CancellationToken ct)
        {
            StalenessRuns.TryParse(query.Name, out var id);
            return (await StalenessRuns.RowAsync(db, id, ct)).ToRun();
        }
    }
}

public static class ListStalenessRuns
{
    [Requires(Permission.Read)]
    public sealed record Query(int PageSize, string PageToken) : IQuery<ListStalenessRunsResponse>;

    public sealed class Validator : AbstractValidator<Query>
    {
        public Validator() => RuleFor(q => q.PageSize).GreaterThanOrEqualTo(0).OverridePropertyName("page_size");
    }

    internal sealed class Handler(DbSession db) : IRequestHandler<Query, ListStalenessRunsResponse>
    {
        public async Task<ListStalenessRunsResponse> Handle(Query query, CancellationToken ct)
        {
            var fingerprint = PageTokens.Fingerprint("runs");
            var before = PageTokens.Decode(query.PageToken, fingerprint)?.Seq ?? long.MaxValue;
            var size = PageTokens.Size(query.PageSize);
            var rows = await db.QueryAsync<RunRow>(
                $"SELECT {RunRow.Columns} FROM staleness_runs WHERE seq < @Before ORDER BY seq DESC LIMIT @Limit", new { Before = before, Limit = size + 1 }, ct);
            var response = new ListStalenessRunsResponse();
            response.Runs.AddRange(rows.Take(size).Select(r => r.ToRun()));
            if (rows.Count > size)
            {
                response.NextPageToken = PageTokens.Encode(new PageTokens.Position(null, rows[size - 1].Seq), fingerprint);
            }

            return response;
        }
    }
}

/// <summary>Claims that are STALE now, most recently stale first, with the findings of the time they went stale.</summary>
public static class ListStaleClaims
{
    [Requires(Permission.Read)]
    public sealed record Query(int PageSize, string PageToken, StaleReason Reason) : IQuery<ListStaleClaimsResponse>;

    public sealed class Validator : AbstractValidator<Query>
    {
        public Validator()
        {
            RuleFor(q => q.PageSize).GreaterThanOrEqualTo(0).OverridePropertyName("page_size");
            RuleFor(q => q.Reason).Must(Enum.IsDefined).OverridePropertyName("reason").WithMessage("must be a defined reason");
        }
    }

    private sealed class FindingRow
    {
        public string ClaimId { get; init; } = "";
        public string? RunId { get; init; }
        public string Reason { get; init; } = "";
        public string? SourceId { get; init; }
        public string? EvidenceId { get; init; }
        public string Detail { get; init; } = "";
        public string Time { get; init; } = "";
    }

    internal sealed class Handler(DbSession db) : IRequestHandler<Query, ListStaleClaimsResponse>
    {
        // The findings that belong to the claim's current stale spell: those recorded at or after its last MARKED_STALE event.
        private const string StaleSince = """
            (SELECT max(e.time) FROM claim_events e WHERE e.claim_id = c.id AND e.type = 'MARKED_STALE')
            """;

        public async Task<ListStaleClaimsResponse> Handle(Query query, CancellationToken ct)
        {
            var reason = DbEnum.ToDbOrNull(query.Reason);
            var fingerprint = PageTokens.Fingerprint("stale", reason);
            var after = PageTokens.Decode(query.PageToken, fingerprint);
            var size = PageTokens.Size(query.PageSize);
            var rows = await db.QueryAsync<ClaimRow>($"""
                SELECT {ClaimReads.Columns} FROM claims c
                WHERE c.status = 'STALE'
                  AND (@Reason IS NULL OR EXISTS (SELECT 1 FROM stale_findings f WHERE f.claim_id = c.id AND f.reason = @Reason AND f.time >= {StaleSince}))
                  AND (@After IS NULL OR c.update_time < @After OR (c.update_time = @After AND c.seq < @AfterSeq))
                ORDER BY c.update_time DESC, c.seq DESC
                LIMIT @Limit
                """, new { Reason = reason, After = after?.After, AfterSeq = after?.Seq ?? 0, Limit = size + 1 }, ct);
            var page = rows.Take(size).ToList();
            var claims = await ClaimReads.ToClaimsAsync(db, page, ct);
            var findings = (await db.QueryAsync<FindingRow>($"""
                SELECT f.claim_id AS ClaimId, f.run_id AS RunId, f.reason AS Reason, f.source_id AS SourceId, f.evidence_id AS EvidenceId,
                       f.detail AS Detail, f.time AS Time
                FROM stale_findings f JOIN claims c ON c.id = f.claim_id
                WHERE {db.InList("f.claim_id", "@Ids")} AND f.time >= {StaleSince}
                ORDER BY f.seq
                """, new { Ids = page.Select(r => r.Id).ToArray() }, ct)).ToLookup(f => f.ClaimId);

            var response = new ListStaleClaimsResponse();
            for (var i = 0; i < page.Count; i++)
            {
                var stale = new StaleClaim { Claim = claims[i] };
                stale.Findings.AddRange(findings[page[i].Id].Select(f => new StaleFinding
                {
                    Reason = DbEnum.Parse<StaleReason>(f.Reason),
                    Run = f.RunId is null ? "" : StalenessRuns.Name(f.RunId),
                    Time = DbTime.ToTimestamp(f.Time),
                    Source = f.SourceId is null ? "" : ResourceNames.Source(f.SourceId),
                    Evidence = f.EvidenceId is null ? "" : ResourceNames.Evidence(f.ClaimId, f.EvidenceId),
                    Detail = f.Detail,
                }));
                response.StaleClaims.Add(stale);
            }

            if (rows.Count > size)
            {
                response.NextPageToken = PageTokens.Encode(new PageTokens.Position(page[^1].UpdateTime, page[^1].Seq), fingerprint);
            }

            return response;
        }
    }
}
