using System.Collections.Concurrent;
using System.Data.Common;
using Dapper;

namespace ClaimLedger.Server.Infrastructure.Data;

/// <summary>
/// The request's database connection, opened on first use, and — for commands — the transaction the command runs in,
/// joined and left by <see cref="Behaviors.TransactionBehavior{TRequest,TResponse}"/>. Handlers run their own SQL through it
/// so every statement of a command joins the same transaction and every statement gets the call's cancellation token.
/// </summary>
/// <remarks>
/// Outside a transaction, each statement borrows a warm connection from the <see cref="ReadConnectionPool"/> for its
/// own duration (waiting its turn when all are busy), so concurrency and connections stay bounded and no connection is
/// held while a reply is written. Long reads — a read snapshot, a stream, a caller that takes <see cref="ConnectionAsync"/> —
/// pin a connection of their own for the rest of the session instead, outside the pool, so they never hold a pool slot
/// for minutes nor wait on it while holding another.
/// </remarks>
public sealed class DbSession(IDbConnectionFactory factory, ISqlDialect dialect, ReadConnectionPool? readers = null) : IAsyncDisposable
{
    // Handlers map snake_case columns to properties; set here too for sessions made outside the host (DbSession.Borrow).
    static DbSession() => DefaultTypeMap.MatchNamesWithUnderscores = true;

    private readonly List<Func<object?, CancellationToken, Task>> _beforeCommit = [];
    private readonly List<Action> _afterCommit = [];
    private DbConnection? _connection;
    private DbConnection? _enlisted;

    public DbTransaction? Transaction { get; private set; }

    /// <summary>"<paramref name="expression"/> is one of the array parameter <paramref name="parameter"/>", in this engine's SQL.</summary>
    public string InList(string expression, string parameter) => dialect.InList(expression, parameter);

    /// <summary>Rows sent as one parameter, in this engine's SQL (<see cref="ISqlDialect.JsonRows"/>, <see cref="Data.JsonRows"/>).</summary>
    public string JsonRows(string parameter, string alias) => dialect.JsonRows(parameter, alias);

    private long _writeCounterAtBegin;

    /// <summary>
    /// What the shared writers add to the current command's ledger entry besides its subject's state (LedgerBehavior
    /// takes them): the claim timeline events it appended, resources it created in passing (evidence with a claim,
    /// sources of an import), and fields of a claim it changed as a side effect. So every row of record a command
    /// writes is in its entry (docs/ledger-format.md, "What an entry covers").
    /// </summary>
    public LedgerAdditions LedgerAdditions { get; } = new();

    /// <summary>
    /// A session over a connection the caller opened and keeps (another database: a backup being checked, a database
    /// just moved), so the handlers' reading code can run on it. Disposing the session leaves the connection open.
    /// </summary>
    public static DbSession Borrow(DbConnection connection, ISqlDialect dialect) => new(new NoConnections(), dialect) { _enlisted = connection };

    private sealed class NoConnections : IDbConnectionFactory
    {
        public Task<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
            throw new InvalidOperationException("A borrowed session reads only on the connection it was given.");
    }

    public async Task<DbConnection> ConnectionAsync(CancellationToken ct) =>
        _enlisted ?? (_connection ??= await factory.OpenAsync(ct));

    /// <summary>
    /// Joins a command's transaction (given by <see cref="ICommandTransactions"/>): until <see cref="Leave"/>, every
    /// statement of this session runs on that connection and transaction.
    /// </summary>
    public async Task EnlistAsync(DbConnection connection, DbTransaction transaction, CancellationToken ct)
    {
        if (Transaction is not null)
        {
            throw new InvalidOperationException("A transaction is already open in this session.");
        }

        _enlisted = connection;
        Transaction = transaction;
        _writeCounterAtBegin = await ExecuteScalarAsync<long>(dialect.WriteCounterSql, null, ct);
    }

    /// <summary>Runs the work registered with <see cref="OnBeforeCommit"/>, still inside the command's transaction.</summary>
    public async Task PrepareCommitAsync(object? result, CancellationToken ct)
    {
        foreach (var action in _beforeCommit)
        {
            await action(result, ct);
        }

        _beforeCommit.Clear();
    }

    /// <summary>Leaves the command's transaction; the session's own connection serves the request's later reads.</summary>
    public void Leave()
    {
        _enlisted = null;
        Transaction = null;
        _beforeCommit.Clear();
    }

    /// <summary>The command committed: runs the work registered with <see cref="OnAfterCommit"/>.</summary>
    public void Committed()
    {
        var actions = _afterCommit.ToList();
        _afterCommit.Clear();
        actions.ForEach(a => a());
    }

    /// <summary>The command did not commit: forgets the work registered for after the commit.</summary>
    public void Abandoned() => _afterCommit.Clear();

