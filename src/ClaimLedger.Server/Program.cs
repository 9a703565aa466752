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
using ClaimLedger.Server.Infrastructure.Scheduling;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddGrpc(o =>
{
    o.Interceptors.Add<ErrorMappingInterceptor>();
    o.MaxReceiveMessageSize = 4 * 1024 * 1024;
});
builder.Services.AddGrpcReflection();
builder.Services.AddGrpcHealthChecks().AddCheck<DatabaseHealthCheck>("database");
builder.Services.AddClaimLedger(builder.Configuration);
builder.Services.AddStalenessChecks(builder.Configuration);

var app = builder.Build();

app.Services.GetRequiredService<DatabaseMigrator>().Migrate();
await app.Services.GetRequiredService<AdminKeyBootstrap>().RunAsync(CancellationToken.None);

app.MapGrpcService<ClaimsGrpcService>();
app.MapGrpcService<SourcesGrpcService>();
app.MapGrpcService<EvidenceGrpcService>();
app.MapGrpcService<LedgerGrpcService>();
app.MapGrpcService<AccessGrpcService>();
app.MapGrpcService<ReportsGrpcService>();
app.MapGrpcService<StalenessGrpcService>();
app.MapGrpcService<TransferGrpcService>();
app.MapGrpcService<DiagnosticsGrpcService>();
app.MapGrpcHealthChecksService();
app.MapGrpcReflectionService();
app.MapGet("/", () => "ClaimLedger speaks gRPC (HTTP/2). See the README for clients and the .proto files.");

app.Logger.LogInformation("ClaimLedger database at {DatabasePath}", app.Services.GetRequiredService<SqliteDatabase>().DatabasePath);
await app.RunAsync();

/// <summary>Entry point, visible to the integration tests' WebApplicationFactory.</summary>
public partial class Program;
