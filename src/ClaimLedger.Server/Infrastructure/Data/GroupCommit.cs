using System.Data.Common;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.ExceptionServices;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace ClaimLedger.Server.Infrastructure.Data;

/// <summary>
/// Group commit (ADR 0015). Commands queued behind each other share one transaction on one writer connection (per
/// process): each runs in turn inside its own SAVEPOINT (a failing command rolls back to it and takes nothing else with
/// it), and whoever finishes a turn with nobody waiting commits the batch. Every command's <see cref="RunAsync{T}"/>
/// completes only after the COMMIT of its batch, so a reply still means committed; if the COMMIT fails, every command
/// of the batch fails and none of them wrote anything. The engine supplies what differs: how a writer connection is
/// set up, what a batch takes when it begins (PostgreSQL: the cluster's write lock, once per batch; ADR 19), and how
/// to tell whether the engine has itself ended the transaction.
/// </summary>
public abstract class GroupCommit : ICommandTransactions, IAsyncDisposable
{
    /// <summary>The meter with the group-commit instruments (watch with dotnet-counters).</summary>
    public const string MeterName = "ClaimLedger.Database";

    private const string Savepoint = "command";

    private readonly IDbConnectionFactory _factory;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _turn = new(1, 1);
    private readonly int _maxBatch;
    private readonly Histogram<int> _batchSize;
    private readonly Histogram<double> _commitDuration;
    private int _waiting;

    // Owned by whoever holds _turn.
    private DbConnection? _connection;
    private DbTransaction? _transaction;
    private Batch? _batch;

    protected GroupCommit(IDbConnectionFactory factory, IOptions<DatabaseOptions> options, IMeterFactory meters, ILogger logger)
    {
        _factory = factory;
        _logger = logger;
        _maxBatch = Math.Max(1, options.Value.MaxGroupCommit);
        var meter = meters.Create(MeterName);
        _batchSize = meter.CreateHistogram<int>("claimledger.db.group_commit.commands", "{command}", "Commands committed together by one commit");
        _commitDuration = meter.CreateHistogram<double>("claimledger.db.group_commit.duration", "s", "Time the COMMIT (the fsync) of one group took");
        meter.CreateObservableGauge("claimledger.db.group_commit.queued", () => Volatile.Read(ref _waiting), "{command}", "Commands waiting for their turn on the writer");
    }

    /// <summary>Sets up a newly opened writer connection.</summary>
    protected abstract Task OnWriterOpenedAsync(DbConnection connection);


    /// <summary>Runs first in each batch's transaction, before any command of it.</summary>
    protected abstract Task OnBatchBegunAsync(DbConnection connection, DbTransaction transaction);

    /// <summary>False when the engine has itself ended the transaction (after an I/O error, a full disk, a failed statement).</summary>
    protected abstract bool InTransaction(DbConnection connection, DbTransaction transaction);

    /// <summary>Commands waiting for their turn right now.</summary>
    public int Queued => Volatile.Read(ref _waiting);

    public async Task<T> RunAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        // Every command that queues takes its turn, even if cancelled meanwhile: the last turn of a batch commits it,
        // and a waiter that vanished could leave a batch open with nobody to commit it.
        Interlocked.Increment(ref _waiting);
        await _turn.WaitAsync(CancellationToken.None);
        Interlocked.Decrement(ref _waiting);

        Batch batch;
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        try
        {
            batch = await JoinBatchAsync();
            var transaction = _transaction!;
            var saved = false;
            try
            {
                cancellationToken.ThrowIfCancellationRequested();
                await transaction.SaveAsync(Savepoint, CancellationToken.None);
                saved = true;
                result = await work(_connection!, transaction);
                await transaction.ReleaseAsync(Savepoint, CancellationToken.None);
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
                if (saved)
                {
                    await UndoCommandAsync(batch, e);
                }
            }

            batch.Commands++;
            if (_batch is not null && (Volatile.Read(ref _waiting) == 0 || batch.Commands >= _maxBatch))
            {
                await CommitAsync(batch);
            }
        }
        finally
        {
            _turn.Release();
        }

        if (failure is not null)
        {
            // Answer only once the neighbours' work is settled: a command that failed because of a neighbour's
            // uncommitted write (the same request id, a duplicate) is then answered from committed state.
            await batch.Settled;
            failure.Throw();
        }

