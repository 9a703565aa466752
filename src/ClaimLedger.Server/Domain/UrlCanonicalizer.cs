namespace ClaimLedger.Server.Domain;

/// <summary>
/// Canonical form of a source URL, so one page is one source: http/https only, no credentials; scheme and host
/// lower-cased (IDN hosts in punycode); default port, fragment and tracking parameters dropped; an empty path becomes
/// "/". The order of the remaining query parameters is kept: it can be meaningful to the server.
/// </summary>
public static class UrlCanonicalizer
{
    public const int MaxLength = 2048;

    private static readonly HashSet<string> TrackingParameters = new(StringComparer.OrdinalIgnoreCase)
    {
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "igshid", "mc_cid", "mc_eid",
        "_hsenc", "_hsmi", "mkt_tok", "oly_anon_id", "oly_enc_id", "vero_id", "ref_src", "ref_url", "s_cid",
    };

    /// <summary>True when <paramref name="url"/> is an absolute http(s) URL with a host and no credentials.</summary>
    public static bool TryCanonicalize(string? url, out string canonical, out string error)
    {
        canonical = string.Empty;
        if (string.IsNullOrWhiteSpace(url))
        {
            error = "must not be empty";
            return false;
        }

        if (url.Length > MaxLength)
        {
            error = $"must be at most {MaxLength} characters";
            return false;
        }

        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri))
        {
            error = "must be an absolute URL";
            return false;
        }

        if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
        {
            error = "must use http or https";
            return false;
        }

        if (string.IsNullOrEmpty(uri.Host))
        {
            error = "must have a host";
            return false;
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            error = "must not contain credentials";
            return false;
        }

        var builder = new System.Text.StringBuilder(url.Length);
        var host = uri.IdnHost.ToLowerInvariant();
        if (uri.HostNameType == UriHostNameType.IPv6 && !host.StartsWith('['))
        {
            host = "[" + host + "]";
        }

        builder.Append(uri.Scheme).Append("://").Append(host);
        if (!uri.IsDefaultPort)
        {
            builder.Append(':').Append(uri.Port);
        }

        var path = uri.AbsolutePath;
        builder.Append(string.IsNullOrEmpty(path) ? "/" : path);

        var query = uri.Query.TrimStart('?');
        if (query.Length > 0)
        {
            var kept = query.Split('&', StringSplitOptions.RemoveEmptyEntries).Where(p => !IsTracking(p)).ToList();
            if (kept.Count > 0)
            {
                builder.Append('?').Append(string.Join('&', kept));
            }
        }

        canonical = builder.ToString();
        error = string.Empty;
        return true;
    }

    public static bool IsHttpUrl(string? url) => TryCanonicalize(url, out _, out _);

    private static bool IsTracking(string parameter)
    {
        var eq = parameter.IndexOf('=', StringComparison.Ordinal);
        var key = Uri.UnescapeDataString(eq < 0 ? parameter : parameter[..eq]);
        return key.StartsWith("utm_", StringComparison.OrdinalIgnoreCase) || TrackingParameters.Contains(key);
    }
}
