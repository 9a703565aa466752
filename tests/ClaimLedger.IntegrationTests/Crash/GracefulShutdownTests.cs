using System.Collections.Concurrent;
using ClaimLedger.Contracts.V1;
using ClaimLedger.IntegrationTests.Infrastructure;
using Google.Rpc;
using Grpc.Core;
using Microsoft.Data.Sqlite;

namespace ClaimLedger.IntegrationTests.Crash;

/// <summary>
/// SIGTERM to the real server process while 24 clients write and a ledger watch is open: the server stops taking calls,
/// lets the commands in flight finish, ends the watch with SERVER_STOPPING, and exits 0 in time; no call gets INTERNAL
/// or UNKNOWN; after a restart every acknowledged write is there and the ledger verifies.
/// </summary>
public sealed class GracefulShutdownTests : IDisposable
{
    private const int Writers = 24;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "claimledger-tests", "shutdown-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Sigterm_UnderWriteLoad_FinishesInFlightCommands_EndsStreamsClearly_LosesNothing_AndNeverAnswersInternal()
    {
        var acknowledged = new ConcurrentDictionary<string, string>();
        var failures = new ConcurrentBag<StatusCode>();
        var server = await ServerProcess.StartAsync(_directory, s => s.Environment["Server__ShutdownTimeout"] = "00:00:20");
        await using (server)
        {
            var claims = new ClaimService.ClaimServiceClient(server.Admin);
            using var watch = new LedgerService.LedgerServiceClient(server.Admin).WatchLedger(new WatchLedgerRequest());
            var watched = Task.Run(async () =>
            {
                long last = 0;
                try
                {
                    await foreach (var entry in watch.ResponseStream.ReadAllAsync())
                    {
                        last = entry.Sequence;
                    }

                    return (Status: (RpcException?)null, Last: last);
                }
                catch (RpcException e)
                {
                    return (Status: e, Last: last);
                }
            });

            var firstAck = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var counter = 0;
            var writers = Enumerable.Range(0, Writers).Select(_ => Task.Run(async () =>
            {
                while (true)
                {
                    var n = Interlocked.Increment(ref counter);
                    try
                    {
                        var claim = await claims.CreateClaimAsync(new CreateClaimRequest
                        {
                            Claim = new Claim { Text = $"Shutdown writer claim {n} about the harbour tariffs {Guid.NewGuid():N}", Claimant = "Writer", LanguageCode = "en" },
                            RequestId = $"shutdown-{n}",
                        }, deadline: DateTime.UtcNow.AddSeconds(30));
                        acknowledged[claim.Name] = claim.Text;
                        firstAck.TrySetResult();
                    }
                    catch (RpcException e)
                    {
                        failures.Add(e.StatusCode);
                        return; // the server is gone or going
                    }
                }
            })).ToList();

            await firstAck.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await Task.Delay(500);
            var exitCode = await server.TerminateAsync(TimeSpan.FromSeconds(40));
            await Task.WhenAll(writers).WaitAsync(TimeSpan.FromSeconds(30));
            var (ended, _) = await watched.WaitAsync(TimeSpan.FromSeconds(30));

            exitCode.ShouldBe(0, server.Output);
            failures.ShouldNotContain(StatusCode.Internal);
            failures.ShouldNotContain(StatusCode.Unknown);
            var stopped = ended.ShouldNotBeNull("the watch ends with a status, not silently");
            stopped.StatusCode.ShouldBe(StatusCode.Unavailable, stopped.Status.Detail);
            stopped.GetRpcStatus().ShouldNotBeNull().GetDetail<ErrorInfo>().Reason.ShouldBe("SERVER_STOPPING");
            server.Output.ShouldNotContain("fail:", Case.Sensitive, "nothing is logged as an error during a graceful stop");
        }

        acknowledged.Count.ShouldBeGreaterThan(0);
        SqliteConnection.ClearAllPools();
        await using var restarted = await ServerProcess.StartAsync(_directory);
        var stored = new ClaimService.ClaimServiceClient(restarted.Admin);
        foreach (var (name, text) in acknowledged)
        {
            (await stored.GetClaimAsync(new GetClaimRequest { Name = name })).Text.ShouldBe(text);
        }

        (await new LedgerService.LedgerServiceClient(restarted.Admin).VerifyLedgerAsync(new VerifyLedgerRequest())).Valid.ShouldBeTrue();
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
