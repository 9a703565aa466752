using System.Security.Cryptography;
using ClaimLedger.Transparency;

namespace ClaimLedger.UnitTests.Transparency;

/// <summary>
/// The tile writer and the proof builder against the naive reference (full recomputation from RFC 9162's definitions):
/// every size 1 … 600, random sizes up to 100,000, batches of many sizes; plus what they read.
/// </summary>
public sealed class TiledTreeTests
{
    [Fact]
    public async Task EverySizeTo600_OneLeafAtATime_StoreHoldsExactlyTheReferenceTilesAndRoot()
    {
        var leaves = LeafHashes(600, seed: 1);
        var reference = new ReferenceMerkleTree(leaves);
        var store = new InMemoryTileStore();
        var reader = new CountingTileReader(store);
        var writer = new TileWriter(reader);
        for (var size = 0; size < 600; size++)
        {
            reader.Calls.Clear();
            var update = await writer.AppendAsync(size, [leaves[size]]);
            store.Write(update.Tiles);

            update.PreviousSize.ShouldBe(size);
            update.Size.ShouldBe(size + 1);
            update.Root.ShouldBe(reference.Root(size + 1), $"root of size {size + 1}");
            reader.Calls.Count.ShouldBeLessThanOrEqualTo(1);
            reader.Calls.SelectMany(c => c).ShouldBe(TileLayout.PartialTiles(size), $"the writer reads only the right edge of size {size}");
            AssertStoreMatchesReference(store, reference, size + 1);
        }
    }

    [Fact]
    public async Task EverySizeTo600_RootsAndAllInclusionProofsMatchTheReference()
    {
        var leaves = LeafHashes(600, seed: 2);
        var reference = new ReferenceMerkleTree(leaves);
        var store = await BuildAsync(leaves, BatchSizes(seed: 3));
        var reader = new CountingTileReader(store);
        var builder = new ProofBuilder(reader);

        for (long size = 1; size <= 600; size++)
        {
            var root = await builder.RootAsync(size);
            root.ShouldBe(reference.Root(size), $"root of size {size}");

            var indices = Enumerable.Range(0, (int)size).Select(i => (long)i).ToArray();
            reader.Calls.Clear();
            var proofs = await builder.InclusionProofsAsync(indices, size);
            reader.Calls.Count.ShouldBe(size == 1 ? 0 : 1, "one read for all the proofs (none when every proof is empty)");
            foreach (var index in indices)
            {
                AssertSameHashes(proofs[(int)index], reference.Path(index, size), $"inclusion proof of {index} in {size}");
                MerkleHashing.VerifyInclusion(index, size, leaves[(int)index], proofs[(int)index], root).IsValid.ShouldBeTrue();
            }
        }
    }

    [Fact]
    public async Task EverySizeTo600_SingleInclusionProofs_MatchTheReferenceAndReadEachTileOnce()
    {
        var leaves = LeafHashes(600, seed: 4);
        var reference = new ReferenceMerkleTree(leaves);
        var store = await BuildAsync(leaves, BatchSizes(seed: 5));
        var reader = new CountingTileReader(store);
        var builder = new ProofBuilder(reader);

        for (long size = 1; size <= 600; size++)
        {
            foreach (var index in InterestingIndices(size))
            {
                reader.Calls.Clear();
                var proof = await builder.InclusionProofAsync(index, size);
                AssertSameHashes(proof, reference.Path(index, size), $"inclusion proof of {index} in {size}");
                AssertOneGroupedRead(reader, size, maxTilesPerLevel: 2, proof.Count);
            }
        }
    }

