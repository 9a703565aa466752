using System.Data.Common;
using Dapper;

namespace ClaimLedger.Server.Infrastructure.Data;

/// <summary>
/// The request's database connection, opened on first use, and — for commands — its one transaction, begun and
/// committed by <see cref="Behaviors.TransactionBehavior{TRequest,TResponse}"/>. Handlers run their own SQL through it
/// so every statement of a command joins the same transaction and every statement gets the call's cancellation token.
/// </summary>
public sealed class DbSession(IDbConnectionFactory factory, ISqlDialect dialect) : IAsyncDisposable
{
    private readonly List<Func<object?, CancellationToken, Task>> _beforeCommit = [];
    private readonly List<Action> _afterCommit = [];
    private DbConnection? _connection;

    public DbTransaction? Transaction { get; private set; }

    private long _writeCounterAtBegin;

    public async Task<DbConnection> ConnectionAsync(CancellationToken ct) =>
        _connection ??= await factory.OpenAsync(ct);

    public async Task BeginAsync(CancellationToken ct)
    {
        if (Transaction is not null)
        {
            throw new InvalidOperationException("A transaction is already open in this session.");
        }

        var connection = await ConnectionAsync(ct);
        Transaction = await connection.BeginTransactionAsync(ct);
        _writeCounterAtBegin = await ExecuteScalarAsync<long>(dialect.WriteCounterSql, null, ct);
    }

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

    public async Task CommitAsync(object? result, CancellationToken ct)
    {
        var transaction = Transaction ?? throw new InvalidOperationException("No transaction is open.");
        foreach (var action in _beforeCommit)
        {
            await action(result, ct);
        }

        // A commit is not cancelled half-way: once the work is done it either commits or fails.
        await transaction.CommitAsync(CancellationToken.None);
        var afterCommit = _afterCommit.ToList();
        await EndTransactionAsync();
        afterCommit.ForEach(a => a());
    }

    public async Task RollbackAsync()
    {
        if (Transaction is { } transaction)
        {
            try
            {
                await transaction.RollbackAsync(CancellationToken.None);
            }
            finally
            {
                await EndTransactionAsync();
            }
        }
    }

    public async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object? param, CancellationToken ct) =>
        (await (await ConnectionAsync(ct)).QueryAsync<T>(Command(sql, param, ct))).AsList();

    /// <summary>Rows one at a time, without buffering the result: for scans whose memory must not grow with the table.</summary>
    public async IAsyncEnumerable<T> StreamAsync<T>(string sql, object? param, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var connection = await ConnectionAsync(ct);
        await foreach (var row in connection.QueryUnbufferedAsync<T>(sql, param, Transaction).WithCancellation(ct))
        {
            yield return row;
        }
    }

    public async Task<T?> QuerySingleOrDefaultAsync<T>(string sql, object? param, CancellationToken ct) =>
        await (await ConnectionAsync(ct)).QuerySingleOrDefaultAsync<T>(Command(sql, param, ct));

    public async Task<T> ExecuteScalarAsync<T>(string sql, object? param, CancellationToken ct) =>
        (await (await ConnectionAsync(ct)).ExecuteScalarAsync<T>(Command(sql, param, ct)))!;

    public async Task<int> ExecuteAsync(string sql, object? param, CancellationToken ct) =>
        await (await ConnectionAsync(ct)).ExecuteAsync(Command(sql, param, ct));

    /// <summary>Whether the current transaction has inserted, updated or deleted any row so far, however it did.</summary>
    public async Task<bool> HasWrittenAsync(CancellationToken ct) =>
        Transaction is not null && await ExecuteScalarAsync<long>(dialect.WriteCounterSql, null, ct) != _writeCounterAtBegin;

    public async ValueTask DisposeAsync()
    {
        await RollbackAsync();
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
            _connection = null;
        }
    }

    private CommandDefinition Command(string sql, object? param, CancellationToken ct) =>
        new(sql, param, Transaction, cancellationToken: ct);

    private async Task EndTransactionAsync()
    {
        _beforeCommit.Clear();
        _afterCommit.Clear();
        if (Transaction is not null)
        {
            await Transaction.DisposeAsync();
            Transaction = null;
        }
    }
}
