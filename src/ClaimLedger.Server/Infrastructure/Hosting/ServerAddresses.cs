using System.Net;
using System.Net.Sockets;

namespace ClaimLedger.Server.Infrastructure.Hosting;

/// <summary>
/// Where the server listens. The standard ASP.NET Core ways win — `ASPNETCORE_URLS` / `--urls`, `ASPNETCORE_HTTP_PORTS`
/// / `ASPNETCORE_HTTPS_PORTS`, or a `Kestrel:Endpoints` section (for TLS certificates) — and `Server:DefaultUrls`
/// (http://127.0.0.1:5180) applies only when none of them is given. Before anything is created or printed, each address
/// is checked to be free, so a taken port is one clear line and a non-zero exit, not a stack trace after a new database
/// and a new admin key.
/// </summary>
public static class ServerAddresses
{
    public const string DefaultUrlsKey = "Server:DefaultUrls";

    /// <summary>Listens on <see cref="DefaultUrlsKey"/> when no standard setting names an address.</summary>
    public static void ApplyDefault(WebApplicationBuilder builder)
    {
        var c = builder.Configuration;
        if (string.IsNullOrWhiteSpace(c["urls"]) && string.IsNullOrWhiteSpace(c["http_ports"]) && string.IsNullOrWhiteSpace(c["https_ports"])
            && !c.GetSection("Kestrel:Endpoints").GetChildren().Any())
        {
            builder.WebHost.UseUrls(c[DefaultUrlsKey] ?? "http://127.0.0.1:5180");
        }
    }

    /// <summary>The addresses Kestrel will bind, as configured (endpoints first, then urls, then ports).</summary>
    public static IReadOnlyList<string> Configured(IConfiguration c)
    {
        var endpoints = c.GetSection("Kestrel:Endpoints").GetChildren().Select(e => e["Url"]).OfType<string>().ToList();
        if (endpoints.Count > 0)
        {
            return endpoints;
        }

        if (!string.IsNullOrWhiteSpace(c["urls"]))
        {
            return c["urls"]!.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }

        return Ports(c["http_ports"], "http").Concat(Ports(c["https_ports"], "https")).DefaultIfEmpty(c[DefaultUrlsKey] ?? "http://127.0.0.1:5180").ToList();
    }

    /// <summary>The first configured address that another process already listens on, or null when all are free.</summary>
    public static string? FirstInUse(IEnumerable<string> urls)
    {
        foreach (var url in urls)
        {
            if (!TryParse(url, out var addresses, out var port) || port == 0)
            {
                continue; // Kestrel reports a malformed address itself; port 0 is any free port.
            }

            foreach (var address in addresses)
            {
                try
                {
                    var listener = new TcpListener(address, port) { ExclusiveAddressUse = true };
                    listener.Start();
                    listener.Stop();
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
                {
                    return url;
                }
                catch (SocketException)
                {
                    // Not bindable for another reason (an address family the machine lacks): Kestrel decides.
                }
            }
        }

        return null;
    }

    public static string InUseMessage(string url) =>
        $"error: {url} is already in use by another process; choose another address with --urls, ASPNETCORE_URLS or ASPNETCORE_HTTP_PORTS " +
        "(e.g. --urls http://127.0.0.1:5181).";

    private static IEnumerable<string> Ports(string? ports, string scheme) =>
        (ports ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(p => $"{scheme}://*:{p}");

    private static bool TryParse(string url, out IReadOnlyList<IPAddress> addresses, out int port)
    {
        addresses = [];
        port = 0;
        // Kestrel's wildcards are not URI hosts: http://*:5180, http://+:5180.
        var normalized = url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal);
        if (!Uri.TryCreate(normalized, UriKind.Absolute, out var uri))
        {
            return false;
        }

        port = uri.Port;
        addresses = uri.Host switch
        {
            "localhost" => [IPAddress.Loopback],
            "0.0.0.0" => [IPAddress.Any],
            "[::]" => [IPAddress.IPv6Any],
            _ when IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) => [ip],
            _ => [IPAddress.Any], // Kestrel binds any other host name to every interface.
        };
        return true;
    }
}
