namespace ClaimLedger.Server.Infrastructure.Ledger;

/// <summary>
/// Wakes ledger watchers when entries commit. Waiters re-read the database, so a missed signal costs one poll interval at
/// most. Watchers also end when the server stops (<see cref="Stopping"/>), with a status saying where to resume.
/// </summary>
public sealed class LedgerNotifier(IHostApplicationLifetime? lifetime = null, Microsoft.Extensions.Options.IOptions<LedgerOptions>? options = null)
{
    /// <summary>
    /// How often a caught-up watcher re-reads even without a signal (<c>Ledger:WatchPollInterval</c>, 2 s): the backstop
    /// for a signal lost (on PostgreSQL, a notification from another instance missed while reconnecting).
    /// </summary>
    public TimeSpan PollInterval { get; } = options?.Value.WatchPollInterval ?? LedgerOptions.DefaultWatchPollInterval;

    /// <summary>Cancelled when the server begins to shut down.</summary>
    public CancellationToken Stopping => lifetime?.ApplicationStopping ?? CancellationToken.None;

    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task NextAsync => Volatile.Read(ref _next).Task;

    public void Notify() => Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}

/// <summary>The "Ledger" configuration section.</summary>
public sealed class LedgerOptions
{
    public const string Section = "Ledger";

    public static readonly TimeSpan DefaultWatchPollInterval = TimeSpan.FromSeconds(2);

    /// <summary>How often a caught-up watcher re-reads without a signal (<see cref="LedgerNotifier.PollInterval"/>).</summary>
    public TimeSpan WatchPollInterval { get; set; } = DefaultWatchPollInterval;

    /// <summary>
    /// VerifyLedger reads the chain in batches of this many entries (read on one thread, hashed on another). Memory
    /// grows with it; the checks do not change.
    /// </summary>
    public int VerifyBatchSize { get; set; } = 1024;

    /// <summary>
    /// VerifyLedger compares the tables with the ledger in pages of this many claims (read on one thread, folded and
    /// compared on another, a few pages in flight). Each claim's entries are parsed into JSON trees, so the memory in
    /// flight grows with this far faster than with the chain's batches: at 1,024 the server's RSS rose by ~400 MB while
    /// an audit report ran it, at 128 by ~70 MB (ADR 23). The checks do not change.
    /// </summary>
    public int VerifyStatePageSize { get; set; } = 128;
}
