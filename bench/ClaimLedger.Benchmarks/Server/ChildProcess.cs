using System.Diagnostics;

namespace ClaimLedger.Benchmarks.Server;

/// <summary>Waiting for a program the benchmark runs to its end (a build, a server verb, a PostgreSQL tool).</summary>
internal static class ChildProcess
{
    /// <summary>Waits for <paramref name="process"/> to exit; if <paramref name="ct"/> is cancelled first, kills it and its children.</summary>
    public static async Task WaitOrKillAsync(Process process, CancellationToken ct)
    {
        try
        {
            await process.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
    }
}
