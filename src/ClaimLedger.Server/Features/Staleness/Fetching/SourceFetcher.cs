using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Polly.Timeout;

namespace ClaimLedger.Server.Features.Staleness.Fetching;

/// <summary>
/// The outcome of one fetch. A response, whatever its status, is reported through <see cref="HttpStatus"/> with
/// <see cref="Error"/> null (a 404 is an answer, not a failure); <see cref="Error"/> is set when the fetch could not
/// complete: "timeout", "dns", "refused: …" (SSRF guard or scheme), "too many redirects", "body too large",
/// "connection refused", … A failure before any response of the URL in <see cref="FinalUrl"/> leaves
/// <see cref="HttpStatus"/> null.
/// </summary>
/// <param name="HttpStatus">Status of the last response received; null when the last request got no response.</param>
/// <param name="FinalUrl">The URL requested last (the input URL when there were no redirects).</param>
/// <param name="Redirects">Every Location followed, resolved to an absolute URL, in order.</param>
/// <param name="ContentSha256">Lower-case hex SHA-256 of the final body; only for a 2xx read completely.</param>
/// <param name="Error">Why the fetch failed; null when a response was received (any status).</param>
/// <param name="Elapsed">Time from the call to the result, including the wait for a concurrency slot.</param>
public sealed record FetchResult(
    int? HttpStatus,
    string FinalUrl,
    IReadOnlyList<string> Redirects,
    string? ContentSha256,
    string? Error,
    TimeSpan Elapsed);

/// <summary>
/// Fetches source URLs for the source health check: GET with the configured User-Agent, redirects followed by hand
/// (each hop recorded and checked), the final 2xx body streamed into a SHA-256, every connection checked by
/// <see cref="SsrfGuard"/> after DNS resolution (<see cref="SourceConnector"/>), transient failures retried by the
/// "source-fetch" client's resilience pipeline (<see cref="SourceFetcherRegistration"/>).
/// </summary>
/// <remarks>
/// Concurrency: a fetch first takes a slot of its host (at most <see cref="SourceFetchOptions.MaxPerHost"/>), then a
/// global slot (at most <see cref="SourceFetchOptions.MaxConcurrency"/>), and holds both until it returns, redirects
/// included. Waiting for the host first means a queue of fetches for one busy host never sits on global slots that
/// other hosts could use. The host is the one of the URL asked for, not of redirect targets, so a fetch redirected to
/// another host still counts against the first (simple, and the sources of one site usually stay on it). Host slots
/// are kept for the life of the fetcher, one small entry per distinct host.
/// <para>
/// Never throws for network problems (see <see cref="FetchResult.Error"/>); throws
/// <see cref="OperationCanceledException"/> when the caller's token is cancelled.
/// </para>
/// </remarks>
public sealed class SourceFetcher
{
    /// <summary>Name of the <see cref="IHttpClientFactory"/> client registered by <see cref="SourceFetcherRegistration.AddSourceFetcher"/>.</summary>
    public const string HttpClientName = "source-fetch";

    private readonly IHttpClientFactory httpClientFactory;
    private readonly SourceFetchOptions options;
    private readonly TimeProvider timeProvider;
    private readonly ILogger<SourceFetcher> logger;
    private readonly SemaphoreSlim globalSlots;
    private readonly ConcurrentDictionary<string, HostSlots> hostSlots = new(StringComparer.OrdinalIgnoreCase);
    private int active;
    private int peak;

    public SourceFetcher(
        IHttpClientFactory httpClientFactory,
        IOptions<SourceFetchOptions> options,
        TimeProvider timeProvider,
        ILogger<SourceFetcher> logger)
    {
        this.httpClientFactory = httpClientFactory;
        this.options = options.Value;
        this.timeProvider = timeProvider;
        this.logger = logger;
        globalSlots = new SemaphoreSlim(this.options.MaxConcurrency, this.options.MaxConcurrency);
    }

    /// <summary>Most fetches observed in flight at once (holding a global slot) since this fetcher was created.</summary>
    public int PeakConcurrency => Volatile.Read(ref peak);

    /// <summary>Most fetches observed in flight at once for <paramref name="host"/> (as <see cref="Uri.IdnHost"/> gives it); 0 if never fetched.</summary>
    public int PeakPerHost(string host) => hostSlots.TryGetValue(host, out var slots) ? slots.Peak : 0;

    public async Task<FetchResult> FetchAsync(string url, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(url);
        var started = timeProvider.GetTimestamp();

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return Finish(url, new FetchResult(null, url, [], null, "invalid url", timeProvider.GetElapsedTime(started)));
        }

        if (!SsrfGuard.IsAllowedScheme(uri))
        {
            return Finish(url, new FetchResult(null, uri.AbsoluteUri, [], null, $"refused: scheme {uri.Scheme}", timeProvider.GetElapsedTime(started)));
        }

