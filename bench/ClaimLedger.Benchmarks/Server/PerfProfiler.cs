using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using ClaimLedger.Benchmarks.Reporting;

namespace ClaimLedger.Benchmarks.Server;

/// <summary>
/// <c>--profile</c>: a CPU profile of the whole machine for each phase that measures one of issue 14's goals, taken
/// by Linux <c>perf</c> in the same run as the figure it explains. <c>perf record</c> samples every CPU
/// (<c>-a</c>, the <c>cpu-clock</c> event, frame-pointer call chains) while the phase's measured window runs; the
/// summary says which processes had the CPUs (the server, PostgreSQL, the benchmark's own clients, idle), what kind
/// of code the server spent them in (JIT-compiled .NET code, the runtime with its garbage collector, the SQLite
/// engine, the kernel, OpenSSL…), its hottest functions and the innermost ClaimLedger method each sample ran under.
/// The server resolves its JIT-compiled methods for perf through a perf map (<c>DOTNET_PerfMapEnabled=3</c>, set on
/// every server process the run starts when profiling), which costs a write per compiled method and nothing after;
/// profiled servers also run with W^X off (<c>DOTNET_EnableWriteXorExecute=0</c>), without which perf cannot match
/// the JIT's double-mapped code to that map (it changes how code pages are mapped, not the code).
/// </summary>
public sealed partial class PerfProfiler(string directory, Func<IReadOnlyCollection<int>> serverPids, TextWriter log) : IDisposable
{
    /// <summary>Samples per second per CPU: ~400/s on this 2-core machine, enough for 1 % shares within a 5-second phase.</summary>
    private const int Frequency = 199;

    private readonly TextWriter _log = log;
    private readonly List<PhaseProfile> _profiles = [];

