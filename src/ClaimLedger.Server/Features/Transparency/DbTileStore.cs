using System.Globalization;
using System.Text;
using ClaimLedger.Server.Infrastructure.Data;
using ClaimLedger.Transparency;
using Dapper;

namespace ClaimLedger.Server.Features.Transparency;

/// <summary>The Merkle tree's tiles in the merkle_tiles table (migration 0009): all the tiles of one operation in one query.</summary>
internal sealed class DbTileStore(Func<CancellationToken, Task<System.Data.Common.DbConnection>> connection, System.Data.Common.DbTransaction? transaction = null)
    : ITileReader
{
    public DbTileStore(DbSession db)
        : this(db.ConnectionAsync, null)
    {
        _session = db;
    }

    private readonly DbSession? _session;

    // Properties, not a positional record: level is INTEGER (32-bit) on PostgreSQL and 64-bit on SQLite, and Dapper converts into properties.
    private sealed class Row
    {
        public long Level { get; init; }

        public long Idx { get; init; }

        public byte[] Hashes { get; init; } = [];
    }

    public async ValueTask<IReadOnlyList<ReadOnlyMemory<byte>>> ReadTilesAsync(IReadOnlyList<TileId> tiles, CancellationToken cancellationToken)
    {
        if (tiles.Count == 0)
        {
            return [];
        }

        var sql = new StringBuilder("SELECT level, idx, hashes FROM merkle_tiles WHERE ");
        var parameters = new DynamicParameters();
        for (var i = 0; i < tiles.Count; i++)
        {
            sql.Append(i == 0 ? "" : " OR ").Append(CultureInfo.InvariantCulture, $"(level = @L{i} AND idx = @I{i})");
            parameters.Add($"L{i}", tiles[i].Level);
            parameters.Add($"I{i}", tiles[i].Index);
        }

        var connectionToUse = await connection(cancellationToken);
        var rows = (await connectionToUse.QueryAsync<Row>(new CommandDefinition(sql.ToString(), parameters,
                transaction ?? _session?.Transaction, cancellationToken: cancellationToken)))
            .ToDictionary(r => (r.Level, r.Idx), r => r.Hashes);
        return tiles.Select(t => rows.TryGetValue((t.Level, t.Index), out var hashes) ? (ReadOnlyMemory<byte>)hashes : ReadOnlyMemory<byte>.Empty).ToList();
    }

    /// <summary>Stores the tiles of a tree update (a wider partial tile replaces the narrower one).</summary>
    public static async Task WriteAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction, IEnumerable<Tile> tiles,
        CancellationToken ct)
    {
        foreach (var tile in tiles)
        {
            await connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO merkle_tiles (level, idx, width, hashes) VALUES (@Level, @Index, @Width, @Hashes)
                ON CONFLICT (level, idx) DO UPDATE SET width = excluded.width, hashes = excluded.hashes
                """, new { tile.Id.Level, tile.Id.Index, tile.Id.Width, Hashes = tile.Hashes.ToArray() }, transaction, cancellationToken: ct));
        }
    }
}
