using ClaimLedger.Benchmarks.Ceilings;
using ClaimLedger.Benchmarks.Phases;

namespace ClaimLedger.Benchmarks.Reporting;

/// <summary>Everything one run measured; serialised as the .json report and rendered as the .md report.</summary>
public sealed record BenchmarkResult(
    DateTimeOffset StartTime,
    DateTimeOffset EndTime,
    MachineFacts Machine,
    RunSettings Settings,
    IReadOnlyList<SizeResult> Sizes,
    long PeakServerRssBytes,
    MemoryFacts? FinalServerMemory,
    IReadOnlyList<TargetCheck> Targets,
    IReadOnlyList<string> Problems,
    bool Completed);

public sealed record RunSettings(IReadOnlyList<long> Sizes, int Clients, double DurationSeconds, double WarmupSeconds, double CeilingDurationSeconds, int Seed,
    bool LoadAllowDuplicates, string ServerUrl);

public sealed record MemoryFacts(long RssBytes, long PeakRssBytes);

/// <summary>The measurements at one dataset size.</summary>
public sealed record SizeResult(
    long TargetClaims,
    long ClaimsAtStart,
    long ClaimsLoaded,
    long ClaimsBeforeWrites,
    long ClaimsAtEnd,
    PhaseResult Load,
    PhaseResult Ping,
    PhaseResult CreateClaim,
    PhaseResult GetClaim,
    PhaseResult ListClaims,
    PhaseResult ListClaimsByTopic,
    PhaseResult ListClaimsByStatus,
    PhaseResult SearchClaims,
    PhaseResult SearchClaimsLight,
    VerdictResult SubmitVerdict,
    StalenessResult Staleness,
    ReportResult AuditReport,
    VerifyResult VerifyLedger,
    LedgerHashResult LedgerHashCeiling,
    StorageCeilingResult StorageCeiling,
    MemoryFacts? ServerMemoryAfterLoad,
    MemoryFacts? ServerMemoryAtEnd);

/// <summary>SubmitVerdict on a pool of IN_REVIEW claims prepared beforehand (untimed).</summary>
public sealed record VerdictResult(PhaseResult Phase, int PoolSize, double PreparationSeconds, long PoolLeft);

public sealed record StalenessResult(
    int DueClaims,
    double PreparationSeconds,
    double ClientSeconds,
    double? ServerSeconds,
    string State,
    long ClaimsExamined,
    long MarkedStale,
    long ErrorCount,
    IReadOnlyList<string> Errors);

public sealed record VerifyResult(double Seconds, bool Valid, long EntriesChecked, long ClaimsChecked, double EntriesPerSecond, string? Problem);

public sealed record ReportResult(
    double Seconds,
    long Bytes,
    int Chunks,
    long RssBeforeBytes,
    long RssMaxDuringBytes,
    long RssAfterBytes,
    int RssSamples,
    long Errors,
    string? Error);

/// <summary>A target from the benchmark issue, judged at one size.</summary>
public sealed record TargetCheck(string Target, long Size, string Measured, bool Met, bool Binding);
