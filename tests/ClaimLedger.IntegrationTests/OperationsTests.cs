using ClaimLedger.IntegrationTests.Infrastructure;
using ClaimLedger.Server.Infrastructure.Data;
using DbUp.Engine;
using Grpc.Health.V1;
using Grpc.Reflection.V1Alpha;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ClaimLedger.IntegrationTests;

public sealed class OperationsTests(ClaimLedgerServer server) : IClassFixture<ClaimLedgerServer>
{
    [Fact]
    public async Task Health_ReportsServing()
    {
        var health = new Health.HealthClient(server.Channel());
        var reply = await health.CheckAsync(new HealthCheckRequest());
        reply.Status.ShouldBe(HealthCheckResponse.Types.ServingStatus.Serving);
    }

    [Fact]
    public async Task Reflection_ListsTheClaimLedgerServices()
    {
        var reflection = new ServerReflection.ServerReflectionClient(server.Channel());
        using var call = reflection.ServerReflectionInfo();
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.CompleteAsync();
        (await call.ResponseStream.MoveNext(CancellationToken.None)).ShouldBeTrue();

        var services = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();

        services.ShouldContain("claimledger.v1.ClaimService");
        services.ShouldContain("claimledger.v1.SourceService");
        services.ShouldContain("claimledger.v1.EvidenceService");
        services.ShouldContain("grpc.health.v1.Health");
    }

    [SqliteOnlyFact("checks the SQLite file's journal mode (WAL) and its journal of the SQLite migration scripts")]
    public async Task FirstStart_OnEmptyDataDirectory_MigratesToWalWithEveryScriptJournaled()
    {
        await server.Claims().ListClaimsAsync(new Contracts.V1.ListClaimsRequest()); // forces start-up

        File.Exists(server.DatabasePath).ShouldBeTrue();
        using var connection = new SqliteConnection($"Data Source={server.DatabasePath}");
        connection.Open();
        Pragma(connection, "journal_mode").ShouldBe("wal");
        Db.Scalar(server.DatabasePath, "SELECT count(*) FROM schema_migrations")
            .ShouldBe(DatabaseMigrator.EmbeddedScripts().Count);
        Db.Scalar(server.DatabasePath, "SELECT count(*) FROM schema_migrations WHERE length(sha256) = 64")
            .ShouldBe(DatabaseMigrator.EmbeddedScripts().Count);
    }

    [SqliteOnlyFact("checks the PRAGMAs of SqliteDatabase's connections")]
    public async Task Connections_HaveForeignKeysSynchronousFullAndBusyTimeout()
    {
        var database = new SqliteDatabase(Options.Create(new DatabaseOptions { DataDirectory = server.DataDirectory }));
        await using var connection = (SqliteConnection)await database.OpenAsync(CancellationToken.None);
        Pragma(connection, "foreign_keys").ShouldBe("1");
        Pragma(connection, "synchronous").ShouldBe("2"); // FULL
        Pragma(connection, "busy_timeout").ShouldBe("5000");
        Pragma(connection, "cache_size").ShouldBe("-4096"); // Database:CacheSizeKib (ADR 22)
    }

    [SqliteOnlyFact("checks the PRAGMAs and native handles of SqliteDatabase's pooled connections")]
    public async Task PooledConnections_KeepTheirPragmas_WhichAreSetOncePerNativeConnection()
    {
        var database = new SqliteDatabase(Options.Create(new DatabaseOptions { DataDirectory = server.DataDirectory, CacheSizeKib = 777 }));
        SQLitePCL.sqlite3 first;
        await using (var connection = (SqliteConnection)await database.OpenAsync(CancellationToken.None))
        {
            first = connection.Handle!;
            Pragma(connection, "cache_size").ShouldBe("-777");
        }

        // The pool hands the same native connection out again: its settings are still there without being set again.
        await using var again = (SqliteConnection)await database.OpenAsync(CancellationToken.None);
        again.Handle.ShouldBeSameAs(first);
        Pragma(again, "cache_size").ShouldBe("-777");
        Pragma(again, "synchronous").ShouldBe("2");

        // A connection string's pool cleared: a new native connection, configured afresh.
        SqliteConnection.ClearPool(again);
        await using var fresh = (SqliteConnection)await database.OpenAsync(CancellationToken.None);
        Pragma(fresh, "cache_size").ShouldBe("-777");
    }

    [SqliteOnlyFact("runs the SQLite migrator on a SQLite file of its own")]
    public void Migrate_IsIdempotent_AndRejectsAnEditedAppliedScript()
    {
        var directory = Path.Combine(server.DataDirectory, "migration-" + Guid.NewGuid().ToString("N"));
        var database = new SqliteDatabase(Options.Create(new DatabaseOptions { DataDirectory = directory }));
        var migrator = new DatabaseMigrator(database, NullLogger<DatabaseMigrator>.Instance);
        var scripts = DatabaseMigrator.EmbeddedScripts();
        migrator.Migrate(scripts);
        migrator.Migrate(scripts); // second start: nothing to do, no error

        var edited = scripts.Select((s, i) => i == 0 ? new SqlScript(s.Name, s.Contents + "\n-- edited\n") : s).ToList();
        var error = Should.Throw<InvalidOperationException>(() => migrator.Migrate(edited));
        error.Message.ShouldContain(scripts[0].Name);
        error.Message.ShouldContain("edited after it was applied");

        var missing = scripts.Skip(1).ToList();
        Should.Throw<InvalidOperationException>(() => migrator.Migrate(missing)).Message.ShouldContain("newer version");
    }

    [SqliteOnlyFact("runs the SQLite migrator on a SQLite file of its own (and reads sqlite_master)")]
    public void Migrate_AppliesANewScriptOnce()
    {
        var directory = Path.Combine(server.DataDirectory, "migration-" + Guid.NewGuid().ToString("N"));
        var database = new SqliteDatabase(Options.Create(new DatabaseOptions { DataDirectory = directory }));
        var migrator = new DatabaseMigrator(database, NullLogger<DatabaseMigrator>.Instance);
        var scripts = DatabaseMigrator.EmbeddedScripts().ToList();
        migrator.Migrate(scripts);

        scripts.Add(new SqlScript("9999_test_extra.sql", "CREATE TABLE test_extra (id INTEGER PRIMARY KEY);"));
        migrator.Migrate(scripts);
        migrator.Migrate(scripts);

        Db.Scalar(database.DatabasePath, "SELECT count(*) FROM sqlite_master WHERE name = 'test_extra'").ShouldBe(1);
        Db.Scalar(database.DatabasePath, "SELECT count(*) FROM schema_migrations").ShouldBe(scripts.Count);
        SqliteConnection.ClearAllPools();
    }

    private static string Pragma(SqliteConnection connection, string name)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA {name}";
        return Convert.ToString(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture)!;
    }
}
