using System.Data.Common;
using System.Diagnostics;
using ClaimLedger.Server.Domain;
using Dapper;

namespace ClaimLedger.Server.Infrastructure.Search;

/// <summary>
/// Indexes the claims recorded before claim_bands existed (ADR 21). SQL cannot compute MinHash keys (SQLite has no
/// such functions, and PostgreSQL would have to re-implement the hashing exactly), so migration 0010 only schedules
/// the work — a row in claim_bands_backfill naming the claims to index, those up to the highest seq at migration — and
/// the migrators run this right after their scripts, before the server takes calls (on PostgreSQL under the migration
/// lock, so one instance does it).
/// </summary>
/// <remarks>
/// Keys are random 64-bit values: inserted claim by claim, each lands on a random page of the primary key, and every
/// batch rewrites most of the index (300,000 claims took 7.5 minutes on SQLite, and more per claim the more there are).
/// So the keys are first appended to a temporary table, unindexed, and then inserted in key order by one
/// <c>INSERT … SELECT … ORDER BY</c>, which fills the index from left to right; that statement also deletes the
/// schedule, in one transaction. A start cut off before it commits starts again from the beginning. A later migration
/// that changes the band scheme empties claim_bands and inserts the schedule again.
/// </remarks>
public static class ClaimBandsBackfill
{
    private const int ClaimsPerBatch = 2_000;

    private static readonly MinHashBands Bands = MinHashBands.Default;

    private const string ScheduledSql = "SELECT through_seq FROM claim_bands_backfill WHERE id = 1";

    // BIGINT is PostgreSQL's 64-bit integer and, by its name, an INTEGER column to SQLite.
    private const string StagingSql = "CREATE TEMPORARY TABLE claim_bands_staging (band_key BIGINT NOT NULL, claim_seq BIGINT NOT NULL)";

    private const string ClaimsSql = """
        SELECT seq AS Seq, normalized_text AS NormalizedText FROM claims
        WHERE seq > @After AND seq <= @Through
        ORDER BY seq
        LIMIT @Batch
        """;

    // WHERE true: SQLite reads ON CONFLICT after a bare SELECT … FROM as a join constraint otherwise.
    private const string InsertSql = """
        INSERT INTO claim_bands (band_key, claim_seq)
        SELECT band_key, claim_seq FROM claim_bands_staging WHERE true
        ORDER BY band_key, claim_seq
        ON CONFLICT DO NOTHING
        """;

    /// <summary>
    /// How the engine appends many rows to claim_bands_staging in one statement: <paramref name="Sql"/>, with the
    /// parameters <paramref name="Parameters"/> makes of the rows (SQLite: one JSON array; PostgreSQL: two arrays).
    /// Row by row, a statement per row or parameters by the thousand cost far more than the keys themselves.
    /// </summary>
    public sealed record StagingInsert(string Sql, Func<IReadOnlyList<(long Key, long Seq)>, object> Parameters);

    /// <summary>Indexes the claims claim_bands_backfill names, if any. Returns how many claims were indexed.</summary>
    public static long Run(DbConnection connection, StagingInsert staging, ILogger logger)
    {
        if (connection.QuerySingleOrDefault<long?>(ScheduledSql) is not { } through)
        {
            return 0;
        }

        logger.LogInformation("Indexing the claims up to seq {Through} for near-duplicate detection (claim_bands)", through);
        var started = Stopwatch.GetTimestamp();
        connection.Execute(StagingSql);
        try
        {
            var indexed = Stage(connection, staging, through);
            var staged = Stopwatch.GetElapsedTime(started);
            using (var transaction = connection.BeginTransaction())
            {
                connection.Execute(InsertSql, transaction: transaction, commandTimeout: 0);
                connection.Execute("DELETE FROM claim_bands_backfill WHERE id = 1", transaction: transaction);
                transaction.Commit();
            }

            logger.LogInformation("Indexed {Claims} claims for near-duplicate detection in {Seconds:0.0} s ({Keys:0.0} s computing their keys)",
                indexed, Stopwatch.GetElapsedTime(started).TotalSeconds, staged.TotalSeconds);
            return indexed;
        }
        finally
        {
            connection.Execute("DROP TABLE claim_bands_staging");
        }
    }

    /// <summary>Computes the keys of the scheduled claims, in batches, and appends them to the staging table.</summary>
    private static long Stage(DbConnection connection, StagingInsert staging, long through)
    {
        long after = 0, indexed = 0;
        while (true)
        {
            using var transaction = connection.BeginTransaction();
            var claims = connection.Query<Claim>(ClaimsSql, new { After = after, Through = through, Batch = ClaimsPerBatch }, transaction).AsList();
            if (claims.Count == 0)
            {
                transaction.Commit();
                return indexed;
            }

            var rows = claims.AsParallel().AsOrdered().SelectMany(c => Bands.Keys(c.NormalizedText).Select(key => (Key: key, c.Seq))).ToList();
            if (rows.Count > 0)
            {
                connection.Execute(staging.Sql, staging.Parameters(rows), transaction, commandTimeout: 0);
            }

            transaction.Commit();
            after = claims[^1].Seq;
            indexed += claims.Count;
        }
    }

    private sealed record Claim(long Seq, string NormalizedText);
}
