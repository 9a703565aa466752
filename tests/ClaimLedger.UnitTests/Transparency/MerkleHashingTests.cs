using System.Security.Cryptography;
using ClaimLedger.Transparency;

namespace ClaimLedger.UnitTests.Transparency;

/// <summary>Hashing known answers, and that every damaged proof is rejected with the reason a user can act on.</summary>
public sealed class MerkleHashingTests
{
    [Fact]
    public void Hashes_AreRfc9162()
    {
        MerkleHashing.EmptyRoot.ToArray().ShouldBe(SHA256.HashData([]));
        Convert.ToHexStringLower(MerkleHashing.EmptyRoot).ShouldBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

        // The leaf hash of the empty leaf, SHA-256(0x00): the first leaf hash of the CT test set.
        Convert.ToHexStringLower(MerkleHashing.LeafHash([])).ShouldBe("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");

        byte[] leaf = [1, 2, 3];
        MerkleHashing.LeafHash(leaf).ShouldBe(SHA256.HashData([0x00, 1, 2, 3]));
        var big = new byte[5000];
        Random.Shared.NextBytes(big);
        MerkleHashing.LeafHash(big).ShouldBe(SHA256.HashData([0x00, .. big]));

        var l = SHA256.HashData([7]);
        var r = SHA256.HashData([8]);
        MerkleHashing.NodeHash(l, r).ShouldBe(SHA256.HashData([0x01, .. l, .. r]));
        Should.Throw<ArgumentException>(() => MerkleHashing.NodeHash(l, r[..31]));

        // In place, as the verifiers use it.
        var acc = (byte[])l.Clone();
        MerkleHashing.NodeHash(acc, r, acc);
        acc.ShouldBe(SHA256.HashData([0x01, .. l, .. r]));
    }

    [Fact]
    public void EveryInclusionProofTo64_Verifies_AndEveryDamageIsRejected()
    {
        var tree = new ReferenceMerkleTree(TiledTreeTests.LeafHashes(64, seed: 20));
        for (long size = 1; size <= 64; size++)
        {
            var root = tree.Root(size);
            for (long index = 0; index < size; index++)
            {
                var leaf = tree.LeafHashes[(int)index];
                var proof = tree.Path(index, size);
                var ok = MerkleHashing.VerifyInclusion(index, size, leaf, proof, root);
                ok.IsValid.ShouldBeTrue(ok.ToString());

                var computed = MerkleHashing.RootFromInclusionProof(index, size, leaf, proof);
                computed.Root.ShouldBe(root);

                for (var i = 0; i < proof.Count; i++)
                {
                    var damaged = proof.Select(h => (byte[])h.Clone()).ToList();
                    damaged[i][i % 32] ^= 0x80;
                    MerkleHashing.VerifyInclusion(index, size, leaf, damaged, root).Failure.ShouldBe(MerkleProofFailure.RootMismatch);
                }

                var otherLeaf = (byte[])leaf.Clone();
                otherLeaf[0] ^= 1;
                MerkleHashing.VerifyInclusion(index, size, otherLeaf, proof, root).Failure.ShouldBe(MerkleProofFailure.RootMismatch);

                var otherRoot = (byte[])root.Clone();
                otherRoot[31] ^= 1;
                MerkleHashing.VerifyInclusion(index, size, leaf, proof, otherRoot).Failure.ShouldBe(MerkleProofFailure.RootMismatch);

                MerkleHashing.VerifyInclusion(index, size, leaf, [.. proof, root], root).Failure.ShouldBe(MerkleProofFailure.WrongProofLength);
                if (proof.Count > 0)
                {
                    MerkleHashing.VerifyInclusion(index, size, leaf, proof[1..], root).Failure.ShouldBe(MerkleProofFailure.WrongProofLength);
                    MerkleHashing.VerifyInclusion(index, size, leaf, [.. proof[..^1], proof[^1][..31]], root).Failure.ShouldBe(MerkleProofFailure.MalformedHash);
                }

                // Another index or size of the same proof never verifies.
                for (long other = 0; other < size; other++)
                {
                    if (other != index)
                    {
                        MerkleHashing.VerifyInclusion(other, size, leaf, proof, root).IsValid.ShouldBeFalse($"leaf {index}'s proof as {other} in {size}");
                    }
                }

                // (The same path can verify with size + 1: an inclusion proof binds the size only together with its
                // root, which a checkpoint signs with it.)
                MerkleHashing.VerifyInclusion(size, size, leaf, proof, root).Failure.ShouldBe(MerkleProofFailure.LeafIndexOutOfRange);
            }
        }
    }

