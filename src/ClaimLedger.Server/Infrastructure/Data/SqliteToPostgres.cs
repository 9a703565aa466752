using System.Data.Common;
using ClaimLedger.Server.Features.Ledger;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace ClaimLedger.Server.Infrastructure.Data;

/// <summary>
/// Moves a SQLite database to an empty PostgreSQL database, row for row: the same ids, times, history and ledger
/// entries, so the ledger verifies there with the same head (its hashes never depended on the engine). Both are first
/// brought to the latest schema by their own migrators; the PostgreSQL database must hold no claims, keys or ledger
/// entries yet. Quartz's tables are not copied (the schedule is configuration and is stored again at start).
/// Run as: ClaimLedger.Server migrate-to-postgres --from data/claimledger.db, with ConnectionStrings:ClaimLedger set.
/// </summary>
public static class SqliteToPostgres
{
    public const string Verb = "migrate-to-postgres";

    /// <summary>Tables in an order that satisfies every foreign key.</summary>
    private static readonly string[] Tables =
    [
        "api_keys", "review_policy", "topic_review_intervals", "claims", "claim_topics", "sources", "published_reviews", "evidence",
        "verdicts", "verdict_evidence", "claim_events", "idempotency_keys", "ledger_entries", "staleness_runs", "stale_findings", "source_checks",
    ];

    /// <summary>Copies everything and verifies the ledger on PostgreSQL. Returns the process exit code.</summary>
    public static async Task<int> RunAsync(string sqlitePath, string? postgres, TextWriter output, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(sqlitePath) || !File.Exists(sqlitePath))
        {
            await output.WriteLineAsync(string.IsNullOrWhiteSpace(sqlitePath)
                ? $"usage: ClaimLedger.Server {Verb} --from <SQLite database file>   (with ConnectionStrings__{DatabaseOptions.ConnectionStringName} set)"
                : $"error: {sqlitePath} does not exist.");
            return 2;
        }

        if (string.IsNullOrWhiteSpace(postgres))
        {
            await output.WriteLineAsync($"error: set ConnectionStrings__{DatabaseOptions.ConnectionStringName} to the PostgreSQL database to move into.");
            return 2;
        }

        var sqlite = new SqliteDatabase(Options.Create(new DatabaseOptions
        {
            DataDirectory = Path.GetDirectoryName(Path.GetFullPath(sqlitePath))!, FileName = Path.GetFileName(sqlitePath),
        }));
        new DatabaseMigrator(sqlite, NullLogger<DatabaseMigrator>.Instance).Migrate();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new($"ConnectionStrings:{DatabaseOptions.ConnectionStringName}", postgres)]).Build();
        await using var target = new PostgresDatabase(Options.Create(new DatabaseOptions { Provider = "PostgreSQL" }), configuration);
        new PostgresMigrator(target, NullLogger<PostgresMigrator>.Instance).Migrate();

        await using var from = new SqliteConnection(new SqliteConnectionStringBuilder(sqlite.ConnectionString) { Mode = SqliteOpenMode.ReadOnly }.ToString());
        await from.OpenAsync(ct);
        await using var to = (NpgsqlConnection)await target.OpenAsync(ct);
        await using (var check = new NpgsqlCommand("SELECT (SELECT count(*) FROM claims) + (SELECT count(*) FROM api_keys) + (SELECT count(*) FROM ledger_entries)", to))
        {
            if ((long)(await check.ExecuteScalarAsync(ct))! > 0)
            {
                await output.WriteLineAsync($"error: the PostgreSQL database {target.Location} already holds claims, keys or ledger entries; migrate into an empty one.");
                return 2;
            }
        }

        await using (var transaction = await to.BeginTransactionAsync(ct))
        {
            await using (var clear = new NpgsqlCommand("DELETE FROM review_policy", to, transaction))
            {
                await clear.ExecuteNonQueryAsync(ct); // the migration's default row; the source's own replaces it
            }

            foreach (var table in Tables)
            {
                var rows = await CopyTableAsync(from, to, table, ct);
                await output.WriteLineAsync($"{table,-24} {rows,10:N0} rows");
            }

            await transaction.CommitAsync(ct);
        }

        var verification = await VerifyLedger.VerifyAsync(to, ct);
        await output.WriteLineAsync(verification.Valid
            ? $"ledger valid on PostgreSQL: {verification.EntriesChecked:N0} entries and {verification.ClaimsChecked:N0} claims checked; head {verification.HeadSequence} {verification.HeadHash}"
            : $"error: the ledger does not verify on PostgreSQL: {verification.FirstProblem?.Description}");
        return verification.Valid ? 0 : 1;
    }

    private static async Task<long> CopyTableAsync(SqliteConnection from, NpgsqlConnection to, string table, CancellationToken ct)
    {
        // The target's own columns (generated ones excluded), read from the source by name.
        var columns = new List<(string Name, string Type)>();
        await using (var describe = new NpgsqlCommand("""
            SELECT column_name, data_type FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = @Table AND is_generated = 'NEVER'
            ORDER BY ordinal_position
            """, to))
        {
            describe.Parameters.AddWithValue("Table", table);
            await using var reader = await describe.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                columns.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        long rows = 0;
        await using (var select = from.CreateCommand())
        {
            select.CommandText = $"SELECT {string.Join(", ", columns.Select(c => c.Name))} FROM {table}";
            await using var reader = await select.ExecuteReaderAsync(ct);
            await using var import = await to.BeginBinaryImportAsync(
                $"COPY {table} ({string.Join(", ", columns.Select(c => c.Name))}) FROM STDIN (FORMAT BINARY)", ct);
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

    private static Task WriteAsync(NpgsqlBinaryImporter import, DbDataReader reader, int i, string type, CancellationToken ct)
    {
        if (reader.IsDBNull(i))
        {
            return import.WriteNullAsync(ct);
        }

        var value = reader.GetValue(i);
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
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