    /// <summary>For long reads (reports): all following reads of this request see one snapshot. Rolled back at the end.</summary>
    public async Task BeginReadSnapshotAsync(CancellationToken ct)
    {
        if (Transaction is null)
        {
            Transaction = dialect.BeginReadSnapshot(await ConnectionAsync(ct));
        }
    }

    /// <summary>Work that must commit with the command (idempotency record, later the ledger entry). Gets the command's result.</summary>
    public void OnBeforeCommit(Func<object?, CancellationToken, Task> action) => _beforeCommit.Add(action);

    /// <summary>Work to do once the transaction has committed (never after a rollback), such as waking ledger watchers.</summary>
    public void OnAfterCommit(Action action) => _afterCommit.Add(action);

    /// <summary>
    /// Tells every instance sharing the database, once the transaction commits, that something happened on
    /// <paramref name="channel"/> (<see cref="Cluster.ClusterEvents"/>): in this process <paramref name="here"/> runs
    /// after the commit; the other instances get the engine's notification (PostgreSQL NOTIFY, delivered on COMMIT and
    /// never after a rollback). With SQLite there are no other instances.
    /// </summary>
    public async Task NotifyAsync(string channel, string payload, Action here, CancellationToken ct)
    {
        if (dialect.NotifySql is { } notify)
        {
            await ExecuteScalarAsync<object?>(notify, new { Channel = channel, Payload = payload }, ct);
        }

        OnAfterCommit(here);
    }

    /// <summary>Ends a read snapshot.</summary>
    private async Task EndReadSnapshotAsync()
    {
        if (_enlisted is null && Transaction is { } transaction)
        {
            try
            {
                await transaction.RollbackAsync(CancellationToken.None);
            }
            finally
            {
                await transaction.DisposeAsync();
                Transaction = null;
            }
        }
    }

    public async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object? param, CancellationToken ct) =>
        (await RunAsync(static (c, command) => c.QueryAsync<T>(command), Command(sql, param, ct), ct)).AsList();

    /// <summary>
    /// Rows mapped by the caller, column by column with the reader's typed getters: for the long scans where Dapper's
    /// per-value boxing shows in the profile (VerifyLedger's state pass). Parameters are still bound by Dapper.
    /// </summary>
    public async Task<List<T>> QueryAsync<T>(string sql, object? param, Func<DbDataReader, T> map, CancellationToken ct) =>
        await RunAsync(async (c, command) =>
        {
            var rows = new List<T>();
            await using var reader = await c.ExecuteReaderAsync(command);
            while (await reader.ReadAsync(command.CancellationToken))
            {
                rows.Add(map(reader));
            }

            return rows;
        }, Command(sql, param, ct), ct);

    /// <summary>One statement: on the session's own connection or transaction if it has one, else on a borrowed read connection.</summary>
    private async Task<T> RunAsync<T>(Func<DbConnection, CommandDefinition, Task<T>> statement, CommandDefinition command, CancellationToken ct)
    {
        if ((_enlisted ?? _connection) is { } own)
        {
            return await statement(own, command);
        }

        if (readers is null)
        {
            return await statement(await ConnectionAsync(ct), command);
        }

        await using var lease = await readers.RentAsync(ct);
        return await statement(lease.Connection, command);
    }

    private const int CursorBatch = 256;
    private int _cursors;

    // Each query streamed gets a number of its own, part of its cursors' names: where the driver prepares statements
    // automatically (Npgsql's Max Auto Prepare, an operator's connection-string setting), a prepared FETCH keeps the
    // columns of the query it was first prepared for, so the same FETCH text over another query's cursor on the same
    // connection would read rows it cannot describe (the call hung). One FETCH text per query keeps them apart.
    private static readonly ConcurrentDictionary<string, int> StreamedQueries = new(StringComparer.Ordinal);
    private static int _streamedQueryCount;

    /// <summary>
    /// Rows one at a time, without buffering the result: for scans whose memory must not grow with the table. The
    /// caller may run other statements of this session between rows (as exports do per claim): where the engine's
    /// connection runs one statement at a time, the rows come through a server-side cursor in batches, inside the
    /// session's transaction (a read snapshot is begun if there is none, as a cursor lives in a transaction).
    /// </summary>
    public async IAsyncEnumerable<T> StreamAsync<T>(string sql, object? param, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var query = StreamedQueries.GetOrAdd(sql, static _ => Interlocked.Increment(ref _streamedQueryCount));
        var cursor = $"claimledger_stream_q{query}_{++_cursors}";
        if (dialect.DeclareCursorSql(cursor, sql) is not { } declare)
        {
            var connection = await ConnectionAsync(ct);
            await foreach (var row in connection.QueryUnbufferedAsync<T>(sql, param, Transaction).WithCancellation(ct))
            {
                yield return row;
            }

            yield break;
        }

        await BeginReadSnapshotAsync(ct);
        await ExecuteAsync(declare, param, ct);
        try
        {
            while (true)
            {
                var batch = await QueryAsync<T>(dialect.FetchSql(cursor, CursorBatch), null, ct);
                foreach (var row in batch)
                {
                    yield return row;
                }

                if (batch.Count < CursorBatch)
                {
                    break;
                }
            }
        }
        finally
        {
            try
            {
                await ExecuteAsync(dialect.CloseCursorSql(cursor), null, CancellationToken.None);
            }
            catch (DbException)
            {
                // The transaction failed or ended: its cursors are gone with it.
            }
        }
    }

    public async Task<T?> QuerySingleOrDefaultAsync<T>(string sql, object? param, CancellationToken ct) =>
        await RunAsync(static (c, command) => c.QuerySingleOrDefaultAsync<T>(command), Command(sql, param, ct), ct);

    public async Task<T> ExecuteScalarAsync<T>(string sql, object? param, CancellationToken ct) =>
        (await RunAsync(static (c, command) => c.ExecuteScalarAsync<T>(command), Command(sql, param, ct), ct))!;

    public async Task<int> ExecuteAsync(string sql, object? param, CancellationToken ct) =>
        await RunAsync(static (c, command) => c.ExecuteAsync(command), Command(sql, param, ct), ct);

    /// <summary>Whether the current transaction has inserted, updated or deleted any row so far, however it did.</summary>
    public async Task<bool> HasWrittenAsync(CancellationToken ct) =>
        Transaction is not null && await ExecuteScalarAsync<long>(dialect.WriteCounterSql, null, ct) != _writeCounterAtBegin;

    public async ValueTask DisposeAsync()
    {
        await EndReadSnapshotAsync();
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
            _connection = null;
        }
    }

    private CommandDefinition Command(string sql, object? param, CancellationToken ct) =>
        new(sql, param, Transaction, cancellationToken: ct);
}