    [Fact]
    public async Task EverySizeTo600_ConsistencyProofsMatchTheReference()
    {
        var leaves = LeafHashes(600, seed: 6);
        var reference = new ReferenceMerkleTree(leaves);
        var store = await BuildAsync(leaves, BatchSizes(seed: 7));
        var reader = new CountingTileReader(store);
        var builder = new ProofBuilder(reader);

        for (long size2 = 1; size2 <= 600; size2++)
        {
            // Every first size for the small trees, the interesting ones (edges, powers of two, tile borders, random) above.
            var firsts = size2 <= 128 ? Enumerable.Range(1, (int)size2).Select(i => (long)i) : InterestingIndices(size2).Select(i => i + 1);
            foreach (var size1 in firsts)
            {
                reader.Calls.Clear();
                var proof = await builder.ConsistencyProofAsync(size1, size2);
                AssertSameHashes(proof, reference.Proof(size1, size2), $"consistency proof {size1} → {size2}");
                AssertOneGroupedRead(reader, size2, maxTilesPerLevel: 3, proof.Count);

                MerkleHashing.VerifyConsistency(size1, size2, reference.Root(size1), reference.Root(size2), proof).IsValid.ShouldBeTrue();
            }
        }
    }

    [Fact]
    public async Task RandomSizesTo100000_VaryingBatches_RootsAndProofsMatchTheReference()
    {
        const int total = 100_000;
        var random = new Random(8);
        var leaves = LeafHashes(total, seed: 9);
        var reference = new ReferenceMerkleTree(leaves);
        var store = new InMemoryTileStore();
        var reader = new CountingTileReader(store);
        var writer = new TileWriter(reader);
        var builder = new ProofBuilder(reader);
        var sizes = new List<long>();

        long size = 0;
        while (size < total)
        {
            var batch = (int)Math.Min(total - size, random.Next(4) switch
            {
                0 => random.Next(1, 4),
                1 => random.Next(250, 260),
                2 => random.Next(1, 1_000),
                _ => random.Next(1_000, 20_000),
            });
            reader.Calls.Clear();
            var update = await writer.AppendAsync(size, leaves.Skip((int)size).Take(batch).ToList());
            store.Write(update.Tiles);
            reader.Calls.Count.ShouldBe(size == 0 ? 0 : 1);
            size += batch;
            update.Size.ShouldBe(size);
            update.Root.ShouldBe(reference.Root(size), $"root after a batch of {batch} to size {size}");
            (await builder.RootAsync(size)).ShouldBe(update.Root);
            sizes.Add(size);
        }

        AssertStoreMatchesReference(store, reference, total);

        for (var i = 0; i < 300; i++)
        {
            var treeSize = random.Next(2) == 0 ? sizes[random.Next(sizes.Count)] : random.NextInt64(1, total + 1);
            var index = random.NextInt64(treeSize);
            reader.Calls.Clear();
            var proof = await builder.InclusionProofAsync(index, treeSize);
            AssertSameHashes(proof, reference.Path(index, treeSize), $"inclusion proof of {index} in {treeSize}");
            AssertOneGroupedRead(reader, treeSize, maxTilesPerLevel: 2, proof.Count);
            MerkleHashing.VerifyInclusion(index, treeSize, leaves[(int)index], proof, reference.Root(treeSize)).IsValid.ShouldBeTrue();

            var size2 = random.NextInt64(1, total + 1);
            var size1 = random.NextInt64(1, size2 + 1);
            reader.Calls.Clear();
            var consistency = await builder.ConsistencyProofAsync(size1, size2);
            AssertSameHashes(consistency, reference.Proof(size1, size2), $"consistency proof {size1} → {size2}");
            AssertOneGroupedRead(reader, size2, maxTilesPerLevel: 3, consistency.Count);

            MerkleHashing.VerifyConsistency(size1, size2, reference.Root(size1), reference.Root(size2), consistency).IsValid.ShouldBeTrue();
        }
    }

    [Fact]
    public async Task OneBigBatch_ProducesTheSameTilesAsManySmallOnes()
    {
        var leaves = LeafHashes(70_000, seed: 10);
        var whole = await BuildAsync(leaves, _ => 70_000);
        var small = await BuildAsync(leaves, BatchSizes(seed: 11));
        foreach (var tile in TileLayout.AllTiles(70_000))
        {
            var a = whole.Get(tile.Level, tile.Index).ShouldNotBeNull();
            var b = small.Get(tile.Level, tile.Index).ShouldNotBeNull();
            a.Id.ShouldBe(tile);
            b.Id.ShouldBe(tile);
            a.Hashes.ToArray().ShouldBe(b.Hashes.ToArray());
        }

        whole.Count.ShouldBe(TileLayout.AllTiles(70_000).Count());
    }

