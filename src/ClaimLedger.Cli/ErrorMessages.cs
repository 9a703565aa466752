using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.RegularExpressions;
using Google.Rpc;
using Grpc.Core;

namespace ClaimLedger.Cli;

/// <summary>
/// What an error message needs to speak the CLI's words rather than the API's: the command as typed, its flags and
/// arguments, and where the server address and the key came from.
/// </summary>
public sealed class ErrorContext
{
    /// <summary>For errors outside a command (tests, or before parsing): no flags known.</summary>
    public static readonly ErrorContext Unknown = new("claimledger", [], [], _ => null, _ => false, null);

    public ErrorContext(string commandPath, IReadOnlyCollection<string> options, IReadOnlyCollection<string> arguments,
        Func<string, string?> argumentValue, Func<string, bool> optionGiven, Connection? connection)
    {
        CommandPath = commandPath;
        Options = options.ToHashSet(StringComparer.Ordinal);
        Arguments = arguments.ToHashSet(StringComparer.Ordinal);
        ArgumentValue = argumentValue;
        OptionGiven = optionGiven;
        Connection = connection;
    }

    /// <summary>"claimledger claim add".</summary>
    public string CommandPath { get; }

    /// <summary>The command's own options ("--etag", "--allow-duplicate").</summary>
    public IReadOnlySet<string> Options { get; }

    /// <summary>The command's arguments ("name", "text").</summary>
    public IReadOnlySet<string> Arguments { get; }

    public Func<string, string?> ArgumentValue { get; }

    public Func<string, bool> OptionGiven { get; }

    /// <summary>Null when the error came before a connection was opened.</summary>
    public Connection? Connection { get; }

    /// <summary>The context of the command <paramref name="parse"/> chose.</summary>
    public static ErrorContext For(ParseResult parse, Connection? connection)
    {
        var command = parse.CommandResult.Command;
        var path = new List<string>();
        for (SymbolResult? result = parse.CommandResult; result is CommandResult c && c.Parent is not null; result = c.Parent)
        {
            path.Insert(0, c.Command.Name);
        }

        string? ArgumentValue(string name) =>
            command.Arguments.FirstOrDefault(a => a.Name == name) is { } argument && parse.GetResult(argument) is { } result
                ? string.Join(' ', result.Tokens.Select(t => t.Value))
                : null;

        bool OptionGiven(string name) =>
            command.Options.FirstOrDefault(o => o.Name == name) is { } option && parse.GetResult(option) is { Implicit: false };

        return new ErrorContext(string.Join(' ', path.Prepend("claimledger")), command.Options.Select(o => o.Name).ToList(),
            command.Arguments.Select(a => a.Name).ToList(), ArgumentValue, OptionGiven, connection);
    }
}

/// <summary>
/// Server errors in the CLI's words. The ErrorInfo reason picks the wording: a missing key names --api-key and
/// CLAIMLEDGER_API_KEY, a near-duplicate names --allow-duplicate, a stale etag says how to read the current one; field
/// violations name the command's own flags and arguments. Every part is printed once, then the status code and reason
/// for reference.
/// </summary>
public static partial class ErrorMessages
{
    public static IReadOnlyList<string> Describe(RpcException e, ErrorContext context)
    {
        var status = e.GetRpcStatus();
        var info = status?.GetDetail<ErrorInfo>();
        var reason = info?.Reason ?? "";
        var message = status?.Message ?? e.Status.Detail;
        var violations = status?.GetDetail<BadRequest>()?.FieldViolations.Select(v => (Field: Field(v.Field, context), Description: Words(v.Description, context))).ToList()
                         ?? [];
        var lines = new List<string>();

        if (violations.Count == 1)
        {
            lines.Add($"error: {violations[0].Field}: {violations[0].Description}{Given(violations[0].Field, context)}");
        }
        else if (violations.Count > 1)
        {
            lines.Add("error: the request is invalid:");
            lines.AddRange(violations.Select(v => $"  {v.Field}: {v.Description}{Given(v.Field, context)}"));
        }
        else
        {
            lines.Add($"error: {Headline(e.StatusCode, reason, message, info, status, context)}");
            lines.AddRange(Hints(e.StatusCode, reason, status, context).Select(h => "  " + h));
        }

        var code = CodeName(e.StatusCode);
        lines.Add(info is null
            ? $"  code: {code}{(e.StatusCode is StatusCode.Unavailable or StatusCode.Internal or StatusCode.Unknown && e.Status.Detail.Length > 0 ? $" ({e.Status.Detail})" : "")}"
            : reason is "" or "INVALID_ARGUMENT" or "INTERNAL" or "PERMISSION_DENIED" ? $"  code: {code}" : $"  code: {code}, reason: {reason}");
        return lines;
    }

