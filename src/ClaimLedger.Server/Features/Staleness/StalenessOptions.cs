namespace ClaimLedger.Server.Features.Staleness;

/// <summary>Configuration section "Staleness".</summary>
public sealed class StalenessOptions
{
    public const string Section = "Staleness";

    /// <summary>Run the checks on <see cref="Schedule"/>. Off: only RunStalenessCheck starts runs.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Quartz cron expression (seconds first, UTC). Default: every day at 03:00 UTC.</summary>
    public string Schedule { get; set; } = "0 0 3 * * ?";

    /// <summary>A source is BROKEN after this many failed checks in a row.</summary>
    public int BrokenAfterFailures { get; set; } = 3;

    /// <summary>
    /// Claims a sweep marks stale per transaction: each still gets its own ledger entry; a batch that fails is retried
    /// claim by claim, so one bad claim costs only its own change. 1 = one transaction per claim.
    /// </summary>
    public int MarkBatchSize { get; set; } = 256;

    /// <summary>How late a firing may be before Quartz treats it as missed (then it runs once, at once).</summary>
    public TimeSpan MisfireThreshold { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The Quartz scheduler's name: its rows in the QRTZ_ tables are keyed by it, so keep it stable.</summary>
    public string SchedulerName { get; set; } = "claimledger";

    /// <summary>PostgreSQL (clustered): how often each instance tells the others it is alive.</summary>
    public TimeSpan ClusterCheckinInterval { get; set; } = TimeSpan.FromSeconds(7.5);

    /// <summary>PostgreSQL (clustered): how long after its last check-in an instance counts as dead and its running jobs are recovered elsewhere.</summary>
    public TimeSpan ClusterCheckinMisfireThreshold { get; set; } = TimeSpan.FromSeconds(15);
}
