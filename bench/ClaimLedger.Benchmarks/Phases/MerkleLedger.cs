using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace ClaimLedger.Benchmarks.Phases;

/// <summary>
/// The checkpoints at the end of a size. <see cref="Count"/>: every checkpoint signed in the run so far (ListCheckpoints);
/// <see cref="PerMinute"/>: those signed during this size (from the start of its load to the end of its write phases)
/// per minute of it, idle stretches included; "under write load": those signed during the measured CreateClaim phase
/// with integration on, and the entries each added on average. <see cref="TreeBytes"/>: what merkle_tiles and
/// checkpoints take in the database (<see cref="TreeBytesMethod"/> says how it was measured), per claim recorded.
/// </summary>
public sealed record CheckpointStats(
    long Count,
    double PerMinute,
    double? TreeBytesPerClaim,
    long SignedDuringSize,
    double SizeMinutes,
    long SignedUnderWriteLoad,
    double PerMinuteUnderWriteLoad,
    double EntriesPerCheckpointUnderWriteLoad,
    long LatestTreeSize,
    long? TreeBytes,
    string TreeBytesMethod,
    long Claims);

/// <summary>
/// The integrator catching up with the entries written while it was off: <see cref="Entries"/> entries beyond the
/// latest checkpoint when the server restarted with integration on, and how long until a checkpoint covered them all,
/// counted from the restarted process's start (so including its start-up: an upper bound on the integrator's time) and
/// from its first answer to Ping (the integrator may have started a little earlier).
/// </summary>
public sealed record CatchUpResult(long Entries, double SecondsFromStart, double SecondsFromReady, double EntriesPerSecond, bool Covered);

public static class TreeStorage
{
    private static readonly string[] Tables = ["merkle_tiles", "checkpoints"];

    /// <summary>
    /// Bytes of the Merkle tree's tables with their indexes: on SQLite the pages dbstat gives them (or, without dbstat,
    /// the bytes of their values, a lower bound); on PostgreSQL pg_total_relation_size (heap, indexes, TOAST).
    /// <paramref name="connection"/> (not yet open) leads to the service's database; it is disposed.
    /// </summary>
    public static (long? Bytes, string Method) Measure(DbConnection connection)
    {
        using (connection)
        {
            connection.Open();
            if (connection is not SqliteConnection)
            {
                return (Scalar(connection, "SELECT pg_total_relation_size('merkle_tiles') + pg_total_relation_size('checkpoints')"),
                    "pg_total_relation_size (heap, indexes, TOAST)");
            }

            try
            {
                return (Scalar(connection, $"""
                    SELECT coalesce(sum(pgsize), 0) FROM dbstat
                    WHERE name IN (SELECT name FROM sqlite_schema WHERE tbl_name IN ('{string.Join("', '", Tables)}'))
                    """), "SQLite dbstat pages (tables and their indexes)");
            }
            catch (SqliteException)
            {
                // No dbstat in this SQLite build: count the pages of a copy.
                return (CompactCopyBytes(new SqliteConnectionStringBuilder(connection.ConnectionString).DataSource),
                    "SQLite pages of a compact in-memory copy of the tables and their indexes (this SQLite build has no dbstat; " +
                    "the live tables may hold some free space besides)");
            }
        }
    }

    /// <summary>Pages (× page size) that the tables and their indexes take when copied into an empty in-memory database.</summary>
    private static long CompactCopyBytes(string databasePath)
    {
        using var copy = new SqliteConnection("Data Source=:memory:");
        copy.Open();
        Execute(copy, $"ATTACH DATABASE '{databasePath.Replace("'", "''", StringComparison.Ordinal)}' AS source");
        Execute(copy, $"PRAGMA main.page_size = {Scalar(copy, "PRAGMA source.page_size")}");
        var schema = new List<string>();
        using (var command = copy.CreateCommand())
        {
            command.CommandText = $"""
                SELECT sql FROM source.sqlite_schema
                WHERE type IN ('table', 'index') AND sql IS NOT NULL AND tbl_name IN ('{string.Join("', '", Tables)}')
                ORDER BY type DESC
                """;
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                schema.Add(reader.GetString(0));
            }
        }

        foreach (var sql in schema)
        {
            Execute(copy, sql); // unqualified: created in main, the copy
        }

        foreach (var table in Tables)
        {
            Execute(copy, $"INSERT INTO main.{table} SELECT * FROM source.{table}");
        }

        Execute(copy, "DETACH DATABASE source");
        // Page 1 holds the copy's schema, not the tables.
        return ((Scalar(copy, "PRAGMA main.page_count") ?? 1) - 1) * (Scalar(copy, "PRAGMA main.page_size") ?? 0);
    }

    private static void Execute(DbConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static long? Scalar(DbConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar() is { } value and not DBNull ? Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture) : null;
    }
}
