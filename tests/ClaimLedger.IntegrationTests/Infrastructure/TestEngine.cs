using System.Collections.Concurrent;

namespace ClaimLedger.IntegrationTests.Infrastructure;

/// <summary>
/// The database engine that this build of the integration tests runs the service on, and the configuration a server
/// needs for it.
/// </summary>
/// <remarks>
/// The test sources compile twice: ClaimLedger.IntegrationTests runs them on SQLite (the service's embedded default, a
/// file in the data directory) and ClaimLedger.IntegrationTests.PostgreSql, which defines POSTGRESQL, on PostgreSQL.
/// On PostgreSQL each data directory has a database of its own on the test process's <see cref="PostgresServer"/>,
/// created empty when it is first asked for: a test that restarts a server on the same data directory finds its data
/// again, as it would in the SQLite file, and two tests never share a database, so they stay independent and can run
/// in parallel. The data directory is still where the server keeps its admin key file and its backups.
/// </remarks>
public static class TestEngine
{
    private static readonly ConcurrentDictionary<string, Lazy<string>> Databases = new(StringComparer.Ordinal);

#if POSTGRESQL
    /// <summary>True in the PostgreSQL build, false in the SQLite one.</summary>
    public static bool IsPostgreSql => true;
#else
    /// <summary>True in the PostgreSQL build, false in the SQLite one.</summary>
    public static bool IsPostgreSql => false;
#endif

    /// <summary>
    /// The settings a server on <paramref name="dataDirectory"/> needs to run on this build's engine, as configuration
    /// keys ("Section:Key"): none on SQLite, the default; on PostgreSQL the provider and the connection string of the
    /// data directory's database (created on first use, which starts the PostgreSQL server on first use).
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string>> ServerSettings(string dataDirectory) =>
        IsPostgreSql
            ?
            [
                new("Database:Provider", "PostgreSQL"),
                new("ConnectionStrings:ClaimLedger", ConnectionStringFor(dataDirectory)),
            ]
            : [];

    /// <summary>
    /// The Npgsql connection string of the PostgreSQL database that belongs to <paramref name="dataDirectory"/>: the
    /// same for every server started on that directory, a fresh empty database the first time.
    /// </summary>
    public static string ConnectionStringFor(string dataDirectory)
    {
        if (!IsPostgreSql)
        {
            throw new InvalidOperationException("This is the SQLite build of the tests: its servers keep their data in the data directory's SQLite file.");
        }

        return Databases.GetOrAdd(Key(dataDirectory), _ => new Lazy<string>(() => PostgresServer.Instance.CreateDatabase())).Value;
    }

    /// <summary>
    /// Makes <paramref name="connectionString"/> (a database of <see cref="PostgresServer"/>, e.g. one that a backup was
    /// restored into) the database of <paramref name="dataDirectory"/>, as if it had been created for it: servers
    /// started on that directory and <see cref="Db"/> use it, and <see cref="Forget"/> drops it. Throws when the
    /// directory already has another database.
    /// </summary>
    public static void Adopt(string dataDirectory, string connectionString)
    {
        if (!IsPostgreSql)
        {
            throw new InvalidOperationException("This is the SQLite build of the tests: its servers keep their data in the data directory's SQLite file.");
        }

        var adopted = Databases.GetOrAdd(Key(dataDirectory), _ => new Lazy<string>(() => connectionString));
        if (adopted.Value != connectionString)
        {
            throw new InvalidOperationException($"{dataDirectory} already has a database of its own.");
        }
    }

    /// <summary>
    /// Drops the PostgreSQL database of a data directory that is gone for good (its server disposed, its folder
    /// deleted), so that a long run does not pile up hundreds of databases. Does nothing on SQLite or when the directory
    /// never had one.
    /// </summary>
    public static void Forget(string dataDirectory)
    {
        if (Databases.TryRemove(Key(dataDirectory), out var database) && database.IsValueCreated)
        {
            PostgresServer.Instance.DropDatabase(database.Value);
        }
    }

    /// <summary>
    /// Forgets that <paramref name="dataDirectory"/> uses its database, without dropping it: a directory that
    /// <see cref="Adopt"/>ed the database of another, which owns it and drops it.
    /// </summary>
    public static void Release(string dataDirectory) => Databases.TryRemove(Key(dataDirectory), out _);

    private static string Key(string dataDirectory) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(dataDirectory));
}
