namespace ClaimLedger.Cli;

/// <summary>What the CLI gets from its process: streams, environment, and (for tests) a way to reach the server.</summary>
public sealed class CliEnvironment
{
    public required TextWriter Out { get; init; }
    public required TextWriter Error { get; init; }

    /// <summary>Standard input (import -).</summary>
    public TextReader In { get; init; } = TextReader.Null;

    /// <summary>False when stdout is a pipe or file: then no colours, no progress, plain tables.</summary>
    public bool IsInteractive { get; init; }

    /// <summary>The terminal's width in columns; null: as the terminal reports it (tables are 200 wide when piped).</summary>
    public int? Width { get; init; }

    public Func<string, string?> GetVariable { get; init; } = Environment.GetEnvironmentVariable;

    /// <summary>Default config file: $CLAIMLEDGER_CONFIG, else ~/.config/claimledger/config.json.</summary>
    public string DefaultConfigPath { get; init; } =
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config", "claimledger", "config.json");

    /// <summary>Tests pass a handler to reach an in-process server; null means real sockets.</summary>
    public HttpMessageHandler? HttpHandler { get; init; }

    public static CliEnvironment FromProcess() => new()
    {
        Out = Console.Out,
        Error = Console.Error,
        In = Console.In,
        IsInteractive = !Console.IsOutputRedirected,
    };
}
