using System.Text;
using ClaimLedger.Benchmarks.Phases;

namespace ClaimLedger.Benchmarks.Reporting;

/// <summary>The human-readable report: machine, settings, targets, and one table per size with each figure beside its ceiling.</summary>
public static class MarkdownReport
{
    public static string Render(BenchmarkResult r)
    {
        var b = new StringBuilder();
        b.AppendLine($"# ClaimLedger benchmark, {r.StartTime:yyyy-MM-dd HH:mm} UTC");
        b.AppendLine();
        if (!r.Completed)
        {
            b.AppendLine("**The run did not complete**; the figures below are what it measured before it stopped (see Problems).");
            b.AppendLine();
        }

        var m = r.Machine;
        b.AppendLine($"- Machine: {m.Cpu}, {m.LogicalCores} logical cores, {m.MemoryBytes / 1073741824.0:0.0} GiB RAM; {m.Os}");
        b.AppendLine($"- Runtime: {m.Runtime}; database on {m.TempFilesystem}");
        if (m.GitCommit is not null)
        {
            b.AppendLine($"- Commit: {m.GitCommit[..Math.Min(12, m.GitCommit.Length)]}{(m.GitDirty == true ? " with uncommitted changes" : "")}");
        }

        var s = r.Settings;
        b.AppendLine($"- Engine: {Engine(s)}");
        if (s.ServerBuild is not null)
        {
            b.AppendLine($"- Server: {s.ServerBuild}");
        }

        b.AppendLine($"- Settings: {s.Clients} clients (one gRPC channel each, HTTP/2 cleartext on loopback); {s.DurationSeconds:0.#} s per RPC phase " +
            $"after {s.WarmupSeconds:0.#} s warm-up; storage ceilings{(s.PostgreSql is null ? "" : " and pgbench")} {s.CeilingDurationSeconds:0.#} s each; seed {s.Seed}; " +
            "client and server share the machine" +
            (s.LoadAllowDuplicates
                ? "; the load used allow_duplicate (no near-duplicate check while growing the dataset; the CreateClaim phase checks)"
                : "; the load checked every claim for near-duplicates (--load-check-duplicates)"));
        if (s.DatasetFrom is not null)
        {
            b.AppendLine($"- Dataset: {s.DatasetFrom}");
        }

        b.AppendLine($"- Duration: {(r.EndTime - r.StartTime).TotalMinutes:0.0} min; peak server RSS (VmHWM) {Targets.Mb(r.PeakServerRssBytes)}" +
            (r.FinalServerMemory is { } fm ? $", RSS at the end {Targets.Mb(fm.RssBytes)}" : "") +
            (r.FinalServerMemory?.Instances is { Count: > 1 } each ? $" (sums over the instances; {PerInstance(each)})" : ""));
        b.AppendLine();

        AppendTargets(b, r);
        Duplicates.DuplicateDetectorPhase.AppendTo(b, r.DuplicateDetector);
        foreach (var size in r.Sizes)
        {
            AppendSize(b, size, r.Targets.Where(t => t.Size == size.TargetClaims).ToList(), r.Settings);
            if (size.Profiles is { Count: > 0 } profiles)
            {
                ProfileReport.Append(b, [($"{size.TargetClaims:N0} claims", profiles)]);
            }
        }

        b.AppendLine("## Problems");
        b.AppendLine();
        if (r.Problems.Count == 0)
        {
            b.AppendLine("None: no errors, no rejections, no exhausted pools.");
        }
        else
        {
            foreach (var problem in r.Problems)
            {
                b.AppendLine($"- {problem}");
            }
        }

        return b.ToString();
    }

    private static void AppendTargets(StringBuilder b, BenchmarkResult r)
    {
        if (r.Targets.Count == 0)
        {
            return;
        }

        var sizes = r.Targets.Select(t => t.Size).Distinct().Order().ToList();
        b.AppendLine("## Targets");
        b.AppendLine();
        b.AppendLine("| Target | " + string.Join(" | ", sizes.Select(n => $"{N(n)} claims")) + " |");
        b.AppendLine("| --- |" + string.Concat(sizes.Select(_ => " --- |")));
        foreach (var target in Targets.All)
        {
            var cells = sizes.Select(n => r.Targets.FirstOrDefault(t => t.Target == target && t.Size == n) is { } t
                ? $"{t.Measured} {(t.Met ? "met" : "**not met**")}{(t.Binding ? "" : " (indicative)")}"
                : "");
            b.AppendLine($"| {target} | {string.Join(" | ", cells)} |");
        }

        b.AppendLine();
        b.AppendLine("Targets \"at 1M\" bind only at 1,000,000 claims or more; below that they are indications. " +
            "\"Constant memory\" means the server's RSS grows by at most 50 MB while it streams the report.");
        b.AppendLine();
    }

