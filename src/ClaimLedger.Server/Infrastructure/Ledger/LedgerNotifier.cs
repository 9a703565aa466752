namespace ClaimLedger.Server.Infrastructure.Ledger;

/// <summary>
/// Wakes ledger watchers when entries commit. Waiters re-read the database, so a missed signal costs one poll interval at
/// most. Watchers also end when the server stops (<see cref="Stopping"/>), with a status saying where to resume.
/// </summary>
public sealed class LedgerNotifier(IHostApplicationLifetime? lifetime = null, IConfiguration? configuration = null)
{
    /// <summary>
    /// How often a caught-up watcher re-reads even without a signal (<c>Ledger:WatchPollInterval</c>, 2 s): the backstop
    /// for a signal lost (on PostgreSQL, a notification from another instance missed while reconnecting).
    /// </summary>
    public TimeSpan PollInterval { get; } = configuration?.GetValue("Ledger:WatchPollInterval", TimeSpan.FromSeconds(2)) ?? TimeSpan.FromSeconds(2);

    /// <summary>Cancelled when the server begins to shut down.</summary>
    public CancellationToken Stopping => lifetime?.ApplicationStopping ?? CancellationToken.None;

    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task NextAsync => Volatile.Read(ref _next).Task;

    public void Notify() => Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
