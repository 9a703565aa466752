using System.Data.Common;
using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Features.Claims;
using ClaimLedger.Server.Infrastructure.Data;
using ClaimLedger.Server.Infrastructure.Search;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ClaimLedger.NearDuplicateQuality;

/// <summary>
/// The service's near-duplicate detector on a real database of either engine, migrated by the service's own migrator:
/// claims are recorded with their band keys through <see cref="MinHashCandidates"/> (as ClaimWriter records them), and
/// a text is checked by SimilarClaims — the exact normalised matches and the band candidates, scored with
/// TextSimilarity — as CreateClaim checks it.
/// </summary>
public sealed class DatabaseDetector : IAsyncDisposable
{
    private readonly DbConnection _connection;
    private readonly ISqlDialect _dialect;
    private readonly MinHashCandidates _candidates;
    private readonly Dictionary<long, int> _indexOfSeq = [];

    private DatabaseDetector(DbConnection connection, ISqlDialect dialect, MinHashCandidates candidates)
    {
        _connection = connection;
        _dialect = dialect;
        _candidates = candidates;
    }

    /// <summary>The engine's name, as the service logs it.</summary>
    public string Engine => _dialect.Engine;

    /// <summary>A new SQLite database in <paramref name="directory"/>.</summary>
    public static DatabaseDetector Sqlite(string directory)
    {
        var database = new SqliteDatabase(Options.Create(new DatabaseOptions { DataDirectory = directory }));
        new DatabaseMigrator(database, NullLogger<DatabaseMigrator>.Instance).Migrate();
        // The service's connection settings, with the page cache of its single writer.
        var connection = database.OpenAsync(CancellationToken.None).GetAwaiter().GetResult();
        using (var cache = connection.CreateCommand())
        {
            cache.CommandText = $"PRAGMA cache_size = -{new DatabaseOptions().WriterCacheSizeKib}";
            cache.ExecuteNonQuery();
        }

        return new DatabaseDetector(connection, database, new SqliteMinHashCandidates(new SqliteFullTextSearch(database), Options.Create(new SearchClaims.Options())));
    }

    /// <summary>The empty PostgreSQL database of <paramref name="connectionString"/>.</summary>
    public static DatabaseDetector Postgres(string connectionString)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection([new($"ConnectionStrings:{DatabaseOptions.ConnectionStringName}", connectionString)])
            .Build();
        var database = new PostgresDatabase(Options.Create(new DatabaseOptions { Provider = "PostgreSQL" }), configuration);
        new PostgresMigrator(database, NullLogger<PostgresMigrator>.Instance).Migrate();
        var connection = new NpgsqlConnection(database.ConnectionString);
        connection.Open();
        return new DatabaseDetector(connection, database, new PostgresMinHashCandidates(new PostgresFullTextSearch(), Options.Create(new SearchClaims.Options())));
    }

    /// <summary>How many claims are recorded: <see cref="DetectAsync"/> answers with indexes below it.</summary>
    public int Loaded => _indexOfSeq.Count;

    /// <summary>The time spent writing band keys, over all claims recorded.</summary>
    public TimeSpan Indexing { get; private set; }

    /// <summary>Records the claims after those already recorded, in order, each with its band keys, in transactions of 1,000 claims.</summary>
    public async Task LoadAsync(IReadOnlyList<string> claims, CancellationToken ct)
    {
        var first = Loaded;
        const string InsertSql = """
            INSERT INTO claims (id, text, normalized_text, claimant, language_code, status, create_time, update_time)
            VALUES (@Id, @Text, @NormalizedText, 'generated', 'und', 'UNVERIFIED', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z')
            RETURNING seq
            """;
        for (var start = 0; start < claims.Count; start += 1000)
        {
            await using var transaction = await _connection.BeginTransactionAsync(ct);
            await using var db = DbSession.Borrow(_connection, _dialect);
            await db.EnlistAsync(_connection, transaction, ct);
            for (var i = start; i < Math.Min(claims.Count, start + 1000); i++)
            {
                var normalized = TextSimilarity.Normalize(claims[i]);
                var seq = await db.ExecuteScalarAsync<long>(InsertSql, new { Id = $"generated-{first + i:D8}", Text = claims[i], NormalizedText = normalized }, ct);
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                await _candidates.AddAsync(db, seq, normalized, ct);
                Indexing += System.Diagnostics.Stopwatch.GetElapsedTime(started);
                _indexOfSeq[seq] = first + i;
            }

            db.Leave();
            await transaction.CommitAsync(ct);
        }
    }

    /// <summary>The claims the detector reports at <paramref name="threshold"/> (indexes into the loaded list), and how many it scored.</summary>
    public async Task<DetectorAnswer> DetectAsync(string normalized, double threshold, CancellationToken ct)
    {
        await using var db = DbSession.Borrow(_connection, _dialect);
        var counting = new CountingCandidates(_candidates);
        var found = await SimilarClaims.FindAsync(db, counting, normalized, threshold, int.MaxValue, ct);
        return new DetectorAnswer(found.Select(m => _indexOfSeq[m.Seq]).ToList(), counting.Found);
    }

    public async ValueTask DisposeAsync()
    {
        await _connection.DisposeAsync();
        if (_dialect is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }
    }

    /// <summary>Counts the candidates the index proposes (exact matches aside), to report them.</summary>
    private sealed class CountingCandidates(INearDuplicateCandidates inner) : INearDuplicateCandidates
    {
        public int Found { get; private set; }

        public async Task<IReadOnlyList<NearDuplicateCandidate>> FindAsync(DbSession db, string normalized, NearDuplicateFilter filter, CancellationToken ct)
        {
            var candidates = await inner.FindAsync(db, normalized, filter, ct);
            Found += candidates.Count;
            return candidates;
        }

        public Task<IReadOnlyList<NearDuplicateCandidate>> SameTextAsync(DbSession db, string normalized, NearDuplicateFilter filter, CancellationToken ct) =>
            inner.SameTextAsync(db, normalized, filter, ct);

        public Task AddAsync(DbSession db, long seq, string normalized, CancellationToken ct) => inner.AddAsync(db, seq, normalized, ct);

        public Task RemoveAsync(DbSession db, long seq, string normalized, CancellationToken ct) => inner.RemoveAsync(db, seq, normalized, ct);
    }
}
