using System.Security.Cryptography;
using System.Text;
using ClaimLedger.Contracts.V1;
using ClaimLedger.IntegrationTests.Infrastructure;
using ClaimLedger.Transparency;
using Google.Protobuf;
using Grpc.Core;
using ProtoCheckpoint = ClaimLedger.Contracts.V1.Checkpoint;

namespace ClaimLedger.IntegrationTests;

/// <summary>
/// The Merkle tree over the ledger through the API (issue 13, ADR 20): signed checkpoints that match a tree computed here
/// from the entries' leaves, inclusion and consistency proofs that verify, claim proof bundles an offline verifier
/// accepts, and clear errors. Tests in this class share one server and only append.
/// </summary>
public sealed class TransparencyTests(ClaimLedgerServer server) : IClassFixture<ClaimLedgerServer>
{
    private readonly ClaimService.ClaimServiceClient _claims = server.Claims("tara");
    private readonly SourceService.SourceServiceClient _sources = server.Sources("tara");
    private readonly EvidenceService.EvidenceServiceClient _evidence = server.Evidence("tara");
    private readonly LedgerService.LedgerServiceClient _ledger = server.Ledger("auditor", Role.Auditor);

    [Fact]
    public async Task Checkpoint_IsSignedByTheVerifierKey_AndItsRootIsTheTreeOfTheLedgersLeaves()
    {
        await WriteSomethingAsync();
        var checkpoint = await CheckpointCoveringHeadAsync();
        var key = await _ledger.GetVerifierKeyAsync(new GetVerifierKeyRequest());
        var verifier = NoteVerifierKey.Parse(key.VerifierKey_);
        verifier.Name.ShouldBe(key.Origin);
        key.Origin.ShouldStartWith("claimledger.local/");

        var verified = ClaimLedger.Transparency.Checkpoint.Verify(checkpoint.Note, verifier);
        verified.IsValid.ShouldBeTrue(verified.Message);
        verified.Checkpoint!.Size.ShouldBe(checkpoint.TreeSize);
        verified.Checkpoint.Origin.ShouldBe(checkpoint.Origin);
        verified.Checkpoint.RootHash.ToArray().ShouldBe(checkpoint.RootHash.ToByteArray());

        // The root, recomputed here from the entries alone (RFC 9162 MTH), each leaf tied to the hash chain.
        var leaves = await LeavesAsync(checkpoint.TreeSize);
        MerkleTreeHash(leaves).ShouldBe(checkpoint.RootHash.ToByteArray());

        // A checkpoint signed by any other key does not verify.
        using var other = NoteSigner.Generate(key.Origin);
        ClaimLedger.Transparency.Checkpoint.Verify(checkpoint.Note, other.VerifierKey).IsValid.ShouldBeFalse();
    }

    [Fact]
    public async Task InclusionProofs_VerifyForEveryEntry_AndFailForAnAlteredLeaf()
    {
        await WriteSomethingAsync();
        var checkpoint = await CheckpointCoveringHeadAsync();
        for (long sequence = 1; sequence <= checkpoint.TreeSize; sequence++)
        {
            var proof = await _ledger.GetInclusionProofAsync(new GetInclusionProofRequest { Sequence = sequence });
            proof.TreeSize.ShouldBe(checkpoint.TreeSize);
            proof.LeafIndex.ShouldBe(sequence - 1);
            var leafHash = MerkleHashing.LeafHash(Encoding.UTF8.GetBytes(proof.Leaf));
            leafHash.ShouldBe(proof.LeafHash.ToByteArray());
            var hashes = proof.Hashes.Select(h => h.ToByteArray()).ToList();
            MerkleHashing.VerifyInclusion(sequence - 1, proof.TreeSize, leafHash, hashes, checkpoint.RootHash.Span).IsValid.ShouldBeTrue($"entry {sequence}");

            var altered = MerkleHashing.LeafHash(Encoding.UTF8.GetBytes(proof.Leaf.Replace("tara", "mallory", StringComparison.Ordinal) + " "));
            MerkleHashing.VerifyInclusion(sequence - 1, proof.TreeSize, altered, hashes, checkpoint.RootHash.Span).IsValid.ShouldBeFalse();
        }
    }

