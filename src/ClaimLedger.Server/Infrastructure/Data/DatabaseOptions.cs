namespace ClaimLedger.Server.Infrastructure.Data;

/// <summary>Configuration section "Database".</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";

    /// <summary>The connection string name of the PostgreSQL database (ConnectionStrings:ClaimLedger).</summary>
    public const string ConnectionStringName = "ClaimLedger";

    /// <summary>
    /// "Sqlite" (the embedded default: one file, one process) or "PostgreSQL" (one database, any number of instances;
    /// the Npgsql connection string in ConnectionStrings:ClaimLedger). ADR 19.
    /// </summary>
    public string Provider { get; set; } = "Sqlite";

    public bool IsPostgreSql => Provider.Equals("PostgreSQL", StringComparison.OrdinalIgnoreCase) || Provider.Equals("Postgres", StringComparison.OrdinalIgnoreCase);

    /// <summary>Folder for the database file; created on first start. Relative paths are relative to the working directory.</summary>
    public string DataDirectory { get; set; } = "data";

    public string FileName { get; set; } = "claimledger.db";

    /// <summary>How long a connection waits for a lock held by another process before failing (SQLite busy_timeout).</summary>
    public int BusyTimeoutMs { get; set; } = 5000;

    /// <summary>SQLite synchronous level; FULL keeps every acknowledged commit across power loss (see ADR 0004).</summary>
    public string Synchronous { get; set; } = "FULL";

    /// <summary>
    /// SQLite page cache per read connection, in KiB (PRAGMA cache_size): each of the <see cref="ReadConnections"/> and
    /// the few connections of long reads (reports, exports, backups). The pool bounds how many there are, so the total
    /// is bounded too (ADR 22).
    /// </summary>
    public int CacheSizeKib { get; set; } = 4096;

    /// <summary>
    /// Connections for reads (<see cref="ReadConnectionPool"/>, ADR 22): at most this many statements outside a transaction
    /// run at once; more wait their turn in a queue. Each connection stays open and keeps its statements prepared.
    /// </summary>
    public int ReadConnections { get; set; } = 8;

    /// <summary>Statements each SQLite read connection keeps prepared (the oldest is dropped first); PostgreSQL: Npgsql's Max Auto Prepare.</summary>
    public int ReadPreparedStatements { get; set; } = 64;

    /// <summary>The bounds start-up checks (ADR 22).</summary>
    public const int MaxReadConnections = 256;

    public const int MaxReadPreparedStatements = 1024;

    /// <summary>
    /// Statements the one writer connection keeps prepared (SQLite: the oldest is dropped first; PostgreSQL: Npgsql's
    /// Max Auto Prepare of the main data source). Commands use well over a hundred distinct statements in all.
    /// </summary>
    public int WriterPreparedStatements { get; set; } = 256;

    public const int MaxWriterPreparedStatements = 4096;

    /// <summary>Page cache of the one writer connection (group commit), in KiB: every write walks its indexes.</summary>
    public int WriterCacheSizeKib { get; set; } = 32 * 1024;

    /// <summary>
    /// How much of the file SQLite reads through memory mapping instead of read() calls (PRAGMA mmap_size), in MiB.
    /// Off by default: mapped pages count toward the process's resident memory, and reads measured no faster with it.
    /// </summary>
    public int MmapSizeMib { get; set; }

    /// <summary>Most commands that share one transaction and one fsync (group commit, ADR 0015).</summary>
    public int MaxGroupCommit { get; set; } = 256;

    public string DatabasePath => Path.GetFullPath(Path.Combine(DataDirectory, FileName));
}
