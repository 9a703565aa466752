using System.Data.Common;

namespace ClaimLedger.Server.Infrastructure.Data;

/// <summary>Opens configured connections. The one seam a second database engine plugs into (see ADR 0005).</summary>
public interface IDbConnectionFactory
{
    Task<DbConnection> OpenAsync(CancellationToken cancellationToken);
}

/// <summary>The engine-specific knowledge handlers need besides their SQL.</summary>
public interface ISqlDialect
{
    /// <summary>True when <paramref name="exception"/> reports malformed full-text query syntax.</summary>
    bool IsFullTextSyntaxError(Exception exception);

    /// <summary>
    /// A query returning a number that grows with every row the connection inserts, updates or deletes (SQLite:
    /// total_changes()). Compared before and after a command to know whether it wrote anything.
    /// </summary>
    string WriteCounterSql { get; }

    /// <summary>A read-only transaction: every read in it sees one consistent snapshot, and it blocks no writer.</summary>
    DbTransaction BeginReadSnapshot(DbConnection connection);
}
