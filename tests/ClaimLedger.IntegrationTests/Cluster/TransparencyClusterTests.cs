#if POSTGRESQL
using ClaimLedger.Contracts.V1;
using ClaimLedger.IntegrationTests.Crash;
using ClaimLedger.IntegrationTests.Infrastructure;
using ClaimLedger.Transparency;
using Checkpoint = ClaimLedger.Contracts.V1.Checkpoint;
using Grpc.Core;
using Shouldly;
using Xunit.Abstractions;

namespace ClaimLedger.IntegrationTests.Cluster;

/// <summary>
/// The Merkle tree with several instances on one database (ADR 20): one integrator at a time, elected through the
/// database; when it dies another instance holding the log's key takes over, and every checkpoint any of them signed is
/// consistent with the next. An instance with a different key for the same log refuses to start.
/// </summary>
public sealed class TransparencyClusterTests(ITestOutputHelper output)
{
    private const string LogLevel = "Logging__LogLevel__ClaimLedger.Server.Features.Transparency";

    private static LedgerService.LedgerServiceClient Ledger(ServerProcess server) => new(server.Admin);

    [PostgresFact("several instances share one database only on PostgreSQL")]
    public async Task OneIntegratorAtATime_AnotherTakesOverWhenItDies_AndEveryCheckpointIsConsistentWithTheNext()
    {
        using var key = NoteSigner.Generate("claimledger.test/cluster");
        var privateKey = key.ExportPrivateKey();
        await using var cluster = await TestCluster.StartAsync(2, (start, _) =>
        {
            start.Environment["Ledger__Checkpoints__SigningKey"] = privateKey;
            start.Environment[LogLevel] = "Information";
            start.Environment["Ledger__Integration__Delay"] = "00:00:00.050";
            start.Environment["Ledger__Checkpoints__Interval"] = "00:00:00.200";
        });
        (await Ledger(cluster[1]).GetVerifierKeyAsync(new GetVerifierKeyRequest())).VerifierKey_.ShouldBe(key.VerifierKey.ToString());

        // Writes through both instances; one checkpoint covers them all.
        for (var i = 0; i < 20; i++)
        {
            await new ClaimService.ClaimServiceClient(cluster[i % 2].Admin).CreateClaimAsync(TestData.NewClaim());
        }

        var before = await CoveringHeadAsync(cluster[1]);
        var leaders = new[] { cluster[0].Output, cluster[1].Output }.Count(o => o.Contains("integrates the ledger's Merkle tree", StringComparison.Ordinal));
        leaders.ShouldBe(1, "exactly one instance leads");
        var leader = cluster[0].Output.Contains("integrates the ledger's Merkle tree", StringComparison.Ordinal) ? 0 : 1;

        // The leader dies; the other takes the lease and goes on.
        await cluster[leader].KillAsync();
        var survivor = cluster[1 - leader];
        for (var i = 0; i < 10; i++)
        {
            await new ClaimService.ClaimServiceClient(survivor.Admin).CreateClaimAsync(TestData.NewClaim());
        }

        var after = await CoveringHeadAsync(survivor);
        after.TreeSize.ShouldBeGreaterThan(before.TreeSize);
        survivor.Output.ShouldContain("integrates the ledger's Merkle tree");

        // Every checkpoint (whoever signed it) verifies and extends the one before.
        var checkpoints = new List<Checkpoint>();
        var token = "";
        do
        {
            var page = await Ledger(survivor).ListCheckpointsAsync(new ListCheckpointsRequest { PageSize = 100, PageToken = token });
            checkpoints.AddRange(page.Checkpoints);
            token = page.NextPageToken;
        }
        while (token.Length > 0);

        foreach (var c in checkpoints)
        {
            ClaimLedger.Transparency.Checkpoint.Verify(c.Note, key.VerifierKey).IsValid.ShouldBeTrue($"checkpoint {c.TreeSize}");
        }

        foreach (var (a, b) in checkpoints.Zip(checkpoints.Skip(1)))
        {
            var proof = await Ledger(survivor).GetConsistencyProofAsync(new GetConsistencyProofRequest { FirstSize = a.TreeSize, SecondSize = b.TreeSize });
            MerkleHashing.VerifyConsistency(a.TreeSize, b.TreeSize, a.RootHash.Span, b.RootHash.Span, proof.Hashes.Select(h => h.ToByteArray()).ToList())
                .IsValid.ShouldBeTrue($"{a.TreeSize} → {b.TreeSize}");
        }

        output.WriteLine($"{checkpoints.Count} checkpoints, tree size {before.TreeSize} before the leader (instance {leader}) was killed, {after.TreeSize} after");
    }

    [PostgresFact("several instances share one database only on PostgreSQL")]
    public async Task AnInstanceWithAnotherKeyForTheSameLog_RefusesToStart_AndOneWithoutAKeyServesProofsWithoutIntegrating()
    {
        await using var cluster = await TestCluster.StartAsync(1, (start, _) => start.Environment[LogLevel] = "Information");
        var logKey = (await Ledger(cluster[0]).GetVerifierKeyAsync(new GetVerifierKeyRequest())).VerifierKey_;

        using var other = NoteSigner.Generate("claimledger.local/intruder");
        var refused = await Should.ThrowAsync<InvalidOperationException>(() => cluster.AddAsync((start, _) =>
            start.Environment["Ledger__Checkpoints__SigningKey"] = other.ExportPrivateKey()));
        refused.Message.ShouldContain("is not the log's");

        // A second instance with no key of its own (a data directory without the key file) serves, but never leads.
        var keyless = await cluster.AddAsync((start, _) => start.Environment[LogLevel] = "Information");
        await new ClaimService.ClaimServiceClient(keyless.Admin).CreateClaimAsync(TestData.NewClaim());
        var checkpoint = await CoveringHeadAsync(keyless);
        ClaimLedger.Transparency.Checkpoint.Verify(checkpoint.Note, NoteVerifierKey.Parse(logKey)).IsValid.ShouldBeTrue();
        keyless.Output.ShouldContain("has no checkpoint signing key");
        keyless.Output.ShouldNotContain("integrates the ledger's Merkle tree");
    }

    private static async Task<Checkpoint> CoveringHeadAsync(ServerProcess server)
    {
        var head = (await Ledger(server).GetLedgerDigestAsync(new GetLedgerDigestRequest())).HeadSequence;
        return await StalenessDriver.EventuallyAsync(async () =>
        {
            try
            {
                return await Ledger(server).GetCheckpointAsync(new GetCheckpointRequest());
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.FailedPrecondition)
            {
                return new Checkpoint();
            }
        }, c => c.TreeSize >= head, TimeSpan.FromSeconds(30), $"a checkpoint of at least {head} entries");
    }
}
#endif
