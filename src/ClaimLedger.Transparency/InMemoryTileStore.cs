namespace ClaimLedger.Transparency;

/// <summary>
/// Tiles in memory, one version per (level, index) as the server keeps them: for tests, and for a client that
/// rebuilds a tree from entries it downloaded. Refuses a write that would shrink a tile or change its existing hashes,
/// the two things a correct writer never does.
/// </summary>
public sealed class InMemoryTileStore : ITileReader
{
    private readonly Dictionary<(int Level, long Index), byte[]> _tiles = [];
    private readonly Lock _lock = new();

    /// <summary>How many tiles are stored.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _tiles.Count;
            }
        }
    }

    /// <summary>Stores tiles, replacing narrower versions of the same tiles.</summary>
    /// <exception cref="InvalidOperationException">A tile is narrower than the stored version, or its hashes are not an extension of the stored ones.</exception>
    public void Write(IEnumerable<Tile> tiles)
    {
        ArgumentNullException.ThrowIfNull(tiles);
        lock (_lock)
        {
            foreach (var tile in tiles)
            {
                var key = (tile.Id.Level, tile.Id.Index);
                if (_tiles.TryGetValue(key, out var stored))
                {
                    if (stored.Length > tile.Hashes.Length)
                    {
                        throw new InvalidOperationException($"Tile {tile.Id} would shrink the stored tile of {stored.Length / MerkleHashing.HashSize} hashes.");
                    }

                    if (!tile.Hashes.Span[..stored.Length].SequenceEqual(stored))
                    {
                        throw new InvalidOperationException($"Tile {tile.Id} changes hashes of the stored tile; a tile only grows.");
                    }
                }

                _tiles[key] = tile.Hashes.ToArray();
            }
        }
    }

    /// <summary>The stored version of a tile (any width), or null.</summary>
    public Tile? Get(int level, long index)
    {
        lock (_lock)
        {
            return _tiles.TryGetValue((level, index), out var hashes)
                ? new Tile(new TileId(level, index, hashes.Length / MerkleHashing.HashSize), hashes)
                : null;
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<ReadOnlyMemory<byte>>> ReadTilesAsync(IReadOnlyList<TileId> tiles, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tiles);
        cancellationToken.ThrowIfCancellationRequested();
        var result = new ReadOnlyMemory<byte>[tiles.Count];
        lock (_lock)
        {
            for (var i = 0; i < tiles.Count; i++)
            {
                result[i] = _tiles.TryGetValue((tiles[i].Level, tiles[i].Index), out var hashes) ? hashes : ReadOnlyMemory<byte>.Empty;
            }
        }

        return ValueTask.FromResult<IReadOnlyList<ReadOnlyMemory<byte>>>(result);
    }
}