    /// <summary>Whether <c>perf</c> can sample this machine (installed, permitted); the reason when not.</summary>
    public static string? Unavailable()
    {
        try
        {
            using var probe = Process.Start(new ProcessStartInfo("perf", "record -e cpu-clock -a -o /dev/null -- true")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            })!;
            var error = probe.StandardError.ReadToEnd();
            probe.WaitForExit();
            return probe.ExitCode == 0 ? null : $"perf record exited with {probe.ExitCode}: {Shorten(error.Trim())}";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return $"perf is not installed ({e.Message})";
        }
    }

    /// <summary>The profiles taken since the last call, in the order taken.</summary>
    public IReadOnlyList<PhaseProfile> TakeProfiles()
    {
        lock (_profiles)
        {
            var taken = _profiles.ToList();
            _profiles.Clear();
            return taken;
        }
    }

    /// <summary>
    /// Starts sampling for <paramref name="phase"/> after <paramref name="delay"/> (a phase's warm-up, which is not
    /// measured); disposing the returned session stops it and adds the phase's profile.
    /// </summary>
    public IAsyncDisposable Start(string phase, TimeSpan delay)
    {
        Directory.CreateDirectory(directory);
        var file = Path.Combine(directory, $"{Slug().Replace(phase.ToLowerInvariant(), "-")}-{DateTime.UtcNow:HHmmss}.perf.data");
        var psi = new ProcessStartInfo("perf")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "record", "-e", "cpu-clock", "-F", Frequency.ToString(CultureInfo.InvariantCulture), "-a", "-g", "-q", "-o", file })
        {
            psi.ArgumentList.Add(argument);
        }

        if (delay > TimeSpan.Zero)
        {
            psi.ArgumentList.Add("-D");
            psi.ArgumentList.Add(((int)delay.TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
        }

        var process = Process.Start(psi) ?? throw new InvalidOperationException("Could not start perf.");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new Session(this, phase, file, process, Stopwatch.GetTimestamp() + (long)(delay.TotalSeconds * Stopwatch.Frequency));
    }

    private sealed class Session(PerfProfiler owner, string phase, string file, Process perf, long from) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            var seconds = Math.Max(0, Stopwatch.GetElapsedTime(from).TotalSeconds);
            try
            {
                if (!perf.HasExited)
                {
                    _ = Kill(perf.Id, SigInt);
                }

                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                await perf.WaitForExitAsync(timeout.Token);
                var profile = await owner.SummariseAsync(phase, file, seconds);
                lock (owner._profiles)
                {
                    owner._profiles.Add(profile);
                }

                owner._log.WriteLine(Describe(profile));
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or OperationCanceledException)
            {
                owner._log.WriteLine($"  profile of {phase}: not taken ({Shorten(e.Message)})");
            }
            finally
            {
                if (!perf.HasExited)
                {
                    perf.Kill();
                }

                perf.Dispose();
                File.Delete(file);
            }
        }
    }

    private async Task<PhaseProfile> SummariseAsync(string phase, string file, double seconds)
    {
        var servers = serverPids().ToHashSet();

        var psi = new ProcessStartInfo("perf")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "script", "-i", file, "-F", "comm,pid,tid,ip,sym,dso" })
        {
            psi.ArgumentList.Add(argument);
        }

        using var script = Process.Start(psi) ?? throw new InvalidOperationException("Could not start perf script.");
        script.BeginErrorReadLine();
        var summary = new ProfileAggregator(servers, Environment.ProcessId);
        while (await script.StandardOutput.ReadLineAsync() is { } line)
        {
            summary.Add(line);
        }

        await script.WaitForExitAsync();
        return summary.ToProfile(phase, seconds);
    }

    public static string Describe(PhaseProfile p)
    {
        string Shares(IEnumerable<ProfileShare> shares) => string.Join(", ", shares.Select(s => $"{s.Name} {s.Percent:0.0} %"));
        var lines = new List<string>
        {
            $"  profile of {p.Phase}: {p.Samples:N0} samples over {p.Seconds:0.0} s; CPU by process: {Shares(p.Processes)}",
            $"    server by kind of code (% of all samples): {Shares(p.ServerCode)}",
            $"    server's hottest functions: {Shares(p.ServerFunctions.Take(6))}",
            $"    server by innermost managed assembly: {Shares((p.ServerAssemblies ?? []).Take(6))}",
            $"    server's time under ClaimLedger methods: {Shares(p.ServerMethods.Take(6))}",
        };
        if (p.PostgresFunctions.Count > 0)
        {
            lines.Add($"    PostgreSQL's hottest functions: {Shares(p.PostgresFunctions.Take(5))}");
        }

        return string.Join(Environment.NewLine, lines);
    }

    /// <summary>Removes the emptied work directory (each server process removes its own perf map when it stops).</summary>
    public void Dispose()
    {
        try
        {
            if (Directory.Exists(directory) && !Directory.EnumerateFileSystemEntries(directory).Any())
            {
                Directory.Delete(directory);
            }
        }
        catch (IOException)
        {
        }
    }

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";

    private const int SigInt = 2;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex Slug();
}

/// <summary>
/// Folds <c>perf script -F comm,pid,tid,ip,sym,dso</c> output (a header line per sample, then its call chain one frame
/// per indented line, innermost first) into a <see cref="PhaseProfile"/>.
/// </summary>
public sealed partial class ProfileAggregator(IReadOnlySet<int> serverPids, int benchmarkPid)
{
    private const int Listed = 12;

    private readonly Dictionary<string, long> _processes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _serverCode = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _serverFunctions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _serverMethods = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _serverAssemblies = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _postgresFunctions = new(StringComparer.Ordinal);
    private long _samples;

    // The sample being read: its process, how many of its frames were seen, and whether it was already attributed to
    // a ClaimLedger method and to a managed assembly (the innermost of each counts).
    private string? _process;
    private int _frame;
    private bool _attributed;
    private bool _assemblyAttributed;

