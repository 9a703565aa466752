using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace ClaimLedger.Server.Features.Staleness.Fetching;

public static class SourceFetcherRegistration
{
    /// <summary>Retries after the first attempt, for transient failures only (<see cref="IsTransient"/>).</summary>
    public const int RetryCount = 2;

    /// <summary>First retry delay; exponential with jitter after that, each at most <see cref="MaxRetryDelay"/>.</summary>
    public static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(200);

    /// <summary>Cap on one retry delay.</summary>
    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Registers <see cref="SourceFetcher"/> (singleton), <see cref="SourceConnector"/>, the options of section
    /// "Staleness:Fetch" and the named client "source-fetch":
    /// <list type="bullet">
    /// <item>Primary handler: a <see cref="SocketsHttpHandler"/> that does not follow redirects (the fetcher records
    /// and checks each hop), uses no proxy (a proxy would resolve the target host itself, out of the guard's sight),
    /// keeps no cookies, decompresses (the hash is of the content; <see cref="SourceFetchOptions.MaxBodyBytes"/>
    /// counts decoded bytes, which also bounds compression bombs) and connects through
    /// <see cref="SourceConnector.ConnectAsync"/> (the SSRF guard after DNS resolution).</item>
    /// <item>Resilience pipeline, outermost first: a total timeout of
    /// Timeout × (RetryCount + 1) + MaxRetryDelay × RetryCount; a retry of 5xx, 408, 429 and connection errors
    /// (<see cref="RetryCount"/> retries, exponential backoff with jitter from <see cref="RetryDelay"/>; Retry-After is
    /// not followed, so a rate-limited source costs at most these short delays and a lasting 429 is reported as status
    /// 429) — not of timeouts (a source that did not answer within Timeout is reported as such instead of holding a
    /// slot three times as long), nor of guard refusals and DNS failures; and a per-attempt timeout of
    /// <see cref="SourceFetchOptions.Timeout"/>. <see cref="HttpClient.Timeout"/> is
    /// infinite: the pipeline owns the timeouts. The pipeline covers a request until its response headers; reading
    /// the body has its own Timeout in <see cref="SourceFetcher"/>.</item>
    /// </list>
    /// No circuit breaker: one client serves every host, and one broken site must not stop the checks of the others.
    /// </summary>
    public static IServiceCollection AddSourceFetcher(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SourceFetchOptions>()
            .Bind(configuration.GetSection(SourceFetchOptions.Section))
            .Validate(o => o.Timeout > TimeSpan.Zero, "Staleness:Fetch:Timeout must be positive.")
            .Validate(o => o.MaxConcurrency >= 1 && o.MaxPerHost >= 1, "Staleness:Fetch:MaxConcurrency and MaxPerHost must be at least 1.")
            .Validate(o => o.MaxRedirects >= 0, "Staleness:Fetch:MaxRedirects must not be negative.")
            .Validate(o => o.MaxBodyBytes >= 1, "Staleness:Fetch:MaxBodyBytes must be positive.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.UserAgent), "Staleness:Fetch:UserAgent must not be empty.")
            .ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<SourceConnector>();
        services.TryAddSingleton<SourceFetcher>();

        services.AddHttpClient(SourceFetcher.HttpClientName, (sp, client) =>
            {
                var options = sp.GetRequiredService<IOptions<SourceFetchOptions>>().Value;
                client.DefaultRequestHeaders.TryAddWithoutValidation("User-Agent", options.UserAgent);
                client.Timeout = Timeout.InfiniteTimeSpan;
            })
            .ConfigurePrimaryHttpMessageHandler(sp => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                UseProxy = false,
                UseCookies = false,
                AutomaticDecompression = DecompressionMethods.All,
                ConnectCallback = sp.GetRequiredService<SourceConnector>().ConnectAsync,
            })
            .AddResilienceHandler(SourceFetcher.HttpClientName, static (pipeline, context) =>
            {
                var options = context.ServiceProvider.GetRequiredService<IOptions<SourceFetchOptions>>().Value;
                pipeline
                    .AddTimeout(options.Timeout * (RetryCount + 1) + MaxRetryDelay * RetryCount)
                    .AddRetry(new HttpRetryStrategyOptions
                    {
                        MaxRetryAttempts = RetryCount,
                        Delay = RetryDelay,
                        MaxDelay = MaxRetryDelay,
                        BackoffType = DelayBackoffType.Exponential,
                        UseJitter = true,
                        ShouldRetryAfterHeader = false,
                        ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome)),
                    })
                    .AddTimeout(options.Timeout);
            });

        return services;
    }

    /// <summary>What the retry retries: 5xx, 408, 429, and connection errors other than guard refusals and DNS failures.</summary>
    public static bool IsTransient(Outcome<HttpResponseMessage> outcome)
    {
        if (outcome.Exception is { } exception)
        {
            for (var e = exception; e is not null; e = e.InnerException)
            {
                if (e is SourceConnectException connect)
                {
                    return connect.Retryable;
                }
            }

            return exception is HttpRequestException
            {
                HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.ResponseEnded,
            } or HttpRequestException { InnerException: IOException or SocketException };
        }

        var status = (int)outcome.Result!.StatusCode;
        return status >= 500 || status is 408 or 429;
    }
}