    /// <summary>Which engine, how many server processes, and PostgreSQL's version and settings.</summary>
    private static string Engine(RunSettings s)
    {
        if (s.Database != "postgresql")
        {
            return "SQLite, one server process (WAL, synchronous=FULL: a reply means committed)";
        }

        if (s.PostgreSql is not { } pg)
        {
            return $"PostgreSQL, {s.Instances} server instance{(s.Instances == 1 ? "" : "s")} (the run stopped before the server's settings were read)";
        }

        var instances = s.Instances == 1
            ? "one server instance"
            : $"{s.Instances} server instances on the one database, each client's channel to one of them (round-robin: client i to instance i mod {s.Instances})";
        return $"PostgreSQL {pg.ServerVersion} (started by the benchmark from {pg.BinDirectory}{(pg.RunAs is { } user ? $", as {user}" : "")}; " +
            $"same machine, loopback TCP), {instances}; settings: {string.Join(", ", pg.Settings.Select(kv => $"{kv.Key}={kv.Value}"))}";
    }

    private static string PerInstance(IReadOnlyList<InstanceMemory> instances) =>
        string.Join("; ", instances.Select(i => $"instance {i.Instance}: RSS {Targets.Mb(i.RssBytes)}, peak {Targets.Mb(i.PeakRssBytes)}"));

