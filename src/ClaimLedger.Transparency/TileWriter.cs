namespace ClaimLedger.Transparency;

/// <summary>
/// What appending a batch of leaves changed: the tiles to store (each one replaces any stored tile with the same level
/// and index), the new size and the new root.
/// </summary>
/// <param name="PreviousSize">The tree size before the batch.</param>
/// <param name="Size">The tree size after it.</param>
/// <param name="Root">The root hash of the tree of <paramref name="Size"/> leaves.</param>
/// <param name="Tiles">
/// Every tile the batch created or changed, lowest level first, then by index: the full tiles it completed and the
/// partial tiles now on the right edge. Tiles it did not touch are not listed.
/// </param>
public sealed record TreeUpdate(long PreviousSize, long Size, byte[] Root, IReadOnlyList<Tile> Tiles);

/// <summary>
/// Grows the tiled tree by a batch of leaf hashes. Reads only the right-edge partial tiles of the current size (at most
/// one per tile level, one <see cref="ITileReader.ReadTilesAsync"/> call), appends the leaf hashes to the level-0
/// tile, and whenever a tile fills hashes it (255 node hashes) into the next level's tile. Work per batch:
/// O(batch + log n) hashes and O(batch / 256 + log n) tiles written; the tree is never re-read.
/// </summary>
/// <remarks>
/// One writer at a time (the server's integrator): two writers appending from the same size would both be right
/// about their own batch and wrong together. The caller stores <see cref="TreeUpdate.Tiles"/> and the new size in
/// one transaction.
/// </remarks>
public sealed class TileWriter(ITileReader tiles)
{
    private readonly ITileReader _tiles = tiles ?? throw new ArgumentNullException(nameof(tiles));

    /// <summary>
    /// Appends <paramref name="leafHashes"/> (each the 32-byte leaf hash SHA-256(0x00 ‖ leaf)) to the tree of
    /// <paramref name="treeSize"/> leaves. An empty batch changes no tile and returns the current root.
    /// </summary>
    public async ValueTask<TreeUpdate> AppendAsync(long treeSize, IReadOnlyList<byte[]> leafHashes, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(treeSize);
        ArgumentNullException.ThrowIfNull(leafHashes);
        for (var i = 0; i < leafHashes.Count; i++)
        {
            if (leafHashes[i] is null || leafHashes[i].Length != MerkleHashing.HashSize)
            {
                throw new ArgumentException($"Leaf hash {i} is not 32 bytes.", nameof(leafHashes));
            }
        }

        var newSize = checked(treeSize + leafHashes.Count);

        // The right edge of the current tree: the only tiles that can change.
        var edge = TileLayout.PartialTiles(treeSize);
        var levels = new Level[TileLayout.MaxLevels];
        for (var level = 0; level < TileLayout.MaxLevels; level++)
        {
            levels[level] = new Level(TileLayout.HashCount(level, treeSize) / TileLayout.TileWidth);
        }

        if (edge.Count > 0)
        {
            var read = await _tiles.ReadTilesAsync(edge, cancellationToken).ConfigureAwait(false);
            if (read.Count != edge.Count)
            {
                throw new InvalidOperationException($"The tile reader returned {read.Count} tiles for {edge.Count} asked.");
            }

            for (var i = 0; i < edge.Count; i++)
            {
                if (read[i].Length < edge[i].ByteLength)
                {
                    throw new TileMissingException(edge[i], read[i].Length);
                }

                levels[edge[i].Level].Load(read[i].Span[..edge[i].ByteLength]);
            }
        }

        var written = new List<Tile>();
        foreach (var hash in leafHashes)
        {
            Push(levels, 0, hash, written);
        }

        foreach (var (level, state) in levels.Index())
        {
            if (state.Changed && state.Count > 0)
            {
                written.Add(state.ToTile(level));
            }
        }

        written.Sort((a, b) => a.Id.Level != b.Id.Level ? a.Id.Level.CompareTo(b.Id.Level) : a.Id.Index.CompareTo(b.Id.Index));

        // The new root comes from the partial tiles of the new size, which are all in memory now.
        byte[] root;
        if (newSize == 0)
        {
            root = MerkleHashing.EmptyRoot.ToArray();
        }
        else
        {
            var plan = new TilePlan(newSize);
            foreach (var (level, state) in levels.Index())
            {
                if (state.Count > 0)
                {
                    var tile = state.ToTile(level);
                    plan.Preload(tile.Id, tile.Hashes);
                }
            }

            var range = plan.AddRange(0, newSize);
            await plan.LoadAsync(_tiles, cancellationToken).ConfigureAwait(false);
            root = plan.Hash(range);
        }

        return new TreeUpdate(treeSize, newSize, root, written);
    }

    private static void Push(Level[] levels, int level, ReadOnlySpan<byte> hash, List<Tile> written)
    {
        var state = levels[level];
        state.Append(hash);
        if (state.Count < TileLayout.TileWidth)
        {
            return;
        }

        // The tile is full: store it, and its root (a complete subtree of 256^(level+1) leaves) joins the level above.
        var full = state.ToTile(level);
        written.Add(full);
        var subtreeRoot = TreeNodes.Reduce(full.Hashes.Span);
        state.Next();
        Push(levels, level + 1, subtreeRoot, written);
    }

    /// <summary>The tile currently being filled at one level.</summary>
    private sealed class Level(long index)
    {
        private readonly byte[] _hashes = new byte[TileLayout.TileWidth * MerkleHashing.HashSize];

        public long Index { get; private set; } = index;

        public int Count { get; private set; }

        public bool Changed { get; private set; }

        public void Load(ReadOnlySpan<byte> hashes)
        {
            hashes.CopyTo(_hashes);
            Count = hashes.Length / MerkleHashing.HashSize;
        }

        public void Append(ReadOnlySpan<byte> hash)
        {
            hash.CopyTo(_hashes.AsSpan(Count * MerkleHashing.HashSize));
            Count++;
            Changed = true;
        }

        public void Next()
        {
            Index++;
            Count = 0;
            Changed = false;
        }

        public Tile ToTile(int level) =>
            new(new TileId(level, Index, Count), _hashes.AsSpan(0, Count * MerkleHashing.HashSize).ToArray());
    }
}
