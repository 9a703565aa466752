using System.CommandLine;
using ClaimLedger.Cli.Commands;
using Grpc.Core;

namespace ClaimLedger.Cli;

/// <summary>The options every command takes.</summary>
public sealed class Globals
{
    public Option<string?> Url { get; } = new("--url") { Description = "Server address (else $CLAIMLEDGER_URL, the config file, http://127.0.0.1:5180)", Recursive = true };
    public Option<string?> ApiKey { get; } = new("--api-key") { Description = "API key (else $CLAIMLEDGER_API_KEY or the config file)", Recursive = true };
    public Option<string?> Config { get; } = new("--config") { Description = "Config file (JSON with \"url\" and \"api_key\"; default ~/.config/claimledger/config.json)", Recursive = true };
    public Option<bool> Json { get; } = new("--json") { Description = "Machine-readable JSON output (the API's protobuf JSON)", Recursive = true };

    public Option<bool> Plain { get; } = new("--plain")
    {
        Description = "Output for scripts: one record per line, tab-separated, the resource name first; no header, nothing cut short",
        Recursive = true,
    };
}

/// <summary>What a command's action gets.</summary>
public sealed record CliContext(Output Output, Connection Connection, ParseResult Parse, CancellationToken Cancel)
{
    public T Get<T>(Option<T> option) => Parse.GetValue(option)!;

    public T Get<T>(Argument<T> argument) => Parse.GetValue(argument)!;
}

/// <summary>The claimledger command line: parsing, dispatch, error reporting and exit codes.</summary>
public static class Cli
{
    public static RootCommand Build(CliEnvironment env)
    {
        var g = new Globals();
        var root = new RootCommand("""
            claimledger — the ClaimLedger fact-check workflow tool.

            Examples:
              claimledger claim add "Example City doubled parking fees" --claimant "Example Gazette" --topic transport
              claimledger claim list --status IN_REVIEW
              claimledger claim list --status UNVERIFIED --plain | cut -f1
              claimledger claim verdict claims/<id> --rating FALSE --rationale "..." --evidence claims/<id>/evidence/<e>
              claimledger ledger verify
              claimledger ledger proof claims/<id> --output bundle.json
              claimledger verify bundle.json --key "$(cat log.vkey)"    (offline, no server)
              claimledger report audit --format html --output audit.html

            Exit codes: 0 ok, 1 failure, 2 usage or invalid request, 3 not found, 4 conflict (stale etag, duplicate,
            illegal transition), 5 not permitted (no/bad key, role), 6 server unreachable.
            """);
        root.Options.Add(g.Url);
        root.Options.Add(g.ApiKey);
        root.Options.Add(g.Config);
        root.Options.Add(g.Json);
        root.Options.Add(g.Plain);
        root.Subcommands.Add(ClaimCommands.Build(g, env));
        root.Subcommands.Add(SourceCommands.Build(g, env));
        root.Subcommands.Add(EvidenceCommands.Build(g, env));
        root.Subcommands.Add(StaleCommands.Build(g, env));
        root.Subcommands.Add(LedgerCommands.Build(g, env));
        root.Subcommands.Add(ReportCommands.Build(g, env));
        root.Subcommands.Add(KeyCommands.Build(g, env));
        root.Subcommands.Add(AdminCommands.Build(g, env));
        root.Subcommands.Add(TransferCommands.Import(g, env));
        root.Subcommands.Add(TransferCommands.Export(g, env));
        root.Subcommands.Add(ProofCommands.Verify(g, env));
        return root;
    }

    public static async Task<int> RunAsync(string[] args, CliEnvironment env, CancellationToken ct = default)
    {
        var parse = Build(env).Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await env.Error.WriteLineAsync($"error: {error.Message}");
            }

            await env.Error.WriteLineAsync("Try --help.");
            return ExitCodes.Usage;
        }

        return await parse.InvokeAsync(new InvocationConfiguration { Output = env.Out, Error = env.Error }, ct);
    }

    /// <summary>Gives <paramref name="command"/> an action that connects, runs <paramref name="body"/>, and maps failures to exit codes.</summary>
    public static void Handle(Command command, Globals g, CliEnvironment env, Func<CliContext, Task<int>> body) =>
        command.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(g.Json) && parse.GetValue(g.Plain))
            {
                await env.Error.WriteLineAsync("error: --json and --plain cannot be combined; choose one.");
                return ExitCodes.Usage;
            }

            var output = new Output(env, parse.GetValue(g.Json) ? OutputMode.Json : parse.GetValue(g.Plain) ? OutputMode.Plain : OutputMode.Table);
            Connection? connection = null;
            try
            {
                connection = Connection.Open(parse.GetValue(g.Url), parse.GetValue(g.ApiKey), parse.GetValue(g.Config), env);
                return await body(new CliContext(output, connection, parse, ct));
            }
            catch (RpcException e)
            {
                output.Error(e, ErrorContext.For(parse, connection));
                return ExitCodes.For(e.StatusCode);
            }
            catch (UsageException e)
            {
                await env.Error.WriteLineAsync($"error: {e.Message}");
                return ExitCodes.Usage;
            }
            catch (IOException e)
            {
                await env.Error.WriteLineAsync($"error: {e.Message}");
                return ExitCodes.Failure;
            }
            finally
            {
                connection?.Dispose();
            }
        });
}
