using ClaimLedger.Contracts.V1;

namespace ClaimLedger.Server.Infrastructure.Security;

/// <summary>Who is making the current request; recorded on every write and in the ledger.</summary>
public interface ICurrentActor
{
    /// <summary>The authenticated principal's name. Valid once <see cref="AuthenticateAsync"/> has succeeded.</summary>
    string Name { get; }

    Task<Principal> AuthenticateAsync(CancellationToken ct);

    /// <summary>Runs the rest of this scope as a system actor ("system:&lt;job&gt;", admin rights): start-up and scheduled jobs.</summary>
    void ActAsSystem(string job);
}

/// <summary>Authenticates the gRPC call's API key once per request scope.</summary>
public sealed class CurrentActor(IHttpContextAccessor http, ApiKeyAuthenticator authenticator) : ICurrentActor
{
    private Principal? _principal;

    public string Name => _principal?.Name ?? throw new InvalidOperationException("The request has not been authenticated.");

    public async Task<Principal> AuthenticateAsync(CancellationToken ct) =>
        _principal ??= await authenticator.AuthenticateAsync(http.HttpContext?.Request.Headers.Authorization.ToString(), ct);

    public void ActAsSystem(string job) => _principal = new Principal($"system:{job}", Role.Admin, null);
}
