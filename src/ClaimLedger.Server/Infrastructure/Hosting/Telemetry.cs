using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace ClaimLedger.Server.Infrastructure.Hosting;

/// <summary>
/// OpenTelemetry traces and metrics — ASP.NET Core (every gRPC call), HttpClient (the source fetcher), Kestrel, the
/// .NET runtime and our own meters (ClaimLedger.*: group commit) — exported with OTLP, only when an endpoint is
/// configured: the standard OTEL_EXPORTER_OTLP_ENDPOINT (with OTEL_EXPORTER_OTLP_PROTOCOL, OTEL_SERVICE_NAME, … as the
/// OpenTelemetry specification defines them). Off otherwise: no listener, no cost.
/// </summary>
public static class Telemetry
{
    public const string ServiceName = "claimledger";

    public static void AddTelemetry(this WebApplicationBuilder builder)
    {
        if (string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            return;
        }

        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(builder.Configuration["OTEL_SERVICE_NAME"] ?? ServiceName,
                serviceVersion: typeof(Telemetry).Assembly.GetName().Version?.ToString()))
            .WithTracing(t => t
                .AddAspNetCoreInstrumentation(o => o.RecordException = true)
                .AddHttpClientInstrumentation()
                .AddSource("Quartz"))
            .WithMetrics(m => m
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter("Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Hosting", "ClaimLedger.*"))
            .UseOtlpExporter();
    }
}
