namespace ClaimLedger.Server.Features.Staleness.Fetching;

/// <summary>Configuration section "Staleness:Fetch": how the source health check fetches source URLs.</summary>
public sealed class SourceFetchOptions
{
    public const string Section = "Staleness:Fetch";

    /// <summary>Sent as the User-Agent header of every request.</summary>
    public string UserAgent { get; set; } = "ClaimLedger/1.0 (+source health check)";

    /// <summary>
    /// Per request: bounds each attempt until the response headers arrive, and separately the reading of the
    /// final body. A redirect hop is a new request with its own budget.
    /// </summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Fetches in flight at once, over all hosts.</summary>
    public int MaxConcurrency { get; set; } = 8;

    /// <summary>Fetches in flight at once per host (the host of the URL asked for, not of redirect targets).</summary>
    public int MaxPerHost { get; set; } = 2;

    /// <summary>Redirects followed per fetch; one more is the failure "too many redirects".</summary>
    public int MaxRedirects { get; set; } = 5;

    /// <summary>Largest final body hashed; a larger one is the failure "body too large" (no hash).</summary>
    public long MaxBodyBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>
    /// Allows loopback, private (RFC 1918, fc00::/7) and shared (100.64/10) addresses. For tests and closed
    /// networks only. Link-local (including the 169.254.169.254 and fd00:ec2::254 metadata endpoints), unspecified,
    /// broadcast and multicast addresses stay refused even then (<see cref="SsrfGuard.IsForbidden(System.Net.IPAddress, bool)"/>).
    /// </summary>
    public bool AllowPrivateAddresses { get; set; }
}
