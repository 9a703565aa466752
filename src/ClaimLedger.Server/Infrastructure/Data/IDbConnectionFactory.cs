using System.Data.Common;

namespace ClaimLedger.Server.Infrastructure.Data;

/// <summary>Opens configured connections. The one seam a second database engine plugs into (see ADR 0005).</summary>
public interface IDbConnectionFactory
{
    Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>
    /// A new long-lived connection for the <see cref="ReadConnectionPool"/>: it runs one statement at a time, outside any
    /// transaction, and keeps its statements prepared (SQLite: a cache of prepared commands per connection;
    /// PostgreSQL: Npgsql's automatic preparation). Engines without such a thing give a plain connection.
    /// </summary>
    Task<DbConnection> OpenReaderAsync(CancellationToken cancellationToken) => OpenAsync(cancellationToken);

    /// <summary>
    /// The group-commit writer's connection: kept open across batches, so it keeps its statements prepared (SQLite: a
    /// cache of prepared commands; PostgreSQL: automatic preparation on a data source of its own). Engines without such
    /// a thing give a plain connection.
    /// </summary>
    Task<DbConnection> OpenWriterAsync(CancellationToken cancellationToken) => OpenAsync(cancellationToken);
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

    /// <summary>
    /// "<paramref name="expression"/> is one of the array parameter <paramref name="parameter"/>": SQLite's
    /// <c>IN @p</c> (Dapper expands the list), PostgreSQL's <c>= ANY(@p)</c> (Npgsql sends one array).
    /// </summary>
    string InList(string expression, string parameter);

    /// <summary>
    /// A table of rows sent as one parameter (a JSON array of arrays, <see cref="JsonRows"/>), named
    /// <paramref name="alias"/>, each row's <c>N</c>th value read as <c>alias.value -&gt;&gt; N</c> (text, or SQL NULL):
    /// SQLite's <c>json_each</c>, PostgreSQL's <c>jsonb_array_elements</c>.
    /// </summary>
    string JsonRows(string parameter, string alias);

    /// <summary>
    /// How a long query is read without holding the connection: null where a connection may run other statements while
    /// a reader is open (SQLite), so rows stream straight from the reader; otherwise the statement declaring a
    /// server-side cursor <paramref name="cursor"/> over <paramref name="query"/> (PostgreSQL, whose connection runs one
    /// statement at a time), read with <see cref="FetchSql"/> in batches between which other statements can run, in the
    /// same transaction and snapshot.
    /// </summary>
    string? DeclareCursorSql(string cursor, string query);

    /// <summary>The next <paramref name="rows"/> rows of a cursor declared with <see cref="DeclareCursorSql"/>.</summary>
    string FetchSql(string cursor, int rows);

    /// <summary>Closes a cursor declared with <see cref="DeclareCursorSql"/>.</summary>
    string CloseCursorSql(string cursor);
}
