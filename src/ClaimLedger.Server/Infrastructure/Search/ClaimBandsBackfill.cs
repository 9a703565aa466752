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
/// lock, so one instance does it). It goes in batches, each one transaction that also moves the row's
/// <c>after_seq</c> on, so an interrupted start resumes where it stopped; the row is deleted at the end. A later
/// migration that changes the band scheme empties claim_bands and inserts the row again.
/// </summary>
public static class ClaimBandsBackfill
{
    private const int ClaimsPerBatch = 2_000;
    private const int RowsPerStatement = 500;

    private static readonly MinHashBands Bands = MinHashBands.Default;

    private const string PendingSql = "SELECT after_seq AS AfterSeq, through_seq AS ThroughSeq FROM claim_bands_backfill WHERE id = 1";

    private const string ClaimsSql = """
        SELECT seq AS Seq, normalized_text AS NormalizedText FROM claims
        WHERE seq > @After AND seq <= @Through
        ORDER BY seq
        LIMIT @Batch
        """;

    private static readonly string[] InsertSql = Enumerable.Range(0, RowsPerStatement + 1)
        .Select(n => n == 0 ? "" : "INSERT INTO claim_bands (band_key, claim_seq) VALUES " +
                                   string.Join(", ", Enumerable.Range(0, n).Select(i => $"(@K{i}, @S{i})")) + " ON CONFLICT DO NOTHING")
        .ToArray();

    /// <summary>Indexes the claims claim_bands_backfill names, if any. Returns how many claims were indexed.</summary>
    public static long Run(DbConnection connection, ILogger logger)
    {
        if (connection.QuerySingleOrDefault<Pending>(PendingSql) is not { } pending)
        {
            return 0;
        }

        logger.LogInformation("Indexing claims with seq {After} to {Through} for near-duplicate detection (claim_bands)", pending.AfterSeq + 1, pending.ThroughSeq);
        var started = Stopwatch.GetTimestamp();
        var after = pending.AfterSeq;
        long indexed = 0;
        while (true)
        {
            using var transaction = connection.BeginTransaction();
            var claims = connection.Query<Claim>(ClaimsSql, new { After = after, Through = pending.ThroughSeq, Batch = ClaimsPerBatch }, transaction).AsList();
            if (claims.Count == 0)
            {
                connection.Execute("DELETE FROM claim_bands_backfill WHERE id = 1", transaction: transaction);
                transaction.Commit();
                break;
            }

            // In key order, so that the inserts walk the index instead of jumping about in it.
            var rows = claims.AsParallel()
                .SelectMany(c => Bands.Keys(c.NormalizedText).Select(key => (Key: key, c.Seq)))
                .OrderBy(r => r.Key).ThenBy(r => r.Seq)
                .ToList();
            foreach (var chunk in rows.Chunk(RowsPerStatement))
            {
                var parameters = new DynamicParameters();
                for (var i = 0; i < chunk.Length; i++)
                {
                    parameters.Add("K" + i, chunk[i].Key);
                    parameters.Add("S" + i, chunk[i].Seq);
                }

                connection.Execute(InsertSql[chunk.Length], parameters, transaction);
            }

            after = claims[^1].Seq;
            connection.Execute("UPDATE claim_bands_backfill SET after_seq = @After WHERE id = 1", new { After = after }, transaction);
            transaction.Commit();
            indexed += claims.Count;
            if (indexed % (50 * ClaimsPerBatch) == 0)
            {
                logger.LogInformation("Indexed {Claims} claims, through seq {Seq}", indexed, after);
            }
        }

        logger.LogInformation("Indexed {Claims} claims for near-duplicate detection in {Seconds:0.0} s", indexed, Stopwatch.GetElapsedTime(started).TotalSeconds);
        return indexed;
    }

    private sealed record Pending(long AfterSeq, long ThroughSeq);

    private sealed record Claim(long Seq, string NormalizedText);
}