    public void Add(string line)
    {
        if (line.Length == 0)
        {
            Finish();
            return;
        }

        if (line[0] is not ('\t' or ' '))
        {
            Finish();
            _process = Classify(line);
            _samples++;
            Count(_processes, _process);
            _frame = 0;
            return;
        }

        if (_process is null)
        {
            return;
        }

        var (symbol, dso) = ParseFrame(line);
        var managed = ManagedFrame.Parse(symbol);
        if (_frame++ == 0)
        {
            if (_process == ServerName)
            {
                Count(_serverCode, KindOfCode(dso));
                Count(_serverFunctions, managed is { } m ? m.ShortName : $"{symbol} ({ShortDso(dso)})");
            }
            else if (_process == PostgresName)
            {
                Count(_postgresFunctions, symbol == "[unknown]" ? $"[unknown] ({ShortDso(dso)})" : symbol);
            }
        }

        if (_process != ServerName || managed is null)
        {
            return;
        }

        if (!_assemblyAttributed)
        {
            Count(_serverAssemblies, managed.Assembly);
            _assemblyAttributed = true;
        }

        if (!_attributed && managed.Type.StartsWith("ClaimLedger.", StringComparison.Ordinal))
        {
            Count(_serverMethods, managed.ShortName);
            _attributed = true;
        }
    }

    private void Finish()
    {
        if (_process == ServerName && _frame > 0)
        {
            if (!_attributed)
            {
                Count(_serverMethods, "(no ClaimLedger frame on the stack)");
            }

            if (!_assemblyAttributed)
            {
                Count(_serverAssemblies, "(no managed frame on the stack)");
            }
        }

        _process = null;
        _attributed = false;
        _assemblyAttributed = false;
        _frame = 0;
    }

    public PhaseProfile ToProfile(string phase, double seconds)
    {
        Finish();
        var total = Math.Max(1, _samples);
        List<ProfileShare> Top(Dictionary<string, long> counts, int n) =>
            counts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Take(n)
                .Select(kv => new ProfileShare(kv.Key, Math.Round(100.0 * kv.Value / total, 2))).ToList();
        return new PhaseProfile(phase, Math.Round(seconds, 2), _samples, Top(_processes, 8), Top(_serverCode, 10), Top(_serverFunctions, Listed),
            Top(_serverMethods, Listed), Top(_postgresFunctions, 8), Top(_serverAssemblies, 8));
    }

    public const string ServerName = "ClaimLedger server";
    public const string PostgresName = "PostgreSQL";

    private string Classify(string header)
    {
        // "<comm> <pid>/<tid> ": comm may contain spaces; the pid/tid pair is the last field.
        var match = Header().Match(header);
        if (!match.Success)
        {
            return "other";
        }

        var comm = match.Groups["comm"].Value.Trim();
        var pid = int.Parse(match.Groups["pid"].Value, CultureInfo.InvariantCulture);
        return pid == 0 || comm == "swapper" ? "idle"
            : serverPids.Contains(pid) ? ServerName
            : pid == benchmarkPid ? "benchmark clients"
            : comm is "postgres" or "pgbench" ? PostgresName
            : "other";
    }

    private static (string Symbol, string Dso) ParseFrame(string line)
    {
        // "\t    7f12ab symbol+0x1c (/usr/lib/libx.so)": address, symbol (may contain spaces and parentheses), dso last.
        var text = line.Trim();
        if (text.EndsWith(" (deleted))", StringComparison.Ordinal))
        {
            text = text[..^" (deleted))".Length] + ")";
        }

        var space = text.IndexOf(' ');
        var rest = space < 0 ? "" : text[(space + 1)..];
        var open = rest.LastIndexOf(" (", StringComparison.Ordinal);
        var symbol = open < 0 ? rest : rest[..open];
        var dso = open < 0 ? "" : rest[(open + 2)..].TrimEnd(')');
        var plus = symbol.LastIndexOf("+0x", StringComparison.Ordinal);
        return (plus > 0 ? symbol[..plus] : symbol, dso);
    }