    [Fact]
    public void TileLayout_OfSize70000_IsTheSpecificationsExample()
    {
        // c2sp.org/tlog-tiles: "a tree of size 70,000 will be represented by 273 full level 0 tiles, one partial level
        // 0 tile of width 112, one full level 1 tile, one partial level 1 tile of width 17, and one partial level 2
        // tile of width 1."
        var all = TileLayout.AllTiles(70_000).ToList();
        all.Count(t => t.Level == 0 && t.IsFull).ShouldBe(273);
        all.Count(t => t.Level == 1 && t.IsFull).ShouldBe(1);
        TileLayout.PartialTiles(70_000).ShouldBe([new TileId(0, 273, 112), new TileId(1, 1, 17), new TileId(2, 0, 1)]);
        all.Count.ShouldBe(273 + 1 + 1 + 1 + 1);

        // "a tree of size 256 will be represented by a full level 0 tile and a partial level 1 tile of width 1."
        TileLayout.AllTiles(256).ShouldBe([new TileId(0, 0, 256), new TileId(1, 0, 1)]);
        TileLayout.PartialTiles(0).ShouldBeEmpty();
        new TileId(0, 273, 112).ToString().ShouldBe("tile/0/273.p/112");
        new TileId(1, 0, 256).ToString().ShouldBe("tile/1/0");
    }

    [Fact]
    public async Task AppendingAFullTile_WritesItAndThePartialTileAboveIt()
    {
        var leaves = LeafHashes(256, seed: 12);
        var store = new InMemoryTileStore();
        var update = await new TileWriter(store).AppendAsync(0, leaves);
        update.Tiles.Select(t => t.Id).ShouldBe([new TileId(0, 0, 256), new TileId(1, 0, 1)]);
        update.Tiles[1].Hashes.ToArray().ShouldBe(new ReferenceMerkleTree(leaves).Root(256));
        update.Root.ShouldBe(update.Tiles[1].Hashes.ToArray());
    }

    [Fact]
    public async Task AnEmptyBatch_ChangesNoTileAndReturnsTheCurrentRoot()
    {
        var leaves = LeafHashes(300, seed: 13);
        var store = await BuildAsync(leaves, _ => 300);
        var update = await new TileWriter(store).AppendAsync(300, []);
        update.Tiles.ShouldBeEmpty();
        update.Size.ShouldBe(300);
        update.Root.ShouldBe(new ReferenceMerkleTree(leaves).Root(300));

        var empty = await new TileWriter(new InMemoryTileStore()).AppendAsync(0, []);
        empty.Root.ShouldBe(SHA256.HashData([]));
        (await new ProofBuilder(new InMemoryTileStore()).RootAsync(0)).ShouldBe(SHA256.HashData([]));
    }

    [Fact]
    public async Task RangeHash_OfEverySupportedRangeTo80_IsTheReferenceMth_AndOtherRangesAreRefused()
    {
        var leaves = LeafHashes(80, seed: 14);
        var reference = new ReferenceMerkleTree(leaves);
        var builder = new ProofBuilder(await BuildAsync(leaves, BatchSizes(seed: 15)));
        var supported = 0;
        for (long start = 0; start < 80; start++)
        {
            for (var end = start + 1; end <= 80; end++)
            {
                if (ProofBuilder.IsSupportedRange(start, end))
                {
                    (await builder.RangeHashAsync(start, end)).ShouldBe(reference.Mth(start, end), $"[{start}, {end})");
                    supported++;
                }
                else
                {
                    await Should.ThrowAsync<ArgumentOutOfRangeException>(async () => await builder.RangeHashAsync(start, end));
                }
            }
        }

        supported.ShouldBeGreaterThan(400);
        ProofBuilder.IsSupportedRange(5, 6).ShouldBeTrue();     // one leaf
        ProofBuilder.IsSupportedRange(0, 77).ShouldBeTrue();    // a prefix
        ProofBuilder.IsSupportedRange(64, 77).ShouldBeTrue();   // the right edge of a proof
        ProofBuilder.IsSupportedRange(2, 6).ShouldBeTrue();     // two aligned halves
        ProofBuilder.IsSupportedRange(1, 4).ShouldBeFalse();    // MTH splits at 2: [1, 3) is no subtree
        ProofBuilder.IsSupportedRange(3, 3).ShouldBeFalse();
    }

