namespace ClaimLedger.Transparency;

/// <summary>
/// A tile of the Merkle tree in the C2SP tlog-tiles layout (https://c2sp.org/tlog-tiles), used here as a storage model:
/// the tile at <paramref name="Level"/> L and <paramref name="Index"/> N holds <paramref name="Width"/> (1 … 256)
/// consecutive hashes of tree level 8·L, hashes N·256 … N·256 + Width − 1, each the root of a complete subtree of
/// 256^L leaves. A tile of width 256 is full and never changes; a narrower one is the partial tile on the tree's right
/// edge, replaced by a wider version as the tree grows (its first hashes never change).
/// </summary>
/// <param name="Level">The tile level, 0 for leaf hashes.</param>
/// <param name="Index">The tile's index within its level.</param>
/// <param name="Width">How many hashes it holds, 1 … 256.</param>
public readonly record struct TileId(int Level, long Index, int Width)
{
    /// <summary>Whether this is a full tile (256 hashes).</summary>
    public bool IsFull => Width == TileLayout.TileWidth;

    /// <summary>The tile's size in bytes, Width × 32.</summary>
    public int ByteLength => Width * MerkleHashing.HashSize;

    /// <summary>"tile/L/N" for a full tile, "tile/L/N.p/W" for a partial one (the tlog-tiles path without zero padding).</summary>
    public override string ToString() => IsFull ? $"tile/{Level}/{Index}" : $"tile/{Level}/{Index}.p/{Width}";

    internal void Validate()
    {
        if (Level is < 0 or >= TileLayout.MaxLevels || Index < 0 || Width is < 1 or > TileLayout.TileWidth)
        {
            throw new ArgumentOutOfRangeException(nameof(TileId), this, "A tile has a level 0 … 7, an index ≥ 0 and a width 1 … 256.");
        }
    }
}

/// <summary>A tile and its hashes (Width × 32 bytes), as the tree writer produces it and a tile store keeps it.</summary>
public sealed class Tile
{
    /// <summary>A tile with the given hashes; their length must be exactly Width × 32 bytes.</summary>
    public Tile(TileId id, ReadOnlyMemory<byte> hashes)
    {
        id.Validate();
        if (hashes.Length != id.ByteLength)
        {
            throw new ArgumentException($"Tile {id} needs {id.ByteLength} bytes of hashes, not {hashes.Length}.", nameof(hashes));
        }

        Id = id;
        Hashes = hashes;
    }

    /// <summary>Level, index and width.</summary>
    public TileId Id { get; }

    /// <summary>The tile's hashes, concatenated: Width × 32 bytes.</summary>
    public ReadOnlyMemory<byte> Hashes { get; }

    /// <summary>The hash at <paramref name="position"/> (0 … Width − 1) in the tile.</summary>
    public ReadOnlySpan<byte> Hash(int position) => Hashes.Span.Slice(position * MerkleHashing.HashSize, MerkleHashing.HashSize);

    /// <inheritdoc />
    public override string ToString() => Id.ToString();
}

/// <summary>
/// Where the tiles live: the server implements it over its database (rows of level, index, width and a BLOB of
/// width × 32 bytes, one row per (level, index), replaced as a partial tile grows), <see cref="InMemoryTileStore"/>
/// in memory. The library asks for all the tiles one operation needs in one call, each tile at most once, so a
/// database can answer with one query.
/// </summary>
public interface ITileReader
{
    /// <summary>
    /// Reads the given tiles. Returns, in the order asked, each tile's hashes: at least Width × 32 bytes — a wider
    /// stored version of the same tile (level, index) is fine, since a tile's first hashes never change as it grows —
    /// or an empty memory when the tile is not stored (the caller then throws <see cref="TileMissingException"/>).
    /// </summary>
    ValueTask<IReadOnlyList<ReadOnlyMemory<byte>>> ReadTilesAsync(IReadOnlyList<TileId> tiles, CancellationToken cancellationToken);
}

/// <summary>A tile that an operation needs is not in the store, or is narrower than the tree size requires.</summary>
public sealed class TileMissingException : InvalidOperationException
{
    /// <summary>Creates the exception for <paramref name="tile"/>, of which <paramref name="bytesFound"/> bytes were found.</summary>
    public TileMissingException(TileId tile, int bytesFound)
        : base(bytesFound == 0
            ? $"Tile {tile} is not in the tile store."
            : $"Tile {tile} needs {tile.Width} hashes but the store holds {bytesFound / MerkleHashing.HashSize}: the tree is smaller than asked.")
    {
        Tile = tile;
    }

    /// <summary>The tile that was asked for.</summary>
    public TileId Tile { get; }
}

/// <summary>The arithmetic of the tile layout.</summary>
public static class TileLayout
{
    /// <summary>Hashes in a full tile.</summary>
    public const int TileWidth = 256;

    /// <summary>Tree levels spanned by one tile level (256 = 2^8).</summary>
    public const int TileHeight = 8;

    /// <summary>Tile levels a tree of up to 2^63 − 1 leaves can have (0 … 7).</summary>
    public const int MaxLevels = 8;

    /// <summary>
    /// The number of complete subtrees of 256^<paramref name="level"/> leaves in a tree of <paramref name="treeSize"/>
    /// leaves: how many hashes tile level <paramref name="level"/> holds in all.
    /// </summary>
    public static long HashCount(int level, long treeSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(treeSize);
        var shift = TileHeight * level;
        return shift >= 63 ? 0 : treeSize >> shift;
    }

    /// <summary>
    /// The tile at <paramref name="level"/> and <paramref name="index"/> as it is in a tree of
    /// <paramref name="treeSize"/> leaves, or null when that tree has no hash in it yet.
    /// </summary>
    public static TileId? TileAt(int level, long index, long treeSize)
    {
        var remaining = HashCount(level, treeSize) - index * TileWidth;
        return remaining <= 0 ? null : new TileId(level, index, (int)Math.Min(TileWidth, remaining));
    }

    /// <summary>
    /// The partial tiles on the right edge of a tree of <paramref name="treeSize"/> leaves, lowest level first: at level
    /// L, width ⌊size / 256^L⌋ mod 256, when that is not 0. Together with the full tiles to their left they hold every
    /// hash needed for the root and any proof of that size.
    /// </summary>
    public static IReadOnlyList<TileId> PartialTiles(long treeSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(treeSize);
        var tiles = new List<TileId>();
        for (var level = 0; level < MaxLevels; level++)
        {
            var count = HashCount(level, treeSize);
            if (count == 0)
            {
                break;
            }

            var width = (int)(count % TileWidth);
            if (width != 0)
            {
                tiles.Add(new TileId(level, count / TileWidth, width));
            }
        }

        return tiles;
    }

    /// <summary>Every tile, full and partial, of a tree of <paramref name="treeSize"/> leaves, lowest level first.</summary>
    public static IEnumerable<TileId> AllTiles(long treeSize)
    {
        for (var level = 0; level < MaxLevels; level++)
        {
            var count = HashCount(level, treeSize);
            if (count == 0)
            {
                yield break;
            }

            for (long index = 0; index * TileWidth < count; index++)
            {
                yield return new TileId(level, index, (int)Math.Min(TileWidth, count - index * TileWidth));
            }
        }
    }
}
