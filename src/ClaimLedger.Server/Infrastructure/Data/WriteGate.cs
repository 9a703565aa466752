namespace ClaimLedger.Server.Infrastructure.Data;

/// <summary>
/// SQLite has one writer at a time. Queueing write transactions here, in-process, instead of letting connections
/// collide on the database lock keeps writers fair and avoids busy-retry sleeps. Readers never wait (WAL).
/// </summary>
public sealed class WriteGate
{
    private readonly SemaphoreSlim _semaphore = new(1, 1);

    public async Task<IDisposable> EnterAsync(CancellationToken cancellationToken)
    {
        await _semaphore.WaitAsync(cancellationToken);
        return new Releaser(_semaphore);
    }

    private sealed class Releaser(SemaphoreSlim semaphore) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                semaphore.Release();
            }
        }
    }
}
