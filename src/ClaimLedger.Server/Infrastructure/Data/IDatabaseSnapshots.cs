using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace ClaimLedger.Server.Infrastructure.Data;

/// <summary>
/// Consistent copies of the whole database while it runs, for backups. Engine-specific (ADR 5): SQLite writes one
/// with VACUUM INTO in a single read transaction (writers are not blocked, the copy is compacted).
/// </summary>
public interface IDatabaseSnapshots
{
    /// <summary>Writes a consistent copy of the live database to <paramref name="path"/> (which must not exist).</summary>
    Task CreateAsync(string path, CancellationToken ct);

    /// <summary>Opens a copy read-only, to check it.</summary>
    Task<DbConnection> OpenCopyAsync(string path, CancellationToken ct);

    /// <summary>The engine's own check of a copy's structure: "ok", or what is wrong.</summary>
    Task<string> IntegrityAsync(DbConnection copy, CancellationToken ct);
}

/// <summary>SQLite: VACUUM INTO, PRAGMA integrity_check.</summary>
public sealed class SqliteSnapshots(SqliteDatabase database) : IDatabaseSnapshots
{
    public async Task CreateAsync(string path, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "VACUUM INTO @Path";
        command.Parameters.Add(new SqliteParameter("@Path", path));
        await command.ExecuteNonQueryAsync(ct);
    }

    public Task<DbConnection> OpenCopyAsync(string path, CancellationToken ct) => OpenSqliteCopyAsync(path, ct);

    public Task<string> IntegrityAsync(DbConnection copy, CancellationToken ct) => SqliteIntegrityAsync(copy, ct);

    /// <summary>A SQLite copy, read-only and unpooled (nothing keeps the file open after the check).</summary>
    internal static async Task<DbConnection> OpenSqliteCopyAsync(string path, CancellationToken ct)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await connection.OpenAsync(ct);
        return connection;
    }

    internal static async Task<string> SqliteIntegrityAsync(DbConnection copy, CancellationToken ct)
    {
        await using var command = copy.CreateCommand();
        command.CommandText = "PRAGMA integrity_check";
        var problems = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct) && problems.Count < 10)
        {
            problems.Add(reader.GetString(0));
        }

        return string.Join("; ", problems);
    }
}

/// <summary>
/// PostgreSQL: the backup is a SQLite database file, written from one read-only REPEATABLE READ snapshot of the
/// PostgreSQL database (writers on every instance go on), table by table (<see cref="EngineCopy"/>), then checked like
/// any SQLite backup (integrity check, the whole ledger verified). The same file restores on either engine: as the
/// SQLite database of a single server, or into an empty PostgreSQL database with migrate-to-postgres. pg_dump and base
/// backups remain PostgreSQL's own tools for the whole server (README, "Backups").
/// </summary>
public sealed class PostgresSnapshots(PostgresDatabase database) : IDatabaseSnapshots
{
    public async Task CreateAsync(string path, CancellationToken ct)
    {
        var full = Path.GetFullPath(path);
        var target = new SqliteDatabase(Microsoft.Extensions.Options.Options.Create(new DatabaseOptions
        {
            DataDirectory = Path.GetDirectoryName(full)!, FileName = Path.GetFileName(full), Synchronous = "NORMAL",
        }));
        new DatabaseMigrator(target, Microsoft.Extensions.Logging.Abstractions.NullLogger<DatabaseMigrator>.Instance).Migrate();
        SqliteConnection.ClearAllPools(); // the migrator's idle connections to the new file (this engine pools no others)

        var unpooled = new SqliteConnectionStringBuilder(target.ConnectionString) { Pooling = false }.ToString();
        await using (var to = new SqliteConnection(unpooled))
        {
            await to.OpenAsync(ct);
            await using (var pragmas = to.CreateCommand())
            {
                pragmas.CommandText = "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;";
                await pragmas.ExecuteNonQueryAsync(ct);
            }

            await using var from = (Npgsql.NpgsqlConnection)await database.OpenAsync(ct);
            await using var snapshot = (Npgsql.NpgsqlTransaction)database.BeginReadSnapshot(from);
            await using var transaction = (SqliteTransaction)await to.BeginTransactionAsync(ct);
            foreach (var table in EngineCopy.Seeded)
            {
                await using var clear = to.CreateCommand();
                clear.Transaction = transaction;
                clear.CommandText = $"DELETE FROM {table}";
                await clear.ExecuteNonQueryAsync(ct);
            }

            foreach (var table in EngineCopy.Tables)
            {
                await EngineCopy.ToSqliteAsync(from, snapshot, to, transaction, table, ct);
            }

            await transaction.CommitAsync(ct);
            await snapshot.CommitAsync(ct);

            // One self-contained file: fold the write-ahead log in and leave no -wal/-shm beside it.
            await using var single = to.CreateCommand();
            single.CommandText = "PRAGMA journal_mode = DELETE";
            await single.ExecuteNonQueryAsync(ct);
        }
    }

    public Task<DbConnection> OpenCopyAsync(string path, CancellationToken ct) => SqliteSnapshots.OpenSqliteCopyAsync(path, ct);

    public Task<string> IntegrityAsync(DbConnection copy, CancellationToken ct) => SqliteSnapshots.SqliteIntegrityAsync(copy, ct);
}
