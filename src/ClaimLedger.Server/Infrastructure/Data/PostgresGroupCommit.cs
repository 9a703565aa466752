using System.Data.Common;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ClaimLedger.Server.Infrastructure.Data;

/// <summary>
/// Group commit on PostgreSQL, with several instances on one database (ADR 19). Each instance batches its commands as on
/// SQLite; each batch first takes the cluster's write lock — a transaction-scoped advisory lock, released by its
/// COMMIT or ROLLBACK — so batches of all instances run one after another: the ledger's next sequence and previous hash
/// are read and written under the lock (a dense, valid chain), and every command sees what the batches before it
/// committed, exactly as with SQLite's single writer. One lock per batch, not per command.
/// </summary>
public sealed class PostgresGroupCommit(IDbConnectionFactory factory, IOptions<DatabaseOptions> options, IMeterFactory meters, ILogger<PostgresGroupCommit> logger)
    : GroupCommit(factory, options, meters, logger)
{
    /// <summary>The advisory lock key of the cluster's write lock ("ClaimLdg" as a number, so other applications' keys do not collide).</summary>
    public const long WriteLockKey = 0x436C61696D4C6467;

    protected override Task OnWriterOpenedAsync(DbConnection connection) => Task.CompletedTask;

    protected override async Task OnBatchBegunAsync(DbConnection connection, DbTransaction transaction)
    {
        await using var take = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@Key)", (NpgsqlConnection)connection, (NpgsqlTransaction)transaction);
        take.Parameters.AddWithValue("Key", WriteLockKey);
        await take.ExecuteNonQueryAsync(CancellationToken.None);
    }

    // Commands run in savepoints, so a failed statement leaves the transaction usable after ROLLBACK TO; a broken
    // connection or a finished transaction (its Connection is cleared) ends it.
    protected override bool InTransaction(DbConnection connection, DbTransaction transaction) =>
        connection.State == System.Data.ConnectionState.Open && transaction.Connection is not null;
}
