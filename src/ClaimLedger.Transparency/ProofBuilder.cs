namespace ClaimLedger.Transparency;

/// <summary>
/// Roots and proofs of any tree size the store holds, from its tiles. Each call works out every complete subtree it
/// needs, reads the tiles that hold them in one <see cref="ITileReader.ReadTilesAsync"/> call (each tile once), then
/// hashes: a subtree of height h is one hash of tile level ⌊h/8⌋ when h is a multiple of 8, otherwise it is recomputed
/// from the 2^(h mod 8) ≤ 128 hashes below it in one tile. An inclusion or consistency proof has O(log n) hashes, each
/// made of O(1) subtrees, so a proof reads O(log n) tiles (in practice at most two or three per tile level) and hashes
/// at most a few hundred times per tile level.
/// </summary>
/// <remarks>
/// The builder does not know the current tree size: the caller asks only for sizes it has integrated. Asking for a
/// larger size fails with <see cref="TileMissingException"/> (a tile, or a wide enough version of it, is not stored).
/// </remarks>
public sealed class ProofBuilder(ITileReader tiles)
{
    private readonly ITileReader _tiles = tiles ?? throw new ArgumentNullException(nameof(tiles));

    /// <summary>The root hash (MTH) of the tree of <paramref name="treeSize"/> leaves; SHA-256("") for 0.</summary>
    public async ValueTask<byte[]> RootAsync(long treeSize, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(treeSize);
        if (treeSize == 0)
        {
            return MerkleHashing.EmptyRoot.ToArray();
        }

        var plan = new TilePlan(treeSize);
        var root = plan.AddRange(0, treeSize);
        await plan.LoadAsync(_tiles, cancellationToken).ConfigureAwait(false);
        return plan.Hash(root);
    }

    /// <summary>
    /// MTH(D[start:end]), the Merkle tree hash of the leaves start … end − 1, for every range made of complete subtrees:
    /// a single leaf (its leaf hash), or a range whose start is a multiple of the largest power of two below its length.
    /// That includes every node of every tree, every prefix [0, s) and every range in an RFC 9162 proof. Other ranges
    /// have no O(log n) answer (their hash needs every leaf) and are refused with
    /// <see cref="ArgumentOutOfRangeException"/>.
    /// </summary>
    public async ValueTask<byte[]> RangeHashAsync(long start, long end, CancellationToken cancellationToken = default)
    {
        if (!IsSupportedRange(start, end))
        {
            throw new ArgumentOutOfRangeException(
                nameof(start),
                $"[{start}, {end}) is not a range of complete subtrees: its start must be a multiple of the largest power of two below its length.");
        }

        var plan = new TilePlan(end);
        var range = plan.AddRange(start, end);
        await plan.LoadAsync(_tiles, cancellationToken).ConfigureAwait(false);
        return plan.Hash(range);
    }

    /// <summary>Whether <see cref="RangeHashAsync"/> answers for [start, end).</summary>
    public static bool IsSupportedRange(long start, long end) => TreeNodes.IsDecomposable(start, end);

    /// <summary>The inclusion proof (RFC 9162 §2.1.3.1 audit path) of leaf <paramref name="leafIndex"/> in the tree of <paramref name="treeSize"/> leaves.</summary>
    public async ValueTask<IReadOnlyList<byte[]>> InclusionProofAsync(long leafIndex, long treeSize, CancellationToken cancellationToken = default)
    {
        var proofs = await InclusionProofsAsync([leafIndex], treeSize, cancellationToken).ConfigureAwait(false);
        return proofs[0];
    }

    /// <summary>
    /// The inclusion proofs of several leaves in one tree size, with one read for all of them (a claim's entries):
    /// each tile and each subtree hash is read or computed once however many proofs share it.
    /// </summary>
    public async ValueTask<IReadOnlyList<IReadOnlyList<byte[]>>> InclusionProofsAsync(
        IReadOnlyList<long> leafIndices, long treeSize, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(leafIndices);
        foreach (var index in leafIndices)
        {
            if (index < 0 || index >= treeSize)
            {
                throw new ArgumentOutOfRangeException(nameof(leafIndices), index, $"Leaf index {index} is not in a tree of size {treeSize}.");
            }
        }

        var plan = new TilePlan(treeSize);
        var handles = new List<int[]>(leafIndices.Count);
        foreach (var index in leafIndices)
        {
            handles.Add([.. TreeNodes.InclusionRanges(index, treeSize).Select(r => plan.AddRange(r.Start, r.End))]);
        }

        await plan.LoadAsync(_tiles, cancellationToken).ConfigureAwait(false);
        return [.. handles.Select(h => (IReadOnlyList<byte[]>)[.. h.Select(plan.Hash)])];
    }

    /// <summary>
    /// The consistency proof (RFC 9162 §2.1.4.1) from the tree of <paramref name="size1"/> leaves to the tree of
    /// <paramref name="size2"/> leaves, 0 &lt; size1 ≤ size2; empty when the sizes are equal.
    /// </summary>
    public async ValueTask<IReadOnlyList<byte[]>> ConsistencyProofAsync(long size1, long size2, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size1, size2);
        var plan = new TilePlan(size2);
        int[] handles = [.. TreeNodes.ConsistencyRanges(size1, size2).Select(r => plan.AddRange(r.Start, r.End))];
        await plan.LoadAsync(_tiles, cancellationToken).ConfigureAwait(false);
        return [.. handles.Select(plan.Hash)];
    }
}