/// <summary>See <see cref="DbSession.LedgerAdditions"/>.</summary>
public sealed class LedgerAdditions
{
    private readonly List<System.Text.Json.Nodes.JsonObject> _events = [];
    private readonly List<(string Name, System.Text.Json.Nodes.JsonObject State)> _evidence = [];
    private readonly List<(string Name, System.Text.Json.Nodes.JsonObject State)> _sources = [];
    private readonly Dictionary<string, System.Text.Json.Nodes.JsonObject> _claimFields = new(StringComparer.Ordinal);

    /// <summary>An event appended to a claim's timeline.</summary>
    public void Event(System.Text.Json.Nodes.JsonObject e) => _events.Add(e);

    /// <summary>Evidence created by the command (its full state).</summary>
    public void Evidence(string name, System.Text.Json.Nodes.JsonObject state) => _evidence.Add((name, state));

    /// <summary>A source the command created in passing (its full state).</summary>
    public void Source(string name, System.Text.Json.Nodes.JsonObject state)
    {
        state["name"] = name;
        _sources.Add((name, state));
    }

    /// <summary>A field of a claim the command changed as a side effect (e.g. evidence ending its unsourced flag).</summary>
    public void ClaimField(string claim, string field, System.Text.Json.Nodes.JsonNode? value)
    {
        if (!_claimFields.TryGetValue(claim, out var fields))
        {
            _claimFields[claim] = fields = new System.Text.Json.Nodes.JsonObject { ["name"] = claim };
        }

        fields[field] = value;
    }

    /// <summary>Forgets everything (a command begins).</summary>
    public void Clear()
    {
        _events.Clear();
        _evidence.Clear();
        _sources.Clear();
        _claimFields.Clear();
    }

    /// <summary>
    /// Adds what was recorded to an entry's changes about <paramref name="subject"/>, then forgets it: "events";
    /// "evidence" (replacing the command's own list of evidence inputs) for evidence other than the subject;
    /// "created_sources"; and "claim" with the side-effect fields of the subject's claim (not when the subject is that
    /// claim: its state is the entry itself).
    /// </summary>
    public void ApplyTo(string subject, System.Text.Json.Nodes.JsonObject changes)
    {
        if (_events.Count > 0)
        {
            changes["events"] = new System.Text.Json.Nodes.JsonArray([.. _events]);
        }

        var evidence = _evidence.Where(e => e.Name != subject).Select(e => (System.Text.Json.Nodes.JsonNode?)e.State).ToArray();
        if (evidence.Length > 0)
        {
            changes["evidence"] = new System.Text.Json.Nodes.JsonArray(evidence);
        }

        if (_sources.Count > 0)
        {
            changes["created_sources"] = new System.Text.Json.Nodes.JsonArray([.. _sources.Select(s => (System.Text.Json.Nodes.JsonNode?)s.State)]);
        }

        foreach (var (claim, fields) in _claimFields.Where(c => c.Key != subject))
        {
            changes["claim"] = fields;
        }

        Clear();
    }
}
