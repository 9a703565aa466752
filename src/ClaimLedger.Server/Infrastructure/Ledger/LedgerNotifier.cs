namespace ClaimLedger.Server.Infrastructure.Ledger;

/// <summary>Wakes ledger watchers when entries commit. Waiters re-read the database, so a missed signal costs one poll interval at most.</summary>
public sealed class LedgerNotifier
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task NextAsync => Volatile.Read(ref _next).Task;

    public void Notify() => Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
