using System.Text.Json.Serialization;
using ClaimLedger.Benchmarks.Ceilings;
using ClaimLedger.Benchmarks.Phases;
using ClaimLedger.Benchmarks.Server;

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
    bool Completed,
    Duplicates.DuplicateDetectorResult? DuplicateDetector = null);

/// <summary>
/// How the run was set up. <see cref="ServerUrl"/> is instance 0's; <see cref="Database"/> is "sqlite" or
/// "postgresql"; with PostgreSQL, <see cref="PostgreSql"/> gives its version and settings.
/// </summary>
public sealed record RunSettings(IReadOnlyList<long> Sizes, int Clients, double DurationSeconds, double WarmupSeconds, double CeilingDurationSeconds, int Seed,
    bool LoadAllowDuplicates, string ServerUrl, string Database = "sqlite", int Instances = 1, IReadOnlyList<string>? ServerUrls = null,
    [property: JsonPropertyName("postgresql")] PostgresFacts? PostgreSql = null, string? DatasetFrom = null,
    string? ServerBuild = null);

/// <summary>
/// Server memory from /proc: with one instance, its VmRSS and VmHWM; with several, the sums over the instances (the
/// sum of their peaks, which need not have coincided), each instance's own in <see cref="Instances"/>.
/// </summary>
public sealed record MemoryFacts(long RssBytes, long PeakRssBytes, IReadOnlyList<InstanceMemory>? Instances = null)
{
    /// <summary>The highest peak (VmHWM) of any one instance.</summary>
    public long MaxInstancePeakRssBytes => Instances is { Count: > 0 } instances ? instances.Max(i => i.PeakRssBytes) : PeakRssBytes;
}

public sealed record InstanceMemory(int Instance, int Pid, long RssBytes, long PeakRssBytes);

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
    MemoryFacts? ServerMemoryAtEnd,
    /// <summary>PostgreSQL only: pgbench simple-update against the same server, at the same client count.</summary>
    [property: JsonPropertyName("pgbench")] PgBenchResult? PgBench = null,
    /// <summary>The service's database at the end of the size: the SQLite file with its WAL, or pg_database_size.</summary>
    long? DatabaseBytes = null,
    /// <summary>An inclusion proof of a random entry in the latest checkpoint.</summary>
    PhaseResult? GetInclusionProof = null,
    /// <summary>The proof bundle of a random claim against the latest checkpoint.</summary>
    PhaseResult? GetClaimProof = null,
    /// <summary>During the CreateClaim phase: from a sample of replies until a checkpoint covered the write's entry.</summary>
    IntegrationDelayResult? IntegrationDelayMs = null,
    CheckpointStats? Checkpoints = null,
    /// <summary>The CreateClaim phase on servers restarted with Ledger:Integration:Enabled=false (and primed).</summary>
    PhaseResult? CreateClaimWithoutIntegration = null,
    /// <summary>
    /// (without − with) / without × 100, with = <see cref="CreateClaimWithIntegrationRestarted"/>: how much slower
    /// CreateClaim is with the integrator running.
    /// </summary>
    double? CreateClaimIntegrationDropPct = null,
    CatchUpResult? IntegrationCatchUp = null,
    /// <summary>Server CPU time per CreateClaim in the two restarted phases: steadier than throughput on a shared machine.</summary>
    ServerCpuPerClaim? CreateClaimServerCpuMs = null,
    /// <summary>The CreateClaim phase on servers restarted with the defaults (integrator on) and primed, right after the catch-up.</summary>
    PhaseResult? CreateClaimWithIntegrationRestarted = null,
    /// <summary>With --profile: a CPU profile (perf, whole machine) of each phase that measures one of issue 14's goals.</summary>
    IReadOnlyList<PhaseProfile>? Profiles = null,
    /// <summary>Reading and parsing what VerifyLedger's state pass compares, without comparing: its floor.</summary>
    StateReadResult? StateReadFloor = null)
{
    /// <summary>"sqlite" or "postgresql": with <see cref="Instances"/>, which run this size belongs to when reports are compared.</summary>
    public string Engine { get; init; } = "sqlite";

    public int Instances { get; init; } = 1;

    /// <summary>The staleness sweep's wall time seen by the client, in seconds (the "staleness sweep").</summary>
    public double StalenessSweep => Staleness.ClientSeconds;

    /// <summary>
    /// A second sweep right after the first, on as many newly due claims: the same code run warm, as a long-running
    /// server's every daily sweep after its first runs it.
    /// </summary>
    public StalenessResult? StalenessWarm { get; init; }

    /// <summary>The warm sweep's wall time seen by the client, in seconds.</summary>
    public double? StalenessSweepWarm => StalenessWarm?.ClientSeconds;

    /// <summary>The highest peak RSS (VmHWM) of any one server process by the end of this size, in MB (10^6 bytes).</summary>
    public double ServerRssPeakMb => Math.Max(ServerMemoryAfterLoad?.MaxInstancePeakRssBytes ?? 0, ServerMemoryAtEnd?.MaxInstancePeakRssBytes ?? 0) / 1e6;

    /// <summary>The service's database size at the end of this size divided by the claims it then held.</summary>
    public double? DatabaseBytesPerClaim => DatabaseBytes is { } bytes && ClaimsAtEnd > 0 ? bytes / (double)ClaimsAtEnd : null;

    /// <summary>The near-duplicate detector's recall on this run's engine (measured once per run, before the sizes).</summary>
    public double? Recall { get; init; }

    /// <summary>The near-duplicate detector's precision on this run's engine.</summary>
    public double? Precision { get; init; }
}

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

/// <summary>
/// Server CPU time (user + system, all instances) per acknowledged CreateClaim, warm-up included, with the Merkle
/// integrator off and on; the integration-delay sampler's reads are in both.
/// </summary>
public sealed record ServerCpuPerClaim(double WithoutIntegration, double WithIntegration, long ClaimsWithout, long ClaimsWith);

/// <summary>One name and its share of a profile's samples (percent of all samples on every CPU in the window).</summary>
public sealed record ProfileShare(string Name, double Percent);

/// <summary>
/// A phase's CPU profile (<see cref="Server.PerfProfiler"/>): samples of every CPU while its measured window ran, by
/// process, by the server's kind of code, by the server's innermost function and innermost ClaimLedger method, and
/// PostgreSQL's innermost functions. Every share is a percent of all samples, idle included.
/// </summary>
public sealed record PhaseProfile(
    string Phase,
    double Seconds,
    long Samples,
    IReadOnlyList<ProfileShare> Processes,
    IReadOnlyList<ProfileShare> ServerCode,
    IReadOnlyList<ProfileShare> ServerFunctions,
    IReadOnlyList<ProfileShare> ServerMethods,
    IReadOnlyList<ProfileShare> PostgresFunctions,
    IReadOnlyList<ProfileShare>? ServerAssemblies = null);
