using ClaimLedger.Contracts.V1;

namespace ClaimLedger.Server.Features.Reports;

/// <summary>Everything in an audit report except the per-claim timelines, which are streamed. Small: its size does not grow with the ledger.</summary>
public sealed record AuditSummary(
    DateTimeOffset GeneratedAt,
    DateTimeOffset Start,
    DateTimeOffset End,
    string Topic,
    string Claim,
    long ClaimsRecorded,
    IReadOnlyList<(string Rating, long Count)> VerdictsByRating,
    long VerdictChanges,
    long OverturnedVerdicts,
    IReadOnlyList<(string Reason, long Count)> RetractionsByReason,
    long MarkedStale,
    long StaleReverified,
    long ClaimsWithFirstVerdict,
    double? MedianSecondsToFirstVerdict,
    IReadOnlyList<(string Actor, string Action, long Count)> ActivityByActor,
    StatusSeries StatusSeries,
    LedgerDigest Digest,
    VerifyLedgerResponse Verification,
    Checkpoint? Checkpoint = null)
{
    public long Retractions => RetractionsByReason.Sum(r => r.Count);

    public long Verdicts => VerdictsByRating.Sum(r => r.Count);
}

/// <summary>
/// Claims per status at the period's start and at the end of each bucket (for the chart): the first point is the start,
/// the last the period's end; the first and last bucket are partial where the period does not fall on bucket boundaries.
/// <see cref="Peaks"/>: the highest count of each status at any moment of the period, between points too (so a status
/// that was held only briefly is not reported as 0 throughout); null when unknown, then the points' highest.
/// </summary>
public sealed record StatusSeries(
    IReadOnlyList<string> Statuses,
    IReadOnlyList<(DateTimeOffset Time, IReadOnlyList<long> Counts)> Points,
    ChartBucket Bucket,
    IReadOnlyList<long>? Peaks = null)
{
    /// <summary>The highest count of status <paramref name="index"/> in the period.</summary>
    public long Peak(int index) =>
        Math.Max(Peaks?[index] ?? 0, Points.Select(p => p.Counts[index]).DefaultIfEmpty(0).Max());
}

/// <summary>One claim's events in the period, oldest first.</summary>
public sealed record ClaimTimelineReport(string Claim, string Text, string Status, IReadOnlyList<TimelineEvent> Events);

/// <summary>
/// One event of a claim's timeline. <see cref="Sources"/>: the source of the evidence an EVIDENCE_ADDED or EVIDENCE_REMOVED
/// event concerns, or the sources named by the findings of a MARKED_STALE event; empty for other events.
/// </summary>
public sealed record TimelineEvent(
    long Sequence,
    DateTimeOffset Time,
    string Actor,
    string Type,
    string? FromStatus,
    string? ToStatus,
    string Detail,
    VerdictReport? Verdict,
    IReadOnlyList<EventSource> Sources)
{
    /// <summary>An evidence event whose source is known: its detail ("SUPPORTS from sources/…") is shown through the source instead.</summary>
    public bool IsEvidenceWithSource => Type is "EVIDENCE_ADDED" or "EVIDENCE_REMOVED" && Sources.Count == 1;
}

public sealed record VerdictReport(string Name, string Rating, string? Score, string? PreviousRating, string Rationale, IReadOnlyList<VerdictEvidence> Evidence)
{
    public bool Overturns => PreviousRating is not null && PreviousRating != Rating;
}

public sealed record VerdictEvidence(string Evidence, string Stance, SourceReport Source, string Excerpt);

/// <summary>
/// A source as a reader recognises it: its title and publisher, with its URL (null for a source known only by its content
/// hash). <see cref="Name"/> (sources/{id}) stays in every format for auditors who look the source up.
/// </summary>
public sealed record SourceReport(string Name, string Title, string Publisher, string? Url)
{
    /// <summary>What to call the source: its title, else its URL, else its name.</summary>
    public string Label => Title.Length > 0 ? Title : Url ?? Name;

    /// <summary>The URL when it is an absolute http(s) URL, the only kind a report links to.</summary>
    public string? LinkUrl =>
        Url is not null && Uri.TryCreate(Url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? Url
            : null;
}

/// <summary>A source an event concerns, and in what role: the evidence's stance, or a stale finding's reason.</summary>
public sealed record EventSource(string Role, SourceReport Source);
