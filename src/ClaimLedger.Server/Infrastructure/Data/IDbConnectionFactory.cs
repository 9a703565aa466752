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

    /// <summary>"SQLite" or "PostgreSQL", for logs and messages.</summary>
    string Engine { get; }

    /// <summary>Where the data is, for the start-up log (a file path; host, port and database — never a password).</summary>
    string Location { get; }

    /// <summary>
    /// SQL for the seconds since the Unix epoch of a stored time (ISO-8601 UTC text) or a time parameter, for date
    /// arithmetic in reports and staleness checks (SQLite: julianday; PostgreSQL: extract(epoch …)).
    /// </summary>
    string EpochSeconds(string timeExpression);

    /// <summary>
    /// A statement that tells the other instances sharing the database, when (and only if) the transaction commits,
    /// that something happened (parameters @Channel, @Payload); null where there are no other instances (SQLite).
    /// </summary>
    string? NotifySql { get; }

    /// <summary>
    /// True when other instances may share the database (PostgreSQL): then "nothing else is running" can no longer be
    /// concluded from being the only process, only from the cluster's own coordination (Quartz's, the write lock).
    /// </summary>
    bool SharedByInstances { get; }
}
