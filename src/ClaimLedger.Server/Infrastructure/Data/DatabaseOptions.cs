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
    /// SQLite page cache per pooled (reading) connection, in KiB (PRAGMA cache_size). Smaller than SQLite's 2 MiB default:
    /// under load there is a pooled connection per concurrent request, and their pages are in the OS page cache anyway.
    /// </summary>
    public int CacheSizeKib { get; set; } = 512;

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
