using System.Data;
using System.Data.Common;
using System.Diagnostics.Metrics;
using ClaimLedger.Server.Infrastructure.Data;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace ClaimLedger.UnitTests.Infrastructure;

/// <summary>The bounded pool of read connections (ADR 22): the cap, the queue, cancellation, broken connections.</summary>
public sealed class ReadConnectionPoolTests
{
    [Fact]
    public async Task MoreConcurrentReadersThanConnections_AreAllServed_AndNeverMoreThanTheCapAreOpen()
    {
        var factory = new Connections();
        await using var pool = Pool(factory, size: 3);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var holding = 0;
        var mostHeldAtOnce = 0;

        async Task ReadAsync()
        {
            await using var lease = await pool.RentAsync(CancellationToken.None);
            var now = Interlocked.Increment(ref holding);
            lock (factory)
            {
                mostHeldAtOnce = Math.Max(mostHeldAtOnce, now);
            }

            (await lease.Connection.ExecuteScalarAsync<long>("SELECT 41 + 1")).ShouldBe(42);
            await release.Task;
            Interlocked.Decrement(ref holding);
        }

        var readers = Enumerable.Range(0, 40).Select(_ => Task.Run(ReadAsync)).ToList();
        await Until(() => pool.InUse == 3 && pool.Queued == 37);
        pool.Open.ShouldBe(3);
        release.SetResult();
        await Task.WhenAll(readers);

        mostHeldAtOnce.ShouldBe(3);
        pool.PeakOpen.ShouldBe(3);
        factory.Opened.ShouldBe(3, "the three warm connections served all forty readers");
        pool.InUse.ShouldBe(0);
        pool.Queued.ShouldBe(0);
    }

    [Fact]
    public async Task AReaderCancelledWhileQueued_TakesNothing_AndTheConnectionServesTheNext()
    {
        var factory = new Connections();
        await using var pool = Pool(factory, size: 1);
        var first = await pool.RentAsync(CancellationToken.None);
        using var cancel = new CancellationTokenSource();

        var queued = pool.RentAsync(cancel.Token).AsTask();
        await Until(() => pool.Queued == 1);
        await cancel.CancelAsync();

        await Should.ThrowAsync<OperationCanceledException>(queued);
        pool.Queued.ShouldBe(0);
        pool.InUse.ShouldBe(1);
        await first.DisposeAsync();
        await first.DisposeAsync(); // returning twice gives back one connection, not two
        pool.InUse.ShouldBe(0);

        await using (var next = await pool.RentAsync(CancellationToken.None))
        {
            next.Connection.ShouldBeSameAs(first.Connection);
            await Should.ThrowAsync<OperationCanceledException>(pool.RentAsync(new CancellationToken(canceled: true)).AsTask());
            pool.Open.ShouldBe(1);
        }

        factory.Opened.ShouldBe(1);
    }

    [Fact]
    public async Task ABrokenConnection_IsClosed_AndReplacedOnTheNextRent()
    {
        var factory = new Connections();
        await using var pool = Pool(factory, size: 1);
        DbConnection broken;
        await using (var lease = await pool.RentAsync(CancellationToken.None))
        {
            broken = lease.Connection;
            await broken.CloseAsync(); // as a connection the server dropped
        }

        pool.Open.ShouldBe(0);
        await using (var lease = await pool.RentAsync(CancellationToken.None))
        {
            lease.Connection.ShouldNotBeSameAs(broken);
            lease.Connection.State.ShouldBe(ConnectionState.Open);
        }

        factory.Opened.ShouldBe(2);
        pool.Open.ShouldBe(1);
    }

    [Fact]
    public async Task AConnectionThatCannotBeOpened_GivesItsSlotBack()
    {
        var factory = new Connections { Failing = true };
        await using var pool = Pool(factory, size: 1);

        await Should.ThrowAsync<InvalidOperationException>(pool.RentAsync(CancellationToken.None).AsTask());
        factory.Failing = false;

        await using var lease = await pool.RentAsync(CancellationToken.None); // the one slot is free again
        pool.Open.ShouldBe(1);
    }

    [Fact]
    public async Task SqlitePreparedConnection_PreparesAStatementOnce_AndBindsEachCallsValues()
    {
        await using var connection = await OpenPrepared(capacity: 4);
        await connection.ExecuteAsync("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)");
        for (var i = 1; i <= 20; i++)
        {
            await connection.ExecuteAsync("INSERT INTO t (id, name) VALUES (@Id, @Name)", new { Id = i, Name = $"n{i}" });
        }

        for (var i = 1; i <= 20; i++)
        {
            (await connection.QuerySingleAsync<string>("SELECT name FROM t WHERE id = @Id", new { Id = i })).ShouldBe($"n{i}");
        }

        connection.Prepares.ShouldBe(3, "one CREATE, one INSERT and one SELECT, each prepared once");
        (await connection.QueryAsync<long>("SELECT id FROM t WHERE id IN @Ids ORDER BY id", new { Ids = new[] { 3, 5 } })).ShouldBe([3L, 5L]);
        (await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM t")).ShouldBe(20);
    }

    [Fact]
    public async Task SqlitePreparedConnection_KeepsAtMostItsCapacity_AndAFailedStatementLeavesItUsable()
    {
        await using var connection = await OpenPrepared(capacity: 2);
        for (var i = 0; i < 5; i++)
        {
            (await connection.ExecuteScalarAsync<long>($"SELECT {i}")).ShouldBe(i);
        }

        (await connection.ExecuteScalarAsync<long>("SELECT 0")).ShouldBe(0);
        connection.Prepares.ShouldBe(6, "SELECT 0 was evicted by the later statements and prepared again");

        Should.Throw<SqliteException>(() => connection.ExecuteScalar<long>("SELECT FROM nowhere"));
        await Should.ThrowAsync<InvalidOperationException>(connection.ExecuteScalarAsync<long>("SELECT @Missing + 1"));
        (await connection.ExecuteScalarAsync<long>("SELECT @Missing + 1", new { Missing = 1 })).ShouldBe(2);
    }

    private static async Task<SqlitePreparedConnection> OpenPrepared(int capacity)
    {
        var inner = new SqliteConnection("Data Source=:memory:");
        await inner.OpenAsync();
        return new SqlitePreparedConnection(inner, capacity);
    }

    private static ReadConnectionPool Pool(Connections factory, int size) =>
        new(factory, Options.Create(new DatabaseOptions { ReadConnections = size }), new Meters());

    private static async Task Until(Func<bool> condition)
    {
        while (!condition())
        {
            await Task.Delay(5);
        }
    }

    private sealed class Connections : IDbConnectionFactory
    {
        private int _opened;

        public int Opened => Volatile.Read(ref _opened);

        public bool Failing { get; set; }

        public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
        {
            if (Failing)
            {
                throw new InvalidOperationException("cannot open");
            }

            var connection = new SqliteConnection("Data Source=:memory:");
            await connection.OpenAsync(cancellationToken);
            Interlocked.Increment(ref _opened);
            return connection;
        }
    }

    private sealed class Meters : IMeterFactory
    {
        public Meter Create(MeterOptions options) => new(options);

        public void Dispose()
        {
        }
    }
}
