using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace ClaimLedger.Server.Infrastructure.Data;

/// <summary>
/// SQLite connections: WAL journal (set once, persistent), foreign keys on, a busy timeout, and synchronous=FULL on
/// every connection. Microsoft.Data.Sqlite pools connections, so the per-open pragmas are cheap. The read pool's
/// connections (<see cref="OpenReaderAsync"/>) are the pool's own, unpooled here, each preparing its statements once.
/// </summary>
public sealed class SqliteDatabase : IDbConnectionFactory, ISqlDialect
{
    private readonly string _connectionString;
    private readonly string _pragmas;

    public SqliteDatabase(IOptions<DatabaseOptions> options)
    {
        var o = options.Value;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = o.DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            ForeignKeys = true,
            Pooling = true,
            DefaultTimeout = Math.Max(1, o.BusyTimeoutMs / 1000),
        }.ToString();
        var synchronous = o.Synchronous.ToUpperInvariant() is "FULL" or "NORMAL" or "EXTRA" ? o.Synchronous.ToUpperInvariant() : "FULL";
        _pragmas = $"PRAGMA busy_timeout = {o.BusyTimeoutMs}; PRAGMA synchronous = {synchronous}; PRAGMA cache_size = -{Math.Max(512, o.CacheSizeKib)}; PRAGMA mmap_size = {Math.Max(0, o.MmapSizeMib) * 1024L * 1024L};";
        DatabasePath = o.DatabasePath;
        _readerConnectionString = new SqliteConnectionStringBuilder(_connectionString) { Pooling = false }.ToString();
        _readerStatements = o.ReadPreparedStatements;
        _writerStatements = o.WriterPreparedStatements;
    }

    private readonly string _readerConnectionString;
    private readonly int _readerStatements;
    private readonly int _writerStatements;

    public string DatabasePath { get; }

    private static readonly object Configured = new();
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<SQLitePCL.sqlite3, object> _configured = new();

    public string ConnectionString => _connectionString;

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            // Pragmas belong to the native connection, which the pool keeps across opens: set them once per handle.
            if (!_configured.TryGetValue(connection.Handle!, out _))
            {
                await using var command = connection.CreateCommand();
                command.CommandText = _pragmas;
                await command.ExecuteNonQueryAsync(cancellationToken);
                _configured.AddOrUpdate(connection.Handle!, Configured);
            }

            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>The group-commit writer's connection, preparing each statement once (<see cref="SqlitePreparedConnection"/>).</summary>
    public async Task<DbConnection> OpenWriterAsync(CancellationToken cancellationToken) =>
        new SqlitePreparedConnection((SqliteConnection)await OpenAsync(cancellationToken), _writerStatements);

    /// <summary>A connection of its own (not shared with the engine's pool) that prepares each statement once: see <see cref="SqlitePreparedConnection"/>.</summary>
    public async Task<DbConnection> OpenReaderAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_readerConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = _pragmas;
            await command.ExecuteNonQueryAsync(cancellationToken);
            return new SqlitePreparedConnection(connection, _readerStatements);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public string WriteCounterSql => "SELECT total_changes()";

    public string Engine => "SQLite";

    public string Location => DatabasePath;

    public string EpochSeconds(string timeExpression) => $"(julianday({timeExpression}) * 86400.0)";

    // One process per file: the in-process notifications are all there is.
    public string? NotifySql => null;

    public bool SharedByInstances => false;

    public string InList(string expression, string parameter) => $"{expression} IN {parameter}";

    public string JsonRows(string parameter, string alias) => $"json_each({parameter}) AS {alias}";

    public string? DeclareCursorSql(string cursor, string query) => null; // readers overlap freely on a connection

    public string FetchSql(string cursor, int rows) => throw new NotSupportedException("SQLite streams from its reader.");

    public string CloseCursorSql(string cursor) => throw new NotSupportedException("SQLite streams from its reader.");

    public DbTransaction BeginReadSnapshot(DbConnection connection) => ((SqliteConnection)connection).BeginTransaction(deferred: true);

    // FTS5's messages for a malformed query ("expected integer" is NEAR's distance: NEAR(a b, 5x)).
    public bool IsFullTextSyntaxError(Exception exception) =>
        exception is SqliteException { SqliteErrorCode: 1 } e &&
        (e.Message.Contains("fts5:", StringComparison.Ordinal) || e.Message.Contains("no such column", StringComparison.Ordinal)
            || e.Message.Contains("unterminated string", StringComparison.Ordinal) || e.Message.Contains("unknown special query", StringComparison.Ordinal)
            || e.Message.Contains("expected integer, got", StringComparison.Ordinal));
}
