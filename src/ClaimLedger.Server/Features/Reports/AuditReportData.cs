using System.Runtime.CompilerServices;
using ClaimLedger.Server.Infrastructure.Data;

namespace ClaimLedger.Server.Features.Reports;

/// <summary>
/// The audit report's figures, each one SQL aggregate over the period (the dialect's date arithmetic for durations),
/// and the timelines as an unbuffered scan, so memory stays flat however long the ledger is.
/// </summary>
internal sealed class AuditReportData(DbSession db, ISqlDialect dialect)
{
    // The report's claim filter, on alias c: only the filters given, so a one-claim report finds its claim by id
    // instead of being planned as a walk of every claim (a catch-all "@ClaimId = '' OR c.id = @ClaimId" is planned
    // before its value is known).
    private static string ClaimFilter(Period p) =>
        (!string.IsNullOrEmpty(p.Topic) ? "EXISTS (SELECT 1 FROM claim_topics t WHERE t.claim_seq = c.seq AND t.topic = @Topic)" : "1 = 1") +
        (!string.IsNullOrEmpty(p.ClaimId) ? " AND c.id = @ClaimId" : "");

    /// <param name="LastSequence">Only ledger entries up to this sequence (a report as of a checkpoint).</param>
    public sealed record Period(string Start, string End, string Topic, string ClaimId, long LastSequence = long.MaxValue);

    public async Task<long> ClaimsRecordedAsync(Period p, CancellationToken ct) =>
        await db.ExecuteScalarAsync<long>($"SELECT count(*) FROM claims c WHERE c.create_time >= @Start AND c.create_time < @End AND {ClaimFilter(p)}", p, ct);

    public async Task<IReadOnlyList<(string, long)>> VerdictsByRatingAsync(Period p, CancellationToken ct) =>
        await db.QueryAsync<(string, long)>($"""
            SELECT v.rating, count(*) FROM verdicts v JOIN claims c ON c.id = v.claim_id
            WHERE v.create_time >= @Start AND v.create_time < @End AND {ClaimFilter(p)}
            GROUP BY v.rating ORDER BY v.rating
            """, p, ct);

    /// <summary>Verdicts in the period that replaced an earlier verdict, and how many of those changed the rating.</summary>
    public async Task<(long Changes, long Overturned)> VerdictChangesAsync(Period p, CancellationToken ct)
    {
        var row = await db.QuerySingleOrDefaultAsync<(long, long?)>($"""
            SELECT count(*), sum(CASE WHEN x.previous <> x.rating THEN 1 ELSE 0 END) FROM (
                SELECT v.rating,
                       (SELECT pv.rating FROM verdicts pv WHERE pv.claim_id = v.claim_id AND pv.seq < v.seq ORDER BY pv.seq DESC LIMIT 1) AS previous
                FROM verdicts v JOIN claims c ON c.id = v.claim_id
                WHERE v.create_time >= @Start AND v.create_time < @End AND {ClaimFilter(p)}
            ) x WHERE x.previous IS NOT NULL
            """, p, ct);
        return (row.Item1, row.Item2 ?? 0);
    }

    public async Task<IReadOnlyList<(string, long)>> RetractionsByReasonAsync(Period p, CancellationToken ct) =>
        await db.QueryAsync<(string, long)>($"""
            SELECT c.retraction_reason, count(*) FROM claims c
            WHERE c.retract_time >= @Start AND c.retract_time < @End AND {ClaimFilter(p)}
            GROUP BY c.retraction_reason ORDER BY c.retraction_reason
            """, p, ct);

