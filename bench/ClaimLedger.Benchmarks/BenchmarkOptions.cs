using System.CommandLine;
using System.Globalization;

namespace ClaimLedger.Benchmarks;

/// <summary>What one benchmark run does; parsed from the command line (see bench/README.md).</summary>
public sealed record BenchmarkOptions(
    IReadOnlyList<long> Sizes,
    int Clients,
    TimeSpan Duration,
    TimeSpan CeilingDuration,
    string OutputDirectory,
    int Seed,
    bool SkipBuild,
    bool LoadAllowDuplicates,
    int ShowDataset)
{
    /// <summary>Warm-up before each measured RPC phase: a fifth of the phase, between 0.5 and 2 seconds.</summary>
    public TimeSpan Warmup => TimeSpan.FromSeconds(Math.Clamp(Duration.TotalSeconds / 5, 0.5, 2));

    public static RootCommand BuildCommand(Func<BenchmarkOptions, CancellationToken, Task<int>> run)
    {
        var sizes = new Option<string>("--sizes")
        {
            Description = "Dataset sizes (claims) to grow to and measure at, in increasing order",
            DefaultValueFactory = _ => "10000,100000,1000000",
        };
        var clients = new Option<int>("--clients") { Description = "Concurrent clients, each with its own gRPC channel", DefaultValueFactory = _ => 64 };
        var duration = new Option<double>("--duration") { Description = "Seconds per measured RPC phase (after a short warm-up)", DefaultValueFactory = _ => 10 };
        var ceilingDuration = new Option<double>("--ceiling-duration")
        {
            Description = "Seconds per storage-ceiling measurement (raw SQLite inserts)",
            DefaultValueFactory = _ => 5,
        };
        var output = new Option<string>("--out") { Description = "Directory for benchmark-<UTC time>.md and .json", DefaultValueFactory = _ => Path.Combine("bench", "results") };
        var seed = new Option<int>("--seed") { Description = "Seed of the dataset generator (same seed, same dataset)", DefaultValueFactory = _ => 20260101 };
        var skipBuild = new Option<bool>("--skip-build") { Description = "Use the server already built in Release instead of building it" };
        var loadAllowDuplicates = new Option<bool>("--load-allow-duplicates")
        {
            Description = "Load with allow_duplicate (skips the server's near-duplicate check while growing the dataset; the CreateClaim phase still checks)",
        };

        var showDataset = new Option<int>("--show-dataset")
        {
            Description = "Print this many generated claims with statistics of the generator, and exit (no server)",
        };

        var root = new RootCommand("""
            ClaimLedger end-to-end benchmark: starts the server (Release) on a fresh database, grows a realistic dataset
            to each size and measures the RPCs beside their ceilings. Writes a Markdown and a JSON report.

            Example:
              dotnet run -c Release --project bench/ClaimLedger.Benchmarks -- --sizes 2000,5000 --duration 3
            """)
        {
            sizes, clients, duration, ceilingDuration, output, seed, skipBuild, loadAllowDuplicates, showDataset,
        };

        root.SetAction(async (parse, ct) =>
        {
            BenchmarkOptions options;
            try
            {
                options = new BenchmarkOptions(
                    ParseSizes(parse.GetValue(sizes)!),
                    Positive(parse.GetValue(clients), "--clients"),
                    TimeSpan.FromSeconds(Positive(parse.GetValue(duration), "--duration")),
                    TimeSpan.FromSeconds(Positive(parse.GetValue(ceilingDuration), "--ceiling-duration")),
                    parse.GetValue(output)!,
                    parse.GetValue(seed),
                    parse.GetValue(skipBuild),
                    parse.GetValue(loadAllowDuplicates),
                    parse.GetValue(showDataset));
            }
            catch (FormatException e)
            {
                await Console.Error.WriteLineAsync($"error: {e.Message}");
                return 2;
            }

            return await run(options, ct);
        });
        return root;
    }

    private static List<long> ParseSizes(string text)
    {
        var sizes = new List<long>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var cleaned = part.Replace("_", "", StringComparison.Ordinal);
            var multiplier = 1L;
            if (cleaned.EndsWith('k') || cleaned.EndsWith('K'))
            {
                multiplier = 1_000;
                cleaned = cleaned[..^1];
            }
            else if (cleaned.EndsWith('m') || cleaned.EndsWith('M'))
            {
                multiplier = 1_000_000;
                cleaned = cleaned[..^1];
            }

            if (!long.TryParse(cleaned, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n <= 0)
            {
                throw new FormatException($"--sizes: \"{part}\" is not a positive number of claims.");
            }

            sizes.Add(n * multiplier);
        }

        if (sizes.Count == 0)
        {
            throw new FormatException("--sizes: give at least one size.");
        }

        for (var i = 1; i < sizes.Count; i++)
        {
            if (sizes[i] <= sizes[i - 1])
            {
                throw new FormatException("--sizes must be increasing: the dataset only grows.");
            }
        }

        return sizes;
    }

    private static T Positive<T>(T value, string name) where T : System.Numerics.INumber<T> =>
        value > T.Zero ? value : throw new FormatException($"{name} must be positive.");
}
