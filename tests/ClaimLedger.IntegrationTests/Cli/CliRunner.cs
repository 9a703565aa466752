extern alias cli;

using System.Diagnostics;
using ClaimLedger.IntegrationTests.Infrastructure;
using System.Text;
using System.Text.Json;
using CliEntry = cli::ClaimLedger.Cli.Cli;
using CliEnvironment = cli::ClaimLedger.Cli.CliEnvironment;

namespace ClaimLedger.IntegrationTests.Cli;

/// <summary>What one CLI invocation returned and printed.</summary>
public sealed record CliResult(int ExitCode, string Out, string Error)
{
    /// <summary>stdout parsed as one JSON document (what --json prints).</summary>
    public JsonElement Json()
    {
        ExitCode.ShouldBe(0, ToString());
        return JsonWhateverTheExitCode();
    }

    /// <summary>stdout parsed as JSON, for commands that print a result and still fail (ledger verify).</summary>
    public JsonElement JsonWhateverTheExitCode()
    {
        using var document = JsonDocument.Parse(Out);
        return document.RootElement.Clone();
    }

    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Out}\nstderr:\n{Error}";
}

/// <summary>A TextWriter the test can read while the CLI is still writing to it (ledger watch).</summary>
public sealed class LockedWriter : TextWriter
{
    private readonly StringBuilder _text = new();

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        lock (_text)
        {
            _text.Append(value);
        }
    }

    public override void Write(string? value)
    {
        lock (_text)
        {
            _text.Append(value);
        }
    }

    public override void Write(char[] buffer, int index, int count)
    {
        lock (_text)
        {
            _text.Append(buffer, index, count);
        }
    }

    public override string ToString()
    {
        lock (_text)
        {
            return _text.ToString();
        }
    }
}

/// <summary>
/// Runs the CLI's entry point in-process against a <see cref="CliServer"/> over real sockets (no HttpHandler), with a
/// test-controlled environment: no real environment variables and a default config file that does not exist.
/// </summary>
public sealed class CliRunner(CliServer server)
{
    /// <summary>Environment variables the CLI sees (through CliEnvironment.GetVariable).</summary>
    public Dictionary<string, string> Variables { get; } = new(StringComparer.Ordinal);

    /// <summary>The CLI's default config path; it does not exist unless a test writes it.</summary>
    public string DefaultConfigPath { get; set; } = Path.Combine(Path.GetTempPath(), "claimledger-cli-tests", Guid.NewGuid().ToString("N"), "config.json");

    public bool IsInteractive { get; set; }

    /// <summary>The terminal width the CLI sees; null: its default (the terminal's, or 200 when not interactive).</summary>
    public int? Width { get; set; }

    /// <summary>What the CLI reads as standard input (import -).</summary>
    public string Input { get; set; } = "";

    /// <summary>Runs <paramref name="args"/> with --url of the server and the admin key.</summary>
    public Task<CliResult> RunAsync(params string[] args) => RunAsAsync(server.AdminKey, args);

    /// <summary>Runs <paramref name="args"/> with --url of the server and --api-key <paramref name="key"/>.</summary>
    public Task<CliResult> RunAsAsync(string key, params string[] args) => RunRawAsync([.. args, "--url", server.Url, "--api-key", key]);

    /// <summary>Runs exactly <paramref name="args"/>; address and key come from wherever the CLI finds them.</summary>
    public async Task<CliResult> RunRawAsync(string[] args, CancellationToken ct = default)
    {
        var (exit, output, error) = Start(args, ct);
        var code = await exit.WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
        return new CliResult(code, output.ToString(), error.ToString());
    }

    /// <summary>Starts the CLI and returns at once, with its writers readable while it runs.</summary>
    public (Task<int> Exit, LockedWriter Out, LockedWriter Error) Start(string[] args, CancellationToken ct)
    {
        var output = new LockedWriter();
        var error = new LockedWriter();
        var env = new CliEnvironment
        {
            Out = output,
            Error = error,
            IsInteractive = IsInteractive,
            Width = Width,
            In = new StringReader(Input),
            GetVariable = name => Variables.GetValueOrDefault(name),
            DefaultConfigPath = DefaultConfigPath,
        };
        var exit = Task.Run(() => CliEntry.RunAsync(args, env, ct), CancellationToken.None);
        return (exit, output, error);
    }

    /// <summary>Runs the built claimledger.dll as a real process (dotnet claimledger.dll …), with stdout and stderr piped.</summary>
    public static async Task<CliResult> RunProcessAsync(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "claimledger.dll");
        File.Exists(dll).ShouldBeTrue($"{dll} is built next to the tests");
        var start = DotnetProcess.StartInfo("claimledger.dll");
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // The process must not pick up the developer's own server settings.
        start.Environment.Remove("CLAIMLEDGER_URL");
        start.Environment.Remove("CLAIMLEDGER_API_KEY");
        start.Environment["CLAIMLEDGER_CONFIG"] = Path.Combine(Path.GetTempPath(), "claimledger-cli-tests", Guid.NewGuid().ToString("N"), "absent.json");

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"claimledger {string.Join(' ', args)} did not exit within 30 s");
        }

        return new CliResult(process.ExitCode, await stdout, await stderr);
    }
}

/// <summary>Short reads of protobuf JSON (lowerCamelCase names, enums as names, int64 as strings).</summary>
public static class JsonReads
{
    public static string Text(this JsonElement e, string property) =>
        e.GetProperty(property).GetString() ?? throw new InvalidOperationException($"{property} is null");

    public static string[] Texts(this JsonElement e, string property) =>
        e.TryGetProperty(property, out var array) ? array.EnumerateArray().Select(x => x.GetString() ?? "").ToArray() : [];

    public static JsonElement[] Items(this JsonElement e, string property) =>
        e.TryGetProperty(property, out var array) ? array.EnumerateArray().ToArray() : [];

    /// <summary>An int64 field, which protobuf JSON writes as a string, and leaves out when 0.</summary>
    public static long Int64(this JsonElement e, string property) =>
        !e.TryGetProperty(property, out var value) ? 0
        : value.ValueKind == JsonValueKind.String ? long.Parse(value.GetString()!, System.Globalization.CultureInfo.InvariantCulture)
        : value.GetInt64();

    public static bool Has(this JsonElement e, string property) => e.TryGetProperty(property, out _);
}
