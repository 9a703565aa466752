using System.Data.Common;

namespace ClaimLedger.Server.Infrastructure.Data;

/// <summary>
/// How a command gets its transaction. <see cref="RunAsync{T}"/> returns only once the command's work is committed
/// (a reply means committed) and throws when it is not, in which case the command wrote nothing. SQLite's
/// implementation is <see cref="SqliteGroupCommit"/>; a server engine would give each command its own connection and
/// transaction and let the engine group the commits (ADR 0015).
/// </summary>
public interface ICommandTransactions
{
    /// <param name="work">The command: runs with the connection and transaction it must use, and nothing else runs on them meanwhile.</param>
    Task<T> RunAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken);
}
