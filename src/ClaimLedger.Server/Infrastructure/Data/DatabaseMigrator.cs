using System.Data;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using DbUp;
using DbUp.Engine;
using DbUp.Engine.Output;
using DbUp.Engine.Transactions;
using DbUp.Sqlite;
using DbUp.Support;
using Microsoft.Data.Sqlite;

namespace ClaimLedger.Server.Infrastructure.Data;

/// <summary>
/// Applies the numbered scripts of migrations/sqlite (embedded in this assembly) with DbUp, one transaction per
/// script, journaled in schema_migrations together with each script's SHA-256. A script that was applied and has
/// since been edited stops the start-up: applied migrations are immutable. Scripts run with foreign keys off, as
/// SQLite's procedure for changing a table's constraints requires (create the new table, copy, drop, rename);
/// PRAGMA foreign_key_check then confirms every reference still resolves. Then claims recorded before migration 0010
/// get their near-duplicate keys (<see cref="Search.ClaimBandsBackfill"/>).
/// </summary>
public sealed class DatabaseMigrator(SqliteDatabase database, ILogger<DatabaseMigrator> logger) : IDatabaseMigrator
{
    public const string JournalTable = "schema_migrations";
    private const string ResourcePrefix = "migrations/sqlite/";

    public static IReadOnlyList<SqlScript> EmbeddedScripts(Assembly? assembly = null) => EmbeddedScripts(ResourcePrefix, assembly);

