using System.Text;
using ClaimLedger.Benchmarks.Server;
using ClaimLedger.NearDuplicateQuality;
using ClaimLedger.Server.Domain;

namespace ClaimLedger.Benchmarks.Duplicates;

/// <summary>
/// The near-duplicate detector's quality, once per run (ADR 21): the labelled set of ClaimLedger.NearDuplicateQuality
/// (<see cref="Claims"/> generated claims in ten languages and scripts, <see cref="Pairs"/> labelled pairs planted among
/// them; seeded with the run's seed) is recorded in a database of its own on the run's engine — a SQLite file in the
/// server's data directory, or a database on the benchmark's PostgreSQL server — migrated by the service's migrator,
/// with the service's own code writing the band keys; each pair's variant is then checked as CreateClaim checks a text,
/// and the answers are compared with exhaustive TextSimilarity comparison at the duplicate threshold. The server under
/// test is not involved, so its measurements are not disturbed beyond the CPU this takes (about a minute).
/// </summary>
public static class DuplicateDetectorPhase
{
    public const int Claims = 20_000;
    public const int Pairs = 2_000;
    private const string PostgresDatabase = "claimledger_duplicates";

    public static async Task<DuplicateDetectorResult> MeasureAsync(ServerInstances servers, int seed, TextWriter log, CancellationToken ct)
    {
        var started = DateTimeOffset.UtcNow;
        var corpus = LabelledCorpus.Generate((ulong)(uint)seed, Claims, Pairs);
        var truth = DetectorEvaluation.Exhaustive(
            corpus.Claims.Select(TextSimilarity.Normalize).ToList(),
            corpus.Pairs.Select(p => TextSimilarity.Normalize(p.Variant)).ToList(),
            TextSimilarity.DuplicateThreshold);

        DatabaseDetector detector;
        if (servers.Postgres is { } postgres)
        {
            await postgres.CreateDatabaseAsync(PostgresDatabase, ct);
            detector = await Task.Run(() => DatabaseDetector.Postgres(postgres.ConnectionString(PostgresDatabase)), ct);
        }
        else
        {
            detector = await Task.Run(() => DatabaseDetector.Sqlite(Path.Combine(servers.First.DataDirectory, "duplicate-detector")), ct);
        }

        await using (detector)
        {
            await detector.LoadAsync(corpus.Claims, ct);
            var quality = await DetectorEvaluation.MeasureAsync(corpus, truth, TextSimilarity.DuplicateThreshold,
                text => detector.DetectAsync(text, TextSimilarity.DuplicateThreshold, ct));
            var result = new DuplicateDetectorResult(quality.Recall, quality.Precision, quality.Pairs, quality.Corpus, quality.Probes, quality.Found,
                quality.Reported, quality.Threshold, detector.Engine, quality.MeanCandidates, quality.P99Candidates, quality.MaxCandidates,
                quality.MeanMilliseconds, quality.P99Milliseconds, (DateTimeOffset.UtcNow - started).TotalSeconds);
            log.WriteLine($"Duplicate detector ({result.Engine}, {N(result.Corpus)} claims, {N(result.Probes)} probes): recall {result.Recall:0.0000} " +
                $"({N(result.Found)} of {N(result.Pairs)} pairs), precision {result.Precision:0.0000}; candidates per check {result.MeanCandidates:0.0} mean, " +
                $"{result.P99Candidates} p99; {result.MeanMilliseconds:0.00} ms per check mean, {result.P99Milliseconds:0.00} p99");
            return result;
        }
    }

    /// <summary>The report's section.</summary>
    public static void AppendTo(StringBuilder b, DuplicateDetectorResult? d)
    {
        if (d is null)
        {
            return;
        }

        b.AppendLine("## Near-duplicate detector");
        b.AppendLine();
        b.AppendLine($"The labelled set ({N(d.Corpus)} generated claims in ten languages and scripts, {N(d.Probes)} labelled pairs planted among them) " +
            $"in a database of its own on {d.Engine}; each pair's variant checked as CreateClaim checks a text (band-key candidates scored by " +
            $"TextSimilarity), against exhaustive comparison at similarity {d.Threshold:0.0#} (ADR 21). {d.Seconds:0} s in all.");
        b.AppendLine();
        b.AppendLine("| Recall | Precision | Pairs at the threshold | Found | Reported | Candidates per check (mean / p99 / max) | ms per check (mean / p99) |");
        b.AppendLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        b.AppendLine($"| {d.Recall:0.0000} | {d.Precision:0.0000} | {N(d.Pairs)} | {N(d.Found)} | {N(d.Reported)} | {d.MeanCandidates:0.0} / {d.P99Candidates} / {d.MaxCandidates} | " +
            $"{d.MeanMilliseconds:0.00} / {d.P99Milliseconds:0.00} |");
        b.AppendLine();
    }

    private static string N(long n) => n.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// The near-duplicate detector against exhaustive comparison (JSON: duplicate_detector). <see cref="Pairs"/>: (variant,
/// claim) pairs at or above the threshold by exhaustive comparison; <see cref="Corpus"/>: claims recorded.
/// </summary>
public sealed record DuplicateDetectorResult(
    double Recall,
    double Precision,
    long Pairs,
    int Corpus,
    int Probes,
    long Found,
    long Reported,
    double Threshold,
    string Engine,
    double MeanCandidates,
    int P99Candidates,
    int MaxCandidates,
    double MeanMilliseconds,
    double P99Milliseconds,
    double Seconds);