    private static void AppendSize(StringBuilder b, SizeResult s, IReadOnlyList<TargetCheck> targets, RunSettings settings)
    {
        var loadAllowDuplicates = settings.LoadAllowDuplicates;
        var severalInstances = settings.Instances > 1;
        string Judge(params string[] names) => string.Join("; ", targets.Where(t => names.Contains(t.Target)).Select(t =>
            $"{t.Target}: {(t.Met ? "met" : "**not met**")}{(t.Binding ? "" : " (indicative)")}"));

        var ping = s.Ping.PerSecond;
        var floor = s.StorageCeiling.PerClaimPerSecond;
        var batched = s.StorageCeiling.BatchedPerSecond;
        string VsPing(PhaseResult p) => $"{Targets.Percent(Targets.Ratio(p.PerSecond, ping))} of Ping ceiling {N(ping)}/s";
        var pgbench = s.PgBench;
        string VsStorage(PhaseResult p) =>
            $"{Targets.Times(Targets.Ratio(p.PerSecond, floor))} one-txn-per-claim {N(floor)}/s — " +
            $"{Targets.Percent(Targets.Ratio(p.PerSecond, batched))} of one-txn-per-{s.StorageCeiling.BatchSize} {N(batched)}/s" +
            (pgbench is null ? "" : $" — {Targets.Percent(Targets.Ratio(p.PerSecond, pgbench.TransactionsPerSecond))} of pgbench {pgbench.Script} {N(pgbench.TransactionsPerSecond)} tps");

        b.AppendLine($"## {N(s.TargetClaims)} claims");
        b.AppendLine();
        b.AppendLine($"{N(s.ClaimsAtStart)} claims before loading, {N(s.ClaimsLoaded)} after. Reads, the staleness sweep, the report and VerifyLedger " +
            $"ran first ({N(s.ClaimsBeforeWrites)} claims by their end: each of the two sweeps adds its due claims); CreateClaim " +
            (s.CreateClaimWithoutIntegration is null ? "" : "(then again with the Merkle integrator off and on, the servers restarted before each) ") +
            "and SubmitVerdict ran last, " +
            $"growing the dataset to {N(s.ClaimsAtEnd)} (SubmitVerdict's pool is new claims, created untimed with allow_duplicate)." +
            (s.DatabaseBytes is { } bytes ? $" The service's database then took {bytes / 1e6:N0} MB ({bytes / (double)Math.Max(1, s.ClaimsAtEnd):N0} bytes per claim)." : "") +
            (severalInstances ? " The staleness sweep, the audit report and VerifyLedger went to instance 0." : ""));
        b.AppendLine();
        b.AppendLine("| Measure | Result | p50 / p95 / p99 ms | Errors | Beside its ceiling | Target |");
        b.AppendLine("| --- | ---: | ---: | ---: | --- | --- |");
        if (s.Load.Calls + s.Load.Errors + s.Load.Rejections > 0)
        {
            Row(b, $"Load to {N(s.TargetClaims)} (CreateClaim, 1 evidence{(loadAllowDuplicates ? ", allow_duplicate" : "")})", s.Load, $"{N(s.Load.Calls)} claims in {s.Load.Seconds:0.0} s; {VsStorage(s.Load)}", "");
        }
        else
        {
            b.AppendLine($"| Load to {N(s.TargetClaims)} | — | | 0 | nothing to load: the earlier phases already recorded {N(s.ClaimsAtStart)} claims | |");
        }

        Row(b, "Ping (empty unary RPC)", s.Ping, "the transport ceiling", "");
        Row(b, "CreateClaim (1 evidence)", s.CreateClaim, $"{VsPing(s.CreateClaim)} — {VsStorage(s.CreateClaim)}", Judge(Targets.CreateVsPing, Targets.CreateVsFloor));
        if (s.CreateClaimWithoutIntegration is { } off && s.CreateClaimWithIntegrationRestarted is { } on)
        {
            var cpu = s.CreateClaimServerCpuMs;
            Row(b, "CreateClaim, Merkle integrator off (restarted, primed)", off,
                $"{VsPing(off)}; the server restarted with Ledger:Integration:Enabled=false" +
                (cpu is null ? "" : $"; server CPU {cpu.WithoutIntegration:0.00} ms per claim"), "");
            Row(b, "CreateClaim, Merkle integrator on (restarted, primed)", on,
                $"{VsPing(on)}; the server restarted with the defaults, after the catch-up: " +
                $"{(s.CreateClaimIntegrationDropPct is { } drop ? (drop >= 0 ? $"{drop:0.0}% slower" : $"{-drop:0.0}% faster") : "n/a")} than without the integrator" +
                (cpu is null ? "" : $"; server CPU {cpu.WithIntegration:0.00} ms per claim " +
                    $"({Targets.Ratio(cpu.WithIntegration - cpu.WithoutIntegration, cpu.WithoutIntegration) * 100:+0;-0;0}%)"),
                Judge(Targets.IntegrationDrop));
        }

        if (s.IntegrationDelayMs is { } d)
        {
            b.AppendLine(
                $"| Integration delay (CreateClaim reply → a checkpoint covers its entry) | {d.P50:N0} ms p50 | {d.P50:N0} / {d.P95:N0} / max {d.Max:N0} | " +
                $"{N(d.Errors)}{(d.Unresolved > 0 ? $" (+{d.Unresolved} not covered)" : "")} | {N(d.Samples)} writes sampled during the CreateClaim phase " +
                $"(every {d.SampleEvery}th reply); GetCheckpoint polled every {d.PollIntervalMs:0} ms. Server defaults: integration delay 500 ms, " +
                "a checkpoint at most every 1 s | |");
        }

        if (s.IntegrationCatchUp is { } c)
        {
            b.AppendLine(
                $"| Integration catch-up (entries written with the integrator off) | ≥ {N(c.EntriesPerSecond)} entries/s | {c.SecondsFromStart:0.00} s | " +
                $"{(c.Covered ? 0 : 1)} | {N(c.Entries)} entries covered by a checkpoint {c.SecondsFromStart:0.00} s after the restarted server process started " +
                $"(start-up included), {c.SecondsFromReady:0.00} s after it first answered Ping | |");
        }

        if (s.Checkpoints is { } cp)
        {
            b.AppendLine(
                $"| Checkpoints signed | {N(cp.SignedDuringSize)} ({cp.PerMinute:0.0}/min) | | | during this size's {cp.SizeMinutes:0.0} min " +
                $"({N(cp.Count)} in the run so far, latest of {N(cp.LatestTreeSize)} entries); under write load (the CreateClaim phase) " +
                $"{cp.PerMinuteUnderWriteLoad:0.0}/min, {N(cp.EntriesPerCheckpointUnderWriteLoad)} entries each | |");
            b.AppendLine(
                $"| Merkle tree storage (merkle_tiles + checkpoints) | {(cp.TreeBytesPerClaim is { } perClaim ? $"{N(perClaim)} bytes/claim" : "n/a")} | | | " +
                $"{(cp.TreeBytes is { } tb ? $"{tb / 1e6:0.0} MB" : "n/a")} for {N(cp.Claims)} claims; {cp.TreeBytesMethod} | |");
        }
        Row(b, "GetClaim (random claim)", s.GetClaim, VsPing(s.GetClaim), Judge(Targets.GetVsPing));
        Row(b, "ListClaims (page 25, no filter)", s.ListClaims, VsPing(s.ListClaims), "");
        Row(b, "ListClaims (page 25, topic filter)", s.ListClaimsByTopic, VsPing(s.ListClaimsByTopic), "");
        Row(b, "ListClaims (page 25, status filter)", s.ListClaimsByStatus, VsPing(s.ListClaimsByStatus), "");
        Row(b, "SearchClaims (1–3 words, page 10)", s.SearchClaims, VsPing(s.SearchClaims), Judge(Targets.SearchP95));
        Row(b, $"SearchClaims from {Phases.Workloads.LightClients} clients", s.SearchClaimsLight, VsPing(s.SearchClaimsLight), Judge(Targets.SearchP95Light));
        if (s.GetInclusionProof is { } inclusion)
        {
            Row(b, "GetInclusionProof (random entry, latest checkpoint)", inclusion, VsPing(inclusion), "");
        }

        if (s.GetClaimProof is { } claimProof)
        {
            Row(b, "GetClaimProof (random claim, latest checkpoint)", claimProof, VsPing(claimProof), "");
        }

        var v = s.SubmitVerdict;
        Row(b, "SubmitVerdict", v.Phase,
            $"{VsPing(v.Phase)} — {VsStorage(v.Phase)}; pool of {N(v.PoolSize)} IN_REVIEW claims, {N(v.PoolLeft)} left" + (v.Phase.Note is null ? "" : $" ({v.Phase.Note})"), "");

        var st = s.Staleness;
        b.AppendLine(
            $"| Staleness sweep (VERDICT_EXPIRY) | {st.ClientSeconds:0.00} s | server {Seconds(st.ServerSeconds)} | {st.ErrorCount} | " +
            $"{st.State}: {N(st.DueClaims)} due claims, {N(st.ClaimsExamined)} examined, {N(st.MarkedStale)} marked stale " +
            $"({Rate(st.MarkedStale, st.ClientSeconds)} marked/s); prepared in {st.PreparationSeconds:0.0} s | {Judge(Targets.Staleness)} |");
        if (s.StalenessWarm is { } warm)
        {
            b.AppendLine(
                $"| Staleness sweep, again (warm) | {warm.ClientSeconds:0.00} s | server {Seconds(warm.ServerSeconds)} | {warm.ErrorCount} | " +
                $"{warm.State}: the same code a second time, {N(warm.DueClaims)} newly due claims, {N(warm.MarkedStale)} marked stale " +
                $"({Rate(warm.MarkedStale, warm.ClientSeconds)} marked/s) | |");
        }

        var vl = s.VerifyLedger;
        var hash = s.LedgerHashCeiling;
        b.AppendLine(
            $"| VerifyLedger | {N(vl.EntriesPerSecond)} entries/s | {vl.Seconds:0.00} s | {(vl.Valid ? 0 : 1)} | " +
            $"valid={vl.Valid.ToString().ToLowerInvariant()}, {N(vl.EntriesChecked)} entries, {N(vl.ClaimsChecked)} claims; " +
            $"{Targets.Percent(Targets.Ratio(vl.EntriesPerSecond, hash.EntriesPerSecond))} of SHA-256 ceiling {N(hash.EntriesPerSecond)} entries/s | {Judge(Targets.Verify)} |");
        var rep = s.AuditReport;
        b.AppendLine(
            $"| HTML audit report (whole run) | {rep.Bytes / 1e6:0.0} MB in {rep.Seconds:0.00} s | {rep.Bytes / 1e6 / Math.Max(rep.Seconds, 1e-9):0.0} MB/s | {rep.Errors} | " +
            $"{(severalInstances ? "instance 0's" : "server")} RSS {Targets.Mb(rep.RssBeforeBytes)} before, max {Targets.Mb(rep.RssMaxDuringBytes)} during " +
            $"(+{Targets.Mb(rep.RssMaxDuringBytes - rep.RssBeforeBytes)}, {rep.RssSamples} samples), {Targets.Mb(rep.RssAfterBytes)} after" +
            (rep.Error is null ? "" : $"; error: {rep.Error}") + $" | {Judge(Targets.ReportMemory)} |");
        if (s.ServerMemoryAtEnd is { } mem)
        {
            b.AppendLine(
                $"| Server memory{(severalInstances ? $" (sum of {settings.Instances} instances)" : "")} | RSS {Targets.Mb(mem.RssBytes)} | peak {Targets.Mb(mem.PeakRssBytes)} | | " +
                $"after loading: RSS {Targets.Mb(s.ServerMemoryAfterLoad?.RssBytes ?? 0)}, peak {Targets.Mb(s.ServerMemoryAfterLoad?.PeakRssBytes ?? 0)}" +
                (severalInstances && mem.Instances is { } each ? $"; at the end {PerInstance(each)}" : "") + $" | {Judge(Targets.ServerRss)} |");
        }

        b.AppendLine();
        b.AppendLine("| Ceiling | Result | | | How |");
        b.AppendLine("| --- | ---: | ---: | ---: | --- |");
        var sc = s.StorageCeiling;
        b.AppendLine(
            $"| Storage floor: one transaction per claim | {N(sc.PerClaimPerSecond)} claims/s | | | {N(sc.PerClaimClaims)} claims in {sc.PerClaimSeconds:0.0} s, " +
            $"{sc.Description}, the rows of one CreateClaim, into a {(sc.Engine == "PostgreSQL" ? "database" : "file")} of {N(sc.DatabaseClaims)} claims |");
        b.AppendLine(
            $"| Storage ceiling: one transaction per {sc.BatchSize} claims | {N(sc.BatchedPerSecond)} claims/s | | | {N(sc.BatchedClaims)} claims in {sc.BatchedSeconds:0.0} s |");
        if (pgbench is not null)
        {
            b.AppendLine(
                $"| PostgreSQL's own write floor: pgbench {pgbench.Script}, {pgbench.Clients} clients | {N(pgbench.TransactionsPerSecond)} tps | " +
                $"{pgbench.P50Ms:0.0} / {pgbench.P95Ms:0.0} / {pgbench.P99Ms:0.0} ms | {N(pgbench.FailedTransactions)} | " +
                $"{N(pgbench.Transactions)} transactions in {pgbench.DurationSeconds:0} s (tps without connection time; latency average {pgbench.LatencyAverageMs:0.0} ms), " +
                $"-j {pgbench.Threads}, scale {pgbench.Scale}, {pgbench.QueryMode} protocol, against the same server: one commit per transaction " +
                "(UPDATE, SELECT, INSERT), concurrent commits sharing WAL flushes |");
        }

        b.AppendLine(
            $"| VerifyLedger ceiling: SHA-256 of the ledger's bytes | {N(hash.EntriesPerSecond)} entries/s | {hash.MegabytesPerSecond:N0} MB/s | {hash.Mismatches} | " +
            $"{N(hash.Entries)} entries ({hash.Bytes / 1e6:0.0} MB), one pass {hash.HashSeconds:0.000} s; reading and building them took {hash.ReadSeconds:0.00} s |");
        if (s.StateReadFloor is { } stateFloor)
        {
            b.AppendLine(
                $"| VerifyLedger's state-pass floor: read every row it compares, parse every entry | {N(stateFloor.EntriesPerSecond)} entries/s | {stateFloor.ReadSeconds + stateFloor.ParseSeconds:0.00} s | | " +
                $"one thread, nothing compared: {N(stateFloor.Rows)} rows ({stateFloor.TextChars / 1e6:0} M characters of text) read in {stateFloor.ReadSeconds:0.00} s, " +
                $"{N(stateFloor.Entries)} entries' changes parsed (JsonDocument) in {stateFloor.ParseSeconds:0.00} s |");
        }
        b.AppendLine();

        var samples = new[] { s.Load, s.Ping, s.CreateClaim, s.CreateClaimWithoutIntegration, s.CreateClaimWithIntegrationRestarted, s.GetClaim, s.ListClaims, s.ListClaimsByTopic, s.ListClaimsByStatus,
                s.SearchClaims, s.SearchClaimsLight, s.GetInclusionProof, s.GetClaimProof, v.Phase }
            .OfType<PhaseResult>()
            .Where(p => p.ErrorSamples.Count > 0)
            .ToList();
        if (samples.Count > 0)
        {
            b.AppendLine("Errors and rejections seen (first distinct messages):");
            b.AppendLine();
            foreach (var p in samples)
            {
                foreach (var message in p.ErrorSamples)
                {
                    b.AppendLine($"- {p.Name}: `{message.Replace('`', '\'')}`");
                }
            }

            b.AppendLine();
        }
    }

    private static void Row(StringBuilder b, string name, PhaseResult p, string comparison, string target) =>
        b.AppendLine(
            $"| {name} | {N(p.PerSecond)}/s | {p.P50Ms:0.0} / {p.P95Ms:0.0} / {p.P99Ms:0.0} | {N(p.Errors)}{(p.Rejections > 0 ? $" (+{N(p.Rejections)} rejected)" : "")} | {comparison} | {target} |");

    private static string N(double value) => value.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);

    private static string N(long value) => value.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);

    private static string Seconds(double? seconds) => seconds is { } s ? $"{s:0.00} s" : "n/a";

    private static string Rate(long count, double seconds) => N(count / Math.Max(seconds, 1e-9));
}