    [Fact]
    public async Task ConsistencyProofs_LinkEveryCheckpointToTheLatest_AndEachToTheNext()
    {
        await WriteSomethingAsync();
        var first = await CheckpointCoveringHeadAsync();
        await WriteSomethingAsync();
        var second = await CheckpointCoveringHeadAsync();
        second.TreeSize.ShouldBeGreaterThan(first.TreeSize);

        var all = (await _ledger.ListCheckpointsAsync(new ListCheckpointsRequest { PageSize = 100 })).Checkpoints;
        all.Select(c => c.TreeSize).ShouldBe(all.Select(c => c.TreeSize).Order().ToList(), "oldest first");
        all.Select(c => c.TreeSize).ShouldContain(first.TreeSize);

        var proof = await _ledger.GetConsistencyProofAsync(new GetConsistencyProofRequest { FirstSize = first.TreeSize });
        proof.SecondSize.ShouldBeGreaterThanOrEqualTo(second.TreeSize);
        var latest = await _ledger.GetCheckpointAsync(new GetCheckpointRequest { TreeSize = proof.SecondSize });
        MerkleHashing.VerifyConsistency(first.TreeSize, latest.TreeSize, first.RootHash.Span, latest.RootHash.Span,
            proof.Hashes.Select(h => h.ToByteArray()).ToList()).IsValid.ShouldBeTrue();

        // Against a root that is not the first checkpoint's, the same proof fails: a rewritten history is caught.
        var forged = first.RootHash.ToByteArray();
        forged[0] ^= 1;
        MerkleHashing.VerifyConsistency(first.TreeSize, latest.TreeSize, forged, latest.RootHash.Span,
            proof.Hashes.Select(h => h.ToByteArray()).ToList()).IsValid.ShouldBeFalse();

        foreach (var (a, b) in all.Zip(all.Skip(1)))
        {
            var step = await _ledger.GetConsistencyProofAsync(new GetConsistencyProofRequest { FirstSize = a.TreeSize, SecondSize = b.TreeSize });
            MerkleHashing.VerifyConsistency(a.TreeSize, b.TreeSize, a.RootHash.Span, b.RootHash.Span,
                step.Hashes.Select(h => h.ToByteArray()).ToList()).IsValid.ShouldBeTrue($"{a.TreeSize} → {b.TreeSize}");
        }
    }

