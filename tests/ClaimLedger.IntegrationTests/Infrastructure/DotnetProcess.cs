using System.Diagnostics;

namespace ClaimLedger.IntegrationTests.Infrastructure;

/// <summary>Start info for "dotnet &lt;dll built next to the tests&gt;", with stdout and stderr piped.</summary>
public static class DotnetProcess
{
    public static ProcessStartInfo StartInfo(string dllName) =>
        // The SDK tells child processes which dotnet host runs them; else the one on PATH.
        new(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, dllName) },
        };
}
