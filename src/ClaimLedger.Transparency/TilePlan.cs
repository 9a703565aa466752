namespace ClaimLedger.Transparency;

/// <summary>
/// One operation's reads: the caller adds every range whose hash it needs (all within a tree of one size), the plan
/// works out the complete subtrees and the tiles that hold them, reads each tile once in a single
/// <see cref="ITileReader.ReadTilesAsync"/> call, then hashes each subtree once.
/// </summary>
internal sealed class TilePlan(long treeSize)
{
    private readonly List<Node> _nodes = [];
    private readonly List<(int First, int Count)> _ranges = [];
    private readonly Dictionary<(int Level, long Index), TileId> _needed = [];
    private readonly Dictionary<(int Level, long Index), ReadOnlyMemory<byte>> _loaded = [];
    private readonly Dictionary<Node, byte[]> _hashes = [];

    /// <summary>The tiles this plan reads, lowest level first.</summary>
    public IReadOnlyList<TileId> Tiles => [.. _needed.Values.OrderBy(t => t.Level).ThenBy(t => t.Index)];

    /// <summary>Adds MTH(D[start:end]) to the plan; returns the handle to pass to <see cref="Hash"/>.</summary>
    public int AddRange(long start, long end)
    {
        if (end > treeSize || !TreeNodes.IsDecomposable(start, end))
        {
            throw new ArgumentOutOfRangeException(
                nameof(start),
                $"The range [{start}, {end}) is not a range of complete subtrees of the tree of size {treeSize}.");
        }

        var first = _nodes.Count;
        TreeNodes.Decompose(start, end, _nodes);
        for (var i = first; i < _nodes.Count; i++)
        {
            var node = _nodes[i];
            var key = (node.TileLevel, node.TileIndex);
            if (!_needed.ContainsKey(key))
            {
                // The node is complete within the tree, so the tile exists at this size and is wide enough for it.
                _needed[key] = TileLayout.TileAt(node.TileLevel, node.TileIndex, treeSize)
                    ?? throw new InvalidOperationException($"No tile holds node {node} of the tree of size {treeSize}.");
            }
        }

        _ranges.Add((first, _nodes.Count - first));
        return _ranges.Count - 1;
    }

    /// <summary>Supplies a tile already in memory (the tree writer's), so it is not read.</summary>
    public void Preload(TileId tile, ReadOnlyMemory<byte> hashes) => _loaded[(tile.Level, tile.Index)] = hashes;

    /// <summary>Reads, in one call, every needed tile that is not already loaded.</summary>
    public async ValueTask LoadAsync(ITileReader reader, CancellationToken cancellationToken)
    {
        var missing = Tiles.Where(t => !_loaded.ContainsKey((t.Level, t.Index))).ToList();
        if (missing.Count == 0)
        {
            return;
        }

        var read = await reader.ReadTilesAsync(missing, cancellationToken).ConfigureAwait(false);
        if (read.Count != missing.Count)
        {
            throw new InvalidOperationException($"The tile reader returned {read.Count} tiles for {missing.Count} asked.");
        }

        for (var i = 0; i < missing.Count; i++)
        {
            var tile = missing[i];
            if (read[i].Length < tile.ByteLength)
            {
                throw new TileMissingException(tile, read[i].Length);
            }

            _loaded[(tile.Level, tile.Index)] = read[i][..tile.ByteLength];
        }
    }

    /// <summary>MTH of a range added with <see cref="AddRange"/>, once the tiles are loaded.</summary>
    public byte[] Hash(int range)
    {
        var (first, count) = _ranges[range];
        var subtrees = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            subtrees[i] = NodeHash(_nodes[first + i]);
        }

        return TreeNodes.FoldRight(subtrees);
    }

    private byte[] NodeHash(Node node)
    {
        if (_hashes.TryGetValue(node, out var hash))
        {
            return hash;
        }

        if (!_loaded.TryGetValue((node.TileLevel, node.TileIndex), out var tile))
        {
            throw new InvalidOperationException($"The tile of node {node} was not loaded.");
        }

        hash = TreeNodes.NodeHash(node, tile.Span);
        _hashes[node] = hash;
        return hash;
    }
}