    [Fact]
    public async Task ClaimProof_HoldsEveryEntryOfTheClaimItsEvidenceAndCitedSources_AndVerifiesOffline()
    {
        var source = await _sources.CreateSourceAsync(TestData.NewSource($"https://news.example.org/proof/{Guid.NewGuid():N}"));
        var create = TestData.NewClaim();
        create.Evidence.Add(new Evidence { Source = source.Name, Stance = Stance.Origin, Excerpt = "said here" });
        var claim = await _claims.CreateClaimAsync(create);
        await _evidence.AddEvidenceAsync(new AddEvidenceRequest
        {
            Parent = claim.Name,
            Evidence = new Evidence { Source = source.Name, Stance = Stance.Refutes, Excerpt = "« démenti » officiel — 公式否認" },
        });
        var unrelated = await _claims.CreateClaimAsync(TestData.NewClaim());
        var checkpoint = await CheckpointCoveringHeadAsync();

        var proof = await _ledger.GetClaimProofAsync(new GetClaimProofRequest { Name = claim.Name });
        proof.Checkpoint.TreeSize.ShouldBe(checkpoint.TreeSize);
        var subjects = proof.Entries.Select(e => System.Text.Json.Nodes.JsonNode.Parse(e.Leaf)!["subject"]!.GetValue<string>()).ToList();
        subjects.ShouldContain(claim.Name);
        subjects.ShouldContain(source.Name);
        subjects.ShouldContain(s => s.StartsWith(claim.Name + "/evidence/", StringComparison.Ordinal));
        subjects.ShouldNotContain(unrelated.Name);
        proof.Entries.Select(e => e.Sequence).ShouldBe(proof.Entries.Select(e => e.Sequence).Order().ToList());

        var key = NoteVerifierKey.Parse((await _ledger.GetVerifierKeyAsync(new GetVerifierKeyRequest())).VerifierKey_);
        var bundle = new ClaimProofBundle(proof.Claim, proof.Checkpoint.Note,
            proof.Entries.Select(e => new ClaimProofEntry(e.Sequence, e.Leaf, e.InclusionProof.Select(h => h.ToByteArray()).ToList())).ToList());
        var verified = ClaimProofVerifier.Verify(bundle.ToJson(), key);
        verified.IsValid.ShouldBeTrue(verified.Message);
        verified.Entries.Count.ShouldBe(proof.Entries.Count);

        // One byte of one leaf changed: the offline check names the entry.
        var tampered = proof.Entries.Select(e => new ClaimProofEntry(e.Sequence,
            e.Sequence == proof.Entries[0].Sequence ? e.Leaf.Replace("tara", "tarb", StringComparison.Ordinal) : e.Leaf,
            e.InclusionProof.Select(h => h.ToByteArray()).ToList())).ToList();
        var rejected = ClaimProofVerifier.Verify(new ClaimProofBundle(proof.Claim, proof.Checkpoint.Note, tampered).ToJson(), key);
        rejected.IsValid.ShouldBeFalse();
        rejected.Sequence.ShouldBe(proof.Entries[0].Sequence);

        // As of the claim's first entry: only what existed then.
        var asOf = await _ledger.GetClaimProofAsync(new GetClaimProofRequest { Name = claim.Name, AsOfSequence = proof.Entries.First(e => subjects[proof.Entries.IndexOf(e)] == claim.Name).Sequence });
        asOf.Entries.Count.ShouldBeLessThan(proof.Entries.Count);
        asOf.Entries.ShouldAllBe(e => e.Sequence <= asOf.AsOfSequence);
    }

    [Fact]
    public async Task BadRequests_AreAnsweredClearly()
    {
        await WriteSomethingAsync();
        var checkpoint = await CheckpointCoveringHeadAsync();
        await RpcAssert.InvalidArgument(_ledger.GetInclusionProofAsync(new GetInclusionProofRequest { Sequence = 0 }), "sequence");
        await RpcAssert.InvalidArgument(_ledger.GetInclusionProofAsync(new GetInclusionProofRequest { Sequence = 5, TreeSize = 3 }), "tree_size");
        await RpcAssert.InvalidArgument(_ledger.GetConsistencyProofAsync(new GetConsistencyProofRequest { FirstSize = 0 }), "first_size");
        await RpcAssert.InvalidArgument(_ledger.GetConsistencyProofAsync(new GetConsistencyProofRequest { FirstSize = 5, SecondSize = 3 }), "second_size");
        await RpcAssert.InvalidArgument(_ledger.GetCheckpointAsync(new GetCheckpointRequest { TreeSize = -1 }), "tree_size");
        await RpcAssert.InvalidArgument(_ledger.GetClaimProofAsync(new GetClaimProofRequest { Name = "sources/x" }), "name");

        await RpcAssert.Fails(StatusCode.NotFound, _ledger.GetInclusionProofAsync(new GetInclusionProofRequest { Sequence = 1_000_000 }));
        await RpcAssert.Fails(StatusCode.NotFound, _ledger.GetClaimProofAsync(new GetClaimProofRequest { Name = "claims/0000000000000000000000000000dead" }));
        await RpcAssert.Fails(StatusCode.NotFound, _ledger.GetCheckpointAsync(new GetCheckpointRequest { TreeSize = checkpoint.TreeSize + 1_000_000 }));
        var beyond = await RpcAssert.Fails(StatusCode.FailedPrecondition,
            _ledger.GetConsistencyProofAsync(new GetConsistencyProofRequest { FirstSize = 1, SecondSize = checkpoint.TreeSize + 1_000_000 }));
        beyond.Message.ShouldContain("integrated");

        // Entries are for auditors; checkpoints, keys and consistency proofs for any reader.
        var reader = new LedgerService.LedgerServiceClient(server.As("reader", Role.Reader));
        await RpcAssert.Fails(StatusCode.PermissionDenied, reader.GetInclusionProofAsync(new GetInclusionProofRequest { Sequence = 1 }));
        await RpcAssert.Fails(StatusCode.PermissionDenied, reader.GetClaimProofAsync(new GetClaimProofRequest { Name = "claims/0000000000000000000000000000dead" }));
        (await reader.GetCheckpointAsync(new GetCheckpointRequest())).TreeSize.ShouldBeGreaterThan(0);
        (await reader.GetVerifierKeyAsync(new GetVerifierKeyRequest())).VerifierKey_.ShouldNotBeEmpty();
        await Should.ThrowAsync<RpcException>(async () => await new LedgerService.LedgerServiceClient(server.Authorized(null)).GetCheckpointAsync(new GetCheckpointRequest()));
    }