    /// <summary>Claims marked STALE in the period, and how many of them received a new verdict afterwards within it.</summary>
    public async Task<(long Stale, long Reverified)> StaleAsync(Period p, CancellationToken ct)
    {
        var row = await db.QuerySingleOrDefaultAsync<(long, long?)>($"""
            SELECT count(*), sum(x.reverified) FROM (
                SELECT s.claim_id,
                       max(CASE WHEN EXISTS (SELECT 1 FROM claim_events v WHERE v.claim_id = s.claim_id AND v.type = 'VERDICT_SUBMITTED'
                                   AND v.sequence > s.sequence AND v.time < @End) THEN 1 ELSE 0 END) AS reverified
                FROM claim_events s JOIN claims c ON c.id = s.claim_id
                WHERE s.type = 'MARKED_STALE' AND s.time >= @Start AND s.time < @End AND {ClaimFilter(p)}
                GROUP BY s.claim_id
            ) x
            """, p, ct);
        return (row.Item1, row.Item2 ?? 0);
    }

    /// <summary>For claims whose first verdict falls in the period: how many, and the median seconds from creation to it.</summary>
    public async Task<(long Count, double? Median)> TimeToFirstVerdictAsync(Period p, CancellationToken ct)
    {
        var firsts = $"""
            SELECT {dialect.EpochSeconds("min(v.create_time)")} - {dialect.EpochSeconds("c.create_time")} AS seconds
            FROM claims c JOIN verdicts v ON v.claim_id = c.id
            WHERE {ClaimFilter(p)}
            GROUP BY c.id, c.create_time
            HAVING min(v.create_time) >= @Start AND min(v.create_time) < @End
            """;
        var count = await db.ExecuteScalarAsync<long>($"SELECT count(*) FROM ({firsts}) f", p, ct);
        if (count == 0)
        {
            return (0, null);
        }

        var middle = await db.QueryAsync<double>(
            $"SELECT seconds FROM ({firsts}) f ORDER BY seconds LIMIT @Take OFFSET @Skip",
            new { p.Start, p.End, p.Topic, p.ClaimId, Take = count % 2 == 0 ? 2 : 1, Skip = (count - 1) / 2 }, ct);
        return (count, middle.Average());
    }

    public async Task<IReadOnlyList<(string, string, long)>> ActivityAsync(Period p, CancellationToken ct) =>
        await db.QueryAsync<(string, string, long)>($"""
            SELECT l.actor, l.action, count(*) FROM ledger_entries l
            WHERE l.time >= @Start AND l.time < @End AND l.sequence <= @LastSequence
              AND ((@Topic = '' AND @ClaimId = '') OR EXISTS (
                    SELECT 1 FROM claims c
                    WHERE (l.subject = 'claims/' || c.id OR l.subject LIKE 'claims/' || c.id || '/%') AND {ClaimFilter(p)}))
            GROUP BY l.actor, l.action ORDER BY l.actor, l.action
            """, p, ct);

    /// <summary>
    /// Claims per status at the end of each chart bucket (see <see cref="ChartTimeAxis"/>): the state at the start (each claim's last status change before it),
    /// then the period's status changes applied in time order. Memory: one counter per status.
    /// </summary>
    public async Task<StatusSeries> StatusSeriesAsync(Period p, DateTimeOffset start, DateTimeOffset end, CancellationToken ct)
    {
        string[] statuses = ["UNVERIFIED", "IN_REVIEW", "VERIFIED", "STALE", "RETRACTED"];
        var counts = new long[statuses.Length];
        foreach (var (status, count) in await db.QueryAsync<(string, long)>($"""
            SELECT e.to_status, count(*) FROM claim_events e JOIN claims c ON c.id = e.claim_id
            WHERE {ClaimFilter(p)} AND e.to_status IS NOT NULL AND e.time < @Start
              AND e.sequence = (SELECT max(e2.sequence) FROM claim_events e2
                                WHERE e2.claim_id = e.claim_id AND e2.to_status IS NOT NULL AND e2.time < @Start)
            GROUP BY e.to_status
            """, p, ct))
        {
            counts[Array.IndexOf(statuses, status)] += count;
        }

        var bucket = ChartTimeAxis.BucketFor(end - start);
        var boundaries = ChartTimeAxis.Boundaries(start, end, bucket);
        var points = new List<(DateTimeOffset, IReadOnlyList<long>)>(boundaries.Count) { (start, counts.ToArray()) };
        var peaks = counts.ToArray();
        await foreach (var change in db.StreamAsync<(string Time, string? From, string To)>($"""
            SELECT e.time, e.from_status, e.to_status FROM claim_events e JOIN claims c ON c.id = e.claim_id
            WHERE {ClaimFilter(p)} AND e.to_status IS NOT NULL AND e.time >= @Start AND e.time < @End
            ORDER BY e.time, e.seq
            """, p, ct))
        {
            // A change at a boundary belongs to the bucket that starts there: each point is the state just before it.
            var time = DbTime.FromDb(change.Time);
            while (points.Count < boundaries.Count - 1 && time >= boundaries[points.Count])
            {
                points.Add((boundaries[points.Count], counts.ToArray()));
            }

            if (change.From is not null && Array.IndexOf(statuses, change.From) is var from and >= 0)
            {
                counts[from]--;
            }

            var to = Array.IndexOf(statuses, change.To);
            peaks[to] = Math.Max(peaks[to], ++counts[to]);
        }

        while (points.Count < boundaries.Count)
        {
            points.Add((boundaries[points.Count], counts.ToArray()));
        }

        return new StatusSeries(statuses, points, bucket, peaks);
    }

