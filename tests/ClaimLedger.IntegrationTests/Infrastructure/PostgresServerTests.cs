#if POSTGRESQL
using System.Diagnostics;
using System.Globalization;
using Npgsql;
using Xunit.Abstractions;

namespace ClaimLedger.IntegrationTests.Infrastructure;

/// <summary>
/// The PostgreSQL server that the PostgreSQL build of the tests starts for itself: who it runs as, that it is reached
/// over loopback, that every database it hands out is a fresh one of its own, owned by the service's non-superuser
/// role, which can create the trusted extensions the service needs.
/// </summary>
public sealed class PostgresServerTests(ITestOutputHelper output)
{
    private static PostgresServer Server => PostgresServer.Instance;

    [Fact]
    public void Server_RunsAsAnUnprivilegedUser_FromItsOwnTemporaryFolder()
    {
        output.WriteLine($"initdb and start: {Server.StartDuration.TotalMilliseconds:F0} ms, as {Server.RunAs ?? "the current user"}, port {Server.Port}");
        var uid = File.ReadLines($"/proc/{Server.ProcessId}/status").Single(l => l.StartsWith("Uid:", StringComparison.Ordinal))
            .Split('\t', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(int.Parse).ToList();

        var ourUid = PostgresServer.GetEffectiveUserId();
        if (ourUid == 0)
        {
            Server.RunAs.ShouldBe("nobody");
            uid.ShouldAllBe(id => id != 0, "real, effective, saved and file-system uid");
        }
        else
        {
            Server.RunAs.ShouldBeNull();
            uid.ShouldAllBe(id => id == ourUid);
        }

        Scalar(Server.ConnectionString("postgres", PostgresServer.Superuser), "SHOW data_directory")
            .ShouldBe(Path.Combine(Server.Folder, "data"));
        Path.GetFileName(Server.Folder).ShouldStartWith($"claimledger-pg-{Environment.ProcessId}-");
    }

    [Fact]
    public async Task Server_IsReachedWithNpgsql_OverLoopbackTcp_AsTheOwnerRole_WhichIsNoSuperuser()
    {
        var connectionString = await Server.CreateDatabaseAsync();

        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        builder.Host.ShouldBe("127.0.0.1");
        builder.Port.ShouldBe(Server.Port);
        Scalar(connectionString, "SELECT host(inet_server_addr())").ShouldBe("127.0.0.1");
        Scalar(connectionString, "SELECT current_user").ShouldBe(PostgresServer.OwnerRole);
        Scalar(connectionString, "SELECT rolsuper::text FROM pg_roles WHERE rolname = current_user").ShouldBe("false");
        Scalar(connectionString, "SELECT pg_catalog.pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()").ShouldBe(PostgresServer.OwnerRole);
        Scalar(connectionString, "SHOW server_encoding").ShouldBe("UTF8");
        Scalar(connectionString, "SHOW fsync").ShouldBe("off");
    }

    [Fact]
    public async Task CreateDatabaseAsync_TwiceGivesTwoIndependentEmptyDatabases()
    {
        var watch = Stopwatch.StartNew();
        var first = await Server.CreateDatabaseAsync();
        output.WriteLine($"CREATE DATABASE: {watch.Elapsed.TotalMilliseconds:F0} ms");
        var second = await Server.CreateDatabaseAsync();

        first.ShouldNotBe(second);
        Scalar(first, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").ShouldBe("0");
        Execute(first, "CREATE TABLE claims (id text PRIMARY KEY); INSERT INTO claims VALUES ('only in the first')");

        Scalar(first, "SELECT count(*) FROM claims").ShouldBe("1");
        Scalar(second, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").ShouldBe("0");
        Execute(second, "CREATE TABLE claims (id text PRIMARY KEY)");
        Scalar(second, "SELECT count(*) FROM claims").ShouldBe("0");
    }

    [Fact]
    public async Task TheDatabaseOwner_CreatesTheTrustedExtensionsTheServiceUses()
    {
        var connectionString = await Server.CreateDatabaseAsync();

        Execute(connectionString, "CREATE EXTENSION IF NOT EXISTS pg_trgm; CREATE EXTENSION IF NOT EXISTS unaccent");

        Scalar(connectionString, "SELECT unaccent('Hôtel Müller, São Paulo')").ShouldBe("Hotel Muller, Sao Paulo");
        Scalar(connectionString, "SELECT similarity('airstrikes on nuclear sites', 'airstrike on a nuclear site') > 0.5").ShouldBe("True");
        Scalar(connectionString, "SELECT lower('ÉTÉ À MOSCOU')").ShouldBe("été à moscou", "the cluster's ctype is Unicode-aware (C.UTF-8)");
    }

    [Fact]
    public async Task DropDatabase_EndsItsSessions_AndTheDatabaseIsGone()
    {
        var connectionString = await Server.CreateDatabaseAsync();
        await using var open = new NpgsqlConnection(connectionString);
        await open.OpenAsync(); // a pooled connection of a server that did not close it

        var watch = Stopwatch.StartNew();
        Server.DropDatabase(connectionString);
        output.WriteLine($"DROP DATABASE: {watch.Elapsed.TotalMilliseconds:F0} ms");

        var database = new NpgsqlConnectionStringBuilder(connectionString).Database;
        Scalar(Server.ConnectionString("postgres", PostgresServer.Superuser), $"SELECT count(*) FROM pg_database WHERE datname = '{database}'").ShouldBe("0");
    }

    [Fact]
    public void TestEngine_GivesEachDataDirectoryItsOwnDatabase_TheSameOnEveryStart_AndDropsItWhenForgotten()
    {
        var directory = Path.Combine(Path.GetTempPath(), "claimledger-tests", Guid.NewGuid().ToString("N"));
        var other = Path.Combine(Path.GetTempPath(), "claimledger-tests", Guid.NewGuid().ToString("N"));

        var settings = TestEngine.ServerSettings(directory).ToDictionary();
        settings["Database:Provider"].ShouldBe("PostgreSQL");
        settings["ConnectionStrings:ClaimLedger"].ShouldBe(TestEngine.ConnectionStringFor(directory + "/"));
        TestEngine.ConnectionStringFor(other).ShouldNotBe(settings["ConnectionStrings:ClaimLedger"]);

        var database = new NpgsqlConnectionStringBuilder(settings["ConnectionStrings:ClaimLedger"]).Database;
        TestEngine.Forget(directory);
        TestEngine.Forget(other);
        Scalar(Server.ConnectionString("postgres", PostgresServer.Superuser), $"SELECT count(*) FROM pg_database WHERE datname = '{database}'").ShouldBe("0");
        TestEngine.ConnectionStringFor(directory).ShouldNotBe(settings["ConnectionStrings:ClaimLedger"], "a new directory of the same name starts empty");
        TestEngine.Forget(directory);
    }

    private static string? Scalar(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToString(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private static void Execute(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }
}
#endif