    [Fact]
    public async Task ProofsBeyondTheStoredTree_FailWithTileMissing()
    {
        var builder = new ProofBuilder(await BuildAsync(LeafHashes(300, seed: 16), _ => 300));
        var missing = await Should.ThrowAsync<TileMissingException>(async () => await builder.RootAsync(301));
        missing.Tile.ShouldBe(new TileId(0, 1, 45));
        await Should.ThrowAsync<TileMissingException>(async () => await builder.InclusionProofAsync(0, 600));
        await Should.ThrowAsync<TileMissingException>(async () => await builder.ConsistencyProofAsync(10, 70_000));
        await Should.ThrowAsync<ArgumentOutOfRangeException>(async () => await builder.InclusionProofAsync(300, 300));
        await Should.ThrowAsync<ArgumentOutOfRangeException>(async () => await builder.ConsistencyProofAsync(0, 5));
        await Should.ThrowAsync<ArgumentOutOfRangeException>(async () => await builder.ConsistencyProofAsync(6, 5));
    }

    [Fact]
    public async Task TheWriter_RefusesMalformedLeafHashes_AndAStoreWithoutTheRightEdge()
    {
        var writer = new TileWriter(new InMemoryTileStore());
        await Should.ThrowAsync<ArgumentException>(async () => await writer.AppendAsync(0, [new byte[31]]));
        await Should.ThrowAsync<TileMissingException>(async () => await writer.AppendAsync(5, [new byte[32]]));
    }

    [Fact]
    public void TheInMemoryStore_RefusesShrinkingOrRewritingATile()
    {
        var store = new InMemoryTileStore();
        var two = LeafHashes(2, seed: 17).SelectMany(h => h).ToArray();
        store.Write([new Tile(new TileId(0, 0, 2), two)]);
        Should.Throw<InvalidOperationException>(() => store.Write([new Tile(new TileId(0, 0, 1), two[..32])]));
        var changed = (byte[])two.Clone();
        changed[0] ^= 1;
        Should.Throw<InvalidOperationException>(() => store.Write([new Tile(new TileId(0, 0, 2), changed)]));
        Should.Throw<ArgumentException>(() => new Tile(new TileId(0, 0, 3), two));
        Should.Throw<ArgumentOutOfRangeException>(() => new Tile(new TileId(0, 0, 257), new byte[257 * 32]));
    }