    private static string KindOfCode(string dso) =>
        dso switch
        {
            _ when dso.Contains("sqlite", StringComparison.OrdinalIgnoreCase) => "SQLite engine",
            _ when dso.Contains("libcoreclr", StringComparison.Ordinal) => "runtime (GC, allocation, stubs)",
            _ when dso.Contains("libclrjit", StringComparison.Ordinal) => "JIT compiler",
            _ when dso.Contains("kernel", StringComparison.Ordinal) || dso.StartsWith("[vdso", StringComparison.Ordinal) => "kernel",
            _ when dso.Contains("libcrypto", StringComparison.Ordinal) || dso.Contains("libssl", StringComparison.Ordinal) => "OpenSSL",
            _ when dso.Contains("libc.so", StringComparison.Ordinal) || dso.Contains("libm.so", StringComparison.Ordinal) => "C library",
            _ when dso.Contains("libSystem.", StringComparison.Ordinal) => ".NET native shims",
            _ when dso.StartsWith("/tmp/perf-", StringComparison.Ordinal) || dso.Contains("doublemapper", StringComparison.Ordinal)
                || dso is "[unknown]" or "" || dso.EndsWith(".dll", StringComparison.Ordinal) => "JIT-compiled .NET code",
            _ => "other native code",
        };

    private static string ShortDso(string dso) => dso.StartsWith("/tmp/perf-", StringComparison.Ordinal) || dso.Contains("doublemapper", StringComparison.Ordinal)
        ? "JIT"
        : Path.GetFileName(dso) is { Length: > 0 } name ? name : dso;

    private static void Count(Dictionary<string, long> counts, string key) =>
        counts[key] = counts.GetValueOrDefault(key) + 1;

    [GeneratedRegex(@"^(?<comm>.*?)\s+(?<pid>\d+)/(?<tid>\d+)\s*$")]
    private static partial Regex Header();
}

/// <summary>
/// A JIT-compiled method as the runtime's perf map names it: "<c>instance void [Assembly] Ns.Type+&lt;M&gt;d__3`1[Args]::MoveNext()[OptimizedTier1]</c>".
/// </summary>
public sealed partial record ManagedFrame(string Assembly, string Type, string Method)
{
    public static ManagedFrame? Parse(string symbol)
    {
        var colons = symbol.IndexOf("::", StringComparison.Ordinal);
        if (colons <= 0)
        {
            return null;
        }

        var before = symbol[..colons];
        var space = before.LastIndexOf(' ');
        var type = before[(space + 1)..];
        var head = space < 0 ? "" : before[..space];
        var close = head.LastIndexOf(']');
        var open = close < 0 ? -1 : head.LastIndexOf('[', close);
        var assembly = open < 0 ? "" : head[(open + 1)..close];
        var rest = symbol[(colons + 2)..];
        var paren = rest.IndexOf('(');
        var method = paren < 0 ? rest : rest[..paren];
        return new ManagedFrame(assembly.Length > 0 ? assembly : "(dynamic code)", type, method);
    }

    /// <summary>"DbSession.RunAsync", "ValidationBehavior.Handle", "ClaimRow deserializer (Dapper)": type without namespace or generic arguments, state machines folded into their method.</summary>
    public string ShortName
    {
        get
        {
            var type = Type;
            var generic = type.IndexOf('[');
            type = generic > 0 ? type[..generic] : type;
            type = Arity().Replace(type, "");
            // The namespace: everything before the last '.' outside a compiler-generated <…> name.
            var depth = 0;
            var cut = -1;
            for (var i = 0; i < type.Length; i++)
            {
                depth += type[i] == '<' ? 1 : type[i] == '>' ? -1 : 0;
                if (type[i] == '.' && depth == 0)
                {
                    cut = i;
                }
            }

            type = type[(cut + 1)..];
            var machine = StateMachine().Match(type);
            if (machine.Success && Method == "MoveNext")
            {
                return $"{type[..machine.Index]}.{machine.Groups["m"].Value}";
            }

            var lambda = Lambda().Match(Method);
            var name = $"{Closure().Replace(type, "")}.{(lambda.Success ? $"{lambda.Groups["m"].Value} (lambda)" : Method)}";
            return name.Length <= 120 ? name : name[..120] + "…";
        }
    }

    [GeneratedRegex(@"\+<>c(__DisplayClass[0-9_]+)?")]
    private static partial Regex Closure();

    [GeneratedRegex(@"^<(?<m>[^>]+)>b__[0-9_]+$")]
    private static partial Regex Lambda();

    [GeneratedRegex("`[0-9]+")]
    private static partial Regex Arity();

    [GeneratedRegex(@"\+<(?<m>[^>]+)>d__[0-9]+$")]
    private static partial Regex StateMachine();
}
