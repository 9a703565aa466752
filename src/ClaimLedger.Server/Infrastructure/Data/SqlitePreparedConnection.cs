using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Data.Sqlite;

namespace ClaimLedger.Server.Infrastructure.Data;

/// <summary>
/// A SQLite connection that prepares each statement once: the read connections of the <see cref="ReadConnectionPool"/>
/// and the group-commit writer's connection (<see cref="SqliteGroupCommit"/>, where the statements of one command run
/// one after another, each reader closed before the next statement). Microsoft.Data.Sqlite
/// keeps a command's prepared statements only while the same command object is executed again, and Dapper creates a
/// command per call; so the commands this connection hands out are light shells that, when executed, run the connection's
/// cached <see cref="SqliteCommand"/> for that SQL text (prepared on its first use), with the shell's parameters bound.
/// The cache holds at most <c>capacity</c> statements (the oldest is finalised first): texts that vary (Dapper expands
/// <c>IN @list</c> per list length) stay bounded. The pool lends the connection for one statement at a time, and every
/// statement's reader is closed before the next runs, so a cached command is never executed twice at once.
/// </summary>
internal sealed class SqlitePreparedConnection(SqliteConnection inner, int capacity) : DbConnection
{
    private readonly Dictionary<string, SqliteCommand> _prepared = new(StringComparer.Ordinal);
    private readonly Queue<string> _age = new();

    /// <summary>Statements prepared on this connection so far (a statement evicted and prepared again counts twice).</summary>
    public long Prepares { get; private set; }

    public SqliteConnection Inner => inner;

    [AllowNull]
    public override string ConnectionString
    {
        get => inner.ConnectionString;
        set => throw new NotSupportedException("A connection that keeps its statements prepared keeps its connection string.");
    }

    public override string Database => inner.Database;

    public override string DataSource => inner.DataSource;

    public override string ServerVersion => inner.ServerVersion;

    public override ConnectionState State => inner.State;

    public override void ChangeDatabase(string databaseName) => throw new NotSupportedException();

    public override void Open() => inner.Open();

    public override void Close() => inner.Close();

    protected override DbTransaction BeginDbTransaction(IsolationLevel isolationLevel) => _transaction = inner.BeginTransaction(isolationLevel);

    // The transaction begun through this connection, until it completes (Commit/Rollback/Dispose clear its Connection).
    // A command created by SqliteConnection.CreateCommand joins the open transaction by itself; so do these.
    private SqliteTransaction? _transaction;

    private SqliteTransaction? OpenTransaction => _transaction is { Connection: not null } open ? open : null;

    protected override DbCommand CreateDbCommand() => new Shell(this);

    private SqliteCommand Prepared(string sql)
    {
        if (_prepared.TryGetValue(sql, out var command))
        {
            return command;
        }

        while (_prepared.Count >= Math.Max(1, capacity) && _age.TryDequeue(out var oldest))
        {
            if (_prepared.Remove(oldest, out var evicted))
            {
                evicted.Dispose();
            }
        }

        command = new SqliteCommand(sql, inner);
        try
        {
            command.Prepare();
        }
        catch
        {
            command.Dispose();
            throw;
        }

        Prepares++;
        _prepared[sql] = command;
        _age.Enqueue(sql);
        return command;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var command in _prepared.Values)
            {
                command.Dispose();
            }

            _prepared.Clear();
            _age.Clear();
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
        await ValueTask.CompletedTask;
    }

    /// <summary>What Dapper fills in: text and parameters; executing runs the connection's prepared command for the text.</summary>
    private sealed class Shell(SqlitePreparedConnection owner) : DbCommand
    {
        private readonly SqliteParameterCollection _parameters = new SqliteCommand().Parameters;
        private SqliteCommand? _running;

        [AllowNull]
        public override string CommandText { get; set; } = "";

        public override int CommandTimeout { get; set; } = 30;

        public override CommandType CommandType
        {
            get => CommandType.Text;
            set
            {
                if (value != CommandType.Text)
                {
                    throw new NotSupportedException("SQLite runs text commands only.");
                }
            }
        }

        public override bool DesignTimeVisible { get; set; }

        public override UpdateRowSource UpdatedRowSource { get; set; }

        protected override DbConnection? DbConnection
        {
            get => owner;
            set
            {
                if (value != owner)
                {
                    throw new NotSupportedException("A command of a connection that keeps its statements prepared stays on it.");
                }
            }
        }

        protected override DbParameterCollection DbParameterCollection => _parameters;

        protected override DbTransaction? DbTransaction { get; set; }

        public override void Cancel() => _running?.Cancel();

        protected override DbParameter CreateDbParameter() => new SqliteParameter();

        public override void Prepare()
        {
        }

        private SqliteCommand Bind()
        {
            var command = owner.Prepared(CommandText);
            command.Transaction = (SqliteTransaction?)DbTransaction ?? owner.OpenTransaction;
            command.CommandTimeout = CommandTimeout;
            command.Parameters.Clear();
            foreach (SqliteParameter parameter in _parameters)
            {
                command.Parameters.Add(parameter);
            }

            return _running = command;
        }

        protected override DbDataReader ExecuteDbDataReader(CommandBehavior behavior) => Bind().ExecuteReader(behavior);

        protected override async Task<DbDataReader> ExecuteDbDataReaderAsync(CommandBehavior behavior, CancellationToken cancellationToken) =>
            await Bind().ExecuteReaderAsync(behavior, cancellationToken);

        public override int ExecuteNonQuery() => Bind().ExecuteNonQuery();

        public override Task<int> ExecuteNonQueryAsync(CancellationToken cancellationToken) => Bind().ExecuteNonQueryAsync(cancellationToken);

        public override object? ExecuteScalar() => Bind().ExecuteScalar();

        public override Task<object?> ExecuteScalarAsync(CancellationToken cancellationToken) => Bind().ExecuteScalarAsync(cancellationToken);
    }
}