        await batch.Committed;
        return result;
    }

    public async ValueTask DisposeAsync()
    {
        await _turn.WaitAsync();
        try
        {
            if (_batch is { } batch)
            {
                await CommitAsync(batch);
            }

            await CloseAsync();
        }
        finally
        {
            _turn.Release();
        }
    }

    private async Task<Batch> JoinBatchAsync()
    {
        if (_batch is { } open)
        {
            return open;
        }

        try
        {
            if (_connection is null)
            {
                _connection = await _factory.OpenWriterAsync(CancellationToken.None);
                await OnWriterOpenedAsync(_connection);
            }

            _transaction = await _connection.BeginTransactionAsync(CancellationToken.None);
            await OnBatchBegunAsync(_connection, _transaction);
        }
        catch
        {
            await CloseAsync();
            throw;
        }

        return _batch = new Batch();
    }

    /// <summary>Rolls the failed command back to its savepoint; if the engine already ended the whole transaction (an I/O error, a full disk), the batch is lost.</summary>
    private async Task UndoCommandAsync(Batch batch, Exception cause)
    {
        try
        {
            if (!InTransaction())
            {
                throw new InvalidOperationException("The database ended the transaction.", cause);
            }

            await _transaction!.RollbackAsync(Savepoint, CancellationToken.None);
            await _transaction.ReleaseAsync(Savepoint, CancellationToken.None);
        }
        catch (Exception e)
        {
            _logger.LogError(e, "A failed command could not be undone alone; its batch of {Count} is abandoned", batch.Commands + 1);
            await AbandonAsync(batch, e);
        }
    }

    private async Task CommitAsync(Batch batch)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await _transaction!.CommitAsync(CancellationToken.None);
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Group commit of {Count} commands failed; none of them is committed", batch.Commands);
            await AbandonAsync(batch, e);
            return;
        }

        _commitDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
        _batchSize.Record(batch.Commands);
        await EndTransactionAsync();
        batch.Succeed();
    }

    private async Task AbandonAsync(Batch batch, Exception cause)
    {
        try
        {
            if (InTransaction())
            {
                await _transaction!.RollbackAsync(CancellationToken.None);
            }
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Rollback after a failed batch failed; reopening the writer connection");
        }

        await CloseAsync();
        batch.Fail(cause);
    }

    private bool InTransaction() => _connection is not null && _transaction is not null && InTransaction(_connection, _transaction);

    private async Task EndTransactionAsync()
    {
        if (_transaction is not null)
        {
            await _transaction.DisposeAsync();
            _transaction = null;
        }

        _batch = null;
    }

    private async Task CloseAsync()
    {
        try
        {
            await EndTransactionAsync();
        }
        catch (Exception e)
        {
            _logger.LogWarning(e, "Discarding the writer transaction failed");
        }

        _batch = null;
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
            _connection = null;
        }
    }

    private sealed class Batch
    {
        private readonly TaskCompletionSource _committed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Commands { get; set; }

        public Task Committed => _committed.Task;

        /// <summary>Completes when the batch committed or failed, without throwing.</summary>
        public Task Settled => _committed.Task.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

        public void Succeed() => _committed.TrySetResult();

        public void Fail(Exception cause) => _committed.TrySetException(new CommitFailedException(cause));
    }
}

/// <summary>
/// SQLite: one writer per database file; the writer keeps a larger page cache (every write walks its indexes) and its
/// statements prepared (<see cref="SqliteDatabase.OpenWriterAsync"/>): a command runs a dozen or more statements, and
/// Microsoft.Data.Sqlite would otherwise compile each anew, inside the single writer's turn.
/// </summary>
public sealed class SqliteGroupCommit(IDbConnectionFactory factory, IOptions<DatabaseOptions> options, IMeterFactory meters, ILogger<SqliteGroupCommit> logger)
    : GroupCommit(factory, options, meters, logger)
{
    private readonly int _writerCacheKib = Math.Max(512, options.Value.WriterCacheSizeKib);

    // SQLite's own heap (page caches, prepared statements, schema) across every connection of the process: the part of
    // the server's native memory the Database options bound (ADR 27).
    private readonly ObservableGauge<long> _sqliteMemory = meters.Create(MeterName).CreateObservableGauge(
        "claimledger.db.sqlite.memory_used", () => SQLitePCL.raw.sqlite3_memory_used(), "By", "Memory SQLite holds now, all connections");

    protected override async Task OnWriterOpenedAsync(DbConnection connection)
    {
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = $"PRAGMA cache_size = -{_writerCacheKib}";
        await pragma.ExecuteNonQueryAsync(CancellationToken.None);
    }

    // The file lock is the serialisation point: nothing to take per batch.
    protected override Task OnBatchBegunAsync(DbConnection connection, DbTransaction transaction) => Task.CompletedTask;

    protected override bool InTransaction(DbConnection connection, DbTransaction transaction) =>
        (connection is SqlitePreparedConnection prepared ? prepared.Inner : connection) is SqliteConnection { Handle: { } handle }
        && SQLitePCL.raw.sqlite3_get_autocommit(handle) == 0;
}

/// <summary>The batch a command ran in could not be committed: the command wrote nothing.</summary>
public sealed class CommitFailedException(Exception inner) : Exception("The transaction could not be committed; nothing was written.", inner);