    private static string Headline(StatusCode code, string reason, string message, ErrorInfo? info, Google.Rpc.Status? status, ErrorContext c)
    {
        var keyFrom = c.Connection?.KeySource ?? "--api-key";
        switch (reason)
        {
            case "API_KEY_MISSING":
                return "no API key: pass --api-key or set CLAIMLEDGER_API_KEY (or \"api_key\" in the config file).";
            case "API_KEY_INVALID":
                return $"the API key from {keyFrom} is not one {Server(c)} issued; check it, or ask an admin for one (claimledger keys create).";
            case "API_KEY_REVOKED":
                return $"the API key from {keyFrom} was revoked; ask an admin for a new one (claimledger keys create).";
            case "PERMISSION_DENIED" when PermissionMessage().Match(message) is { Success: true } m:
                return $"{c.CommandPath} needs the {m.Groups["permission"].Value} permission, which your key's role ({m.Groups["role"].Value}, key from {keyFrom}) does not have.";
            case "NEAR_DUPLICATE_CLAIM" when info!.Metadata.TryGetValue("similar_claims", out var similar) && similar.Length > 0:
                var similarity = info.Metadata.TryGetValue("best_similarity", out var best)
                                 && double.TryParse(best, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
                    ? $" (similarity {value.ToString("0.00", CultureInfo.InvariantCulture)})"
                    : "";
                return $"the claim nearly duplicates {similar.Replace(",", ", ", StringComparison.Ordinal)}{similarity}; nothing was recorded.";
            case "ETAG_MISMATCH":
                var resource = status?.GetDetail<ResourceInfo>()?.ResourceName is { Length: > 0 } name ? name : "the resource";
                return c.OptionGiven("--etag")
                    ? $"{resource} has changed since the etag given with --etag; nothing was changed."
                    : $"{resource} changed while this command ran; nothing was changed.";
            case "COMMIT_FAILED":
                return "the server could not commit the change, and did not apply it.";
            case "INTERNAL":
                return "the server failed with an internal error; the request was not applied.";
        }

        return code switch
        {
            StatusCode.Unavailable when info is null => $"could not reach the server at {c.Connection?.Url ?? "the given address"}.",
            StatusCode.DeadlineExceeded when info is null => $"the server at {c.Connection?.Url ?? "the given address"} did not answer in time.",
            StatusCode.Cancelled when info is null => "cancelled.",
            _ => Words(message, c),
        };
    }

    private static IEnumerable<string> Hints(StatusCode code, string reason, Google.Rpc.Status? status, ErrorContext c)
    {
        switch (reason)
        {
            case "NEAR_DUPLICATE_CLAIM" when c.Options.Contains("--allow-duplicate"):
                yield return "Pass --allow-duplicate to record it anyway, or work on the existing claim.";
                break;
            case "ETAG_MISMATCH":
                var resource = status?.GetDetail<ResourceInfo>()?.ResourceName ?? "";
                var show = ShowCommand(resource);
                yield return c.OptionGiven("--etag")
                    ? $"Read it again{(show is null ? "" : $" ({show})")} and retry with its current etag, or without --etag to change whatever it holds now."
                    : "Run the command again.";
                break;
            case "COMMIT_FAILED":
                yield return c.Options.Contains("--request-id") && c.OptionGiven("--request-id")
                    ? "Run the command again with the same --request-id."
                    : "Run the command again.";
                break;
            case "VERDICT_NEEDS_EVIDENCE" when c.Options.Contains("--evidence"):
                yield return $"Name SUPPORTS, REFUTES or FACT_CHECK evidence with --evidence (claimledger evidence list {c.ArgumentValue("name") ?? "claims/<id>"}).";
                break;
            case "EVIDENCE_CITED_BY_VERDICT":
                yield return "Start a new review of the claim first (claimledger claim review claims/<id>).";
                break;
        }

        if (code == StatusCode.Unavailable && reason.Length == 0)
        {
            yield return "Is the server running, and is --url (or CLAIMLEDGER_URL, or \"url\" in the config file) right?";
        }
    }

    /// <summary>The CLI command that shows <paramref name="resource"/>, to read its current etag.</summary>
    private static string? ShowCommand(string resource) => resource switch
    {
        _ when EvidenceName().IsMatch(resource) => $"claimledger evidence list {resource[..resource.IndexOf("/evidence/", StringComparison.Ordinal)]} --json",
        _ when resource.StartsWith("claims/", StringComparison.Ordinal) => $"claimledger claim show {resource}",
        _ when resource.StartsWith("sources/", StringComparison.Ordinal) => $"claimledger source show {resource}",
        _ => null,
    };

    /// <summary>
    /// An API field path as the command knows it: "claim.claimant" → --claimant, "name" → &lt;name&gt;, "page_token" →
    /// --page-token; a path the command has no flag for stays as it is.
    /// </summary>
    internal static string Field(string path, ErrorContext c)
    {
        var last = FieldIndex().Replace(path[(path.LastIndexOf('.') + 1)..], "");
        var flag = "--" + (Aliases.GetValueOrDefault(last) ?? last.Replace('_', '-'));
        if (c.Options.Contains(flag))
        {
            return flag;
        }

        var argument = ArgumentAliases.GetValueOrDefault(last) ?? last.Replace('_', '-');
        return c.Arguments.Contains(argument) ? $"<{argument}>" : path;
    }

    /// <summary>API field names inside a message (allow_duplicate, request_id) as the command's flags, where it has them.</summary>
    internal static string Words(string text, ErrorContext c) =>
        SnakeWord().Replace(text, m => c.Options.Contains("--" + (Aliases.GetValueOrDefault(m.Value) ?? m.Value.Replace('_', '-')))
            ? "--" + (Aliases.GetValueOrDefault(m.Value) ?? m.Value.Replace('_', '-'))
            : m.Value);

    /// <summary>" (got "foo")" after an argument's violation, so a mistyped name is visible.</summary>
    private static string Given(string field, ErrorContext c) =>
        field.StartsWith('<') && c.ArgumentValue(field[1..^1]) is { Length: > 0 and <= 200 } value ? $" (got \"{value}\")" : "";

    /// <summary>API field names whose flag is named differently.</summary>
    private static readonly Dictionary<string, string> Aliases = new(StringComparer.Ordinal)
    {
        ["language_code"] = "language",
        ["publish_time"] = "published",
        ["duplicate_of"] = "duplicate-of",
        ["default_review_interval"] = "default",
        ["start_sequence"] = "from",
        ["start_time"] = "since",
        ["end_time"] = "until",
    };

    /// <summary>API field names whose argument is named differently.</summary>
    private static readonly Dictionary<string, string> ArgumentAliases = new(StringComparer.Ordinal)
    {
        ["parent"] = "claim",
        ["display_name"] = "display-name",
    };

    /// <summary>StatusCode.NotFound → NOT_FOUND, as gRPC documents the codes.</summary>
    internal static string CodeName(StatusCode code) => UpperCamel().Replace(code.ToString(), "$1_$2").ToUpperInvariant();

    [GeneratedRegex(@"^(?<rpc>\w+) needs the (?<permission>\w+) permission, which the (?<role>\w+) role does not have\.$")]
    private static partial Regex PermissionMessage();

    [GeneratedRegex(@"\b[a-z][a-z0-9]*(_[a-z0-9]+)+\b")]
    private static partial Regex SnakeWord();

    [GeneratedRegex(@"\[\d+\]")]
    private static partial Regex FieldIndex();

    [GeneratedRegex("([a-z])([A-Z])")]
    private static partial Regex UpperCamel();

    [GeneratedRegex("^claims/[0-9a-f]{32}/evidence/[0-9a-f]{32}$")]
    private static partial Regex EvidenceName();

    private static string Server(ErrorContext c) => c.Connection is { } connection ? $"the server at {connection.Url}" : "this server";
}
