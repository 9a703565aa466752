using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace ClaimLedger.IntegrationTests.Infrastructure;

/// <summary>
/// Direct reads and writes of a server's database behind its back, to prove what was (or was not) written.
/// </summary>
/// <remarks>
/// A database is named by the SQLite file path of its data directory (<see cref="ClaimLedgerServer.DatabasePath"/>), on
/// both engines: the SQLite build opens that file; the PostgreSQL build runs the same SQL through Npgsql on the
/// database of that data directory (<see cref="TestEngine.ConnectionStringFor"/>). So the SQL given here has to be
/// what both engines accept (as the service's own is): parameters named @name, no PRAGMA, sqlite_master or SQLite
/// trigger syntax. What does differ has an engine-aware helper here (<see cref="DropTrigger"/>, <see cref="Tables"/>,
/// <see cref="FilesAtRest"/>); a test that needs more of one engine is specific to it (<see cref="SqliteOnlyFactAttribute"/>).
/// </remarks>
public static class Db
{
    /// <summary>The single value of a query, as a number (counts, sums, sequences).</summary>
    public static long Scalar(string databasePath, string sql, params (string Name, object Value)[] parameters)
    {
        using var connection = Open(databasePath, readOnly: true);
        using var command = Command(connection, sql, parameters);
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// <summary>Rows of a query, each column as invariant text or null.</summary>
    public static IReadOnlyList<string?[]> Rows(string databasePath, string sql, params (string Name, object Value)[] parameters)
    {
        using var connection = Open(databasePath, readOnly: true);
        using var command = Command(connection, sql, parameters);
        using var reader = command.ExecuteReader();
        var rows = new List<string?[]>();
        while (reader.Read())
        {
            var row = new string?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture);
            }

            rows.Add(row);
        }

