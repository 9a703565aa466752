using ClaimLedger.Benchmarks.Ceilings;
using ClaimLedger.Server.Infrastructure.Ledger;
using Microsoft.Data.Sqlite;
using Shouldly;

namespace ClaimLedger.UnitTests.Benchmarks;

/// <summary>
/// The benchmark's VerifyLedger ceiling (bench/README.md): it must hash exactly the bytes the server's chain covers,
/// every entry of the ledger, and count an entry whose stored hash does not match, or its figure is the speed of
/// hashing something else.
/// </summary>
public sealed class LedgerHashCeilingTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"claimledger-hash-ceiling-{Guid.NewGuid():N}.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        File.Delete(_path);
    }

    private SqliteConnection Connect() => new(new SqliteConnectionStringBuilder { DataSource = _path, Pooling = false }.ToString());

    /// <summary>A ledger of <paramref name="count"/> entries chained by the server's own <see cref="LedgerChain"/>.</summary>
    private void CreateLedger(int count)
    {
        using var connection = Connect();
        connection.Open();
        Execute(connection, """
            CREATE TABLE ledger_entries (sequence INTEGER PRIMARY KEY, time TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
                subject TEXT NOT NULL, changes TEXT NOT NULL, previous_hash TEXT NOT NULL, entry_hash TEXT NOT NULL)
            """);
        using var transaction = connection.BeginTransaction();
        var previous = LedgerChain.GenesisHash;
        for (var sequence = 1L; sequence <= count; sequence++)
        {
            var time = $"2026-03-{1 + sequence % 28:00}T10:{sequence % 60:00}:00.{sequence % 1000:000}Z";
            // Non-ASCII text and an escaped quote: the server hashes these through its slow path, the ceiling through its own.
            var changes = sequence % 3 == 0
                ? $$"""{"status":"STALE","text":"Араґчі прибув до Москви \"{{sequence}}\""}"""
                : $$"""{"revision":{{sequence}},"text":"伊朗外长访问莫斯科 {{sequence}}"}""";
            var actor = sequence % 2 == 0 ? "keys/editor-1" : "keys/Ana María";
            var subject = $"claims/c{sequence}";
            var hash = LedgerChain.EntryHash(previous, sequence, time, actor, "UpdateClaim", subject, changes);
            using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO ledger_entries VALUES (@s, @t, @a, 'UpdateClaim', @subject, @c, @p, @h)";
            insert.Parameters.AddWithValue("@s", sequence);
            insert.Parameters.AddWithValue("@t", time);
            insert.Parameters.AddWithValue("@a", actor);
            insert.Parameters.AddWithValue("@subject", subject);
            insert.Parameters.AddWithValue("@c", changes);
            insert.Parameters.AddWithValue("@p", previous);
            insert.Parameters.AddWithValue("@h", hash);
            insert.ExecuteNonQuery();
            previous = hash;
        }

        transaction.Commit();
    }

    private void Execute(string sql)
    {
        using var connection = Connect();
        connection.Open();
        Execute(connection, sql);
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    [Fact]
    public void EveryEntryOfTheServersChain_IsHashed_AndMatches()
    {
        CreateLedger(250);

        var result = LedgerHashCeiling.Measure(Connect(), CancellationToken.None);

        result.Entries.ShouldBe(250);
        result.Mismatches.ShouldBe(0);
        result.EntriesPerSecond.ShouldBeGreaterThan(0);
        // Each input is the previous hash's 32 bytes and the canonical entry, which holds at least the stored changes.
        result.Bytes.ShouldBeGreaterThan(250 * (32 + """{"revision":1,"text":"伊朗外长访问莫斯科 1"}""".Length));
    }

    [Fact]
    public void AnEntryWhoseStoredHashDoesNotMatch_BeyondTheBytesCheck_IsCountedAsAMismatch()
    {
        CreateLedger(250);
        Execute("UPDATE ledger_entries SET changes = replace(changes, 'STALE', 'VERIFIED') WHERE sequence = 201");

        var result = LedgerHashCeiling.Measure(Connect(), CancellationToken.None);

        result.Entries.ShouldBe(250);
        result.Mismatches.ShouldBe(1);
    }

    [Fact]
    public void BytesThatDoNotReproduceTheServersHashes_StopTheMeasurement()
    {
        CreateLedger(20);
        Execute("UPDATE ledger_entries SET time = '2026-03-02T10:02:00Z' WHERE sequence = 2");

        var error = Should.Throw<InvalidOperationException>(() => LedgerHashCeiling.Measure(Connect(), CancellationToken.None));

        error.Message.ShouldContain("ledger entry 2");
    }
}
