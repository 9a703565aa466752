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
/// The real service (Program) on a real SQLite file in a fresh temporary data directory, reached through a real gRPC
/// channel. The clock is a FakeTimeProvider the tests advance, so ordering by time is deterministic.
/// </summary>
public sealed class ClaimLedgerServer : WebApplicationFactory<Program>
{
    public ClaimLedgerServer()
    {
        DataDirectory = Path.Combine(Path.GetTempPath(), "claimledger-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(DataDirectory);
    }

    public string DataDirectory { get; }

    public string DatabasePath => Path.Combine(DataDirectory, "claimledger.db");

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero)) { AutoAdvanceAmount = TimeSpan.FromMilliseconds(1) };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Database:DataDirectory", DataDirectory);
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

    public ClaimService.ClaimServiceClient Claims(string actor = "tester") => new(Channel().Intercept(m => AddActor(m, actor)));

    public SourceService.SourceServiceClient Sources(string actor = "tester") => new(Channel().Intercept(m => AddActor(m, actor)));

    public EvidenceService.EvidenceServiceClient Evidence(string actor = "tester") => new(Channel().Intercept(m => AddActor(m, actor)));

    private static Metadata AddActor(Metadata metadata, string actor)
    {
        metadata.Add("x-claimledger-actor", actor);
        return metadata;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _channel?.Dispose();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
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
