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

    public async Task<DbConnection> OpenCopyAsync(string path, CancellationToken ct)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await connection.OpenAsync(ct);
        return connection;
    }

    public async Task<string> IntegrityAsync(DbConnection copy, CancellationToken ct)
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
/// PostgreSQL: backups are the server's own business — pg_dump for a logical copy, a base backup (pg_basebackup) with
/// WAL archiving for point-in-time recovery (README, "Backups"). CreateBackup says so.
/// </summary>
public sealed class PostgresSnapshots : IDatabaseSnapshots
{
    private static Domain.FailedPreconditionException NotHere() => new("BACKUP_BY_ENGINE",
        "On PostgreSQL, back up the database with pg_dump or a base backup (pg_basebackup); see the README, \"Backups\".", "database");

    public Task CreateAsync(string path, CancellationToken ct) => throw NotHere();

    public Task<DbConnection> OpenCopyAsync(string path, CancellationToken ct) => throw NotHere();

    public Task<string> IntegrityAsync(DbConnection copy, CancellationToken ct) => throw NotHere();
}