        var host = hostSlots.GetOrAdd(uri.IdnHost, _ => new HostSlots(options.MaxPerHost));
        await host.Semaphore.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await globalSlots.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                host.Enter();
                RaisePeak(ref peak, Interlocked.Increment(ref active));
                try
                {
                    var result = await FetchFollowingRedirectsAsync(uri, started, ct).ConfigureAwait(false);
                    return Finish(url, result);
                }
                finally
                {
                    Interlocked.Decrement(ref active);
                    host.Exit();
                }
            }
            finally
            {
                globalSlots.Release();
            }
        }
        finally
        {
            host.Semaphore.Release();
        }
    }

    private async Task<FetchResult> FetchFollowingRedirectsAsync(Uri uri, long started, CancellationToken ct)
    {
        var client = httpClientFactory.CreateClient(HttpClientName);
        var redirects = new List<string>();
        var current = uri;

        while (true)
        {
            HttpResponseMessage response;
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, current);
                response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (DescribeFailure(e) is not null)
            {
                ct.ThrowIfCancellationRequested();
                var error = DescribeFailure(e)!;
                logger.LogDebug(e, "Request for {Url} failed: {Error}", current, error);
                return Result(null, current, redirects, null, error, started);
            }

            using (response)
            {
                var status = (int)response.StatusCode;
                if (status is 301 or 302 or 303 or 307 or 308)
                {
                    if (response.Headers.Location is not { } location)
                    {
                        return Result(status, current, redirects, null, "redirect without location", started);
                    }

                    if (redirects.Count >= options.MaxRedirects)
                    {
                        return Result(status, current, redirects, null, "too many redirects", started);
                    }

                    if (!Uri.TryCreate(current, location, out var next))
                    {
                        return Result(status, current, redirects, null, "invalid redirect location", started);
                    }

                    redirects.Add(next.AbsoluteUri);
                    current = next;
                    if (!SsrfGuard.IsAllowedScheme(next))
                    {
                        return Result(null, current, redirects, null, $"refused: scheme {next.Scheme}", started);
                    }

                    continue;
                }

                if (status is < 200 or > 299)
                {
                    return Result(status, current, redirects, null, null, started);
                }

                var (sha256, bodyError) = await HashBodyAsync(response, current, ct).ConfigureAwait(false);
                return Result(status, current, redirects, sha256, bodyError, started);
            }
        }
    }

    /// <summary>Streams the body into SHA-256 within <see cref="SourceFetchOptions.Timeout"/>, refusing more than <see cref="SourceFetchOptions.MaxBodyBytes"/>.</summary>
    private async Task<(string? Sha256, string? Error)> HashBodyAsync(HttpResponseMessage response, Uri url, CancellationToken ct)
    {
        if (response.Content.Headers.ContentLength > options.MaxBodyBytes)
        {
            return (null, "body too large");
        }

        using var timeout = new CancellationTokenSource(options.Timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        var buffer = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var stream = await response.Content.ReadAsStreamAsync(linked.Token).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                long total = 0;
                int read;
                while ((read = await stream.ReadAsync(buffer, linked.Token).ConfigureAwait(false)) > 0)
                {
                    total += read;
                    if (total > options.MaxBodyBytes)
                    {
                        return (null, "body too large");
                    }

                    hash.AppendData(buffer, 0, read);
                }
            }

            return (Convert.ToHexStringLower(hash.GetHashAndReset()), null);
        }
        catch (Exception e) when (e is OperationCanceledException or HttpRequestException or IOException)
        {
            ct.ThrowIfCancellationRequested();
            var error = timeout.IsCancellationRequested ? "timeout" : "body read failed";
            logger.LogDebug(e, "Reading the body of {Url} failed: {Error}", url, error);
            return (null, error);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The short reason for a request that got no response, or null for exceptions that are bugs, not network problems.</summary>
    private static string? DescribeFailure(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is SourceConnectException connect)
            {
                return connect.Reason;
            }
        }

        return exception switch
        {
            TimeoutRejectedException => "timeout",
            OperationCanceledException => "timeout", // not the caller's token (checked by the caller): a timeout
            HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError } => "dns",
            HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError } => "tls",
            HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError } => "connection failed",
            HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded } => "connection closed",
            HttpRequestException => "http protocol error",
            IOException => "connection closed",
            _ => null,
        };
    }

    private FetchResult Result(int? status, Uri finalUrl, List<string> redirects, string? sha256, string? error, long started) =>
        new(status, finalUrl.AbsoluteUri, redirects.ToArray(), sha256, error, timeProvider.GetElapsedTime(started));

    private FetchResult Finish(string url, FetchResult result)
    {
        if (result.Error is null)
        {
            logger.LogDebug("Fetched {Url}: HTTP {HttpStatus} from {FinalUrl} after {RedirectCount} redirects in {ElapsedMs:0} ms",
                url, result.HttpStatus, result.FinalUrl, result.Redirects.Count, result.Elapsed.TotalMilliseconds);
        }
        else
        {
            logger.LogInformation("Fetch of {Url} failed at {FinalUrl}: {Error} (HTTP {HttpStatus}, {ElapsedMs:0} ms)",
                url, result.FinalUrl, result.Error, result.HttpStatus, result.Elapsed.TotalMilliseconds);
        }

        return result;
    }

    private static void RaisePeak(ref int peak, int value)
    {
        int seen;
        while (value > (seen = Volatile.Read(ref peak)) && Interlocked.CompareExchange(ref peak, value, seen) != seen)
        {
        }
    }

    private sealed class HostSlots(int maxPerHost)
    {
        private int active;
        private int peak;

        public SemaphoreSlim Semaphore { get; } = new(maxPerHost, maxPerHost);

        public int Peak => Volatile.Read(ref peak);

        public void Enter() => RaisePeak(ref peak, Interlocked.Increment(ref active));

        public void Exit() => Interlocked.Decrement(ref active);
    }
}