    private sealed record EventRow(string ClaimId, string Text, string Status, long Sequence, string Time, string Actor, string Type,
        string? FromStatus, string? ToStatus, string Detail, string? VerdictId,
        string? EvidenceStance, string? SourceId, string? SourceTitle, string? SourcePublisher, string? SourceUrl);

    private sealed class VerdictRow
    {
        public string Id { get; init; } = "";
        public string ClaimId { get; init; } = "";
        public string Rating { get; init; } = "";
        public double? Score { get; init; }
        public string Rationale { get; init; } = "";
        public string? Previous { get; init; }
    }

    private sealed class EvidenceRow
    {
        public string Id { get; init; } = "";
        public string Stance { get; init; } = "";
        public string SourceId { get; init; } = "";
        public string Title { get; init; } = "";
        public string Publisher { get; init; } = "";
        public string? Url { get; init; }
        public string Excerpt { get; init; } = "";
    }

    private sealed class FindingSourceRow
    {
        public string Reason { get; init; } = "";
        public string SourceId { get; init; } = "";
        public string Title { get; init; } = "";
        public string Publisher { get; init; } = "";
        public string? Url { get; init; }
    }

    /// <summary>
    /// Claims with events in the period, one at a time, each with its events and the evidence every verdict rested on.
    /// Sources come with what a reader recognises them by (title, publisher, URL): an evidence event's through a join in
    /// the scan, a verdict's evidence and a stale finding's by a small query for that event, so nothing is loaded ahead.
    /// </summary>
    public async IAsyncEnumerable<ClaimTimelineReport> TimelinesAsync(Period p, [EnumeratorCancellation] CancellationToken ct)
    {
        List<TimelineEvent>? events = null;
        EventRow? current = null;
        await foreach (var row in db.StreamAsync<EventRow>($"""
            SELECT e.claim_id AS ClaimId, c.text AS Text, c.status AS Status, e.sequence AS Sequence, e.time AS Time,
                   e.actor AS Actor, e.type AS Type, e.from_status AS FromStatus, e.to_status AS ToStatus, e.detail AS Detail,
                   e.verdict_id AS VerdictId, ev.stance AS EvidenceStance, s.id AS SourceId, s.title AS SourceTitle,
                   s.publisher AS SourcePublisher, s.url AS SourceUrl
            FROM claim_events e JOIN claims c ON c.id = e.claim_id
                 LEFT JOIN evidence ev ON ev.id = e.evidence_id
                 LEFT JOIN sources s ON s.id = ev.source_id
            WHERE e.time >= @Start AND e.time < @End AND {ClaimFilter(p)}
            ORDER BY c.seq, e.sequence
            """, p, ct))
        {
            if (current is not null && current.ClaimId != row.ClaimId)
            {
                yield return new ClaimTimelineReport($"claims/{current.ClaimId}", current.Text, current.Status, events!);
                events = null;
            }

            current = row;
            events ??= [];
            IReadOnlyList<EventSource> sources = row.SourceId is not null
                ? [new EventSource(row.EvidenceStance ?? "", Source(row.SourceId, row.SourceTitle, row.SourcePublisher, row.SourceUrl))]
                : row.Type == "MARKED_STALE" ? await FindingSourcesAsync(row.ClaimId, row.Time, ct) : [];
            events.Add(new TimelineEvent(row.Sequence, DbTime.FromDb(row.Time), row.Actor, row.Type, row.FromStatus, row.ToStatus, row.Detail,
                row.VerdictId is null ? null : await VerdictAsync(row.VerdictId, ct), sources));
        }

        if (current is not null)
        {
            yield return new ClaimTimelineReport($"claims/{current.ClaimId}", current.Text, current.Status, events!);
        }
    }

