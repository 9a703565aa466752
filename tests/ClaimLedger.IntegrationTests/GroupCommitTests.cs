using System.Diagnostics.Metrics;
using ClaimLedger.Contracts.V1;
using ClaimLedger.IntegrationTests.Infrastructure;
using ClaimLedger.Server.Infrastructure.Data;
using Dapper;
using Grpc.Core;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Shouldly;

namespace ClaimLedger.IntegrationTests;

/// <summary>
/// Group commit on a real SQLite file: commands that queue behind each other share one COMMIT, each is answered only
/// once its batch committed, and a failing command takes none of its neighbours with it.
/// </summary>
public sealed class GroupCommitTests : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "claimledger-tests", "group-commit-" + Guid.NewGuid().ToString("N"));
    private readonly SizeRecorder _sizes = new();
    private SqliteDatabase _database = null!;
    private SqliteGroupCommit _writer = null!;
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        _database = new SqliteDatabase(Options.Create(new DatabaseOptions { DataDirectory = _directory }));
        await using (var connection = await _database.OpenAsync(CancellationToken.None))
        {
            await connection.ExecuteAsync("PRAGMA journal_mode = WAL; CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE);");
        }

        _writer = NewWriter(maxBatch: 256);
    }

    public async Task DisposeAsync()
    {
        await _writer.DisposeAsync();
        _sizes.Dispose();
        await _services.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [SqliteOnlyFact("tests SqliteGroupCommit on a SQLite file of its own")]
    public async Task CommandsQueuedBehindARunningOne_ShareOneCommit_AndAreCommittedWhenAnswered()
    {
        var release = new TaskCompletionSource();
        var first = _writer.RunAsync(async (c, t) => { await Insert(c, t, "a"); await release.Task; return "a"; }, CancellationToken.None);
        var queued = new[] { "b", "c", "d" }.Select(v => _writer.RunAsync(async (c, t) => { await Insert(c, t, v); return v; }, CancellationToken.None)).ToList();
        await WaitUntil(() => _writer.Queued == 3);

        release.SetResult();
        var answers = await Task.WhenAll(queued.Prepend(first));

        answers.ShouldBe(["a", "b", "c", "d"]);
        Values().ShouldBe(["a", "b", "c", "d"]);
        _sizes.Recorded.ShouldBe([4]);
    }

    [SqliteOnlyFact("tests SqliteGroupCommit on a SQLite file of its own")]
    public async Task AFailingCommand_RollsBackAlone_ItsNeighboursCommit()
    {
        await _writer.RunAsync((c, t) => Insert(c, t, "taken"), CancellationToken.None);
        var release = new TaskCompletionSource();
        var first = _writer.RunAsync(async (c, t) => { await Insert(c, t, "a"); await release.Task; return 1; }, CancellationToken.None);
        var failing = _writer.RunAsync(async (c, t) =>
        {
            await Insert(c, t, "half-written");
            return await Insert(c, t, "taken"); // UNIQUE violation after a successful insert
        }, CancellationToken.None);
        var last = _writer.RunAsync((c, t) => Insert(c, t, "c"), CancellationToken.None);
        await WaitUntil(() => _writer.Queued == 2);

        release.SetResult();

        (await Should.ThrowAsync<SqliteException>(failing)).SqliteErrorCode.ShouldBe(19); // SQLITE_CONSTRAINT
        await first;
        await last;
        Values().ShouldBe(["a", "c", "taken"]);
        _sizes.Recorded.ShouldBe([1, 3]);
    }

    [SqliteOnlyFact("tests SqliteGroupCommit on a SQLite file of its own")]
    public async Task WhenTheBatchCannotCommit_EveryCommandInItFails_AndNoneIsWritten_ThenTheWriterRecovers()
    {
        var release = new TaskCompletionSource();
        var first = _writer.RunAsync(async (c, t) => { await Insert(c, t, "a"); await release.Task; return 1; }, CancellationToken.None);
        var second = _writer.RunAsync((c, t) => Insert(c, t, "b"), CancellationToken.None);
        // Ends the shared transaction behind the writer's back, as SQLite does itself on an I/O error or a full disk.
        var culprit = _writer.RunAsync(async (c, t) =>
        {
            await c.ExecuteAsync("ROLLBACK");
            throw new InvalidOperationException("lost the transaction");
#pragma warning disable CS0162
            return 0;
#pragma warning restore CS0162
        }, CancellationToken.None);
        await WaitUntil(() => _writer.Queued == 2);

        release.SetResult();

        await Should.ThrowAsync<CommitFailedException>(first);
        await Should.ThrowAsync<CommitFailedException>(second);
        await Should.ThrowAsync<InvalidOperationException>(culprit);
        Values().ShouldBeEmpty();

        await _writer.RunAsync((c, t) => Insert(c, t, "after"), CancellationToken.None);
        Values().ShouldBe(["after"]);
    }

    [SqliteOnlyFact("tests SqliteGroupCommit on a SQLite file of its own")]
    public async Task TheWriter_PreparesEachStatementOnce_AcrossCommandsAndBatches()
    {
        var prepares = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            var value = "v" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            prepares.Add(await _writer.RunAsync(async (c, t) =>
            {
                await Insert(c, t, value);
                (await c.QuerySingleAsync<long>("SELECT count(*) FROM t WHERE v = @V", new { V = value }, t)).ShouldBe(1);
                return c.ShouldBeOfType<SqlitePreparedConnection>().Prepares;
            }, CancellationToken.None));
        }

        // The writer's page-cache pragma when it opened, then the insert and the select of the first command; the four
        // later commands, each in a batch of its own, prepare nothing new.
        prepares.ShouldBe([3, 3, 3, 3, 3]);
        Values().Count.ShouldBe(5);
    }

    [SqliteOnlyFact("tests SqliteGroupCommit on a SQLite file of its own")]
    public async Task AStatementSentWithoutTheTransaction_StillJoinsTheBatch_AndRollsBackWithIt()
    {
        // SqliteConnection.CreateCommand enlists its commands in the open transaction; the writer's prepared commands must too.
        var failing = _writer.RunAsync<int>(async (c, _) =>
        {
            await c.ExecuteAsync("INSERT INTO t (v) VALUES ('no transaction given')");
            throw new InvalidOperationException("fails after writing");
        }, CancellationToken.None);

        await Should.ThrowAsync<InvalidOperationException>(failing);
        await _writer.RunAsync((c, _) => c.ExecuteAsync("INSERT INTO t (v) VALUES ('kept')"), CancellationToken.None);
        Values().ShouldBe(["kept"]);
    }

    [SqliteOnlyFact("tests SqliteGroupCommit on a SQLite file of its own")]
    public async Task ACommandCancelledWhileQueued_WritesNothing_AndTheBatchStillCommits()
    {
        var release = new TaskCompletionSource();
        using var cancel = new CancellationTokenSource();
        var first = _writer.RunAsync(async (c, t) => { await Insert(c, t, "a"); await release.Task; return 1; }, CancellationToken.None);
        var cancelled = _writer.RunAsync((c, t) => Insert(c, t, "cancelled"), cancel.Token);
        await WaitUntil(() => _writer.Queued == 1);

        await cancel.CancelAsync();
        release.SetResult();

        await Should.ThrowAsync<OperationCanceledException>(cancelled);
        (await first.WaitAsync(TimeSpan.FromSeconds(10))).ShouldBe(1);
        Values().ShouldBe(["a"]);
    }

    [SqliteOnlyFact("tests SqliteGroupCommit on a SQLite file of its own")]
    public async Task ABatchIsCutAtMaxGroupCommit()
    {
        await using var writer = NewWriter(maxBatch: 2);
        var release = new TaskCompletionSource();
        var first = writer.RunAsync(async (c, t) => { await Insert(c, t, "0"); await release.Task; return 0; }, CancellationToken.None);
        var rest = Enumerable.Range(1, 4).Select(i => writer.RunAsync((c, t) => Insert(c, t, i.ToString(System.Globalization.CultureInfo.InvariantCulture)), CancellationToken.None)).ToList();
        await WaitUntil(() => writer.Queued == 4);

        release.SetResult();
        await Task.WhenAll(rest.Prepend(first));

        Values().Count.ShouldBe(5);
        _sizes.Recorded.Sum().ShouldBe(5);
        _sizes.Recorded.ShouldAllBe(n => n <= 2);
    }

    [Fact]
    public async Task ThroughTheService_ConcurrentCreatesWithFailuresMixedIn_CommitExactlyTheGoodOnes_AndTheLedgerVerifies()
    {
        await using var server = new ClaimLedgerServer();
        var claims = server.Claims();
        var source = await server.Sources().CreateSourceAsync(TestData.NewSource());
        var good = Enumerable.Range(0, 48).Select(_ => TestData.NewClaim()).ToList();
        foreach (var request in good)
        {
            request.Evidence.Add(new Evidence { Source = source.Name, Stance = Stance.Origin, Excerpt = "quoted" });
        }

        // Fails inside the transaction, after the claim row was inserted: the evidence names a source that does not exist.
        var bad = Enumerable.Range(0, 16).Select(_ => TestData.NewClaim()).ToList();
        foreach (var request in bad)
        {
            request.Evidence.Add(new Evidence { Source = "sources/" + Guid.CreateVersion7().ToString("N"), Stance = Stance.Origin, Excerpt = "quoted" });
        }

        var before = Db.Scalar(server.DatabasePath, "SELECT count(*) FROM ledger_entries");
        var calls = good.Concat(bad).OrderBy(_ => Random.Shared.Next()).Select(async r =>
        {
            try
            {
                return (r, (await claims.CreateClaimAsync(r)).Name, StatusCode.OK);
            }
            catch (RpcException e)
            {
                return (r, "", e.StatusCode);
            }
        });
        var results = await Task.WhenAll(calls);

        results.Where(x => good.Contains(x.r)).ShouldAllBe(x => x.Item3 == StatusCode.OK);
        results.Where(x => bad.Contains(x.r)).ShouldAllBe(x => x.Item3 == StatusCode.NotFound);
        Db.Scalar(server.DatabasePath, "SELECT count(*) FROM claims").ShouldBe(48);
        Db.Scalar(server.DatabasePath, "SELECT count(*) FROM evidence").ShouldBe(48);
        Db.Scalar(server.DatabasePath, "SELECT count(*) FROM ledger_entries").ShouldBe(before + 48);
        foreach (var request in bad)
        {
            Db.Scalar(server.DatabasePath, $"SELECT count(*) FROM claims WHERE text = '{request.Claim.Text}'").ShouldBe(0);
        }

        var verified = await server.Ledger().VerifyLedgerAsync(new VerifyLedgerRequest());
        verified.Valid.ShouldBeTrue();
        verified.ClaimsChecked.ShouldBe(48);
    }

    [Fact]
    public async Task ConcurrentNearDuplicates_OneIsRecorded_TheOthersAreRefused_ThoughAllPassedTheSearchBeforeTheTransaction()
    {
        await using var server = new ClaimLedgerServer();
        var claims = server.Claims();
        await claims.CreateClaimAsync(TestData.NewClaim()); // so the searches before the transaction have claims to skip later
        var text = TestData.UniqueText();
        var variants = new[] { text, text.ToUpperInvariant(), text + "!", "  " + text.Replace(" ", "  ", StringComparison.Ordinal), text + ".", "\"" + text + "\"" };

        var results = await Task.WhenAll(variants.SelectMany(v => Enumerable.Repeat(v, 4)).Select(async v =>
        {
            try
            {
                await claims.CreateClaimAsync(TestData.NewClaim(v));
                return StatusCode.OK;
            }
            catch (RpcException e)
            {
                return e.StatusCode;
            }
        }));

        results.Count(r => r == StatusCode.OK).ShouldBe(1);
        results.Count(r => r == StatusCode.AlreadyExists).ShouldBe(results.Length - 1);
        Db.Scalar(server.DatabasePath, "SELECT count(*) FROM claims").ShouldBe(2);
    }

    private SqliteGroupCommit NewWriter(int maxBatch)
    {
        var writer = new SqliteGroupCommit(_database, Options.Create(new DatabaseOptions { DataDirectory = _directory, MaxGroupCommit = maxBatch }),
            _services.GetRequiredService<IMeterFactory>(), NullLogger<SqliteGroupCommit>.Instance);
        _sizes.Listen(_services.GetRequiredService<IMeterFactory>());
        return writer;
    }

    private static Task<int> Insert(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction t, string value) =>
        c.ExecuteAsync("INSERT INTO t (v) VALUES (@value)", new { value }, t);

    private List<string> Values()
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_directory, "claimledger.db")};Pooling=False");
        connection.Open();
        return connection.Query<string>("SELECT v FROM t ORDER BY v").ToList();
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            DateTime.UtcNow.ShouldBeLessThan(deadline, "the commands did not queue");
            await Task.Delay(5);
        }
    }

    /// <summary>Batch sizes from the claimledger.db.group_commit.commands histogram of one meter factory.</summary>
    private sealed class SizeRecorder : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly List<int> _sizes = [];
        private bool _started;

        public List<int> Recorded
        {
            get
            {
                lock (_sizes)
                {
                    return [.. _sizes];
                }
            }
        }

        public void Listen(IMeterFactory factory)
        {
            if (_started)
            {
                return;
            }

            _started = true;
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Scope == factory && instrument.Name == "claimledger.db.group_commit.commands")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<int>((_, value, _, _) =>
            {
                lock (_sizes)
                {
                    _sizes.Add(value);
                }
            });
            _listener.Start();
        }

        public void Dispose() => _listener.Dispose();
    }
}
