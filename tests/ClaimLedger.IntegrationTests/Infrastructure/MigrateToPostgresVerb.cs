using System.Diagnostics;

namespace ClaimLedger.IntegrationTests.Infrastructure;

/// <summary>
/// The server's one-off verb <c>ClaimLedger.Server migrate-to-postgres --from &lt;SQLite file&gt;</c>, run as an operator
/// runs it: the built server (ClaimLedger.Server.dll, next to the tests) as a process of its own, the target database
/// in the environment (ConnectionStrings__ClaimLedger).
/// </summary>
public static class MigrateToPostgresVerb
{
    public const string Verb = "migrate-to-postgres";

    /// <summary>Longest the verb may take before the test fails instead of hanging (a guard, not a measurement).</summary>
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(3);

    /// <summary>
    /// Runs the verb with <paramref name="arguments"/> (e.g. "--from", path) against <paramref name="connectionString"/>
    /// (none in the environment when null) and returns its exit code and everything it printed.
    /// </summary>
    public static async Task<VerbResult> RunAsync(string? connectionString, params string[] arguments)
    {
        var start = DotnetProcess.StartInfo("ClaimLedger.Server.dll");
        start.ArgumentList.Add(Verb);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment.Remove("ConnectionStrings__ClaimLedger");
        start.Environment.Remove("Database__Provider");
        if (connectionString is not null)
        {
            start.Environment["ConnectionStrings__ClaimLedger"] = connectionString;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Verb} {string.Join(' ', arguments)} did not finish within {Limit.TotalMinutes:0} min:\n{await stdout}\n{await stderr}");
        }

        return new VerbResult(process.ExitCode, await stdout, await stderr);
    }
}

/// <summary>What a run of the verb did: its exit code, standard output and standard error.</summary>
public sealed record VerbResult(int ExitCode, string Output, string Error)
{
    /// <summary>The row count the verb printed for <paramref name="table"/> (a line "claims      1,234 rows"); throws if there is none.</summary>
    public long RowsCopied(string table)
    {
        var line = Output.Split('\n').Select(l => l.Trim())
            .Single(l => l.StartsWith(table + " ", StringComparison.Ordinal) && l.EndsWith(" rows", StringComparison.Ordinal));
        return long.Parse(new string(line[table.Length..].Where(char.IsAsciiDigit).ToArray()), System.Globalization.CultureInfo.InvariantCulture);
    }

    public override string ToString() => $"exit code {ExitCode}\n--- stdout ---\n{Output}\n--- stderr ---\n{Error}";
}
