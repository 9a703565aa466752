using System.Data;
using DbUp;
using DbUp.Engine;
using DbUp.Engine.Output;
using DbUp.Engine.Transactions;
using DbUp.Postgresql;
using DbUp.Support;
using Npgsql;

namespace ClaimLedger.Server.Infrastructure.Data;

/// <summary>How a database engine brings its schema up to date at start-up.</summary>
public interface IDatabaseMigrator
{
    void Migrate();
}

/// <summary>
/// Applies migrations/postgresql (the same numbers and meaning as migrations/sqlite) with DbUp, one transaction per
/// script, journaled with each script's SHA-256 in schema_migrations; an applied script that was edited since stops the
/// start-up, as on SQLite. Several instances starting at once against an empty database migrate it once: the whole
/// upgrade runs under a session-level advisory lock, and whoever gets it second finds nothing left to do. Then, still
/// under the lock, claims recorded before migration 0010 get their near-duplicate keys (<see cref="Search.ClaimBandsBackfill"/>).
/// </summary>
public sealed class PostgresMigrator(PostgresDatabase database, ILogger<PostgresMigrator> logger) : IDatabaseMigrator
{
    /// <summary>The advisory lock key held around the upgrade ("ClaimMig").</summary>
    public const long MigrationLockKey = 0x436C61696D4D6967;

    private const string ResourcePrefix = "migrations/postgresql/";

    public static IReadOnlyList<SqlScript> EmbeddedScripts() => DatabaseMigrator.EmbeddedScripts(ResourcePrefix);

    public void Migrate() => Migrate(EmbeddedScripts());

    public void Migrate(IReadOnlyList<SqlScript> scripts)
    {
        using var connection = new NpgsqlConnection(database.ConnectionString);
        connection.Open();
        using (var take = new NpgsqlCommand("SELECT pg_advisory_lock(@Key)", connection))
        {
            take.Parameters.AddWithValue("Key", MigrationLockKey);
            take.ExecuteNonQuery();
        }

        try
        {
            DatabaseMigrator.EnsureUnchanged(Applied(connection), scripts);
            var result = DeployChanges.To
                .PostgresqlDatabase(database.ConnectionString)
                .WithScripts(scripts)
                .JournalTo((connectionManager, log) => new ChecksumJournal(connectionManager, log))
                .WithTransactionPerScript()
                .LogTo(new DatabaseMigrator.UpgradeLog(logger))
                .Build()
                .PerformUpgrade();
            if (!result.Successful)
            {
                throw new InvalidOperationException($"Migration {result.ErrorScript?.Name} failed: {result.Error.Message}", result.Error);
            }

            // Still under the lock: one instance indexes the claims recorded before 0010 (ADR 21), the others find it done.
            using var scheduled = new NpgsqlCommand("SELECT to_regclass('claim_bands_backfill') IS NOT NULL", connection);
            if (scheduled.ExecuteScalar() is true)
            {
                Search.ClaimBandsBackfill.Run(connection, Search.PostgresMinHashCandidates.BackfillStaging, logger);
            }
        }
        finally
        {
            using var release = new NpgsqlCommand("SELECT pg_advisory_unlock(@Key)", connection);
            release.Parameters.AddWithValue("Key", MigrationLockKey);
            release.ExecuteNonQuery();
        }
    }

    private static List<(string, string)> Applied(NpgsqlConnection connection)
    {
        using var exists = new NpgsqlCommand("SELECT to_regclass(@Table) IS NOT NULL", connection);
        exists.Parameters.AddWithValue("Table", DatabaseMigrator.JournalTable);
        if (exists.ExecuteScalar() is not true)
        {
            return [];
        }

        using var applied = new NpgsqlCommand($"SELECT script_name, sha256 FROM {DatabaseMigrator.JournalTable}", connection);
        using var reader = applied.ExecuteReader();
        var rows = new List<(string, string)>();
        while (reader.Read())
        {
            rows.Add((reader.GetString(0), reader.GetString(1)));
        }

        return rows;
    }

    private sealed class ChecksumJournal(Func<IConnectionManager> connectionManager, Func<IUpgradeLog> log)
        : TableJournal(connectionManager, log, new PostgresqlObjectParser(), null, DatabaseMigrator.JournalTable)
    {
        // DbUp passes the applied time as a local DateTime: a timestamp without time zone takes it as it is.
        protected override string CreateSchemaTableSql(string quotedPrimaryKeyName) =>
            $"""
             CREATE TABLE {FqSchemaTableName} (
                 script_name TEXT      NOT NULL PRIMARY KEY,
                 sha256      TEXT      NOT NULL,
                 applied     TIMESTAMP NOT NULL
             )
             """;

        protected override string DoesTableExistSql() =>
            $"SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = '{UnquotedSchemaTableName}'";

        protected override string GetJournalEntriesSql() => $"SELECT script_name FROM {FqSchemaTableName} ORDER BY script_name";

        protected override string GetInsertJournalEntrySql(string scriptName, string applied) =>
            $"INSERT INTO {FqSchemaTableName} (script_name, sha256, applied) VALUES ({scriptName}, @sha256, {applied})";

        protected override IDbCommand GetInsertScriptCommand(Func<IDbCommand> dbCommandFactory, SqlScript script)
        {
            var command = base.GetInsertScriptCommand(dbCommandFactory, script);
            var sha = command.CreateParameter();
            sha.ParameterName = "sha256";
            sha.Value = DatabaseMigrator.Checksum(script.Contents);
            command.Parameters.Add(sha);
            return command;
        }
    }
}
