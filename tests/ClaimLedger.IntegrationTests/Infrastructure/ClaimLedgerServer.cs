using ClaimLedger.Contracts.V1;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace ClaimLedger.IntegrationTests.Infrastructure;

/// <summary>
/// The real service (Program) on a fresh temporary data directory, reached through a real gRPC channel: its database
/// is a real SQLite file in that directory, or in the PostgreSQL build a real PostgreSQL database of its own
/// (<see cref="TestEngine"/>). The clock is a FakeTimeProvider the tests advance, so ordering by time is deterministic.
/// </summary>
public sealed class ClaimLedgerServer : WebApplicationFactory<Program>
{
    public ClaimLedgerServer()
    {
        DataDirectory = Path.Combine(Path.GetTempPath(), "claimledger-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(DataDirectory);
    }

    public string DataDirectory { get; }

    /// <summary>Extra configuration for this server, applied at start (e.g. a staleness schedule).</summary>
    public Dictionary<string, string> Settings { get; } = new();

    /// <summary>
    /// The SQLite file of this server; also how <see cref="Db"/> names its database in the PostgreSQL build (that of
    /// the data directory).
    /// </summary>
    public string DatabasePath => Path.Combine(DataDirectory, "claimledger.db");

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero)) { AutoAdvanceAmount = TimeSpan.FromMilliseconds(1) };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Database:DataDirectory", DataDirectory);
        // Quartz scheduler names are process-wide; one per data directory keeps restarts of the same "server" on its schedules.
        builder.UseSetting("Staleness:SchedulerName", "test-" + Path.GetFileName(DataDirectory));
        builder.UseSetting("Staleness:Enabled", "false");
        builder.UseSetting("Staleness:Fetch:AllowPrivateAddresses", "true");
        // Entries in the Merkle tree and a checkpoint of them within a few milliseconds, not a second.
        builder.UseSetting("Ledger:Integration:Delay", "00:00:00.005");
        builder.UseSetting("Ledger:Checkpoints:Interval", "00:00:00");
        // The engine follows the data directory the server really uses: a test may point it at a directory of its own.
        foreach (var (key, value) in TestEngine.ServerSettings(Settings.GetValueOrDefault("Database:DataDirectory") ?? DataDirectory))
        {
            builder.UseSetting(key, value);
        }

        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Clock);
        });
    }

    private GrpcChannel? _channel;

    /// <summary>One channel per server, as a real client would hold.</summary>
    public GrpcChannel Channel() =>
        _channel ??= GrpcChannel.ForAddress(Server.BaseAddress, new GrpcChannelOptions { HttpHandler = Server.CreateHandler() });

    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string, Role), string> _keys = new();
    private string? _adminKey;

    /// <summary>The ADMIN key the server created on its first start and wrote to the data directory.</summary>
    public string AdminKey
    {
        get
        {
            _ = Server; // starts the host, which migrates and bootstraps the key
            return _adminKey ??= File.ReadAllText(Path.Combine(DataDirectory, "admin-api-key")).Trim();
        }
    }

    /// <summary>A key whose display name (the recorded actor) is <paramref name="actor"/>, created once per actor and role.</summary>
    public string KeyFor(string actor, Role role = Role.Admin) =>
        _keys.GetOrAdd((actor, role), k => new AccessService.AccessServiceClient(Authorized(AdminKey))
            .CreateApiKey(new CreateApiKeyRequest { ApiKey = new ApiKey { DisplayName = k.Item1, Role = k.Item2 } }).Key);

    /// <summary>A call invoker that sends <paramref name="key"/> (none when null) as "authorization: Bearer".</summary>
    public CallInvoker Authorized(string? key) =>
        key is null ? Channel().CreateCallInvoker() : Channel().Intercept(m =>
        {
            m.Add("authorization", $"Bearer {key}");
            return m;
        });

    public CallInvoker As(string actor, Role role = Role.Admin) => Authorized(KeyFor(actor, role));

    public ClaimService.ClaimServiceClient Claims(string actor = "tester", Role role = Role.Admin) => new(As(actor, role));

    public SourceService.SourceServiceClient Sources(string actor = "tester", Role role = Role.Admin) => new(As(actor, role));

    public EvidenceService.EvidenceServiceClient Evidence(string actor = "tester", Role role = Role.Admin) => new(As(actor, role));

    public LedgerService.LedgerServiceClient Ledger(string actor = "auditor", Role role = Role.Admin) => new(As(actor, role));

    public AccessService.AccessServiceClient Access(string actor = "admin-tester", Role role = Role.Admin) => new(As(actor, role));

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _channel?.Dispose();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            TestEngine.Forget(DataDirectory);
            try
            {
                Directory.Delete(DataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: the OS temp cleaner gets what is left.
            }
        }
    }
}
