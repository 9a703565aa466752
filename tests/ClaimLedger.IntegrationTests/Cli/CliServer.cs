using ClaimLedger.Contracts.V1;
using ClaimLedger.IntegrationTests.Infrastructure;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace ClaimLedger.IntegrationTests.Cli;

/// <summary>
/// The real service (<see cref="ClaimLedgerServer"/>: a real database of this build's engine, the fake clock) served by Kestrel on
/// http://127.0.0.1:{random port} (HTTP/2 only, as appsettings.json sets), so the CLI reaches it over real TCP sockets.
/// </summary>
/// <remarks>
/// With Kestrel the factory's <c>Server</c> (a TestServer) is not available, and with it neither are
/// <see cref="ClaimLedgerServer.AdminKey"/>, <c>KeyFor</c> nor <c>Channel</c>: this fixture reads the bootstrapped
/// admin key from the data directory and creates keys over its own loopback channel.
/// </remarks>
public sealed class CliServer : IDisposable
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string, Role), string> _keys = new();
    private readonly GrpcChannel _channel;

    public CliServer()
    {
        Inner = new ClaimLedgerServer();
        // appsettings.json binds 127.0.0.1:5180; port 0 lets the OS pick a free one, so servers never clash.
        Inner.Settings["Kestrel:Endpoints:Grpc:Url"] = "http://127.0.0.1:0";
        Inner.UseKestrel();
        Inner.StartServer();

        var addresses = Inner.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses
            ?? throw new InvalidOperationException("Kestrel reports no addresses.");
        Url = addresses.Single().TrimEnd('/');
        var uri = new Uri(Url);
        if (uri.Host != "127.0.0.1" || uri.Port is 0 or 5180)
        {
            throw new InvalidOperationException($"Expected a random loopback port, got {Url}.");
        }

        AdminKey = File.ReadAllText(Path.Combine(Inner.DataDirectory, "admin-api-key")).Trim();
        _channel = GrpcChannel.ForAddress(Url);
    }

    public ClaimLedgerServer Inner { get; }

    /// <summary>http://127.0.0.1:{port}, what the CLI gets as --url.</summary>
    public string Url { get; }

    public int Port => new Uri(Url).Port;

    public string AdminKey { get; }

    public FakeTimeProvider Clock => Inner.Clock;

    /// <summary>The inner server's <see cref="ClaimLedgerServer.DatabasePath"/>, which names its database for <see cref="Db"/> on either engine.</summary>
    public string DatabasePath => Inner.DatabasePath;

    /// <summary>A call invoker over real loopback TCP that sends <paramref name="key"/> as "authorization: Bearer".</summary>
    public CallInvoker Authorized(string key) => _channel.Intercept(m =>
    {
        m.Add("authorization", $"Bearer {key}");
        return m;
    });

    /// <summary>A key whose display name (the recorded actor) is <paramref name="actor"/>, created once per actor and role.</summary>
    public async Task<string> KeyForAsync(string actor, Role role)
    {
        if (_keys.TryGetValue((actor, role), out var key))
        {
            return key;
        }

        var created = await new AccessService.AccessServiceClient(Authorized(AdminKey))
            .CreateApiKeyAsync(new CreateApiKeyRequest { ApiKey = new ApiKey { DisplayName = actor, Role = role } });
        return _keys.GetOrAdd((actor, role), created.Key);
    }

    public ClaimService.ClaimServiceClient Claims() => new(Authorized(AdminKey));

    public SourceService.SourceServiceClient Sources() => new(Authorized(AdminKey));

    public EvidenceService.EvidenceServiceClient Evidence() => new(Authorized(AdminKey));

    public LedgerService.LedgerServiceClient Ledger() => new(Authorized(AdminKey));

    public void Dispose()
    {
        _channel.Dispose();
        Inner.Dispose();
    }
}
