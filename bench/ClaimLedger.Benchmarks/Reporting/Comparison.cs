using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ClaimLedger.Benchmarks.Reporting;

/// <summary>
/// Puts the JSON reports of several runs side by side (e.g. SQLite, PostgreSQL with one instance, with two) in one
/// Markdown table: a column per run and size, the README's rows. Reads reports of any version: a report from before
/// the engine options is a SQLite run with one instance.
/// </summary>
public static class Comparison
{
    public static string Render(IReadOnlyList<string> files, IReadOnlyList<long>? sizes)
    {
        var runs = files.Select(Run.Load).ToList();
        var columns = (
                from run in runs
                from size in run.Sizes
                where sizes is null || sizes.Contains(size.GetProperty("target_claims").GetInt64())
                select (Run: run, Size: size))
            .OrderBy(c => c.Size.GetProperty("target_claims").GetInt64())
            .ThenBy(c => runs.IndexOf(c.Run))
            .ToList();

        var b = new StringBuilder();
        b.AppendLine("| Measure | " + string.Join(" | ", columns.Select(c => $"{c.Run.Label}, {N(c.Size.GetProperty("target_claims").GetInt64())} claims")) + " |");
        b.AppendLine("| --- |" + string.Concat(columns.Select(_ => " ---: |")));

        void Row(string name, Func<Run, JsonElement, string?> cell) =>
            b.AppendLine($"| {name} | {string.Join(" | ", columns.Select(c => cell(c.Run, c.Size) ?? "—"))} |");

        Row("Ping, the transport ceiling (calls/s; p95 ms)", (_, s) => Rate(s, "ping", p95: true));
        Row("Storage floor: raw engine, 1 transaction per claim (claims/s)", (_, s) => N(s.GetProperty("storage_ceiling").GetProperty("per_claim_per_second").GetDouble()));
        Row("Storage ceiling: raw engine, 1 transaction per 1000 claims (claims/s)", (_, s) => N(s.GetProperty("storage_ceiling").GetProperty("batched_per_second").GetDouble()));
        Row("pgbench simple-update, same clients (tps; p95 ms)", (_, s) => s.TryGetProperty("pgbench", out var p) && p.ValueKind == JsonValueKind.Object
            ? $"{N(p.GetProperty("transactions_per_second").GetDouble())}; {p.GetProperty("p95_ms").GetDouble():0.0}"
            : null);
        Row("CreateClaim + 1 evidence (calls/s; p50/p95/p99 ms)", (_, s) => Phase(s.GetProperty("create_claim"), all: true));
        Row("… multiple of the storage floor", (_, s) => $"{Ratio(s.GetProperty("create_claim"), s.GetProperty("storage_ceiling").GetProperty("per_claim_per_second").GetDouble()):0.00}×");
        Row("CreateClaim on restarted servers, Merkle integrator off; on (calls/s)", (_, s) =>
            Object(s, "create_claim_without_integration") is { } off && Object(s, "create_claim_with_integration_restarted") is { } on
                ? $"{N(PerSecond(off))}; {N(PerSecond(on))}"
                : null);
        Row("… CreateClaim drop with the integrator (%)", (_, s) => s.TryGetProperty("create_claim_integration_drop_pct", out var d) && d.ValueKind == JsonValueKind.Number
            ? $"{d.GetDouble():0.0}%"
            : null);
        Row("Integration delay, reply → checkpoint (p50/p95/max ms; samples)", (_, s) => Object(s, "integration_delay_ms") is { } d
            ? $"{N(d.GetProperty("p50").GetDouble())}/{N(d.GetProperty("p95").GetDouble())}/{N(d.GetProperty("max").GetDouble())}; {N(d.GetProperty("samples").GetInt64())}"
            : null);
        Row("Load: CreateClaim while growing the dataset (calls/s)", (_, s) => s.GetProperty("load").GetProperty("calls").GetInt64() > 0 ? N(PerSecond(s.GetProperty("load"))) : null);
        Row("GetClaim (calls/s; p95 ms)", (_, s) => Rate(s, "get_claim", p95: true));
        Row("ListClaims page of 25 (calls/s; p95 ms)", (_, s) => Rate(s, "list_claims", p95: true));
        Row("ListClaims, topic filter (calls/s; p95 ms)", (_, s) => Rate(s, "list_claims_by_topic", p95: true));
        Row("ListClaims, status filter (calls/s; p95 ms)", (_, s) => Rate(s, "list_claims_by_status", p95: true));
        Row("SearchClaims, all clients (calls/s; p95 ms)", (_, s) => Rate(s, "search_claims", p95: true));
        Row("SearchClaims, 4 clients (calls/s; p95 ms)", (_, s) => Rate(s, "search_claims_light", p95: true));
        Row("GetInclusionProof (calls/s; p95 ms)", (_, s) => Object(s, "get_inclusion_proof") is { } p ? Phase(p, all: false) : null);
        Row("GetClaimProof (calls/s; p95 ms)", (_, s) => Object(s, "get_claim_proof") is { } p ? Phase(p, all: false) : null);
        Row("SubmitVerdict (calls/s; p95 ms)", (_, s) => Phase(s.GetProperty("submit_verdict").GetProperty("phase"), all: false));
        Row("Staleness sweep, verdict expiry (s; claims marked stale)", (_, s) =>
        {
            var st = s.GetProperty("staleness");
            return $"{st.GetProperty("client_seconds").GetDouble():0.00}; {N(st.GetProperty("marked_stale").GetInt64())}";
        });
        Row("… the same sweep again, warm (s; claims marked stale)", (_, s) => Object(s, "staleness_warm") is { } st
            ? $"{st.GetProperty("client_seconds").GetDouble():0.00}; {N(st.GetProperty("marked_stale").GetInt64())}"
            : null);
        Row("VerifyLedger (entries/s; entries; s)", (_, s) =>
        {
            var v = s.GetProperty("verify_ledger");
            return $"{N(v.GetProperty("entries_per_second").GetDouble())}; {N(v.GetProperty("entries_checked").GetInt64())}; {v.GetProperty("seconds").GetDouble():0.00}";
        });
        Row("… ceiling: SHA-256 of the same bytes (entries/s)", (_, s) => N(s.GetProperty("ledger_hash_ceiling").GetProperty("entries_per_second").GetDouble()));
        Row("… floor of its state pass: read every row, parse every entry, one thread (entries/s)",
            (_, s) => Object(s, "state_read_floor") is { } f ? N(f.GetProperty("entries_per_second").GetDouble()) : null);
        Row("HTML audit report (MB; s; RSS growth while streaming)", (_, s) =>
        {
            var r = s.GetProperty("audit_report");
            var growth = r.GetProperty("rss_max_during_bytes").GetInt64() - r.GetProperty("rss_before_bytes").GetInt64();
            return $"{r.GetProperty("bytes").GetInt64() / 1e6:0.0}; {r.GetProperty("seconds").GetDouble():0.0}; +{Targets.Mb(growth)}";
        });
        Row("Server RSS, peak (MB; per instance, or the highest instance and the sum)", (run, s) =>
        {
            if (!s.TryGetProperty("server_memory_at_end", out var m) || m.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var sum = m.GetProperty("peak_rss_bytes").GetInt64();
            if (!m.TryGetProperty("instances", out var each) || each.ValueKind != JsonValueKind.Array || each.GetArrayLength() <= 1)
            {
                return N(sum / 1e6);
            }

            return $"{N(each.EnumerateArray().Max(i => i.GetProperty("peak_rss_bytes").GetInt64()) / 1e6)} (sum {N(sum / 1e6)})";
        });
        Row("Checkpoints (per minute; under write load per minute; tree bytes per claim)", (_, s) => Object(s, "checkpoints") is { } c
            ? $"{c.GetProperty("per_minute").GetDouble():0.0}; {c.GetProperty("per_minute_under_write_load").GetDouble():0.0}; " +
              (c.GetProperty("tree_bytes_per_claim").ValueKind == JsonValueKind.Number ? N(c.GetProperty("tree_bytes_per_claim").GetDouble()) : "n/a")
            : null);
        Row("Database size (MB; bytes per claim)", (_, s) => s.TryGetProperty("database_bytes", out var d) && d.ValueKind == JsonValueKind.Number
            ? $"{N(d.GetInt64() / 1e6)}; {N(d.GetInt64() / (double)Math.Max(1, s.GetProperty("claims_at_end").GetInt64()))}"
            : null);
        Row("Near-duplicate detector (recall; precision)", (run, _) =>
            run.Root.TryGetProperty("duplicate_detector", out var d) && d.ValueKind == JsonValueKind.Object
                ? $"{d.GetProperty("recall").GetDouble():0.0000}; {d.GetProperty("precision").GetDouble():0.0000}"
                : null);

        b.AppendLine();
        foreach (var run in runs)
        {
            b.AppendLine($"- {run.Label}: {run.File} ({run.Describe()})");
        }

        return b.ToString();
    }

    /// <summary>The object <paramref name="name"/> of a size, or null (reports from before it was measured).</summary>
    private static JsonElement? Object(JsonElement size, string name) =>
        size.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object ? value : null;

    private static string Rate(JsonElement size, string phase, bool p95)
    {
        var p = size.GetProperty(phase);
        return p95 ? $"{N(PerSecond(p))}; {p.GetProperty("p95_ms").GetDouble():0.0}" : N(PerSecond(p));
    }

    private static string Phase(JsonElement p, bool all) => all
        ? $"{N(PerSecond(p))}; {p.GetProperty("p50_ms").GetDouble():0.0}/{p.GetProperty("p95_ms").GetDouble():0.0}/{p.GetProperty("p99_ms").GetDouble():0.0}"
        : $"{N(PerSecond(p))}; {p.GetProperty("p95_ms").GetDouble():0.0}";

    private static double PerSecond(JsonElement phase) => phase.GetProperty("per_second").GetDouble();

    private static double Ratio(JsonElement phase, double of) => of > 0 ? PerSecond(phase) / of : 0;

    private static string N(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>One report file.</summary>
    private sealed class Run
    {
        private Run(string file, JsonElement root)
        {
            File = file;
            Root = root;
            var settings = root.GetProperty("settings");
            Database = settings.TryGetProperty("database", out var database) ? database.GetString() ?? "sqlite" : "sqlite";
            Instances = settings.TryGetProperty("instances", out var instances) ? instances.GetInt32() : 1;
            Sizes = [.. root.GetProperty("sizes").EnumerateArray()];
        }

        public string File { get; }

        public JsonElement Root { get; }

        public string Database { get; }

        public int Instances { get; }

        public IReadOnlyList<JsonElement> Sizes { get; }

        public string Label => Database == "postgresql" ? $"PostgreSQL ×{Instances}" : "SQLite";

        public static Run Load(string file)
        {
            using var document = JsonDocument.Parse(System.IO.File.ReadAllText(file));
            return new Run(file, document.RootElement.Clone());
        }

        public string Describe()
        {
            var settings = Root.GetProperty("settings");
            var text = new StringBuilder($"{settings.GetProperty("clients").GetInt32()} clients, {settings.GetProperty("duration_seconds").GetDouble():0.#} s per phase");
            if (settings.TryGetProperty("load_allow_duplicates", out var allow) && allow.GetBoolean())
            {
                text.Append(", loaded with allow_duplicate");
            }

            if (settings.TryGetProperty("postgresql", out var pg) && pg.ValueKind == JsonValueKind.Object)
            {
                text.Append(CultureInfo.InvariantCulture, $"; PostgreSQL {pg.GetProperty("server_version").GetString()}");
                var chosen = new[] { "shared_buffers", "max_wal_size", "synchronous_commit", "fsync", "full_page_writes" };
                var values = pg.GetProperty("settings");
                text.Append(": ").AppendJoin(", ", chosen.Where(n => values.TryGetProperty(n, out _)).Select(n => $"{n}={values.GetProperty(n).GetString()}"));
            }

            if (!Root.GetProperty("completed").GetBoolean())
            {
                text.Append("; **did not complete**");
            }

            return text.ToString();
        }
    }
}
