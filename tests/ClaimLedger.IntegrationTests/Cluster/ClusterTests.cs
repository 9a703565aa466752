#if POSTGRESQL
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;
using ClaimLedger.Contracts.V1;
using ClaimLedger.IntegrationTests.Crash;
using ClaimLedger.IntegrationTests.Infrastructure;
using Google.Rpc;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Shouldly;
using Xunit.Abstractions;

namespace ClaimLedger.IntegrationTests.Cluster;

/// <summary>
/// Several server processes on one PostgreSQL database (ADR 19), as a cluster behind a load balancer runs: one truth
/// for the ledger, etags and request ids, notifications between instances, one scheduled run per slot, and an
/// instance killed at any moment losing nothing it acknowledged.
/// </summary>
public sealed partial class ClusterTests(ITestOutputHelper output)
{
    private static ClaimService.ClaimServiceClient Claims(ServerProcess server) => new(server.Admin);

    private static LedgerService.LedgerServiceClient Ledger(ServerProcess server) => new(server.Admin);

    private static CallInvoker WithKey(ServerProcess server, string key) => server.Channel.Intercept(metadata =>
    {
        metadata.Add("authorization", "Bearer " + key);
        return metadata;
    });

    [PostgresFact("several instances share one database only on PostgreSQL")]
    public async Task InstancesStartingTogetherOnAnEmptyDatabase_MigrateItOnce_AndCreateOneAdminKey()
    {
        // Three processes on one data directory (so one database and one key file), started at the same moment.
        var directory = Path.Combine(Path.GetTempPath(), "claimledger-tests", "cluster-start-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var scheduler = "cluster-" + Guid.NewGuid().ToString("N")[..8];
        var started = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(() => ServerProcess.StartAsync(directory,
            start => start.Environment["Staleness__SchedulerName"] = scheduler))));
        try
        {
            var database = Path.Combine(directory, "claimledger.db");
            var scripts = Db.Rows(database, "SELECT script_name FROM schema_migrations ORDER BY script_name").Select(r => r[0]).ToList();
            scripts.Count.ShouldBe(Directory.GetFiles(RepositoryFiles.PathOf("migrations/postgresql"), "*.sql").Length);
            scripts.ShouldBeUnique();
            Db.Scalar(database, "SELECT count(*) FROM api_keys").ShouldBe(1);
            Db.Scalar(database, "SELECT count(*) FROM ledger_entries").ShouldBe(1); // the key's creation, once
            started.Count(s => s.Output.Contains("ClaimLedger admin API key", StringComparison.Ordinal)).ShouldBe(1);

            // All three serve with that key.
            foreach (var instance in started)
            {
                (await Ledger(instance).VerifyLedgerAsync(new VerifyLedgerRequest())).Valid.ShouldBeTrue();
            }
        }
        finally
        {
            foreach (var instance in started)
            {
                await instance.DisposeAsync();
            }

            TestEngine.Forget(directory);
            Directory.Delete(directory, recursive: true);
        }
    }

    [PostgresFact("several instances share one database only on PostgreSQL")]
    public async Task ConcurrentWritesThroughTwoInstances_KeepOneDenseValidLedger()
    {
        await using var cluster = await TestCluster.StartAsync(2);
        const int WritersPerInstance = 8;
        const int ClaimsPerWriter = 15;
        var acknowledged = new ConcurrentBag<(int Instance, Claim Claim)>();
        await Task.WhenAll(Enumerable.Range(0, 2 * WritersPerInstance).Select(w => Task.Run(async () =>
        {
            var instance = w % 2;
            var claims = Claims(cluster[instance]);
            for (var n = 0; n < ClaimsPerWriter; n++)
            {
                var created = await claims.CreateClaimAsync(TestData.NewClaim());
                acknowledged.Add((instance, created));
                // A second write per claim, through the other instance, with the etag the first one returned.
                var other = Claims(cluster[1 - instance]);
                acknowledged.Add((1 - instance, await other.StartReviewAsync(new StartReviewRequest { Name = created.Name, Etag = created.Etag })));
            }
        })));

        var writes = 2 * WritersPerInstance * ClaimsPerWriter * 2;
        acknowledged.Count.ShouldBe(writes);
        acknowledged.ShouldContain(a => a.Instance == 0);
        acknowledged.ShouldContain(a => a.Instance == 1);

        // Dense: sequences 1..N with no gap or duplicate, one entry per acknowledged write plus the admin key's.
        Db.Scalar(cluster.Database, "SELECT count(*) FROM ledger_entries").ShouldBe(writes + 1);
        Db.Scalar(cluster.Database, "SELECT max(sequence) FROM ledger_entries").ShouldBe(writes + 1);
        Db.Scalar(cluster.Database, "SELECT count(DISTINCT sequence) FROM ledger_entries").ShouldBe(writes + 1);

        // Valid, as each instance recomputes it, with the same head.
        var verdicts = await Task.WhenAll(cluster.Instances.Select(i => Ledger(i).VerifyLedgerAsync(new VerifyLedgerRequest()).ResponseAsync));
        verdicts.ShouldAllBe(v => v.Valid);
        verdicts.Select(v => v.HeadHash).Distinct().Count().ShouldBe(1);
        verdicts[0].ClaimsChecked.ShouldBe(WritersPerInstance * ClaimsPerWriter * 2);

        // Every acknowledged claim is there, in review, read through either instance.
        foreach (var (_, claim) in acknowledged.Where(a => a.Claim.Status == ClaimStatus.InReview))
        {
            (await Claims(cluster[1]).GetClaimAsync(new GetClaimRequest { Name = claim.Name })).Etag.ShouldBe(claim.Etag);
        }
    }

    [PostgresFact("several instances share one database only on PostgreSQL")]
    public async Task ARetryOnTheOtherInstance_ReplaysTheFirstResult_AndAStaleEtagIsRefusedOnEither()
    {
        await using var cluster = await TestCluster.StartAsync(2);
        var request = TestData.NewClaim();
        request.RequestId = "retry-" + Guid.NewGuid().ToString("N");
        var first = await Claims(cluster[0]).CreateClaimAsync(request);
        var entries = Db.Scalar(cluster.Database, "SELECT count(*) FROM ledger_entries");

        var replayed = await Claims(cluster[1]).CreateClaimAsync(request);
        replayed.ShouldBe(first);
        Db.Scalar(cluster.Database, "SELECT count(*) FROM ledger_entries").ShouldBe(entries);
        Db.Scalar(cluster.Database, "SELECT count(*) FROM claims").ShouldBe(1);

        // The same request id for a different request is refused on either instance.
        var different = TestData.NewClaim();
        different.RequestId = request.RequestId;
        var reused = await Should.ThrowAsync<RpcException>(Claims(cluster[1]).CreateClaimAsync(different).ResponseAsync);
        reused.StatusCode.ShouldBe(StatusCode.InvalidArgument);

        // An etag is one truth: a change through instance 0 makes the old etag stale on instance 1.
        var reviewed = await Claims(cluster[0]).StartReviewAsync(new StartReviewRequest { Name = first.Name, Etag = first.Etag });
        reviewed.Etag.ShouldNotBe(first.Etag);
        var stale = await Should.ThrowAsync<RpcException>(Claims(cluster[1]).UpdateClaimAsync(new UpdateClaimRequest
        {
            Claim = new Claim { Name = first.Name, Etag = first.Etag, Claimant = "Someone else" },
            UpdateMask = new Google.Protobuf.WellKnownTypes.FieldMask { Paths = { "claimant" } },
        }).ResponseAsync);
        stale.StatusCode.ShouldBe(StatusCode.Aborted);
        (await Claims(cluster[1]).GetClaimAsync(new GetClaimRequest { Name = first.Name })).ShouldBe(reviewed);
    }

    [PostgresFact("several instances share one database only on PostgreSQL")]
    public async Task WatchLedgerOnOneInstance_SeesEntriesCommittedThroughTheOther()
    {
        // Watchers re-read on their own only every 10 minutes here: whatever arrives sooner was pushed by the other
        // instance's NOTIFY.
        await using var cluster = await TestCluster.StartAsync(2, (start, _) => start.Environment["Ledger__WatchPollInterval"] = "00:10:00");
        var head = (await Ledger(cluster[1]).VerifyLedgerAsync(new VerifyLedgerRequest())).HeadSequence;
        using var watch = Ledger(cluster[1]).WatchLedger(new WatchLedgerRequest { StartSequence = head + 1 });
        var latencies = new List<TimeSpan>();
        for (var i = 0; i < 5; i++)
        {
            var created = await Claims(cluster[0]).CreateClaimAsync(TestData.NewClaim());
            var acknowledged = Stopwatch.StartNew();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            (await watch.ResponseStream.MoveNext(timeout.Token)).ShouldBeTrue();
            latencies.Add(acknowledged.Elapsed);
            watch.ResponseStream.Current.Sequence.ShouldBe(head + 1 + i);
            watch.ResponseStream.Current.Subject.ShouldBe(created.Name);
        }

        output.WriteLine($"entry committed on instance 0 → seen by a watcher on instance 1 after: {string.Join(", ", latencies.Select(l => $"{l.TotalMilliseconds:F0} ms"))}");
    }

    [PostgresFact("several instances share one database only on PostgreSQL")]
    public async Task RevokingAKeyOnOneInstance_TakesEffectOnTheOthers()
    {
        // Keys are cached for 10 minutes here: only the revocation's NOTIFY can end a cached key's life sooner.
        await using var cluster = await TestCluster.StartAsync(2, (start, _) => start.Environment["Security__KeyCacheTtl"] = "00:10:00");
        var created = await new AccessService.AccessServiceClient(cluster[0].Admin).CreateApiKeyAsync(new CreateApiKeyRequest
        {
            ApiKey = new ApiKey { DisplayName = "leaving-editor", Role = Role.Editor },
        });
        var onOther = new ClaimService.ClaimServiceClient(WithKey(cluster[1], created.Key));
        await onOther.ListClaimsAsync(new ListClaimsRequest()); // authenticated, and now cached on instance 1

        await new AccessService.AccessServiceClient(cluster[0].Admin).RevokeApiKeyAsync(new RevokeApiKeyRequest { Name = created.ApiKey.Name });

        var refused = await StalenessDriver.EventuallyAsync(async () =>
        {
            try
            {
                await onOther.ListClaimsAsync(new ListClaimsRequest());
                return null;
            }
            catch (RpcException e)
            {
                return e;
            }
        }, e => e is not null, TimeSpan.FromSeconds(10), "instance 1 refuses the key revoked through instance 0");
        refused!.StatusCode.ShouldBe(StatusCode.Unauthenticated);
        refused.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason.ShouldBe("API_KEY_REVOKED");
    }

    [GeneratedRegex(@"Staleness firing (?<slot>\S+) \((?<trigger>[^)]+)\) taken by instance (?<instance>\S+)")]
    private static partial Regex Firing();

    private static List<(string Slot, string Trigger, string Instance)> Firings(TestCluster cluster) =>
        cluster.Instances.SelectMany(i => Firing().Matches(i.Output))
            .Select(m => (m.Groups["slot"].Value, m.Groups["trigger"].Value, m.Groups["instance"].Value)).ToList();

    [PostgresFact("several instances share one database only on PostgreSQL")]
    public async Task AScheduledStalenessCheck_FiresOnExactlyOneInstancePerSlot()
    {
        await using var cluster = await TestCluster.StartAsync(2, (start, _) =>
        {
            start.Environment["Staleness__Enabled"] = "true";
            start.Environment["Staleness__Schedule"] = "0/2 * * * * ?";
        });

        var firings = await StalenessDriver.EventuallyAsync(() => Task.FromResult(Firings(cluster).Where(f => f.Trigger == "staleness-schedule").ToList()),
            f => f.Count >= 6, TimeSpan.FromSeconds(60), "six scheduled firings");
        await Task.Delay(TimeSpan.FromSeconds(1)); // let a run of the last slot finish recording
        firings = Firings(cluster).Where(f => f.Trigger == "staleness-schedule").ToList();
        output.WriteLine(string.Join('\n', firings.Select(f => $"{f.Slot} {f.Instance}")));

        firings.Select(f => f.Slot).ShouldBeUnique(); // never two instances on one slot
        firings.Select(f => f.Instance).Distinct().Count().ShouldBeLessThanOrEqualTo(2);
        // Each firing recorded one scheduled run, and no run was left running or failed.
        var runs = await StalenessDriver.EventuallyAsync(
            () => Task.FromResult(Db.Rows(cluster.Database, "SELECT state FROM staleness_runs WHERE trigger_kind = 'SCHEDULED'").Select(r => r[0]).ToList()),
            r => r.Count >= firings.Count && r.All(s => s == "SUCCEEDED"), TimeSpan.FromSeconds(20), "the runs of the firings seen, all succeeded");
        runs.Count.ShouldBeLessThanOrEqualTo(Firings(cluster).Count(f => f.Trigger == "staleness-schedule"));
    }

    [PostgresFact("several instances share one database only on PostgreSQL")]
    public async Task AnInstanceKilledInTheMiddleOfARun_HasTheRunRecoveredByAnother()
    {
        await using var site = await TestWebsite.StartAsync();
        site.SlowDelay = TimeSpan.FromMinutes(10);
        await using var cluster = await TestCluster.StartAsync(2, (start, i) =>
        {
            start.Environment["Staleness__Fetch__AllowPrivateAddresses"] = "true";
            start.Environment["Staleness__Fetch__UserAgent"] = $"ClaimLedger-test-instance-{i}";
            start.Environment["Staleness__ClusterCheckinInterval"] = "00:00:01";
            start.Environment["Staleness__ClusterCheckinMisfireThreshold"] = "00:00:03";
        });

        var sources = new SourceService.SourceServiceClient(cluster[0].Admin);
        var source = await sources.CreateSourceAsync(TestData.NewSource(site.Url($"/slow/{Guid.NewGuid():N}")));
        var staleness = new StalenessService.StalenessServiceClient(cluster[0].Admin);
        var run = await staleness.RunStalenessCheckAsync(new RunStalenessCheckRequest { Checks = { StalenessCheck.SourceHealth } });

        // Whichever instance took the run is fetching the slow page; kill that one.
        var fetcher = await StalenessDriver.EventuallyAsync(() => Task.FromResult(site.UserAgents.FirstOrDefault()), ua => ua is not null,
            TimeSpan.FromSeconds(30), "the run fetches the slow page");
        var victim = fetcher!.Contains("instance-0", StringComparison.Ordinal) ? 0 : 1;
        Db.Scalar(cluster.Database, "SELECT count(*) FROM staleness_runs WHERE state = 'RUNNING'").ShouldBe(1);
        await cluster[victim].KillAsync();
        site.SlowDelay = TimeSpan.FromMilliseconds(10);

        // The survivor notices the dead instance, marks its run INTERRUPTED and carries out the retry.
        var survivor = new StalenessService.StalenessServiceClient(cluster[1 - victim].Admin);
        var retry = await StalenessDriver.EventuallyAsync(
            async () => (await survivor.ListStalenessRunsAsync(new ListStalenessRunsRequest())).Runs.FirstOrDefault(r => r.RetryOf == run.Name),
            r => r is { State: StalenessRun.Types.State.Succeeded }, TimeSpan.FromSeconds(60), "a retry of the killed instance's run, succeeded");
        retry!.Trigger.ShouldBe(StalenessRun.Types.Trigger.Retry);
        (await survivor.GetStalenessRunAsync(new GetStalenessRunRequest { Name = run.Name })).State.ShouldBe(StalenessRun.Types.State.Interrupted);
        site.UserAgents.Last().ShouldContain($"instance-{1 - victim}");
        cluster[1 - victim].Output.ShouldContain("recovering a stopped instance's firing");
        (await Ledger(cluster[1 - victim]).VerifyLedgerAsync(new VerifyLedgerRequest())).Valid.ShouldBeTrue();
        _ = source;
    }

    [PostgresFact("several instances share one database only on PostgreSQL")]
    public async Task KillingOneInstanceUnderWriteLoad_LosesNoAcknowledgedWrite_AndTheOtherKeepsServing()
    {
        await using var cluster = await TestCluster.StartAsync(2);
        var acknowledged = new ConcurrentDictionary<string, Claim>(); // request id → claim
        var unanswered = new ConcurrentDictionary<string, CreateClaimRequest>(); // failed on the killed instance
        using var stop = new CancellationTokenSource();
        var killing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var writers = Enumerable.Range(0, 16).Select(w => Task.Run(async () =>
        {
            var instance = w % 2;
            var n = 0;
            while (!stop.IsCancellationRequested)
            {
                var request = TestData.NewClaim();
                request.RequestId = $"load-{w}-{n++}";
                if (instance == 0 && killing.Task.IsCompleted)
                {
                    instance = 1; // as a load balancer would, once the instance is gone
                }

                try
                {
                    acknowledged[request.RequestId] = await Claims(cluster[instance]).CreateClaimAsync(request, deadline: DateTime.UtcNow.AddSeconds(20));
                }
                catch (RpcException) when (instance == 0 && killing.Task.IsCompleted)
                {
                    unanswered[request.RequestId] = request; // committed or not: the client cannot know
                }
                catch (RpcException e)
                {
                    throw new InvalidOperationException($"instance {instance} failed (killing: {killing.Task.IsCompleted}); its output:\n{cluster[instance].Output}", e);
                }
            }
        })).ToList();

        await StalenessDriver.EventuallyAsync(() => Task.FromResult(acknowledged.Count), c => c >= 100, TimeSpan.FromSeconds(60), "100 writes acknowledged");
        killing.SetResult();
        await cluster[0].KillAsync();
        var atKill = acknowledged.Count;
        await StalenessDriver.EventuallyAsync(() => Task.FromResult(acknowledged.Count), c => c >= atKill + 100, TimeSpan.FromSeconds(60),
            "100 more writes acknowledged by the surviving instance");
        await stop.CancelAsync();
        await Task.WhenAll(writers);

        // The calls cut off by the kill are retried on the survivor with their request ids: each is applied once.
        foreach (var (requestId, request) in unanswered)
        {
            acknowledged[requestId] = await Claims(cluster[1]).CreateClaimAsync(request);
        }

        output.WriteLine($"{acknowledged.Count} writes acknowledged, {atKill} before the kill; {unanswered.Count} calls cut off by the kill, retried");

        // Every acknowledged write is there, as acknowledged; the ledger is dense and valid.
        var stored = Db.Rows(cluster.Database, "SELECT id, revision FROM claims").ToDictionary(r => "claims/" + r[0], r => r[1]);
        foreach (var claim in acknowledged.Values)
        {
            stored.ShouldContainKey(claim.Name);
        }

        stored.Count.ShouldBe(acknowledged.Count); // exactly once: no claim without an acknowledged request

        var verification = await Ledger(cluster[1]).VerifyLedgerAsync(new VerifyLedgerRequest());
        verification.Valid.ShouldBeTrue(verification.FirstProblem?.Description);
        Db.Scalar(cluster.Database, "SELECT max(sequence) FROM ledger_entries").ShouldBe(Db.Scalar(cluster.Database, "SELECT count(*) FROM ledger_entries"));
        verification.ClaimsChecked.ShouldBe(stored.Count);
    }
}
#endif
