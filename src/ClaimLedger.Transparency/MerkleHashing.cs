using System.Buffers;
using System.Numerics;
using System.Security.Cryptography;

namespace ClaimLedger.Transparency;

/// <summary>
/// The Merkle tree hashing of RFC 9162 §2.1 (the same as RFC 6962): leaf hash = SHA-256(0x00 ‖ leaf), interior node =
/// SHA-256(0x01 ‖ left ‖ right); and the two verification algorithms, inclusion (§2.1.3.2) and consistency (§2.1.4.2),
/// exactly as the RFC writes them, after checks that turn every malformed input into a named failure instead of an
/// exception or an accidental success.
/// </summary>
public static class MerkleHashing
{
    /// <summary>The size of every hash in the tree: SHA-256, 32 bytes.</summary>
    public const int HashSize = 32;

    private const int StackLeafLimit = 1024;

    /// <summary>The root of the empty tree, SHA-256 of no bytes (RFC 9162 §2.1.1).</summary>
    public static ReadOnlySpan<byte> EmptyRoot =>
    [
        0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
        0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
    ];

    /// <summary>SHA-256(0x00 ‖ leaf).</summary>
    public static byte[] LeafHash(ReadOnlySpan<byte> leaf)
    {
        var hash = new byte[HashSize];
        LeafHash(leaf, hash);
        return hash;
    }