    [Fact]
    public void SigningKey_IsCreatedOwnerOnly_InTheDataDirectory_AndMatchesTheServedVerifierKey()
    {
        _ = server.AdminKey; // started
        var path = Path.Combine(server.DataDirectory, "checkpoint-signing-key");
        var text = File.ReadAllText(path);
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(path).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        using var signer = NoteSigner.ImportPrivateKey(text);
        var served = _ledger.GetVerifierKey(new GetVerifierKeyRequest());
        signer.VerifierKey.ToString().ShouldBe(served.VerifierKey_);
    }

    [Fact]
    public async Task AuditReport_AsOfAPastCheckpoint_EndsWithIt_CarriesItsSignedNote_AndCountsNothingLater()
    {
        // A fresh server of its own, so that the counts are this test's alone.
        using var own = new ClaimLedgerServer();
        var claims = own.Claims("tara");
        var ledger = own.Ledger("auditor", Role.Auditor);
        await claims.CreateClaimAsync(TestData.NewClaim());
        await claims.CreateClaimAsync(TestData.NewClaim());
        var head = (await ledger.GetLedgerDigestAsync(new GetLedgerDigestRequest())).HeadSequence;
        var past = await StalenessDriver.EventuallyAsync(async () =>
        {
            try
            {
                return await ledger.GetCheckpointAsync(new GetCheckpointRequest());
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.FailedPrecondition)
            {
                return new ProtoCheckpoint();
            }
        }, c => c.TreeSize >= head, TimeSpan.FromSeconds(20), "a checkpoint");
        own.Clock.Advance(TimeSpan.FromMinutes(5));
        await claims.CreateClaimAsync(TestData.NewClaim()); // after the checkpoint

        var reports = new ReportService.ReportServiceClient(own.As("auditor", Role.Auditor));
        var request = new GenerateAuditReportRequest
        {
            StartTime = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(own.Clock.GetUtcNow().AddDays(-1)),
            EndTime = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(own.Clock.GetUtcNow().AddDays(1)),
            Format = ReportFormat.Json,
        };
        using var now = System.Text.Json.JsonDocument.Parse((await ReportClient.ReadAllAsync(reports.GenerateAuditReport(request))).Data);
        now.RootElement.GetProperty("summary").GetProperty("claims_recorded").GetInt64().ShouldBe(3);

        request.AsOfTreeSize = past.TreeSize;
        using var then = System.Text.Json.JsonDocument.Parse((await ReportClient.ReadAllAsync(reports.GenerateAuditReport(request))).Data);
        var root = then.RootElement;
        root.GetProperty("summary").GetProperty("claims_recorded").GetInt64().ShouldBe(2);
        var section = root.GetProperty("ledger");
        section.GetProperty("checkpoint").GetProperty("note").GetString().ShouldBe(past.Note);
        section.GetProperty("head_sequence").GetInt64().ShouldBe(past.TreeSize);
        section.GetProperty("valid").GetBoolean().ShouldBeTrue();
        var key = NoteVerifierKey.Parse((await ledger.GetVerifierKeyAsync(new GetVerifierKeyRequest())).VerifierKey_);
        ClaimLedger.Transparency.Checkpoint.Verify(section.GetProperty("checkpoint").GetProperty("note").GetString()!, key).IsValid.ShouldBeTrue();
        DateTimeOffset.Parse(root.GetProperty("period").GetProperty("end").GetString()!, System.Globalization.CultureInfo.InvariantCulture)
            .ShouldBeLessThan(request.EndTime.ToDateTimeOffset());

        request.AsOfTreeSize = past.TreeSize + 1_000;
        await RpcAssert.Fails(StatusCode.NotFound, () => ReportClient.ReadAllAsync(reports.GenerateAuditReport(request)));
    }

