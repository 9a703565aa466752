using ClaimLedger.Contracts.V1;
using ClaimLedger.IntegrationTests.Infrastructure;
using ClaimLedger.Transparency;
using Grpc.Core;
using ProtoCheckpoint = ClaimLedger.Contracts.V1.Checkpoint;

namespace ClaimLedger.IntegrationTests;

/// <summary>
/// Ledger:Integration:Enabled (default true): with it off the server records and serves as before but adds nothing to
/// the Merkle tree and signs no checkpoint; a later start with it on integrates what was written meanwhile.
/// </summary>
/// <remarks>
/// A restart is two servers whose Database:DataDirectory is one directory this class owns; the admin key file the first
/// start wrote there is copied to each server's own directory, where its AdminKey reads it (as StalenessSchedulingTests do).
/// </remarks>
public sealed class LedgerIntegrationSwitchTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "claimledger-tests", "integration-" + Guid.NewGuid().ToString("N"));

    public LedgerIntegrationSwitchTests() => Directory.CreateDirectory(_directory);

    private ClaimLedgerServer Start(bool? integration)
    {
        var server = new ClaimLedgerServer();
        server.Settings["Database:DataDirectory"] = _directory;
        if (integration is { } enabled)
        {
            server.Settings["Ledger:Integration:Enabled"] = enabled ? "true" : "false";
        }

        _ = server.Services; // starts the host: migrations, the admin key on first start, the integrator (or not)
        File.Copy(Path.Combine(_directory, "admin-api-key"), Path.Combine(server.DataDirectory, "admin-api-key"), overwrite: true);
        return server;
    }

    [Fact]
    public async Task WithIntegrationOff_WritesWork_ButNoCheckpointIsSigned_AndTheNextStartWithItOnIntegratesTheBacklog()
    {
        long head;
        using (var off = Start(integration: false))
        {
            var claims = off.Claims("tara");
            var ledger = off.Ledger("auditor", Role.Auditor);
            var created = new List<string>();
            for (var i = 0; i < 3; i++)
            {
                created.Add((await claims.CreateClaimAsync(TestData.NewClaim())).Name);
            }

            (await claims.GetClaimAsync(new GetClaimRequest { Name = created[0] })).Name.ShouldBe(created[0]);
            head = (await ledger.GetLedgerDigestAsync(new GetLedgerDigestRequest())).HeadSequence;
            head.ShouldBeGreaterThanOrEqualTo(3);

            // The fixture integrates within milliseconds when the integrator runs; give it far longer than that.
            await Task.Delay(TimeSpan.FromSeconds(1.5));
            var none = await RpcAssert.Fails(StatusCode.FailedPrecondition, ledger.GetCheckpointAsync(new GetCheckpointRequest()));
            none.Message.ShouldContain("No checkpoint");
            (await ledger.ListCheckpointsAsync(new ListCheckpointsRequest())).Checkpoints.ShouldBeEmpty();
            await RpcAssert.Fails(StatusCode.FailedPrecondition, ledger.GetInclusionProofAsync(new GetInclusionProofRequest { Sequence = 1 }));
            await RpcAssert.Fails(StatusCode.FailedPrecondition, ledger.GetClaimProofAsync(new GetClaimProofRequest { Name = created[0] }));
            (await ledger.VerifyLedgerAsync(new VerifyLedgerRequest())).Valid.ShouldBeTrue();
        }

        // Default (on): the entries written meanwhile join the tree and a checkpoint covers them.
        using var on = Start(integration: null);
        var auditor = on.Ledger("auditor", Role.Auditor);
        var checkpoint = await StalenessDriver.EventuallyAsync(async () =>
        {
            try
            {
                return await auditor.GetCheckpointAsync(new GetCheckpointRequest());
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.FailedPrecondition)
            {
                return new ProtoCheckpoint();
            }
        }, c => c.TreeSize >= head, TimeSpan.FromSeconds(20), $"a checkpoint of at least {head} entries");
        // Against that checkpoint (not "the latest": this server's own writes, such as the auditor's key, keep adding entries).
        var proof = await auditor.GetInclusionProofAsync(new GetInclusionProofRequest { Sequence = head, TreeSize = checkpoint.TreeSize });
        MerkleHashing.VerifyInclusion(head - 1, checkpoint.TreeSize, proof.LeafHash.Span, proof.Hashes.Select(h => h.ToByteArray()).ToList(),
            checkpoint.RootHash.Span).IsValid.ShouldBeTrue();
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        TestEngine.Forget(_directory); // the PostgreSQL build's database of this directory, which no server of its own disposes
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort, as the fixture does.
        }
    }
}
