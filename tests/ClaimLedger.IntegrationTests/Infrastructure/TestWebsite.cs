using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ClaimLedger.IntegrationTests.Infrastructure;

/// <summary>
/// A real Kestrel web site on http://127.0.0.1:{random port}, inside the test process, for the source health checks.
/// Every page takes a key (<c>/stable/{key}</c>) so each source has its own URL (the service folds sources with the same
/// canonical URL into one) and its own state. It never contacts anything: /to-metadata only answers with a redirect.
/// </summary>
/// <remarks>
/// Pages: /stable/{key} (the same bytes always), /changing/{key} (bytes switched by <see cref="SetChanging"/>),
/// /redirect/{key} (301 to /stable/{key}-moved), /fail-once/{key} (500 the first time, then 200), /vanish/{key} (200
/// until <see cref="Vanish"/> makes it 404 or a connection reset), /slow/{key} (holds the request
/// <see cref="SlowDelay"/>, counting requests in flight), /to-metadata/{key} (301 to the cloud metadata address).
/// </remarks>
public sealed class TestWebsite : IAsyncDisposable
{
    public enum VanishMode
    {
        Present,
        NotFound,
        ConnectionReset,
    }

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, int> _hits = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte[]> _changing = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, VanishMode> _vanish = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _failOnce = new(StringComparer.Ordinal);
    private int _totalHits;
    private int _slowInFlight;
    private int _slowMaxInFlight;
    private int _slowCompleted;

    public const string MetadataUrl = "http://169.254.169.254/latest/meta-data";

    private TestWebsite(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";

    /// <summary>How long /slow holds each request.</summary>
    public TimeSpan SlowDelay { get; set; } = TimeSpan.FromMilliseconds(300);

    public static byte[] StableBody(string key) => Encoding.UTF8.GetBytes($"<html><body><p>Stable page {key}: the harbour tariffs doubled.</p></body></html>");

    public static byte[] OriginalChangingBody(string key) => Encoding.UTF8.GetBytes($"<html><body><p>Original text of {key}.</p></body></html>");

    public static string Sha256Hex(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    public static async Task<TestWebsite> StartAsync()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = "Testing",
            ContentRootPath = AppContext.BaseDirectory,
            ApplicationName = typeof(TestWebsite).Assembly.GetName().Name,
        });
        // The test output folder holds the service's appsettings.json (a fixed HTTP/2-only Kestrel endpoint): this
        // site reads no configuration at all, only the address below.
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var site = new TestWebsite(app);
        site.Map(app);
        await app.StartAsync();
        site.BaseUrl = app.Urls.Single().TrimEnd('/');
        new Uri(site.BaseUrl).Host.ShouldBe("127.0.0.1");
        return site;
    }

    public string Url(string path) => BaseUrl + path;

    /// <summary>Requests received for <paramref name="path"/> (e.g. "/stable/a").</summary>
    public int Hits(string path) => _hits.TryGetValue(path, out var n) ? n : 0;

    public int TotalHits => Volatile.Read(ref _totalHits);

    /// <summary>The User-Agent of every request so far, in arrival order (which fetcher, when several servers fetch).</summary>
    public IReadOnlyList<string> UserAgents => [.. _userAgents];

    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _userAgents = new();

    public int SlowMaxInFlight => Volatile.Read(ref _slowMaxInFlight);

    public int SlowCompleted => Volatile.Read(ref _slowCompleted);

    public void SetChanging(string key, byte[] body) => _changing[key] = body;

    public void Vanish(string key, VanishMode mode) => _vanish[key] = mode;

    private void Map(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            Interlocked.Increment(ref _totalHits);
            _userAgents.Enqueue(context.Request.Headers.UserAgent.ToString());
            _hits.AddOrUpdate(context.Request.Path.Value ?? "", 1, (_, n) => n + 1);
            // No keep-alive: every fetch opens its own connection, so the client never transparently retries a request
            // that failed on a reused connection, and the hit counts are exactly the fetcher's attempts.
            context.Response.Headers.Connection = "close";
            await next(context);
        });

        app.MapGet("/stable/{key}", (string key) => Results.Bytes(StableBody(key), "text/html"));
        app.MapGet("/changing/{key}", (string key) => Results.Bytes(_changing.GetOrAdd(key, OriginalChangingBody), "text/html"));
        app.MapGet("/redirect/{key}", (string key) => Results.Redirect($"/stable/{key}-moved", permanent: true));
        app.MapGet("/to-metadata/{key}", () => Results.Redirect(MetadataUrl, permanent: true));
        app.MapGet("/fail-once/{key}", (string key) =>
            _failOnce.AddOrUpdate(key, 1, (_, n) => n + 1) == 1
                ? Results.Text("temporarily unavailable", statusCode: 500)
                : Results.Bytes(Encoding.UTF8.GetBytes($"recovered {key}"), "text/plain"));
        app.MapGet("/vanish/{key}", (string key, HttpContext context) =>
        {
            switch (_vanish.GetValueOrDefault(key))
            {
                case VanishMode.NotFound:
                    return Results.NotFound();
                case VanishMode.ConnectionReset:
                    context.Abort();
                    return Results.Empty;
                default:
                    return Results.Bytes(Encoding.UTF8.GetBytes($"still here {key}"), "text/plain");
            }
        });
        app.MapGet("/slow/{key}", async (string key, CancellationToken ct) =>
        {
            var now = Interlocked.Increment(ref _slowInFlight);
            int seen;
            while (now > (seen = Volatile.Read(ref _slowMaxInFlight)) && Interlocked.CompareExchange(ref _slowMaxInFlight, now, seen) != seen)
            {
            }

            try
            {
                await Task.Delay(SlowDelay, ct);
            }
            finally
            {
                Interlocked.Decrement(ref _slowInFlight);
                Interlocked.Increment(ref _slowCompleted);
            }

            return Results.Bytes(Encoding.UTF8.GetBytes($"slow page {key}"), "text/plain");
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