    /// <summary>SHA-256(0x00 ‖ leaf), written to <paramref name="destination"/> (32 bytes).</summary>
    public static void LeafHash(ReadOnlySpan<byte> leaf, Span<byte> destination)
    {
        CheckDestination(destination);
        byte[]? rented = null;
        var buffer = leaf.Length < StackLeafLimit
            ? stackalloc byte[leaf.Length + 1]
            : (rented = ArrayPool<byte>.Shared.Rent(leaf.Length + 1)).AsSpan(0, leaf.Length + 1);
        try
        {
            buffer[0] = 0x00;
            leaf.CopyTo(buffer[1..]);
            SHA256.HashData(buffer, destination);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>SHA-256(0x01 ‖ left ‖ right).</summary>
    public static byte[] NodeHash(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        var hash = new byte[HashSize];
        NodeHash(left, right, hash);
        return hash;
    }

    /// <summary>
    /// SHA-256(0x01 ‖ left ‖ right), written to <paramref name="destination"/> (32 bytes), which may be the same memory
    /// as either input.
    /// </summary>
    public static void NodeHash(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right, Span<byte> destination)
    {
        if (left.Length != HashSize || right.Length != HashSize)
        {
            throw new ArgumentException("Both children of a node must be 32-byte hashes.");
        }

        CheckDestination(destination);
        Span<byte> buffer = stackalloc byte[1 + 2 * HashSize];
        buffer[0] = 0x01;
        left.CopyTo(buffer[1..]);
        right.CopyTo(buffer[(1 + HashSize)..]);
        SHA256.HashData(buffer, destination);
    }

    /// <summary>
    /// The number of hashes in the inclusion proof of <paramref name="leafIndex"/> in a tree of
    /// <paramref name="treeSize"/> leaves (0 ≤ index &lt; size).
    /// </summary>
    public static int InclusionProofLength(long leafIndex, long treeSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(leafIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(leafIndex, treeSize);
        var (inner, border) = DecomposeInclusionProof(leafIndex, treeSize);
        return inner + border;
    }

    /// <summary>The number of hashes in the consistency proof from size1 to size2 (0 &lt; size1 ≤ size2).</summary>
    public static int ConsistencyProofLength(long size1, long size2)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size1, size2);
        if (size1 == size2)
        {
            return 0;
        }

        var level = BitOperations.TrailingZeroCount(size1);
        var (inner, border) = DecomposeInclusionProof((size1 - 1) >> level, ((size2 - 1) >> level) + 1);
        var seed = size1 == 1L << level ? 0 : 1;
        return seed + inner + border;
    }

    /// <summary>
    /// Verifies that the leaf with hash <paramref name="leafHash"/> is at <paramref name="leafIndex"/> in the tree of
    /// <paramref name="treeSize"/> leaves whose root is <paramref name="root"/> (RFC 9162 §2.1.3.2).
    /// </summary>
    public static MerkleProofResult VerifyInclusion(long leafIndex, long treeSize, ReadOnlySpan<byte> leafHash, IReadOnlyList<byte[]> proof, ReadOnlySpan<byte> root)
    {
        var computed = RootFromInclusionProof(leafIndex, treeSize, leafHash, proof);
        if (!computed.IsValid)
        {
            return computed;
        }

        if (root.Length != HashSize)
        {
            return MerkleProofResult.Fail(MerkleProofFailure.MalformedHash, $"The root hash is {root.Length} bytes, not {HashSize}.");
        }

        return CryptographicOperations.FixedTimeEquals(computed.Root, root)
            ? MerkleProofResult.Valid
            : MerkleProofResult.Fail(
                MerkleProofFailure.RootMismatch,
                $"The inclusion proof of leaf {leafIndex} leads to root {Convert.ToBase64String(computed.Root!)}, not to the given root {Convert.ToBase64String(root)} of the tree of size {treeSize}.");
    }

    /// <summary>
    /// The root that an inclusion proof leads to (RFC 9162 §2.1.3.2 without the final comparison): in
    /// <see cref="MerkleProofResult.Root"/> when the index, size and proof are well formed.
    /// </summary>
    public static MerkleProofResult RootFromInclusionProof(long leafIndex, long treeSize, ReadOnlySpan<byte> leafHash, IReadOnlyList<byte[]> proof)
    {
        ArgumentNullException.ThrowIfNull(proof);
        if (treeSize < 0 || leafIndex < 0)
        {
            return MerkleProofResult.Fail(MerkleProofFailure.InvalidTreeSize, $"Leaf index {leafIndex} and tree size {treeSize} must not be negative.");
        }

        if (leafIndex >= treeSize)
        {
            return MerkleProofResult.Fail(
                MerkleProofFailure.LeafIndexOutOfRange,
                $"Leaf index {leafIndex} is not in a tree of size {treeSize} (indexes run from 0 to size − 1).");
        }

        if (leafHash.Length != HashSize)
        {
            return MerkleProofResult.Fail(MerkleProofFailure.MalformedHash, $"The leaf hash is {leafHash.Length} bytes, not {HashSize}.");
        }

        var expected = InclusionProofLength(leafIndex, treeSize);
        if (proof.Count != expected)
        {
            return MerkleProofResult.Fail(
                MerkleProofFailure.WrongProofLength,
                $"The inclusion proof has {proof.Count} hashes; leaf {leafIndex} of a tree of size {treeSize} needs {expected}.");
        }

        var malformed = FirstMalformed(proof, "inclusion");
        if (malformed is not null)
        {
            return malformed;
        }

        // RFC 9162 §2.1.3.2, steps 2 to 5.
        var fn = leafIndex;
        var sn = treeSize - 1;
        var r = leafHash.ToArray();
        foreach (var p in proof)
        {
            if (sn == 0)
            {
                return MerkleProofResult.Fail(MerkleProofFailure.WrongProofLength, "The inclusion proof is longer than the path to the root.");
            }

            if ((fn & 1) == 1 || fn == sn)
            {
                NodeHash(p, r, r);
                if ((fn & 1) == 0)
                {
                    while ((fn & 1) == 0 && fn != 0)
                    {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            }
            else
            {
                NodeHash(r, p, r);
            }

            fn >>= 1;
            sn >>= 1;
        }

        return sn == 0
            ? MerkleProofResult.ValidWithRoot(r)
            : MerkleProofResult.Fail(MerkleProofFailure.WrongProofLength, "The inclusion proof ends before the root.");
    }

    /// <summary>
    /// Verifies that the tree of <paramref name="size2"/> leaves with root <paramref name="root2"/> extends the tree of
    /// <paramref name="size1"/> leaves with root <paramref name="root1"/> (RFC 9162 §2.1.4.2). Equal sizes need an
    /// empty proof and equal roots; size1 = 0 is refused, since RFC 9162 defines no proof from the empty tree.
    /// </summary>
    public static MerkleProofResult VerifyConsistency(long size1, long size2, ReadOnlySpan<byte> root1, ReadOnlySpan<byte> root2, IReadOnlyList<byte[]> proof)
    {
        ArgumentNullException.ThrowIfNull(proof);
        if (size1 < 0 || size2 < 0)
        {
            return MerkleProofResult.Fail(MerkleProofFailure.InvalidTreeSize, $"Tree sizes {size1} and {size2} must not be negative.");
        }

        if (size1 > size2)
        {
            return MerkleProofResult.Fail(
                MerkleProofFailure.SizesOutOfOrder,
                $"The first tree ({size1}) is larger than the second ({size2}); a log only grows.");
        }

        if (size1 == 0)
        {
            return MerkleProofResult.Fail(
                MerkleProofFailure.EmptyFirstTree,
                "There is no consistency proof from the empty tree (size 0): every tree extends it, so checkpoints start at size 1.");
        }

        if (size1 == size2)
        {
            if (proof.Count != 0)
            {
                return MerkleProofResult.Fail(
                    MerkleProofFailure.WrongProofLength,
                    $"Between two trees of the same size the consistency proof is empty, but it has {proof.Count} hashes.");
            }

            return root1.SequenceEqual(root2)
                ? MerkleProofResult.Valid
                : MerkleProofResult.Fail(MerkleProofFailure.RootMismatch, $"Two trees of the same size {size1} have different roots.");
        }

        if (root1.Length != HashSize || root2.Length != HashSize)
        {
            return MerkleProofResult.Fail(
                MerkleProofFailure.MalformedHash,
                $"The roots are {root1.Length} and {root2.Length} bytes; both must be {HashSize}.");
        }

        var expected = ConsistencyProofLength(size1, size2);
        if (proof.Count != expected)
        {
            return MerkleProofResult.Fail(
                MerkleProofFailure.WrongProofLength,
                $"The consistency proof has {proof.Count} hashes; from size {size1} to size {size2} it needs {expected}.");
        }

        var malformed = FirstMalformed(proof, "consistency");
        if (malformed is not null)
        {
            return malformed;
        }

        // RFC 9162 §2.1.4.2.
        // 1. An empty path fails (cannot happen after the length check when size1 < size2, kept as the RFC says).
        if (proof.Count == 0)
        {
            return MerkleProofResult.Fail(MerkleProofFailure.WrongProofLength, "The consistency proof is empty.");
        }

        // 2. If first is an exact power of 2, prepend first_hash to the path.
        var path = new List<byte[]>(proof.Count + 1);
        if (BitOperations.IsPow2(size1))
        {
            path.Add(root1.ToArray());
        }

        path.AddRange(proof);

        // 3. fn = first − 1, sn = second − 1.  4. While LSB(fn) is set, shift both right.
        var fn = size1 - 1;
        var sn = size2 - 1;
        while ((fn & 1) == 1)
        {
            fn >>= 1;
            sn >>= 1;
        }

        // 5. fr = sr = the first value of the path.
        var fr = path[0].ToArray();
        var sr = path[0].ToArray();

        // 6. For each subsequent value c.
        for (var i = 1; i < path.Count; i++)
        {
            var c = path[i];
            if (sn == 0)
            {
                return MerkleProofResult.Fail(MerkleProofFailure.WrongProofLength, "The consistency proof is longer than the path to the root.");
            }

            if ((fn & 1) == 1 || fn == sn)
            {
                NodeHash(c, fr, fr);
                NodeHash(c, sr, sr);
                if ((fn & 1) == 0)
                {
                    while ((fn & 1) == 0 && fn != 0)
                    {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            }
            else
            {
                NodeHash(sr, c, sr);
            }

            fn >>= 1;
            sn >>= 1;
        }

        // 7. sn must be 0, fr must be first_hash and sr second_hash.
        if (sn != 0)
        {
            return MerkleProofResult.Fail(MerkleProofFailure.WrongProofLength, "The consistency proof ends before the root.");
        }

        if (!CryptographicOperations.FixedTimeEquals(fr, root1))
        {
            return MerkleProofResult.Fail(
                MerkleProofFailure.FirstRootMismatch,
                $"The consistency proof leads to root {Convert.ToBase64String(fr)} for size {size1}, not to the given {Convert.ToBase64String(root1)}.");
        }

        return CryptographicOperations.FixedTimeEquals(sr, root2)
            ? MerkleProofResult.Valid
            : MerkleProofResult.Fail(
                MerkleProofFailure.SecondRootMismatch,
                $"The consistency proof leads to root {Convert.ToBase64String(sr)} for size {size2}, not to the given {Convert.ToBase64String(root2)}.");
    }

    /// <summary>
    /// Splits the inclusion proof of <paramref name="index"/> in a tree of <paramref name="size"/> leaves into the
    /// hashes below the point where the leaf's path leaves the last complete subtree (inner) and those above it
    /// (border, one per complete subtree to the left).
    /// </summary>
    private static (int Inner, int Border) DecomposeInclusionProof(long index, long size)
    {
        var inner = 64 - BitOperations.LeadingZeroCount((ulong)(index ^ (size - 1)));
        var border = BitOperations.PopCount((ulong)index >> inner);
        return (inner, border);
    }

    private static MerkleProofResult? FirstMalformed(IReadOnlyList<byte[]> proof, string kind)
    {
        for (var i = 0; i < proof.Count; i++)
        {
            if (proof[i] is null || proof[i].Length != HashSize)
            {
                return MerkleProofResult.Fail(
                    MerkleProofFailure.MalformedHash,
                    $"Hash {i + 1} of the {kind} proof is {proof[i]?.Length ?? 0} bytes, not {HashSize}.");
            }
        }

        return null;
    }

    private static void CheckDestination(Span<byte> destination)
    {
        if (destination.Length != HashSize)
        {
            throw new ArgumentException("The destination of a hash must be 32 bytes.", nameof(destination));
        }
    }
}