/// <summary>
/// The connect step of the "source-fetch" client (<see cref="SocketsHttpHandler.ConnectCallback"/>): resolves the
/// host, refuses the connection if ANY resolved address is forbidden by <see cref="SsrfGuard"/> (so a name that
/// resolves to both a public and an internal address is refused, and DNS rebinding gains nothing: every new connection
/// is checked against the addresses it actually uses), then connects to the resolved addresses in order. Literal IPs
/// take the same path. Counters are for tests and diagnostics.
/// </summary>
public sealed class SourceConnector(IOptions<SourceFetchOptions> options, ILogger<SourceConnector> logger)
{
    private readonly bool allowPrivateAddresses = options.Value.AllowPrivateAddresses;
    private readonly ConcurrentQueue<IPEndPoint> attempted = new();
    private int refusals;

    /// <summary>Connections refused by the guard.</summary>
    public int Refusals => Volatile.Read(ref refusals);

    /// <summary>Every endpoint a TCP connect was attempted to, in order.</summary>
    public IReadOnlyList<IPEndPoint> AttemptedEndPoints => attempted.ToArray();

    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var host = context.DnsEndPoint.Host;
        var port = context.DnsEndPoint.Port;
        var addresses = await ResolveAsync(host, ct).ConfigureAwait(false);

        foreach (var address in addresses)
        {
            if (SsrfGuard.IsForbidden(address, allowPrivateAddresses))
            {
                Interlocked.Increment(ref refusals);
                var kind = SsrfGuard.Describe(SsrfGuard.Classify(address));
                logger.LogWarning("Refused to connect to {Host}: it resolves to {Address}, a {AddressKind} address", host, address, kind);
                throw new SourceConnectException($"refused: {kind} address {address}", retryable: false);
            }
        }

        SocketException? last = null;
        foreach (var address in addresses)
        {
            Socket? socket = null;
            try
            {
                attempted.Enqueue(new IPEndPoint(address, port));
                socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(new IPEndPoint(address, port), ct).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket?.Dispose();
                last = e;
            }
            catch
            {
                socket?.Dispose();
                throw;
            }
        }

        var reason = last?.SocketErrorCode switch
        {
            SocketError.ConnectionRefused => "connection refused",
            SocketError.HostUnreachable => "host unreachable",
            SocketError.NetworkUnreachable => "network unreachable",
            SocketError.TimedOut => "connection timed out",
            _ => "connection failed",
        };
        throw new SourceConnectException(reason, retryable: true, last);
    }

    private static async Task<IPAddress[]> ResolveAsync(string host, CancellationToken ct)
    {
        if (IPAddress.TryParse(host.AsSpan().Trim("[]"), out var literal))
        {
            return [literal];
        }

        IPAddress[] addresses;
        try
        {
            addresses = await Dns.GetHostAddressesAsync(host, ct).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            throw new SourceConnectException("dns", retryable: false, e);
        }

        return addresses.Length > 0 ? addresses : throw new SourceConnectException("dns", retryable: false);
    }
}

/// <summary>A connect step failure with the short reason reported as <see cref="FetchResult.Error"/>.</summary>
public sealed class SourceConnectException(string reason, bool retryable, Exception? inner = null)
    : Exception(reason, inner)
{
    public string Reason { get; } = reason;

    /// <summary>False for guard refusals and DNS failures: trying again cannot help.</summary>
    public bool Retryable { get; } = retryable;
}
