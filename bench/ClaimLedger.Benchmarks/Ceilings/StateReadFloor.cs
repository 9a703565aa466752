using System.Data.Common;
using System.Diagnostics;
using System.Text.Json;

namespace ClaimLedger.Benchmarks.Ceilings;

/// <summary>The state-pass floor: reading what VerifyLedger's state pass compares, without comparing it.</summary>
public sealed record StateReadResult(
    /// <summary>Rows read from the tables the state pass compares (the ledger's entries included).</summary>
    long Rows,
    /// <summary>Characters of the text values read.</summary>
    long TextChars,
    double ReadSeconds,
    /// <summary>Ledger entries whose changes were parsed.</summary>
    long Entries,
    double ParseSeconds,
    /// <summary>Ledger entries per second of reading and parsing together: what a state pass that did nothing else would reach on one thread.</summary>
    double EntriesPerSecond);

/// <summary>
/// The floor under VerifyLedger's second pass (the rows of record against the ledger): one forward scan of each table
/// it compares — claims and their topics, evidence, history events, verdicts with their evidence, staleness findings,
/// sources, API keys — and of every ledger entry, each value taken with the reader's typed getter, on one thread, on
/// the server's database (a connection of its own, as <see cref="LedgerHashCeiling"/>); then every entry's changes
/// parsed with <see cref="JsonDocument"/> as it is read (no DOM, nothing kept). No folding, no comparison: whatever the pass
/// costs beyond this is its own work, and no design that still reads and parses every row on one thread can go below
/// it (two cores at best halve it). Timed on the second of two passes, so the code is compiled and the pages cached.
/// </summary>
public static class StateReadFloor
{
    private static readonly string[] Tables =
        ["claims", "claim_topics", "evidence", "claim_events", "verdicts", "verdict_evidence", "stale_findings", "sources", "api_keys", "ledger_entries"];

    /// <summary>
    /// Measures on the database the connections of <paramref name="connect"/> (not yet open) lead to: a first pass
    /// to warm the code and the caches, untimed, then the measured one.
    /// </summary>
    public static StateReadResult Measure(Func<DbConnection> connect, CancellationToken ct)
    {
        Pass(connect(), ct);
        return Pass(connect(), ct);
    }

    private static StateReadResult Pass(DbConnection connection, CancellationToken ct)
    {
        long rows = 0, textChars = 0, entries = 0;
        var parse = new Stopwatch();
        var total = Stopwatch.StartNew();
        using (connection)
        {
            connection.Open();
            foreach (var table in Tables)
            {
                using var command = connection.CreateCommand();
                command.CommandText = $"SELECT * FROM {table}";
                using var reader = command.ExecuteReader();
                var changesColumn = table == "ledger_entries" ? reader.GetOrdinal("changes") : -1;
                var types = Enumerable.Range(0, reader.FieldCount).Select(reader.GetFieldType).ToArray();
                while (reader.Read())
                {
                    if (++rows % 10_000 == 0)
                    {
                        ct.ThrowIfCancellationRequested();
                    }

                    for (var i = 0; i < types.Length; i++)
                    {
                        if (reader.IsDBNull(i))
                        {
                            continue;
                        }

                        if (types[i] == typeof(string))
                        {
                            var text = reader.GetString(i);
                            textChars += text.Length;
                            if (i == changesColumn)
                            {
                                parse.Start();
                                Parse(text);
                                parse.Stop();
                                entries++;
                            }
                        }
                        else if (types[i] == typeof(long))
                        {
                            reader.GetInt64(i);
                        }
                        else
                        {
                            reader.GetValue(i);
                        }
                    }
                }
            }
        }

        total.Stop();
        var seconds = Math.Max(total.Elapsed.TotalSeconds, 1e-9);
        return new StateReadResult(rows, textChars, (total.Elapsed - parse.Elapsed).TotalSeconds, entries, parse.Elapsed.TotalSeconds, entries / seconds);
    }

    private static void Parse(string changes)
    {
        using var document = JsonDocument.Parse(changes);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidOperationException("A ledger entry's changes are not a JSON object: the benchmark's reading of docs/ledger-format.md disagrees with the server.");
        }
    }
}
