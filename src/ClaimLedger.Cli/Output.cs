using System.Text.Json;
using Google.Protobuf;
using Google.Rpc;
using Grpc.Core;
using Spectre.Console;

namespace ClaimLedger.Cli;

/// <summary>Human output (Spectre tables, plain when piped) or --json (protobuf JSON for API messages).</summary>
public sealed class Output
{
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithIndentation());

    public Output(CliEnvironment env, bool json)
    {
        Env = env;
        Json = json;
        Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(env.Out),
            Ansi = env.IsInteractive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = env.IsInteractive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = env.IsInteractive ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!env.IsInteractive)
        {
            Console.Profile.Width = 200;
        }
    }

    public CliEnvironment Env { get; }

    public bool Json { get; }

    public IAnsiConsole Console { get; }

    /// <summary>Prints an API message: JSON with --json, otherwise <paramref name="human"/>.</summary>
    public void Message(IMessage message, Action human)
    {
        if (Json)
        {
            Env.Out.WriteLine(Formatter.Format(message));
        }
        else
        {
            human();
        }
    }

    /// <summary>Prints a plain object (for results that are not one API message) as JSON or via <paramref name="human"/>.</summary>
    public void Value(object value, Action human)
    {
        if (Json)
        {
            Env.Out.WriteLine(JsonSerializer.Serialize(value, new JsonSerializerOptions { WriteIndented = true }));
        }
        else
        {
            human();
        }
    }

    public void Line(string text) => Env.Out.WriteLine(text);

    /// <summary>A table with the given columns; rows are escaped.</summary>
    public void Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        var table = new Table().Border(Env.IsInteractive ? TableBorder.Rounded : TableBorder.Simple);
        foreach (var header in headers)
        {
            table.AddColumn(new TableColumn(Markup.Escape(header)));
        }

        foreach (var row in rows)
        {
            table.AddRow(row.Select(c => (Spectre.Console.Rendering.IRenderable)new Text(c)).ToArray());
        }

        Console.Write(table);
    }

    /// <summary>Name/value pairs of one resource.</summary>
    public void Fields(IEnumerable<(string Name, string Value)> fields) =>
        Table(["Field", "Value"], fields.Where(f => f.Value.Length > 0).Select(f => (IReadOnlyList<string>)[f.Name, f.Value]));

    /// <summary>Runs <paramref name="work"/> with a spinner on a terminal; silently when piped or with --json.</summary>
    public async Task<T> ProgressAsync<T>(string what, Func<Task<T>> work)
    {
        if (!Env.IsInteractive || Json)
        {
            return await work();
        }

        return await Console.Status().StartAsync(what, _ => work());
    }

    /// <summary>A server error, readably: code, message, reason and each field violation.</summary>
    public void Error(RpcException e)
    {
        var status = e.GetRpcStatus();
        Env.Error.WriteLine($"error: {e.StatusCode}: {status?.Message ?? e.Status.Detail}");
        if (status?.GetDetail<ErrorInfo>() is { } info && info.Reason.Length > 0 && info.Reason is not ("INVALID_ARGUMENT" or "INTERNAL"))
        {
            Env.Error.WriteLine($"  reason: {info.Reason}");
        }

        foreach (var violation in status?.GetDetail<BadRequest>()?.FieldViolations ?? [])
        {
            Env.Error.WriteLine($"  {violation.Field}: {violation.Description}");
        }

        if (e.StatusCode == StatusCode.Unavailable)
        {
            Env.Error.WriteLine("  Is the server running, and is --url (or CLAIMLEDGER_URL) right?");
        }
    }
}
