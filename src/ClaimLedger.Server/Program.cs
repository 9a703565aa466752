using ClaimLedger.Server.Features.Access;
using ClaimLedger.Server.Features.Claims;
using ClaimLedger.Server.Features.Diagnostics;
using ClaimLedger.Server.Features.Evidence;
using ClaimLedger.Server.Features.Ledger;
using ClaimLedger.Server.Features.Reports;
using ClaimLedger.Server.Features.Staleness;
using ClaimLedger.Server.Features.Transfer;
using ClaimLedger.Server.Features.Sources;
using ClaimLedger.Server.Infrastructure;
using ClaimLedger.Server.Infrastructure.Data;
using ClaimLedger.Server.Infrastructure.Grpc;
using ClaimLedger.Server.Infrastructure.Hosting;
using ClaimLedger.Server.Infrastructure.Scheduling;

if (args is [SqliteToPostgres.Verb, .. var verbArgs])
{
    // One-off move of an embedded SQLite database to PostgreSQL (README, "Moving to PostgreSQL"); then exit.
    var configuration = WebApplication.CreateBuilder(verbArgs).Configuration;
    return await SqliteToPostgres.RunAsync(
        configuration["from"] ?? string.Empty, configuration.GetConnectionString(DatabaseOptions.ConnectionStringName), Console.Out, CancellationToken.None);
}

var builder = WebApplication.CreateBuilder(args);
// Before the calls' threads start: glibc fixes its arena limit the first time it needs one (ADR 27).
var nativeHeapArenas = builder.Configuration.GetValue(NativeHeap.Setting, NativeHeap.DefaultArenas);
var arenasLimited = NativeHeap.TryLimitArenas(nativeHeapArenas);
ServerAddresses.ApplyDefault(builder);

builder.Services.AddGrpc(o =>
{
    o.Interceptors.Add<ErrorMappingInterceptor>();
    o.MaxReceiveMessageSize = 4 * 1024 * 1024;
});
builder.Services.AddRequestParsing(); // a request that does not parse is INVALID_ARGUMENT, not UNKNOWN
builder.Services.AddGrpcReflection();
builder.AddTelemetry();
builder.Services.AddGrpcHealthChecks().AddCheck<DatabaseHealthCheck>("database");
builder.Services.AddClaimLedger(builder.Configuration);
// SIGTERM / Ctrl-C: stop taking calls, let commands in flight finish, end long reads with SERVER_STOPPING, stop the
// scheduler (a run in progress is recorded INTERRUPTED and runs again after the next start), exit within this time.
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = builder.Configuration.GetValue("Server:ShutdownTimeout", TimeSpan.FromSeconds(30)));
builder.Services.AddStalenessChecks(builder.Configuration);

var app = builder.Build();

// A taken port is one clear line, before a database is created or a key printed.
if (app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().GetType().Namespace?.StartsWith("Microsoft.AspNetCore.Server.Kestrel", StringComparison.Ordinal) == true
    && ServerAddresses.FirstInUse(ServerAddresses.Configured(app.Configuration)) is { } taken)
{
    await Console.Error.WriteLineAsync(ServerAddresses.InUseMessage(taken));
    return 1;
}

app.Services.GetRequiredService<IDatabaseMigrator>().Migrate();
await app.Services.GetRequiredService<AdminKeyBootstrap>().RunAsync(CancellationToken.None);
try
{
    await app.Services.GetRequiredService<ClaimLedger.Server.Features.Transparency.CheckpointKey>().RunAsync(CancellationToken.None);
}
catch (InvalidOperationException e)
{
    // A second key for one log, or an unreadable key: one clear line, no stack trace.
    await Console.Error.WriteLineAsync(e.Message);
    return 1;
}

app.MapGrpcService<ClaimsGrpcService>();
app.MapGrpcService<SourcesGrpcService>();
app.MapGrpcService<EvidenceGrpcService>();
app.MapGrpcService<LedgerGrpcService>();
app.MapGrpcService<AccessGrpcService>();
app.MapGrpcService<ReportsGrpcService>();
app.MapGrpcService<StalenessGrpcService>();
app.MapGrpcService<TransferGrpcService>();
app.MapGrpcService<DiagnosticsGrpcService>();
app.MapGrpcService<ClaimLedger.Server.Features.Admin.AdminGrpcService>();
app.MapGrpcHealthChecksService();
app.MapGrpcReflectionService();
app.MapGet("/", () => "ClaimLedger speaks gRPC (HTTP/2). See the README for clients and the .proto files.");

var dialect = app.Services.GetRequiredService<ISqlDialect>();
app.Logger.LogInformation("ClaimLedger database: {Engine} at {Location}", dialect.Engine, dialect.Location);
app.Logger.LogInformation("Memory: {Gc} garbage collector; native heap arenas {Arenas}; first-generation budget {Gen0}",
    System.Runtime.GCSettings.IsServerGC ? "server" : "workstation", arenasLimited ? $"at most {nativeHeapArenas}" : "the C library's default",
    GarbageCollection.DescribeGen0Budget(Environment.GetEnvironmentVariable));
try
{
    await app.RunAsync();
}
catch (IOException e) when (e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
{
    // Taken between the check above and the bind.
    await Console.Error.WriteLineAsync(ServerAddresses.InUseMessage(string.Join(", ", ServerAddresses.Configured(app.Configuration))));
    return 1;
}

return 0;

/// <summary>Entry point, visible to the integration tests' WebApplicationFactory.</summary>
public partial class Program;
