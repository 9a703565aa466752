using ClaimLedger.Server.Features.Ledger;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

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
            foreach (var table in EngineCopy.Seeded)
            {
                await using var clear = new NpgsqlCommand($"DELETE FROM {table}", to, transaction);
                await clear.ExecuteNonQueryAsync(ct); // the migration's default row; the source's own replaces it
            }

            foreach (var table in EngineCopy.Tables)
            {
                var rows = await EngineCopy.ToPostgresAsync(from, to, table, ct);
                await output.WriteLineAsync($"{table,-24} {rows,10:N0} rows");
            }

            await transaction.CommitAsync(ct);
        }

        // Rows that arrive by COPY leave PostgreSQL with no statistics (reltuples -1) and no visibility map until
        // autovacuum gets round to them, and until then its planner picks plans for empty tables: GetClaim, lists and the
        // near-duplicate check ran at a quarter of their speed on a freshly moved database. Vacuum and analyse now, as
        // after any bulk load, so the instances start on a database planned like one that grew through the API.
        var analysing = System.Diagnostics.Stopwatch.StartNew();
        await using (var vacuum = new NpgsqlCommand("VACUUM (ANALYZE)", to) { CommandTimeout = 0 })
        {
            await vacuum.ExecuteNonQueryAsync(ct);
        }

        await output.WriteLineAsync($"vacuumed and analysed in {analysing.Elapsed.TotalSeconds:0.0} s");

        var verification = await VerifyLedger.VerifyAsync(to, target, ct);
        await output.WriteLineAsync(verification.Valid
            ? $"ledger valid on PostgreSQL: {verification.EntriesChecked:N0} entries and {verification.ClaimsChecked:N0} claims checked; head {verification.HeadSequence} {verification.HeadHash}"
            : $"error: the ledger does not verify on PostgreSQL: {verification.FirstProblem?.Description}");
        return verification.Valid ? 0 : 1;
    }
}
