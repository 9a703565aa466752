using System.Numerics;

namespace ClaimLedger.Transparency;

/// <summary>A complete subtree: leaves Index·2^Height … (Index + 1)·2^Height − 1, whose hash is a tree node.</summary>
internal readonly record struct Node(int Height, long Index)
{
    /// <summary>The tile level whose hashes this node is made of: ⌊height / 8⌋.</summary>
    public int TileLevel => Height / TileLayout.TileHeight;

    /// <summary>How many hashes of its tile level it spans: 2^(height mod 8), 1 … 128.</summary>
    public int Span => 1 << (Height % TileLayout.TileHeight);

    /// <summary>The first tile-level hash it spans.</summary>
    public long FirstHash => Index << (Height % TileLayout.TileHeight);

    public long TileIndex => FirstHash / TileLayout.TileWidth;

    public int Offset => (int)(FirstHash % TileLayout.TileWidth);
}

/// <summary>
/// Turns Merkle tree hashes of ranges into complete subtrees, complete subtrees into tiles, and tiles back into hashes.
/// Shared by <see cref="TileWriter"/> (the new root) and <see cref="ProofBuilder"/> (roots and proofs).
/// </summary>
internal static class TreeNodes
{
    /// <summary>
    /// Whether MTH(D[start:end]) is made of complete subtrees: a range of one leaf, or one whose start is a multiple of
    /// the largest power of two below its length (every node of every tree, every prefix, every range a proof uses).
    /// </summary>
    public static bool IsDecomposable(long start, long end)
    {
        if (start < 0 || end <= start)
        {
            return false;
        }

        var n = end - start;
        return n == 1 || start % LargestPowerOfTwoBelow(n) == 0;
    }

    /// <summary>The largest power of two strictly below <paramref name="n"/> (n ≥ 2): the split point of RFC 9162 §2.1.1.</summary>
    public static long LargestPowerOfTwoBelow(long n) => 1L << (63 - BitOperations.LeadingZeroCount((ulong)(n - 1)));

    /// <summary>
    /// The complete subtrees, left to right and largest first, whose hashes folded from the right give
    /// MTH(D[start:end]). The range must be <see cref="IsDecomposable"/>.
    /// </summary>
    public static void Decompose(long start, long end, List<Node> nodes)
    {
        while (start < end)
        {
            var alignment = start == 0 ? 63 : BitOperations.TrailingZeroCount(start);
            var fits = 63 - BitOperations.LeadingZeroCount((ulong)(end - start));
            var height = Math.Min(alignment, fits);
            nodes.Add(new Node(height, start >> height));
            start += 1L << height;
        }
    }

    /// <summary>The audit path of RFC 9162 §2.1.3.1 as ranges, from the leaf up.</summary>
    public static List<(long Start, long End)> InclusionRanges(long index, long size)
    {
        var ranges = new List<(long, long)>();
        long lo = 0, hi = size;
        while (hi - lo > 1)
        {
            var k = LargestPowerOfTwoBelow(hi - lo);
            if (index - lo < k)
            {
                ranges.Add((lo + k, hi));
                hi = lo + k;
            }
            else
            {
                ranges.Add((lo, lo + k));
                lo += k;
            }
        }

        ranges.Reverse();
        return ranges;
    }

    /// <summary>The consistency proof of RFC 9162 §2.1.4.1, PROOF(m, D[n]) = SUBPROOF(m, D[n], true), as ranges.</summary>
    public static List<(long Start, long End)> ConsistencyRanges(long size1, long size2)
    {
        var ranges = new List<(long, long)>();
        if (size1 == size2)
        {
            return ranges;
        }

        long lo = 0, hi = size2, m = size1;
        var whole = true;
        while (true)
        {
            if (m == hi - lo)
            {
                if (!whole)
                {
                    ranges.Add((lo, hi));
                }

                break;
            }

            var k = LargestPowerOfTwoBelow(hi - lo);
            if (m <= k)
            {
                ranges.Add((lo + k, hi));
                hi = lo + k;
            }
            else
            {
                ranges.Add((lo, lo + k));
                m -= k;
                lo += k;
                whole = false;
            }
        }

        ranges.Reverse();
        return ranges;
    }

    /// <summary>The hash of a complete subtree, from the hashes of its tile (at most 128 combined, 127 node hashes).</summary>
    public static byte[] NodeHash(Node node, ReadOnlySpan<byte> tileHashes) =>
        Reduce(tileHashes.Slice(node.Offset * MerkleHashing.HashSize, node.Span * MerkleHashing.HashSize));

    /// <summary>The root of the complete subtree whose 2^k bottom hashes are <paramref name="hashes"/>, concatenated.</summary>
    public static byte[] Reduce(ReadOnlySpan<byte> hashes)
    {
        const int size = MerkleHashing.HashSize;
        var count = hashes.Length / size;
        if (count == 0 || (count & (count - 1)) != 0 || hashes.Length % size != 0)
        {
            throw new ArgumentException("A complete subtree has a power of two of 32-byte hashes.", nameof(hashes));
        }

        var work = hashes.ToArray();
        for (; count > 1; count /= 2)
        {
            for (var j = 0; j < count / 2; j++)
            {
                MerkleHashing.NodeHash(
                    work.AsSpan(2 * j * size, size),
                    work.AsSpan((2 * j + 1) * size, size),
                    work.AsSpan(j * size, size));
            }
        }

        return work.Length == size ? work : work[..size];
    }

    /// <summary>RFC 9162's MTH of a range from the hashes of its complete subtrees (left to right): folded from the right.</summary>
    public static byte[] FoldRight(IReadOnlyList<byte[]> subtrees)
    {
        if (subtrees.Count == 0)
        {
            return MerkleHashing.EmptyRoot.ToArray();
        }

        var acc = subtrees[^1].ToArray();
        for (var i = subtrees.Count - 2; i >= 0; i--)
        {
            MerkleHashing.NodeHash(subtrees[i], acc, acc);
        }

        return acc;
    }
}
