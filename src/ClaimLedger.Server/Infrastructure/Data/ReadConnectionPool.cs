using System.Data;
using System.Data.Common;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;

namespace ClaimLedger.Server.Infrastructure.Data;

/// <summary>
/// A small pool of warm, long-lived read connections (<c>Database:ReadConnections</c>) with a queue in front
/// (ADR 22). A request's statements outside a transaction borrow a connection for one statement each
/// (<see cref="DbSession"/>): while all are busy, callers wait their turn (first come, first served) instead of each
/// opening a connection of its own, so concurrency on the database, and the memory of connections and their page
/// caches, stays bounded however many requests arrive. Connections come from
/// <see cref="IDbConnectionFactory.OpenReaderAsync"/>, where each engine keeps statements prepared once per connection.
/// A caller cancelled while queued takes nothing; a borrowed connection always comes back, a broken one is closed
/// and replaced on demand.
/// </summary>
public sealed class ReadConnectionPool : IAsyncDisposable
{
    private readonly IDbConnectionFactory _factory;
    private readonly SemaphoreSlim _slots;
    private readonly Stack<DbConnection> _idle = new();
    private readonly Histogram<double> _wait;
    private int _open;
    private int _peakOpen;
    private int _queued;
    private int _inUse;
    private bool _disposed;

    public ReadConnectionPool(IDbConnectionFactory factory, IOptions<DatabaseOptions> options, IMeterFactory meters)
    {
        _factory = factory;
        Size = options.Value.ReadConnections;
        _slots = new SemaphoreSlim(Size, Size);
        var meter = meters.Create(GroupCommit.MeterName);
        meter.CreateObservableGauge("claimledger.db.readers.open", () => Volatile.Read(ref _open), "{connection}", "Read connections open (at most Database:ReadConnections)");
        meter.CreateObservableGauge("claimledger.db.readers.in_use", () => Volatile.Read(ref _inUse), "{connection}", "Read connections running a statement");
        meter.CreateObservableGauge("claimledger.db.readers.queued", () => Volatile.Read(ref _queued), "{statement}", "Statements waiting for a read connection");
        _wait = meter.CreateHistogram<double>("claimledger.db.readers.wait", "s", "Time a statement waited for a read connection");
    }

    /// <summary>The most connections this pool opens at once (Database:ReadConnections).</summary>
    public int Size { get; }

    /// <summary>Connections open now.</summary>
    public int Open => Volatile.Read(ref _open);

    /// <summary>The most connections that were ever open at once.</summary>
    public int PeakOpen => Volatile.Read(ref _peakOpen);

    /// <summary>Connections lent out now.</summary>
    public int InUse => Volatile.Read(ref _inUse);

    /// <summary>Callers waiting for a connection now.</summary>
    public int Queued => Volatile.Read(ref _queued);

    /// <summary>Waits for a free connection (opening one if fewer than <see cref="Size"/> are open). Return it by disposing the lease.</summary>
    public async ValueTask<Lease> RentAsync(CancellationToken ct)
    {
        if (!_slots.Wait(0))
        {
            var started = Stopwatch.GetTimestamp();
            Interlocked.Increment(ref _queued);
            try
            {
                await _slots.WaitAsync(ct);
            }
            finally
            {
                Interlocked.Decrement(ref _queued);
                _wait.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
            }
        }

        // From here the slot is ours: every path either lends a connection or gives the slot back.
        try
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed), this);
            DbConnection? connection = null;
            lock (_idle)
            {
                _idle.TryPop(out connection);
            }

            if (connection is null)
            {
                connection = await _factory.OpenReaderAsync(ct);
                var open = Interlocked.Increment(ref _open);
                InterlockedMax(ref _peakOpen, open);
            }

            Interlocked.Increment(ref _inUse);
            return new Lease(this, connection);
        }
        catch
        {
            _slots.Release();
            throw;
        }
    }

    private async ValueTask ReturnAsync(DbConnection connection)
    {
        Interlocked.Decrement(ref _inUse);
        try
        {
            if (connection.State == ConnectionState.Open && !Volatile.Read(ref _disposed))
            {
                lock (_idle)
                {
                    _idle.Push(connection);
                }

                return;
            }

            Interlocked.Decrement(ref _open);
            await connection.DisposeAsync();
        }
        finally
        {
            _slots.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Volatile.Write(ref _disposed, true);
        List<DbConnection> idle;
        lock (_idle)
        {
            idle = [.. _idle];
            _idle.Clear();
        }

        foreach (var connection in idle)
        {
            Interlocked.Decrement(ref _open);
            await connection.DisposeAsync();
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    /// <summary>A borrowed connection; disposing gives it back (once).</summary>
    public sealed class Lease(ReadConnectionPool pool, DbConnection connection) : IAsyncDisposable
    {
        private int _returned;

        public DbConnection Connection { get; } = connection;

        public ValueTask DisposeAsync() =>
            Interlocked.Exchange(ref _returned, 1) == 0 ? pool.ReturnAsync(Connection) : ValueTask.CompletedTask;
    }
}