    [Fact]
    public void EveryConsistencyProofTo64_Verifies_AndEveryDamageIsRejected()
    {
        var tree = new ReferenceMerkleTree(TiledTreeTests.LeafHashes(64, seed: 21));
        for (long size2 = 1; size2 <= 64; size2++)
        {
            var root2 = tree.Root(size2);
            for (long size1 = 1; size1 <= size2; size1++)
            {
                var root1 = tree.Root(size1);
                var proof = tree.Proof(size1, size2);
                var ok = MerkleHashing.VerifyConsistency(size1, size2, root1, root2, proof);
                ok.IsValid.ShouldBeTrue($"{size1} → {size2}: {ok}");

                for (var i = 0; i < proof.Count; i++)
                {
                    var damaged = proof.Select(h => (byte[])h.Clone()).ToList();
                    damaged[i][0] ^= 1;
                    MerkleHashing.VerifyConsistency(size1, size2, root1, root2, damaged).IsValid.ShouldBeFalse($"{size1} → {size2}, hash {i} damaged");
                }

                var otherRoot1 = (byte[])root1.Clone();
                otherRoot1[5] ^= 1;
                var otherRoot2 = (byte[])root2.Clone();
                otherRoot2[5] ^= 1;
                if (size1 < size2)
                {
                    // When size1 is a power of two, RFC 9162 starts the path from root1 itself, so a wrong root1
                    // shows as a wrong second root.
                    MerkleHashing.VerifyConsistency(size1, size2, otherRoot1, root2, proof).Failure.ShouldBe(
                        long.IsPow2(size1) ? MerkleProofFailure.SecondRootMismatch : MerkleProofFailure.FirstRootMismatch);
                    MerkleHashing.VerifyConsistency(size1, size2, root1, otherRoot2, proof).Failure.ShouldBe(MerkleProofFailure.SecondRootMismatch);
                    MerkleHashing.VerifyConsistency(size1, size2, root1, root2, proof[1..]).Failure.ShouldBe(MerkleProofFailure.WrongProofLength);
                    MerkleHashing.VerifyConsistency(size1, size2, root1, root2, [.. proof, root1]).Failure.ShouldBe(MerkleProofFailure.WrongProofLength);
                    MerkleHashing.VerifyConsistency(size2, size1, root2, root1, proof).Failure.ShouldBe(MerkleProofFailure.SizesOutOfOrder);
                    MerkleHashing.VerifyConsistency(size1, size2, root1[..31], root2, proof).Failure.ShouldBe(MerkleProofFailure.MalformedHash);
                }
                else
                {
                    proof.ShouldBeEmpty();
                    MerkleHashing.VerifyConsistency(size1, size2, root1, otherRoot2, proof).Failure.ShouldBe(MerkleProofFailure.RootMismatch);
                    MerkleHashing.VerifyConsistency(size1, size2, root1, root2, [root1]).Failure.ShouldBe(MerkleProofFailure.WrongProofLength);
                }

                // The same proof between other sizes does not verify.
                if (size1 > 1)
                {
                    MerkleHashing.VerifyConsistency(size1 - 1, size2, tree.Root(size1 - 1), root2, proof).IsValid.ShouldBeFalse();
                }

                // (size2 + 1 with root2 can verify too, for the same reason as inclusion: a size is bound by its root.)
            }
        }
    }

    [Fact]
    public void MalformedArguments_AreNamedFailures_NotExceptions()
    {
        var h = new byte[32];
        MerkleHashing.VerifyInclusion(-1, 5, h, [], h).Failure.ShouldBe(MerkleProofFailure.InvalidTreeSize);
        MerkleHashing.VerifyInclusion(0, 0, h, [], h).Failure.ShouldBe(MerkleProofFailure.LeafIndexOutOfRange);
        MerkleHashing.VerifyInclusion(0, 1, h[..31], [], h).Failure.ShouldBe(MerkleProofFailure.MalformedHash);
        MerkleHashing.VerifyInclusion(0, 1, h, [], h[..31]).Failure.ShouldBe(MerkleProofFailure.MalformedHash);
        MerkleHashing.VerifyInclusion(0, 1, h, [], h).IsValid.ShouldBeTrue();
        MerkleHashing.VerifyConsistency(0, 0, h, h, []).Failure.ShouldBe(MerkleProofFailure.EmptyFirstTree);
        MerkleHashing.VerifyConsistency(0, 3, h, h, [h]).Failure.ShouldBe(MerkleProofFailure.EmptyFirstTree);
        MerkleHashing.VerifyConsistency(-1, 3, h, h, [h]).Failure.ShouldBe(MerkleProofFailure.InvalidTreeSize);
        MerkleHashing.VerifyConsistency(4, 3, h, h, []).Failure.ShouldBe(MerkleProofFailure.SizesOutOfOrder);
        MerkleHashing.VerifyConsistency(1, 2, h, h, []).Failure.ShouldBe(MerkleProofFailure.WrongProofLength);

        var message = MerkleHashing.VerifyInclusion(6, 1000, h, [h], h).Message;
        message.ShouldContain("has 1 hashes");
        message.ShouldContain("needs 10");
    }
}
