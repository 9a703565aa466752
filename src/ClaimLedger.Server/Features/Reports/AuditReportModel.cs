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
    VerifyLedgerResponse Verification)
{
    public long Retractions => RetractionsByReason.Sum(r => r.Count);

    public long Verdicts => VerdictsByRating.Sum(r => r.Count);
}

/// <summary>Claims per status at the end of each bucket of the period (for the chart).</summary>
public sealed record StatusSeries(IReadOnlyList<string> Statuses, IReadOnlyList<(DateTimeOffset Time, IReadOnlyList<long> Counts)> Points);

/// <summary>One claim's events in the period, oldest first.</summary>
public sealed record ClaimTimelineReport(string Claim, string Text, string Status, IReadOnlyList<TimelineEvent> Events);

public sealed record TimelineEvent(
    long Sequence,
    DateTimeOffset Time,
    string Actor,
    string Type,
    string? FromStatus,
    string? ToStatus,
    string Detail,
    VerdictReport? Verdict);

public sealed record VerdictReport(string Name, string Rating, string? Score, string? PreviousRating, string Rationale, IReadOnlyList<VerdictEvidence> Evidence)
{
    public bool Overturns => PreviousRating is not null && PreviousRating != Rating;
}

public sealed record VerdictEvidence(string Evidence, string Stance, string Source, string SourceTitle, string Excerpt);
