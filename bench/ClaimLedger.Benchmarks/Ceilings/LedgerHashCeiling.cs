using System.Data.Common;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace ClaimLedger.Benchmarks.Ceilings;

/// <summary>Pure hashing speed over the ledger's own bytes.</summary>
public sealed record LedgerHashResult(
    long Entries,
    long Bytes,
    double ReadSeconds,
    /// <summary>Seconds for one pass over all entries.</summary>
    double HashSeconds,
    double EntriesPerSecond,
    double MegabytesPerSecond,
    long Mismatches);

/// <summary>
/// The VerifyLedger ceiling: reads every entry of the server's database (on SQLite read-only, WAL letting it read
/// beside the running server; on PostgreSQL through a connection of its own), builds the exact bytes each entry_hash covers — previous hash as 32 raw bytes ‖ UTF-8 canonical
/// entry (docs/ledger-format.md) — once into memory, checks they reproduce the stored hashes, then times SHA-256 over
/// all of them. What VerifyLedger does beyond this (reading, parsing, re-canonicalising, the claim-state check) is its
/// overhead over this ceiling.
/// </summary>
public static class LedgerHashCeiling
{
    /// <summary>Measures over the ledger of the database <paramref name="connection"/> (not yet open) leads to; disposes it.</summary>
    public static LedgerHashResult Measure(DbConnection connection, CancellationToken ct)
    {
        var read = Stopwatch.StartNew();
        var entries = new List<(byte[] Input, byte[] Expected)>();
        long bytes = 0;
        using (connection)
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT sequence, time, actor, action, subject, changes, previous_hash, entry_hash FROM ledger_entries ORDER BY sequence";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                if (entries.Count % 10_000 == 0)
                {
                    ct.ThrowIfCancellationRequested();
                }

                var canonical = CanonicalJson.LedgerEntry(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                    reader.GetString(4), reader.GetString(5));
                var input = new byte[32 + Encoding.UTF8.GetByteCount(canonical)];
                Convert.FromHexString(reader.GetString(6), input.AsSpan(0, 32), out _, out _);
                Encoding.UTF8.GetBytes(canonical, input.AsSpan(32));
                entries.Add((input, Convert.FromHexString(reader.GetString(7))));
                bytes += input.Length;
            }
        }

        read.Stop();

        // Our bytes must be the server's bytes, or the ceiling measures something else.
        Span<byte> hash = stackalloc byte[32];
        for (var i = 0; i < Math.Min(100, entries.Count); i++)
        {
            SHA256.HashData(entries[i].Input, hash);
            if (!hash.SequenceEqual(entries[i].Expected))
            {
                throw new InvalidOperationException(
                    $"The canonical bytes built for ledger entry {i + 1} do not hash to its stored entry_hash: the benchmark's reading of docs/ledger-format.md disagrees with the server.");
            }
        }

        // At least one pass, and passes until a second has gone by, so small ledgers are timed precisely too.
        long mismatches = 0, hashed = 0, hashedBytes = 0;
        var timer = Stopwatch.StartNew();
        do
        {
            ct.ThrowIfCancellationRequested();
            foreach (var (input, expected) in entries)
            {
                SHA256.HashData(input, hash);
                if (!hash.SequenceEqual(expected))
                {
                    mismatches++;
                }
            }

            hashed += entries.Count;
            hashedBytes += bytes;
        }
        while (timer.Elapsed < TimeSpan.FromSeconds(1) && entries.Count > 0);

        timer.Stop();
        var seconds = Math.Max(timer.Elapsed.TotalSeconds, 1e-9);
        var passes = entries.Count == 0 ? 1 : hashed / entries.Count;
        return new LedgerHashResult(entries.Count, bytes, read.Elapsed.TotalSeconds, seconds / passes, hashed / seconds, hashedBytes / seconds / 1e6, mismatches / passes);
    }
}