    /// <summary>The numbered scripts embedded under <paramref name="prefix"/> (migrations/sqlite/, migrations/postgresql/), in order.</summary>
    public static IReadOnlyList<SqlScript> EmbeddedScripts(string prefix, Assembly? assembly = null)
    {
        assembly ??= typeof(DatabaseMigrator).Assembly;
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n =>
            {
                using var stream = assembly.GetManifestResourceStream(n)!;
                using var reader = new StreamReader(stream, Encoding.UTF8);
                return new SqlScript(n[prefix.Length..], reader.ReadToEnd());
            })
            .ToList();
    }

    public void Migrate() => Migrate(EmbeddedScripts());

    public void Migrate(IReadOnlyList<SqlScript> scripts)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(database.DatabasePath)!);
        using (var connection = new SqliteConnection(database.ConnectionString))
        {
            connection.Open();
            using var wal = connection.CreateCommand();
            // Persistent: once set, every later connection to the file uses the write-ahead log.
            wal.CommandText = "PRAGMA journal_mode = WAL;";
            wal.ExecuteNonQuery();
            EnsureAppliedScriptsUnchanged(connection, scripts);
        }

        var withoutForeignKeys = new SqliteConnectionStringBuilder(database.ConnectionString) { ForeignKeys = false }.ToString();
        var result = DeployChanges.To
            .SqliteDatabase(withoutForeignKeys)
            .WithScripts(scripts)
            .JournalTo((connectionManager, log) => new ChecksumJournal(connectionManager, log))
            .WithTransactionPerScript()
            .LogTo(new UpgradeLog(logger))
            .Build()
            .PerformUpgrade();
        if (!result.Successful)
        {
            throw new InvalidOperationException($"Migration {result.ErrorScript?.Name} failed: {result.Error.Message}", result.Error);
        }

        // Only after scripts ran: on a large database the check reads every referencing row.
        if (result.Scripts.Any())
        {
            EnsureForeignKeysResolve();
        }

        IndexClaimsForNearDuplicates();
    }

    /// <summary>What migration 0010 scheduled (or an interrupted start left): near-duplicate keys of the claims recorded before it (ADR 21).</summary>
    private void IndexClaimsForNearDuplicates()
    {
        using var connection = new SqliteConnection(database.ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'claim_bands_backfill'";
        if (Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) == 0)
        {
            return; // migrated only part of the way (tests do)
        }

        // The inserts land all over the key index: a larger page cache than the default 2 MiB keeps it in memory longer.
        command.CommandText = "PRAGMA cache_size = -131072";
        command.ExecuteNonQuery();
        Search.ClaimBandsBackfill.Run(connection, Search.SqliteMinHashCandidates.BackfillStaging, logger);
    }

    private void EnsureForeignKeysResolve()
    {
        using var connection = new SqliteConnection(database.ConnectionString);
        connection.Open();
        using var check = connection.CreateCommand();
        check.CommandText = "PRAGMA foreign_key_check";
        using var reader = check.ExecuteReader();
        if (reader.Read())
        {
            throw new InvalidOperationException(
                $"After migrating, a row of {reader.GetString(0)} (rowid {reader.GetValue(1)}) refers to a missing row of {reader.GetString(2)}.");
        }
    }

    public static string Checksum(string contents) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(contents.ReplaceLineEndings("\n"))));

    private static void EnsureAppliedScriptsUnchanged(SqliteConnection connection, IReadOnlyList<SqlScript> scripts)
    {
        using var exists = connection.CreateCommand();
        exists.CommandText = $"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '{JournalTable}'";
        if (Convert.ToInt64(exists.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) == 0)
        {
            return;
        }

        using var applied = connection.CreateCommand();
        applied.CommandText = $"SELECT script_name, sha256 FROM {JournalTable}";
        using var reader = applied.ExecuteReader();
        var rows = new List<(string, string)>();
        while (reader.Read())
        {
            rows.Add((reader.GetString(0), reader.GetString(1)));
        }

        EnsureUnchanged(rows, scripts);
    }

    /// <summary>Every applied script (name, SHA-256 in the journal) is still in this build, unchanged.</summary>
    internal static void EnsureUnchanged(IEnumerable<(string Name, string Sha256)> applied, IReadOnlyList<SqlScript> scripts)
    {
        var known = scripts.ToDictionary(s => s.Name, s => Checksum(s.Contents), StringComparer.Ordinal);
        foreach (var (name, sha) in applied)
        {
            if (!known.TryGetValue(name, out var current))
            {
                throw new InvalidOperationException(
                    $"The database has migration {name} applied, which this build does not have: it belongs to a newer version of ClaimLedger.");
            }

            if (!string.Equals(current, sha, StringComparison.Ordinal))
            {
                throw new InvalidOperationException(
                    $"Migration {name} was edited after it was applied (journal sha256 {sha}, script sha256 {current}). " +
                    "Applied migrations are immutable: restore the original script and put the change in a new numbered one.");
            }
        }
    }

    private sealed class ChecksumJournal(Func<IConnectionManager> connectionManager, Func<IUpgradeLog> log)
        : TableJournal(connectionManager, log, new SqliteObjectParser(), null, JournalTable)
    {
        protected override string CreateSchemaTableSql(string quotedPrimaryKeyName) =>
            $"""
             CREATE TABLE {FqSchemaTableName} (
                 script_name TEXT NOT NULL PRIMARY KEY,
                 sha256      TEXT NOT NULL,
                 applied     TEXT NOT NULL
             )
             """;

        protected override string DoesTableExistSql() =>
            $"SELECT count(name) FROM sqlite_master WHERE type = 'table' AND name = '{UnquotedSchemaTableName}'";

        protected override string GetJournalEntriesSql() => $"SELECT script_name FROM {FqSchemaTableName} ORDER BY script_name";

        protected override string GetInsertJournalEntrySql(string scriptName, string applied) =>
            $"INSERT INTO {FqSchemaTableName} (script_name, sha256, applied) VALUES ({scriptName}, @sha256, {applied})";

        protected override IDbCommand GetInsertScriptCommand(Func<IDbCommand> dbCommandFactory, SqlScript script)
        {
            var command = base.GetInsertScriptCommand(dbCommandFactory, script);
            var sha = command.CreateParameter();
            sha.ParameterName = "sha256";
            sha.Value = Checksum(script.Contents);
            command.Parameters.Add(sha);
            return command;
        }
    }

    internal sealed class UpgradeLog(ILogger logger) : IUpgradeLog
    {
        public void LogTrace(string format, params object[] args) => logger.LogTrace("{Message}", Format(format, args));
        public void LogDebug(string format, params object[] args) => logger.LogDebug("{Message}", Format(format, args));
        public void LogInformation(string format, params object[] args) => logger.LogInformation("{Message}", Format(format, args));
        public void LogWarning(string format, params object[] args) => logger.LogWarning("{Message}", Format(format, args));
        public void LogError(string format, params object[] args) => logger.LogError("{Message}", Format(format, args));
        public void LogError(Exception ex, string format, params object[] args) => logger.LogError(ex, "{Message}", Format(format, args));

        private static string Format(string format, object[] args) =>
            args.Length == 0 ? format : string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args);
    }
}
