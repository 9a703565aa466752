using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;

namespace ClaimLedger.Server.Infrastructure.Data;

/// <summary>
/// Copies the service's tables between the two engines, row for row: the same ids, times, history and ledger entries,
/// so the ledger verifies on the copy with the same head (its hashes never depended on the engine). Both schemas come
/// from migrations with the same numbers and the same column names (docs/postgresql-schema.md); each side must be at
/// the latest one. Quartz's tables are not copied: the schedule is configuration, stored again at start.
/// Used by <see cref="SqliteToPostgres"/> (moving a database) and <see cref="PostgresSnapshots"/> (a backup of a
/// PostgreSQL database is a verified SQLite file, restorable on either engine).
/// </summary>
public static class EngineCopy
{
    /// <summary>Tables in an order that satisfies every foreign key.</summary>
    public static readonly IReadOnlyList<string> Tables =
    [
        "api_keys", "review_policy", "topic_review_intervals", "claims", "claim_topics", "claim_bands", "claim_bands_backfill", "sources", "published_reviews", "evidence",
        "verdicts", "verdict_evidence", "claim_events", "idempotency_keys", "ledger_entries", "staleness_runs", "stale_findings", "source_checks",
        "merkle_tiles", "merkle_tree", "checkpoints", "log_keys",
    ];

    /// <summary>
    /// Tables a migration seeds with a default row (the review policy), emptied on the target before the copy so
    /// the source's own rows take their place.
    /// </summary>
    public static readonly IReadOnlyList<string> Seeded = ["review_policy", "merkle_tree"];

    /// <summary>A PostgreSQL table's own columns (generated ones excluded) and their types, in table order.</summary>
    public static async Task<IReadOnlyList<(string Name, string Type)>> PostgresColumnsAsync(NpgsqlConnection connection, string table, CancellationToken ct)
    {
        var columns = new List<(string, string)>();
        await using var describe = new NpgsqlCommand("""
            SELECT column_name, data_type FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = @Table AND is_generated = 'NEVER'
            ORDER BY ordinal_position
            """, connection);
        describe.Parameters.AddWithValue("Table", table);
        await using var reader = await describe.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            columns.Add((reader.GetString(0), reader.GetString(1)));
        }

        return columns;
    }

    /// <summary>SQLite → PostgreSQL with binary COPY, inside the caller's transaction on <paramref name="to"/>. Returns the rows copied.</summary>
    public static async Task<long> ToPostgresAsync(SqliteConnection from, NpgsqlConnection to, string table, CancellationToken ct)
    {
        var columns = await PostgresColumnsAsync(to, table, ct);
        var names = string.Join(", ", columns.Select(c => c.Name));
        long rows = 0;
        await using (var select = from.CreateCommand())
        {
            select.CommandText = $"SELECT {names} FROM {table}";
            await using var reader = await select.ExecuteReaderAsync(ct);
            await using var import = await to.BeginBinaryImportAsync($"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)", ct);
            while (await reader.ReadAsync(ct))
            {
                await import.StartRowAsync(ct);
                for (var i = 0; i < columns.Count; i++)
                {
                    await WriteAsync(import, reader, i, columns[i].Type, ct);
                }

                rows++;
            }

            await import.CompleteAsync(ct);
        }

        // Identity columns continue after the copied rows.
        if (columns.Any(c => c.Name == "seq"))
        {
            await using var advance = new NpgsqlCommand(
                $"SELECT setval(pg_get_serial_sequence('{table}', 'seq'), coalesce((SELECT max(seq) FROM {table}), 0) + 1, false)", to);
            await advance.ExecuteNonQueryAsync(ct);
        }

        return rows;
    }

    /// <summary>
    /// PostgreSQL → SQLite, reading on <paramref name="from"/> in the caller's (snapshot) transaction and inserting
    /// with one prepared statement in the caller's transaction on <paramref name="to"/>. Returns the rows copied.
    /// </summary>
    public static async Task<long> ToSqliteAsync(NpgsqlConnection from, NpgsqlTransaction? snapshot, SqliteConnection to, SqliteTransaction target, string table, CancellationToken ct)
    {
        var columns = await PostgresColumnsAsync(from, table, ct);
        var names = string.Join(", ", columns.Select(c => c.Name));
        await using var insert = to.CreateCommand();
        insert.Transaction = target;
        insert.CommandText = $"INSERT INTO {table} ({names}) VALUES ({string.Join(", ", columns.Select((_, i) => "$p" + i))})";
        var parameters = columns.Select((_, i) => insert.Parameters.Add(new SqliteParameter("$p" + i, null))).ToArray();
        insert.Prepare();

        long rows = 0;
        await using var select = new NpgsqlCommand($"SELECT {names} FROM {table} ORDER BY 1", from, snapshot);
        await using var reader = await select.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            for (var i = 0; i < parameters.Length; i++)
            {
                parameters[i].Value = reader.GetValue(i);
            }

            await insert.ExecuteNonQueryAsync(ct);
            rows++;
        }

        return rows;
    }

    private static Task WriteAsync(NpgsqlBinaryImporter import, DbDataReader reader, int i, string type, CancellationToken ct)
    {
        if (reader.IsDBNull(i))
        {
            return import.WriteNullAsync(ct);
        }

        var value = reader.GetValue(i);
        var invariant = CultureInfo.InvariantCulture;
        return type switch
        {
            "bigint" => import.WriteAsync(Convert.ToInt64(value, invariant), NpgsqlDbType.Bigint, ct),
            "integer" => import.WriteAsync(Convert.ToInt32(value, invariant), NpgsqlDbType.Integer, ct),
            "smallint" => import.WriteAsync(Convert.ToInt16(value, invariant), NpgsqlDbType.Smallint, ct),
            "double precision" => import.WriteAsync(Convert.ToDouble(value, invariant), NpgsqlDbType.Double, ct),
            "real" => import.WriteAsync(Convert.ToSingle(value, invariant), NpgsqlDbType.Real, ct),
            "numeric" => import.WriteAsync(Convert.ToDecimal(value, invariant), NpgsqlDbType.Numeric, ct),
            "boolean" => import.WriteAsync(Convert.ToInt64(value, invariant) != 0, NpgsqlDbType.Boolean, ct),
            "bytea" => import.WriteAsync((byte[])value, NpgsqlDbType.Bytea, ct),
            "text" or "character varying" => import.WriteAsync(Convert.ToString(value, invariant)!, NpgsqlDbType.Text, ct),
            _ => throw new NotSupportedException($"Column type {type} has no copy rule."),
        };
    }
}
