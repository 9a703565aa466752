using System.Collections.Concurrent;
using ClaimLedger.Contracts.V1;
using ClaimLedger.IntegrationTests.Infrastructure;
using Grpc.Core;
using Microsoft.Data.Sqlite;
using Shouldly;
using Xunit.Abstractions;

namespace ClaimLedger.IntegrationTests.Crash;

/// <summary>
/// Durability under group commit: the server process is SIGKILLed at random moments while 32 clients write, then
/// restarted on the same files, twenty times. Every write a client saw acknowledged must be there, complete; nothing
/// may be half-written; the ledger must verify and SQLite's integrity check must pass. Unacknowledged requests are
/// retried with their request ids after each restart, so in the end each request is applied exactly once.
/// </summary>
public sealed class CrashRecoveryTests(ITestOutputHelper output)
{
    private const int Rounds = 20;
    private const int Writers = 32;

    private sealed record Write(string RequestId, string Text);

    [SqliteOnlyFact("checks the acknowledged writes and PRAGMA integrity_check on the SQLite file directly")]
    public async Task KilledAtRandomUnderWriteLoad_KeepsEveryAcknowledgedWrite_AndTheLedgerAndTheFileIntact()
    {
        var seed = Environment.TickCount;
        var random = new Random(seed);
        output.WriteLine($"seed {seed}");
        var dataDirectory = Path.Combine(Path.GetTempPath(), "claimledger-tests", "crash-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDirectory);
        var database = Path.Combine(dataDirectory, "claimledger.db");
        var acknowledged = new ConcurrentDictionary<string, string>(); // request id → claims/{id}
        var unacknowledged = new ConcurrentDictionary<string, Write>();
        string? sourceName = null;
        var counter = 0;

        try
        {
            for (var round = 1; round <= Rounds; round++)
            {
                await using var server = await ServerProcess.StartAsync(dataDirectory);
                var claims = new ClaimService.ClaimServiceClient(server.Admin);
                sourceName ??= (await new SourceService.SourceServiceClient(server.Admin).CreateSourceAsync(TestData.NewSource())).Name;

                // Everything acknowledged before the last kill is there; the requests left hanging are applied exactly once.
                await RetryAsync(claims, unacknowledged, acknowledged, sourceName);
                AssertAcknowledgedWritesPresentAndComplete(database, acknowledged);

                using var stop = new CancellationTokenSource();
                var firstAck = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
                {
                    while (!stop.IsCancellationRequested)
                    {
                        var n = Interlocked.Increment(ref counter);
                        var write = new Write($"crash-{n}", $"Crash round {round} writer claim number {n} about harbour {Guid.NewGuid():N}");
                        unacknowledged[write.RequestId] = write;
                        try
                        {
                            var claim = await claims.CreateClaimAsync(Request(write, sourceName), cancellationToken: stop.Token);
                            acknowledged[write.RequestId] = claim.Name;
                            unacknowledged.TryRemove(write.RequestId, out _);
                            firstAck.TrySetResult();
                        }
                        catch (RpcException)
                        {
                            // The server died under this call (or the test stopped it): the request stays unacknowledged.
                            return;
                        }
                    }
                })).ToList();

                await firstAck.Task.WaitAsync(TimeSpan.FromSeconds(30));
                await Task.Delay(random.Next(20, 600));
                await server.KillAsync();
                await stop.CancelAsync();
                await Task.WhenAll(writers);

                IntegrityCheck(database).ShouldBe("ok", $"after the kill in round {round}");
            }

            await using (var last = await ServerProcess.StartAsync(dataDirectory))
            {
                var claims = new ClaimService.ClaimServiceClient(last.Admin);
                await RetryAsync(claims, unacknowledged, acknowledged, sourceName!);
                AssertAcknowledgedWritesPresentAndComplete(database, acknowledged);
                Db.Scalar(database, "SELECT count(*) FROM claims").ShouldBe(counter, "every request, acknowledged or retried, is applied exactly once");

                var verified = await new LedgerService.LedgerServiceClient(last.Admin).VerifyLedgerAsync(new VerifyLedgerRequest());
                verified.FirstProblem.ShouldBeNull();
                verified.Valid.ShouldBeTrue();
                verified.ClaimsChecked.ShouldBe(counter);
                output.WriteLine($"{Rounds} kills, {counter} writes, {verified.EntriesChecked} ledger entries verified");
            }

            IntegrityCheck(database).ShouldBe("ok");
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    private static CreateClaimRequest Request(Write write, string source)
    {
        var request = TestData.NewClaim(write.Text, "crash-test");
        request.RequestId = write.RequestId;
        request.Evidence.Add(new Evidence { Source = source, Stance = Stance.Origin, Excerpt = "Where it was said.", Locator = "para 1" });
        return request;
    }

    private static async Task RetryAsync(ClaimService.ClaimServiceClient claims, ConcurrentDictionary<string, Write> pending,
        ConcurrentDictionary<string, string> acknowledged, string source)
    {
        foreach (var write in pending.Values.ToList())
        {
            var claim = await claims.CreateClaimAsync(Request(write, source));
            acknowledged[write.RequestId] = claim.Name;
            pending.TryRemove(write.RequestId, out _);
        }
    }

    private static void AssertAcknowledgedWritesPresentAndComplete(string database, ConcurrentDictionary<string, string> acknowledged)
    {
        using var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=False");
        connection.Open();
        var present = Column(connection, "SELECT 'claims/' || id FROM claims").ToHashSet(StringComparer.Ordinal);
        acknowledged.Values.Where(name => !present.Contains(name)).ShouldBeEmpty("acknowledged claims missing after a crash");

        // Nothing half-written: every claim has its evidence, topic, two events (created, evidence added), ledger entry and idempotency record.
        Column(connection, """
            SELECT c.id FROM claims c
            WHERE (SELECT count(*) FROM evidence e WHERE e.claim_id = c.id) <> 1
               OR (SELECT count(*) FROM claim_topics t WHERE t.claim_seq = c.seq) <> 1
               OR (SELECT count(*) FROM claim_events v WHERE v.claim_id = c.id) <> 2
               OR (SELECT count(*) FROM ledger_entries l WHERE l.subject = 'claims/' || c.id) <> 1
            """).ShouldBeEmpty("claims written only in part");
        Scalar(connection, "SELECT count(*) FROM idempotency_keys WHERE request_id LIKE 'crash-%'").ShouldBe(present.Count);
        Scalar(connection, "SELECT count(*) FROM (SELECT text FROM claims GROUP BY text HAVING count(*) > 1)").ShouldBe(0);
        Scalar(connection, "SELECT coalesce(max(sequence), 0) - count(*) FROM ledger_entries").ShouldBe(0, "ledger sequences have no gaps");
    }

    private static string IntegrityCheck(string database)
    {
        using var connection = new SqliteConnection($"Data Source={database};Pooling=False");
        connection.Open();
        return string.Join("; ", Column(connection, "PRAGMA integrity_check"));
    }

    private static List<string> Column(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var values = new List<string>();
        while (reader.Read())
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }

    private static long Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