    [Fact]
    public void ProofLengths_MatchTheReferenceProofs()
    {
        var reference = new ReferenceMerkleTree(LeafHashes(200, seed: 18));
        for (long size = 1; size <= 200; size++)
        {
            for (long i = 0; i < size; i++)
            {
                MerkleHashing.InclusionProofLength(i, size).ShouldBe(reference.Path(i, size).Count);
                MerkleHashing.ConsistencyProofLength(i + 1, size).ShouldBe(reference.Proof(i + 1, size).Count);
            }
        }
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    internal static List<byte[]> LeafHashes(int count, int seed)
    {
        var random = new Random(seed);
        var leaves = new List<byte[]>(count);
        for (var i = 0; i < count; i++)
        {
            var leaf = new byte[random.Next(0, 40)];
            random.NextBytes(leaf);
            leaves.Add(ReferenceMerkleTree.HashLeaf(leaf));
        }

        return leaves;
    }

    /// <summary>Batch sizes from 1 to past a tile, varying: a function of the current size.</summary>
    private static Func<long, int> BatchSizes(int seed)
    {
        var random = new Random(seed);
        int[] choices = [1, 1, 2, 3, 7, 128, 255, 256, 257, 511, 600];
        return _ => random.Next(3) == 0 ? random.Next(1, 40) : choices[random.Next(choices.Length)];
    }

    internal static async Task<InMemoryTileStore> BuildAsync(IReadOnlyList<byte[]> leaves, Func<long, int> batchSize)
    {
        var store = new InMemoryTileStore();
        var writer = new TileWriter(store);
        long size = 0;
        while (size < leaves.Count)
        {
            var batch = (int)Math.Min(leaves.Count - size, batchSize(size));
            var update = await writer.AppendAsync(size, leaves.Skip((int)size).Take(batch).ToList());
            store.Write(update.Tiles);
            size = update.Size;
        }

        return store;
    }

    /// <summary>Indexes near the edges, tile borders and powers of two, and a few random ones.</summary>
    private static IEnumerable<long> InterestingIndices(long size)
    {
        var random = new Random((int)size);
        var set = new SortedSet<long> { 0, 1, size / 2, size - 2, size - 1 };
        for (long p = 1; p < size; p *= 2)
        {
            set.Add(p - 1);
            set.Add(p);
        }

        for (long t = 255; t < size; t += 256)
        {
            set.Add(t);
            set.Add(t + 1);
        }

        for (var i = 0; i < 6; i++)
        {
            set.Add(random.NextInt64(size));
        }

        return set.Where(i => i >= 0 && i < size);
    }

    /// <summary>Every tile of the tree of this size is stored, at least that wide, with the reference's hashes.</summary>
    private static void AssertStoreMatchesReference(InMemoryTileStore store, ReferenceMerkleTree reference, long size)
    {
        foreach (var id in TileLayout.AllTiles(size))
        {
            var tile = store.Get(id.Level, id.Index).ShouldNotBeNull($"tile {id} of size {size}");
            tile.Id.Width.ShouldBe(id.Width, $"tile {id} of size {size}");
            var leavesPerHash = 1L << (8 * id.Level);
            for (var j = 0; j < id.Width; j++)
            {
                var start = (id.Index * 256 + j) * leavesPerHash;
                if (!tile.Hash(j).SequenceEqual(reference.Mth(start, start + leavesPerHash)))
                {
                    throw new ShouldAssertException($"hash {j} of tile {id} in the tree of size {size} is not the reference's MTH of its subtree");
                }
            }
        }
    }

    private static void AssertOneGroupedRead(CountingTileReader reader, long treeSize, int maxTilesPerLevel, int proofLength)
    {
        if (proofLength == 0)
        {
            reader.Calls.ShouldBeEmpty("an empty proof reads nothing");
            return;
        }

        reader.Calls.Count.ShouldBe(1, "one grouped read per proof");
        var tiles = reader.Calls[0];
        tiles.Select(t => (t.Level, t.Index)).Distinct().Count().ShouldBe(tiles.Count, "each tile at most once");
        var levels = Enumerable.Range(0, TileLayout.MaxLevels).Count(l => TileLayout.HashCount(l, treeSize) > 0);
        tiles.Count.ShouldBeLessThanOrEqualTo(maxTilesPerLevel * levels, $"O(log n) tiles for size {treeSize}: {string.Join(", ", tiles)}");
        foreach (var tile in tiles)
        {
            tile.ShouldBe(TileLayout.TileAt(tile.Level, tile.Index, treeSize)!.Value, "tiles are asked at the width of the proof's tree size");
        }
    }

    /// <summary>The same hashes in the same order (a lean comparison: these run hundreds of thousands of times).</summary>
    private static void AssertSameHashes(IReadOnlyList<byte[]> actual, IReadOnlyList<byte[]> expected, string context)
    {
        var same = actual.Count == expected.Count && actual.Zip(expected).All(p => p.First.AsSpan().SequenceEqual(p.Second));
        if (!same)
        {
            string Show(IReadOnlyList<byte[]> hashes) => "[" + string.Join(", ", hashes.Select(Convert.ToHexString)) + "]";
            throw new ShouldAssertException($"{context}: expected {Show(expected)} but was {Show(actual)}");
        }
    }

    /// <summary>Records what each call asked for.</summary>
    internal sealed class CountingTileReader(ITileReader inner) : ITileReader
    {
        public List<List<TileId>> Calls { get; } = [];

        public ValueTask<IReadOnlyList<ReadOnlyMemory<byte>>> ReadTilesAsync(IReadOnlyList<TileId> tiles, CancellationToken cancellationToken)
        {
            Calls.Add([.. tiles]);
            return inner.ReadTilesAsync(tiles, cancellationToken);
        }
    }
}
