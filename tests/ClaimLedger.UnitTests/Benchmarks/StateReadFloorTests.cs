using ClaimLedger.Benchmarks.Ceilings;
using Microsoft.Data.Sqlite;
using Shouldly;

namespace ClaimLedger.UnitTests.Benchmarks;

/// <summary>
/// The benchmark's state-pass floor (bench/README.md): it must read every row of each table VerifyLedger's state pass
/// compares, and parse every ledger entry's changes, or its figure floors something smaller than the pass.
/// </summary>
public sealed class StateReadFloorTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"claimledger-floor-{Guid.NewGuid():N}.db");

    private static readonly string[] Tables =
        ["claims", "claim_topics", "evidence", "claim_events", "verdicts", "verdict_evidence", "stale_findings", "sources", "api_keys"];

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        File.Delete(_path);
    }

    private SqliteConnection Connect() => new(new SqliteConnectionStringBuilder { DataSource = _path, Pooling = false }.ToString());

    private void Create(int rowsPerTable, params string[] changes)
    {
        using var connection = Connect();
        connection.Open();
        foreach (var table in Tables)
        {
            Execute(connection, $"CREATE TABLE {table} (id INTEGER PRIMARY KEY, name TEXT, note TEXT)");
            for (var i = 0; i < rowsPerTable; i++)
            {
                Execute(connection, $"INSERT INTO {table} (name, note) VALUES ('row {i}', {(i % 2 == 0 ? "NULL" : "'Экспорт зерна'")})");
            }
        }

        Execute(connection, "CREATE TABLE ledger_entries (sequence INTEGER PRIMARY KEY, subject TEXT, changes TEXT)");
        foreach (var text in changes)
        {
            using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO ledger_entries (subject, changes) VALUES ('claims/x', @C)";
            insert.Parameters.AddWithValue("@C", text);
            insert.ExecuteNonQuery();
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    [Fact]
    public void EveryRowOfEveryComparedTable_AndEveryEntry_IsRead_AndEveryEntryParsed()
    {
        Create(7, """{"text":"伊朗外长访问莫斯科"}""", """{"status":"STALE","findings":[]}""", "{}");

        var floor = StateReadFloor.Measure(Connect, CancellationToken.None);

        floor.Rows.ShouldBe(Tables.Length * 7 + 3);
        floor.Entries.ShouldBe(3);
        floor.EntriesPerSecond.ShouldBeGreaterThan(0);
        floor.TextChars.ShouldBeGreaterThan(Tables.Length * 7 * "row 0".Length);
    }

    [Theory]
    [InlineData("[1,2]")]
    [InlineData("not json")]
    public void AnEntryWhoseChangesAreNotAJsonObject_StopsTheMeasurement(string changes)
    {
        Create(1, "{}", changes);

        Should.Throw<Exception>(() => StateReadFloor.Measure(Connect, CancellationToken.None));
    }
}