    // ---- helpers

    private async Task WriteSomethingAsync() => await _claims.CreateClaimAsync(TestData.NewClaim());

    /// <summary>The first checkpoint whose tree holds every entry committed so far (the integrator runs within milliseconds here).</summary>
    private async Task<ProtoCheckpoint> CheckpointCoveringHeadAsync()
    {
        var head = (await _ledger.GetLedgerDigestAsync(new GetLedgerDigestRequest())).HeadSequence;
        return await StalenessDriver.EventuallyAsync(async () =>
        {
            try
            {
                return await _ledger.GetCheckpointAsync(new GetCheckpointRequest());
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.FailedPrecondition)
            {
                return new ProtoCheckpoint();
            }
        }, c => c.TreeSize >= head, TimeSpan.FromSeconds(20), $"a checkpoint of at least {head} entries");
    }

    /// <summary>Each entry's leaf, checked against the hash chain as ListLedgerEntries gives it.</summary>
    private async Task<List<byte[]>> LeavesAsync(long treeSize)
    {
        var leaves = new List<byte[]>();
        var previous = new byte[32];
        string token = "";
        do
        {
            var page = await _ledger.ListLedgerEntriesAsync(new ListLedgerEntriesRequest { PageSize = 100, PageToken = token });
            foreach (var entry in page.Entries.Where(e => e.Sequence <= treeSize))
            {
                var proof = await _ledger.GetInclusionProofAsync(new GetInclusionProofRequest { Sequence = entry.Sequence });
                var leaf = Encoding.UTF8.GetBytes(proof.Leaf);
                Convert.ToHexStringLower(SHA256.HashData([.. previous, .. leaf])).ShouldBe(entry.EntryHash, $"entry {entry.Sequence}'s leaf is what the chain hashed");
                previous = Convert.FromHexString(entry.EntryHash);
                leaves.Add(leaf);
            }

            token = page.NextPageToken;
        }
        while (token.Length > 0 && leaves.Count < treeSize);

        leaves.Count.ShouldBe((int)treeSize);
        return leaves;
    }

    /// <summary>RFC 9162 section 2.1.1, written out: MTH of a list of leaves.</summary>
    private static byte[] MerkleTreeHash(IReadOnlyList<byte[]> leaves)
    {
        if (leaves.Count == 1)
        {
            return SHA256.HashData([0x00, .. leaves[0]]);
        }

        var k = 1;
        while (k * 2 < leaves.Count)
        {
            k *= 2;
        }

        return SHA256.HashData([0x01, .. MerkleTreeHash(leaves.Take(k).ToList()), .. MerkleTreeHash(leaves.Skip(k).ToList())]);
    }
}
