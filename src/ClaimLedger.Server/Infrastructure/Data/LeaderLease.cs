using System.Data.Common;
using Npgsql;

namespace ClaimLedger.Server.Infrastructure.Data;

/// <summary>
/// "Only one process does this at a time" (ADR 5's engine seam for leadership; ADR 20): the Merkle-tree integrator runs
/// only while it holds the lease, and writes through it. On SQLite the database belongs to one process, so the lease is
/// always held, and its writes go through the one writer connection (group commit), never a second writer competing for
/// the file's lock; on PostgreSQL it is a session-level advisory lock on a dedicated connection, which the server
/// releases when that connection ends (so a crashed leader's lease passes to another instance at once), and its writes
/// are transactions of their own, outside the cluster's write lock.
/// </summary>
public interface ILeaderLeases
{
    /// <summary>The lease named <paramref name="key"/> if it is free now, else null.</summary>
    Task<ILeaderLease?> TryAcquireAsync(long key, CancellationToken cancellationToken);
}

/// <summary>A held lease; dispose to give it up.</summary>
public interface ILeaderLease : IAsyncDisposable
{
    /// <summary>False once the lease is known lost (the connection holding it broke).</summary>
    Task<bool> StillHeldAsync(CancellationToken cancellationToken);

    /// <summary>Runs <paramref name="work"/> in a write transaction; returns once it is committed (or throws, having written nothing).</summary>
    Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken);
}

/// <summary>SQLite: one process owns the file, so it is always the leader.</summary>
public sealed class SingleProcessLeases(ICommandTransactions writer) : ILeaderLeases
{
    public Task<ILeaderLease?> TryAcquireAsync(long key, CancellationToken cancellationToken) => Task.FromResult<ILeaderLease?>(new Held(writer));

    private sealed class Held(ICommandTransactions writer) : ILeaderLease
    {
        public Task<bool> StillHeldAsync(CancellationToken cancellationToken) => Task.FromResult(true);

        public Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken) =>
            writer.RunAsync(work, cancellationToken);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

/// <summary>PostgreSQL: pg_try_advisory_lock on a connection of its own, outside the pool.</summary>
public sealed class PostgresLeaderLeases(PostgresDatabase database) : ILeaderLeases
{
    public async Task<ILeaderLease?> TryAcquireAsync(long key, CancellationToken cancellationToken)
    {
        // Not pooled: the lock lives as long as this session, and a pooled session would outlive the lease.
        var builder = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Pooling = false, KeepAlive = 5 };
        var connection = new NpgsqlConnection(builder.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var take = new NpgsqlCommand("SELECT pg_try_advisory_lock(@Key)", connection);
            take.Parameters.AddWithValue("Key", key);
            if (await take.ExecuteScalarAsync(cancellationToken) is true)
            {
                return new Held(connection, key, database);
            }
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }

        await connection.DisposeAsync();
        return null;
    }

    private sealed class Held(NpgsqlConnection connection, long key, PostgresDatabase database) : ILeaderLease
    {
        public async Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken)
        {
            await using var writer = await database.OpenAsync(cancellationToken);
            await using var transaction = await writer.BeginTransactionAsync(cancellationToken);
            var result = await work(writer, transaction);
            await transaction.CommitAsync(cancellationToken);
            return result;
        }

        public async Task<bool> StillHeldAsync(CancellationToken cancellationToken)
        {
            try
            {
                // Asks the server, not the client's idea of the session: true only if this session still holds the lock.
                await using var check = new NpgsqlCommand(
                    "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted " +
                    "AND classid = (@Key >> 32)::oid AND objid = (@Key & 4294967295)::oid AND objsubid = 1)", connection);
                check.Parameters.AddWithValue("Key", key);
                return await check.ExecuteScalarAsync(cancellationToken) is true;
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
            {
                return false;
            }
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                await connection.DisposeAsync(); // ending the session releases the lock
            }
            catch (NpgsqlException)
            {
                // Already broken: the server released the lock with the session.
            }
        }
    }
}