        return rows;
    }

    /// <summary>
    /// Changes the database behind the service's back, as an attacker with write access or a test injecting a fault
    /// would. Waits for the service's locks like any other writer. Returns the number of rows changed.
    /// </summary>
    public static int Execute(string databasePath, string sql, params (string Name, object Value)[] parameters)
    {
        using var connection = Open(databasePath, readOnly: false);
        using var command = Command(connection, sql, parameters);
        return command.ExecuteNonQuery();
    }

    /// <summary>Row counts of every table that a write can touch, to compare before and after a failed request.</summary>
    public static string Snapshot(string databasePath) => string.Join(", ",
        new[] { "claims", "claim_topics", "sources", "evidence", "verdicts", "verdict_evidence", "claim_events", "idempotency_keys", "ledger_entries", "api_keys", "published_reviews" }
            .Select(t => $"{t}={Scalar(databasePath, $"SELECT count(*) FROM {t}")}"))
        + $", revisions={Scalar(databasePath, "SELECT coalesce(sum(revision), 0) FROM claims")}";

    /// <summary>
    /// Drops one of the schema's triggers (the append-only guards), as someone with write access to the database would
    /// before editing what they guard: <c>DROP TRIGGER name</c> on SQLite, <c>DROP TRIGGER name ON table</c> on
    /// PostgreSQL (whose triggers belong to their table). The migrations give each guard the same name on both engines.
    /// </summary>
    public static void DropTrigger(string databasePath, string table, string trigger) =>
        Execute(databasePath, TestEngine.IsPostgreSql ? $"DROP TRIGGER \"{trigger}\" ON \"{table}\"" : $"DROP TRIGGER \"{trigger}\"");

    /// <summary>
    /// Every table of the database, the service's, the migrator's and Quartz's alike, as a name to select from:
    /// sqlite_master's tables on SQLite; on PostgreSQL every base table outside the system schemas (information_schema),
    /// schema-qualified and quoted.
    /// </summary>
    public static IReadOnlyList<string> Tables(string databasePath) =>
        Rows(databasePath, TestEngine.IsPostgreSql
                ? """
                  SELECT format('%I.%I', table_schema, table_name) FROM information_schema.tables
                  WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')
                  ORDER BY 1
                  """
                : "SELECT '\"' || name || '\"' FROM sqlite_master WHERE type = 'table' ORDER BY 1")
            .Select(r => r[0]!)
            .ToList();

    /// <summary>
    /// Every column of every row of <paramref name="table"/> (those matching <paramref name="where"/>) as one text: values
    /// as invariant text, blobs (bytea) byte for byte as Latin-1, so that a secret stored in any column, of any type,
    /// shows up in it. Columns end with U+001F.
    /// </summary>
    public static string TableAsText(string databasePath, string table, string where = "1 = 1")
    {
        var text = new System.Text.StringBuilder();
        using var connection = Open(databasePath, readOnly: true);
        using var command = Command(connection, $"SELECT * FROM {table} WHERE {where}", []);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            for (var i = 0; i < reader.FieldCount; i++)
            {
                text.Append(reader.IsDBNull(i) ? "" : reader.GetValue(i) switch
                {
                    byte[] bytes => System.Text.Encoding.Latin1.GetString(bytes),
                    var value => Convert.ToString(value, CultureInfo.InvariantCulture),
                }).Append('\u001f');
            }
        }

        return text.ToString();
    }

    /// <summary>
    /// The files that hold the database at rest, to search byte for byte: on SQLite the database file and its
    /// write-ahead log and shared memory (claimledger.db*); on PostgreSQL, after a CHECKPOINT has written every
    /// change to disk, the files of the database's own folder (base/&lt;oid&gt;: tables, indexes, TOAST) and the
    /// write-ahead log segments written since <paramref name="since"/> (the log is shared by every test database, so
    /// older segments are left out to keep the search short).
    /// </summary>
    public static IReadOnlyList<string> FilesAtRest(string databasePath, DateTime since)
    {
        if (!TestEngine.IsPostgreSql)
        {
            return Directory.GetFiles(Path.GetDirectoryName(Path.GetFullPath(databasePath))!, Path.GetFileName(databasePath) + "*");
        }

        var database = new NpgsqlConnectionStringBuilder(TestEngine.ConnectionStringFor(Path.GetDirectoryName(Path.GetFullPath(databasePath))!)).Database!;
        var postgres = PostgresServer.Instance;
        using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(postgres.ConnectionString(database, PostgresServer.Superuser)) { Pooling = false }.ConnectionString);
        connection.Open();
        using (var checkpoint = new NpgsqlCommand("CHECKPOINT", connection))
        {
            checkpoint.ExecuteNonQuery();
        }

        using var oid = new NpgsqlCommand("SELECT oid FROM pg_database WHERE datname = current_database()", connection);
        var data = Path.Combine(postgres.Folder, "data");
        var folder = Path.Combine(data, "base", Convert.ToString(oid.ExecuteScalar(), CultureInfo.InvariantCulture)!);
        var wal = new DirectoryInfo(Path.Combine(data, "pg_wal")).GetFiles()
            .Where(f => f.Name.Length == 24 && f.LastWriteTimeUtc >= since.ToUniversalTime().AddSeconds(-2))
            .Select(f => f.FullName);
        return Directory.GetFiles(folder).Concat(wal).ToList();
    }

    /// <summary>
    /// An open connection to the database of <paramref name="databasePath"/>'s data directory: the SQLite file itself
    /// (unpooled, so that no handle outlives the call), or the PostgreSQL database of that directory.
    /// </summary>
    private static DbConnection Open(string databasePath, bool readOnly)
    {
        DbConnection connection = TestEngine.IsPostgreSql
            ? new NpgsqlConnection(TestEngine.ConnectionStringFor(Path.GetDirectoryName(Path.GetFullPath(databasePath))!))
            : new SqliteConnection(readOnly ? $"Data Source={databasePath};Mode=ReadOnly;Pooling=False" : $"Data Source={databasePath};Pooling=False;Default Timeout=30");
        try
        {
            connection.Open();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private static DbCommand Command(DbConnection connection, string sql, (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        return command;
    }
}
