using ClaimLedger.Server.Domain;

namespace ClaimLedger.Server.Infrastructure.Hosting;

/// <summary>
/// Long-running reads (exports, reports) end when the server begins to shut down, with UNAVAILABLE (SERVER_STOPPING)
/// and a hint to run them again, instead of holding the shutdown until its timeout and then being cut off mid-stream.
/// Commands are never cut off: they finish, and the host waits for them.
/// </summary>
public sealed class ServerStopping(IHostApplicationLifetime lifetime)
{
    public CancellationToken Token => lifetime.ApplicationStopping;

    public async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> work, string hint, CancellationToken ct)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, Token);
        try
        {
            return await work(linked.Token);
        }
        catch (OperationCanceledException) when (Token.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            throw new ServerStoppingException($"The server is shutting down; {hint}");
        }
    }
}
