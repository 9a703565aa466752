using System.Data;
using System.Data.Common;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ClaimLedger.Server.Infrastructure.Data;

/// <summary>
/// PostgreSQL connections through one NpgsqlDataSource (its pool) for the connection string in
/// ConnectionStrings:ClaimLedger, and what PostgreSQL says differently from SQLite (ADR 5, ADR 19).
/// </summary>
public sealed class PostgresDatabase : IDbConnectionFactory, ISqlDialect, IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;

    public PostgresDatabase(IOptions<DatabaseOptions> options, IConfiguration configuration)
    {
        var connectionString = configuration.GetConnectionString(DatabaseOptions.ConnectionStringName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                $"Database:Provider is {options.Value.Provider}, but ConnectionStrings:{DatabaseOptions.ConnectionStringName} is not set " +
                "(e.g. ConnectionStrings__ClaimLedger=\"Host=127.0.0.1;Port=5432;Database=claimledger;Username=claimledger;Password=…\").");
        }

        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        // The group-commit writer, the LISTEN connection and the readers share the pool; keep room for all of them.
        if (builder.MaxPoolSize < 20)
        {
            builder.MaxPoolSize = 20;
        }

        ConnectionString = builder.ConnectionString;
        Location = $"{builder.Host}:{builder.Port}/{builder.Database}";
        _dataSource = NpgsqlDataSource.Create(ConnectionString);

        // The group-commit writer holds its connection open across batches: statements Npgsql prepares automatically
        // (after two uses) stay prepared on it, as on the readers below. A data source of its own, so the other
        // connections (LISTEN, leases, reports and exports reading through server-side cursors) prepare nothing.
        _writer = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(ConnectionString)
        {
            MaxPoolSize = 2,
            MinPoolSize = 0,
            MaxAutoPrepare = options.Value.WriterPreparedStatements,
            AutoPrepareMinUsages = 2,
        }.ConnectionString);

        // The read pool's connections (ADR 22): held open by ReadConnectionPool, so statements Npgsql prepares
        // automatically (after two uses) stay prepared on them; a pool of their own, exactly as large as the read pool.
        _readers = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(ConnectionString)
        {
            MaxPoolSize = options.Value.ReadConnections,
            MinPoolSize = 0,
            MaxAutoPrepare = options.Value.ReadPreparedStatements,
            AutoPrepareMinUsages = 2,
        }.ConnectionString);
    }

    private readonly NpgsqlDataSource _readers;
    private readonly NpgsqlDataSource _writer;

    public string ConnectionString { get; }

    public string Engine => "PostgreSQL";

    public string Location { get; }

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) => await _dataSource.OpenConnectionAsync(cancellationToken);

    public async Task<DbConnection> OpenReaderAsync(CancellationToken cancellationToken) => await _readers.OpenConnectionAsync(cancellationToken);

    public async Task<DbConnection> OpenWriterAsync(CancellationToken cancellationToken) => await _writer.OpenConnectionAsync(cancellationToken);

    /// <summary>Rows this transaction has inserted, updated or deleted so far, in every table (its own statistics view).</summary>
    public string WriteCounterSql => "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)::bigint FROM pg_stat_xact_user_tables";

    public DbTransaction BeginReadSnapshot(DbConnection connection)
    {
        var transaction = ((NpgsqlConnection)connection).BeginTransaction(IsolationLevel.RepeatableRead);
        using var readOnly = new NpgsqlCommand("SET TRANSACTION READ ONLY", (NpgsqlConnection)connection, (NpgsqlTransaction)transaction);
        readOnly.ExecuteNonQuery();
        return transaction;
    }

    public string EpochSeconds(string timeExpression) => $"extract(epoch from ({timeExpression})::timestamptz)";

    public string? NotifySql => "SELECT pg_notify(@Channel, @Payload)";

    public bool SharedByInstances => true;

    public string InList(string expression, string parameter) => $"{expression} = ANY({parameter})";

    public string? DeclareCursorSql(string cursor, string query) => $"DECLARE {cursor} NO SCROLL CURSOR FOR {query}";

    public string FetchSql(string cursor, int rows) => $"FETCH FORWARD {rows} FROM {cursor}";

    public string CloseCursorSql(string cursor) => $"CLOSE {cursor}";

    // Search on PostgreSQL validates its query before it runs (see SearchClaims): the server never sees bad syntax.
    public bool IsFullTextSyntaxError(Exception exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.SyntaxError } e && e.MessageText.Contains("tsquery", StringComparison.Ordinal);

    public async ValueTask DisposeAsync()
    {
        await _readers.DisposeAsync();
        await _writer.DisposeAsync();
        await _dataSource.DisposeAsync();
    }
}
