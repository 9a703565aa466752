using System.CommandLine;
using System.Globalization;

namespace ClaimLedger.Benchmarks;

/// <summary>The database engine under the server.</summary>
public enum DatabaseEngine
{
    Sqlite,
    PostgreSql,
}

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
    int ShowDataset,
    DatabaseEngine Database = DatabaseEngine.Sqlite,
    int Instances = 1,
    IReadOnlyList<KeyValuePair<string, string>>? PostgresSettings = null,
    IReadOnlyList<EngineChoice>? EngineList = null,
    bool CarryDataset = false,
    bool Profile = false,
    int SweepClaims = 0,
    bool ReadyToRun = false)
{
    /// <summary>Claims due in the staleness sweep at <paramref name="size"/>: <c>--sweep-claims</c>, or 1% of the size (at least 100).</summary>
    public int DueClaims(long size) => SweepClaims > 0 ? SweepClaims : (int)Math.Max(100, size / 100);

    /// <summary>
    /// The engines to run one after the other (<c>--database sqlite,postgresql,postgresql:2</c>); one entry, the
    /// <see cref="Database"/> and <see cref="Instances"/> of this run, unless several were asked for.
    /// </summary>
    public IReadOnlyList<EngineChoice> Engines => EngineList is { Count: > 0 } list ? list : [new EngineChoice(Database, Instances)];

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
            Description = "Seconds per ceiling measurement (raw inserts into the same engine; pgbench on PostgreSQL)",
            DefaultValueFactory = _ => 5,
        };
        var output = new Option<string>("--out") { Description = "Directory for benchmark-<UTC time>.md and .json", DefaultValueFactory = _ => Path.Combine("bench", "results") };
        var seed = new Option<int>("--seed") { Description = "Seed of the dataset generator (same seed, same dataset)", DefaultValueFactory = _ => 20260101 };
        var skipBuild = new Option<bool>("--skip-build") { Description = "Use the server already built in Release instead of building it" };
        var loadAllowDuplicates = new Option<bool>("--load-allow-duplicates")
        {
            Description = "Load with allow_duplicate: the default (no near-duplicate check while growing the dataset; the CreateClaim phase always checks)",
        };
        var loadCheckDuplicates = new Option<bool>("--load-check-duplicates")
        {
            Description = "Load with the server's near-duplicate check on every claim (slower; the generated claims are distinct, so the dataset is the same)",
        };

        var carryDataset = new Option<bool>("--carry-dataset")
        {
            Description = "With --database sqlite,postgresql[,postgresql:N] and one size: each PostgreSQL engine starts from the SQLite engine's " +
                "final database, moved by the server's migrate-to-postgres, instead of loading its own through the API (same claims, same ledger)",
        };

        var showDataset = new Option<int>("--show-dataset")
        {
            Description = "Print this many generated claims with statistics of the generator, and exit (no server)",
        };
        var database = new Option<string>("--database")
        {
            Description = "Engine: sqlite (one server on a SQLite file) or postgresql (a PostgreSQL 15 server the benchmark starts itself); " +
                "several, comma-separated, run one after the other with a side-by-side report, each postgresql optionally with :N instances " +
                "(e.g. sqlite,postgresql,postgresql:2)",
            DefaultValueFactory = _ => "sqlite",
        };
        var instances = new Option<int>("--instances")
        {
            Description = "Server processes on the one database, clients spread round-robin over them (more than 1 needs --database postgresql)",
            DefaultValueFactory = _ => 1,
        };
        var postgresSettings = new Option<string[]>("--pg-setting")
        {
            Description = "A PostgreSQL setting for the benchmark's server, name=value (repeatable; overrides the defaults, e.g. shared_buffers=2GB)",
            AllowMultipleArgumentsPerToken = false,
        };

        var profile = new Option<bool>("--profile")
        {
            Description = "Profile the phase of each goal (CreateClaim, GetClaim, SearchClaims, the staleness sweep, the audit report, VerifyLedger) " +
                "with Linux perf over the whole machine while it is measured, and put where the CPU went into the report",
        };

        var sweepClaims = new Option<int>("--sweep-claims")
        {
            Description = "Claims due in the staleness sweep at every size (default: 1% of the size, at least 100; the goal is stated at 10,000)",
        };

        var readyToRun = new Option<bool>("--ready-to-run")
        {
            Description = "Run the server as published with ReadyToRun (dotnet publish -r <this machine's RID> -p:PublishReadyToRun=true: " +
                "its code and its packages' compiled ahead of time) instead of the Release build",
        };

        var root = new RootCommand("""
            ClaimLedger end-to-end benchmark: starts the server (Release) on a fresh database, grows a realistic dataset
            to each size and measures the RPCs beside their ceilings. Writes a Markdown and a JSON report.

            Example:
              dotnet run -c Release --project bench/ClaimLedger.Benchmarks -- --sizes 2000,5000 --duration 3
              dotnet run -c Release --project bench/ClaimLedger.Benchmarks -- --sizes 2000 --duration 3 --database postgresql --instances 2
            """)
        {
            sizes, clients, duration, ceilingDuration, output, seed, skipBuild, loadAllowDuplicates, loadCheckDuplicates, showDataset, database, instances, postgresSettings, carryDataset, profile, sweepClaims, readyToRun,
        };

        root.Subcommands.Add(BuildCompareCommand());
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
                    LoadWithoutCheck(parse.GetValue(loadAllowDuplicates), parse.GetValue(loadCheckDuplicates)),
                    parse.GetValue(showDataset),
                    DatabaseEngine.Sqlite,
                    Positive(parse.GetValue(instances), "--instances"),
                    ParsePostgresSettings(parse.GetValue(postgresSettings) ?? []),
                    CarryDataset: parse.GetValue(carryDataset),
                    Profile: parse.GetValue(profile),
                    SweepClaims: NotNegative(parse.GetValue(sweepClaims), "--sweep-claims"),
                    ReadyToRun: parse.GetValue(readyToRun));
                var engines = ParseEngines(parse.GetValue(database)!, options.Instances);
                options = engines.Count == 1
                    ? options with { Database = engines[0].Database, Instances = engines[0].Instances }
                    : options with { EngineList = engines };
                options.Validate();
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

    private static bool LoadWithoutCheck(bool allow, bool check) =>
        allow && check ? throw new FormatException("--load-allow-duplicates and --load-check-duplicates contradict each other; give one") : !check;

    /// <summary><c>compare a.json b.json …</c>: the reports of several runs side by side, as one Markdown table.</summary>
    private static Command BuildCompareCommand()
    {
        var reports = new Argument<string[]>("reports")
        {
            Description = "JSON reports of earlier runs (e.g. SQLite, PostgreSQL with 1 instance, with 2), in the order of the columns",
            Arity = ArgumentArity.OneOrMore,
        };
        var sizes = new Option<string>("--sizes") { Description = "Only these dataset sizes (e.g. 100k,1M); all by default" };
        var compare = new Command("compare", "Print the reports of several runs side by side as one Markdown table (a column per run and size)")
        {
            reports, sizes,
        };
        compare.SetAction(async (parse, ct) =>
        {
            try
            {
                var only = parse.GetValue(sizes) is { Length: > 0 } text ? ParseSizes(text) : null;
                await Console.Out.WriteAsync(Reporting.Comparison.Render(parse.GetValue(reports)!, only).AsMemory(), ct);
                return 0;
            }
            catch (Exception e) when (e is FormatException or IOException or System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException)
            {
                await Console.Error.WriteLineAsync($"error: {e.Message}");
                return 2;
            }
        });
        return compare;
    }

    /// <summary>Combinations the benchmark cannot run, refused before anything starts.</summary>
    private void Validate()
    {
        if (Profile && Server.PerfProfiler.Unavailable() is { } reason)
        {
            throw new FormatException($"--profile needs Linux perf allowed to sample the whole machine: {reason}");
        }

        if (Engines.Any(e => e.Instances > 1 && e.Database != DatabaseEngine.PostgreSql))
        {
            throw new FormatException(
                $"--instances {Instances} needs --database postgresql: a SQLite database belongs to one server process (several instances share a PostgreSQL database, ADR 19).");
        }

        if (PostgresSettings is { Count: > 0 } && Engines.All(e => e.Database != DatabaseEngine.PostgreSql))
        {
            throw new FormatException("--pg-setting applies to --database postgresql only.");
        }

        if (CarryDataset && (Engines.Count < 2 || Engines[0].Database != DatabaseEngine.Sqlite
            || Engines.Skip(1).Any(e => e.Database != DatabaseEngine.PostgreSql) || Sizes.Count != 1))
        {
            throw new FormatException(
                "--carry-dataset needs one size and --database sqlite followed by PostgreSQL engines (e.g. sqlite,postgresql,postgresql:2): " +
                "the SQLite engine's final database is what each PostgreSQL engine starts from.");
        }
    }

    /// <summary>
    /// <c>sqlite</c>, <c>postgresql</c>, <c>postgresql:N</c>, or several of them comma-separated. A postgresql entry
    /// without <c>:N</c> has <paramref name="defaultInstances"/> (from <c>--instances</c>); with several entries,
    /// sqlite always has one (a SQLite file belongs to one process).
    /// </summary>
    private static List<EngineChoice> ParseEngines(string text, int defaultInstances)
    {
        var entries = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (entries.Length == 0)
        {
            throw new FormatException("--database: name at least one engine (sqlite, postgresql, postgresql:N).");
        }

        var engines = new List<EngineChoice>();
        foreach (var entry in entries)
        {
            var colon = entry.IndexOf(':', StringComparison.Ordinal);
            var name = colon < 0 ? entry : entry[..colon];
            var engine = name switch
            {
                "sqlite" => DatabaseEngine.Sqlite,
                "postgresql" => DatabaseEngine.PostgreSql,
                _ => throw new FormatException($"--database: \"{Shorten(name)}\" is neither sqlite nor postgresql."),
            };
            int instances;
            if (colon < 0)
            {
                instances = engine == DatabaseEngine.Sqlite && entries.Length > 1 ? 1 : defaultInstances;
            }
            else if (!int.TryParse(entry[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out instances) || instances < 1 || instances > 16)
            {
                throw new FormatException($"--database: \"{Shorten(entry)}\": the instance count after ':' must be a whole number from 1 to 16.");
            }

            var choice = new EngineChoice(engine, instances);
            if (engines.Contains(choice))
            {
                throw new FormatException($"--database: {choice} is named twice.");
            }

            engines.Add(choice);
        }

        return engines;
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";

    private static List<KeyValuePair<string, string>> ParsePostgresSettings(IEnumerable<string> settings)
    {
        var parsed = new List<KeyValuePair<string, string>>();
        foreach (var setting in settings)
        {
            var equals = setting.IndexOf('=', StringComparison.Ordinal);
            var name = equals > 0 ? setting[..equals].Trim() : "";
            if (name.Length == 0 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.'))
            {
                throw new FormatException($"--pg-setting: \"{setting}\" is not name=value (e.g. shared_buffers=2GB).");
            }

            parsed.Add(new(name, setting[(equals + 1)..].Trim()));
        }

        return parsed;
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

    private static T NotNegative<T>(T value, string name) where T : System.Numerics.INumber<T> =>
        value >= T.Zero ? value : throw new FormatException($"{name} must not be negative.");
}

/// <summary>One engine of a run: SQLite, or PostgreSQL with this many server instances.</summary>
public sealed record EngineChoice(DatabaseEngine Database, int Instances)
{
    public override string ToString() => Database == DatabaseEngine.Sqlite
        ? "sqlite"
        : Instances == 1 ? "postgresql" : $"postgresql:{Instances}";
}