    private static SourceReport Source(string id, string? title, string? publisher, string? url) =>
        new($"sources/{id}", title ?? "", publisher ?? "", url);

    /// <summary>The sources named by the findings recorded with a MARKED_STALE event (same claim, same time).</summary>
    private async Task<IReadOnlyList<EventSource>> FindingSourcesAsync(string claimId, string time, CancellationToken ct)
    {
        var rows = await db.QueryAsync<FindingSourceRow>("""
            SELECT f.reason AS Reason, s.id AS SourceId, s.title AS Title, s.publisher AS Publisher, s.url AS Url
            FROM stale_findings f JOIN sources s ON s.id = f.source_id
            WHERE f.claim_id = @ClaimId AND f.time = @Time ORDER BY f.seq
            """, new { ClaimId = claimId, Time = time }, ct);
        return rows.Select(r => new EventSource(r.Reason, Source(r.SourceId, r.Title, r.Publisher, r.Url))).ToList();
    }

    private async Task<VerdictReport> VerdictAsync(string verdictId, CancellationToken ct)
    {
        var v = await db.QuerySingleOrDefaultAsync<VerdictRow>("""
            SELECT v.id AS Id, v.claim_id AS ClaimId, v.rating AS Rating, v.score AS Score, v.rationale AS Rationale,
                   (SELECT pv.rating FROM verdicts pv WHERE pv.claim_id = v.claim_id AND pv.seq < v.seq ORDER BY pv.seq DESC LIMIT 1) AS Previous
            FROM verdicts v WHERE v.id = @Id
            """, new { Id = verdictId }, ct);
        var evidence = await db.QueryAsync<EvidenceRow>("""
            SELECT e.id AS Id, e.stance AS Stance, e.source_id AS SourceId, s.title AS Title, s.publisher AS Publisher, s.url AS Url,
                   -- A published fact-check shows the rating its publisher gave, in the publisher's words.
                   CASE WHEN r.id IS NULL THEN e.excerpt
                        ELSE 'published as “' || r.rating_label || '”' || CASE WHEN e.excerpt = '' THEN '' ELSE ': ' || e.excerpt END END AS Excerpt
            FROM verdict_evidence ve JOIN evidence e ON e.id = ve.evidence_id JOIN sources s ON s.id = e.source_id
                 LEFT JOIN published_reviews r ON r.id = e.review_id
            WHERE ve.verdict_id = @Id ORDER BY e.seq
            """, new { Id = verdictId }, ct);
        return new VerdictReport(
            $"claims/{v!.ClaimId}/verdicts/{v.Id}",
            v.Rating,
            v.Score?.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture),
            v.Previous,
            v.Rationale,
            evidence.Select(e => new VerdictEvidence($"claims/{v.ClaimId}/evidence/{e.Id}", e.Stance, Source(e.SourceId, e.Title, e.Publisher, e.Url), e.Excerpt)).ToList());
    }
}
