using System.Net;
using System.Net.Sockets;

namespace ClaimLedger.Server.Features.Staleness.Fetching;

/// <summary>What kind of address an IP is, as far as fetching user-supplied URLs is concerned.</summary>
public enum AddressKind
{
    /// <summary>Globally routable: may be fetched.</summary>
    Public,

    /// <summary>127.0.0.0/8, ::1.</summary>
    Loopback,

    /// <summary>10/8, 172.16/12, 192.168/16, fc00::/7 (unique local), fec0::/10 (deprecated site-local).</summary>
    Private,

    /// <summary>100.64.0.0/10, carrier-grade NAT shared space.</summary>
    Shared,

    /// <summary>169.254/16, fe80::/10.</summary>
    LinkLocal,

    /// <summary>Cloud instance metadata endpoints: 169.254.169.254, fd00:ec2::254.</summary>
    Metadata,

    /// <summary>0.0.0.0/8 ("this network"; 0.0.0.0 reaches the local host on Linux), ::.</summary>
    Unspecified,

    /// <summary>224.0.0.0/4, ff00::/8.</summary>
    Multicast,

    /// <summary>240.0.0.0/4, including the broadcast address 255.255.255.255.</summary>
    Reserved,
}

/// <summary>
/// Decides which addresses and schemes the source fetcher may use. It is applied to the addresses a host name
/// resolves to, at connect time (see <see cref="SourceConnector"/>), so a host name that resolves (or re-resolves) to
/// an internal address, a redirect to one, and a literal IP in the URL are all refused the same way.
/// </summary>
/// <remarks>
/// IPv6 addresses that embed an IPv4 address are judged by the embedded address: IPv4-mapped (::ffff:a.b.c.d),
/// IPv4-compatible (::a.b.c.d), NAT64 (64:ff9b::/96) and 6to4 (2002::/16). Teredo is not unwrapped.
/// </remarks>
public static class SsrfGuard
{
    private static readonly byte[] Ipv6Metadata = IPAddress.Parse("fd00:ec2::254").GetAddressBytes();

    /// <summary>True for every address that is not <see cref="AddressKind.Public"/>.</summary>
    public static bool IsForbidden(IPAddress address) => Classify(address) != AddressKind.Public;

    /// <summary>
    /// As <see cref="IsForbidden(IPAddress)"/>, but with <paramref name="allowPrivateAddresses"/> loopback, private
    /// and shared addresses are allowed. Link-local, metadata, unspecified, multicast and reserved addresses are
    /// refused regardless: nothing legitimate is fetched from them, and the metadata endpoints hold credentials.
    /// </summary>
    public static bool IsForbidden(IPAddress address, bool allowPrivateAddresses)
    {
        var kind = Classify(address);
        return kind switch
        {
            AddressKind.Public => false,
            AddressKind.Loopback or AddressKind.Private or AddressKind.Shared => !allowPrivateAddresses,
            _ => true,
        };
    }

    /// <summary>Only absolute http and https URLs may be fetched (no file:, ftp:, gopher:, data: …).</summary>
    public static bool IsAllowedScheme(Uri uri) =>
        uri.IsAbsoluteUri && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    public static AddressKind Classify(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.AddressFamily switch
        {
            AddressFamily.InterNetwork => ClassifyV4(address.GetAddressBytes()),
            AddressFamily.InterNetworkV6 => ClassifyV6(address),
            _ => AddressKind.Reserved,
        };
    }

    /// <summary>Short name used in refusal messages ("refused: loopback address 127.0.0.1").</summary>
    public static string Describe(AddressKind kind) => kind switch
    {
        AddressKind.Public => "public",
        AddressKind.Loopback => "loopback",
        AddressKind.Private => "private",
        AddressKind.Shared => "shared (CGNAT)",
        AddressKind.LinkLocal => "link-local",
        AddressKind.Metadata => "metadata",
        AddressKind.Unspecified => "unspecified",
        AddressKind.Multicast => "multicast",
        _ => "reserved",
    };

    private static AddressKind ClassifyV4(ReadOnlySpan<byte> b)
    {
        return b[0] switch
        {
            0 => AddressKind.Unspecified,
            10 => AddressKind.Private,
            127 => AddressKind.Loopback,
            100 when (b[1] & 0xC0) == 64 => AddressKind.Shared,
            169 when b[1] == 254 && b[2] == 169 && b[3] == 254 => AddressKind.Metadata,
            169 when b[1] == 254 => AddressKind.LinkLocal,
            172 when (b[1] & 0xF0) == 16 => AddressKind.Private,
            192 when b[1] == 168 => AddressKind.Private,
            >= 224 and <= 239 => AddressKind.Multicast,
            >= 240 => AddressKind.Reserved,
            _ => AddressKind.Public,
        };
    }

    private static AddressKind ClassifyV6(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return ClassifyV4(address.MapToIPv4().GetAddressBytes());
        }

        Span<byte> b = stackalloc byte[16];
        address.TryWriteBytes(b, out _);

        if (b[..12].IndexOfAnyExcept((byte)0) < 0)
        {
            if (b[12..15].IndexOfAnyExcept((byte)0) < 0 && b[15] <= 1)
            {
                return b[15] == 0 ? AddressKind.Unspecified : AddressKind.Loopback; // :: and ::1
            }

            return ClassifyV4(b[12..]); // IPv4-compatible ::a.b.c.d (deprecated)
        }

        if (b.SequenceEqual(Ipv6Metadata))
        {
            return AddressKind.Metadata;
        }

        // 64:ff9b::/96, NAT64 well-known prefix: the last four bytes are the IPv4 address.
        if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b[4..12].IndexOfAnyExcept((byte)0) < 0)
        {
            return ClassifyV4(b[12..]);
        }

        // 2002::/16, 6to4: bytes 2-5 are the IPv4 address.
        if (b[0] == 0x20 && b[1] == 0x02)
        {
            return ClassifyV4(b[2..6]);
        }

        return b[0] switch
        {
            0xff => AddressKind.Multicast,
            0xfe when (b[1] & 0xC0) == 0x80 => AddressKind.LinkLocal, // fe80::/10
            0xfe when (b[1] & 0xC0) == 0xC0 => AddressKind.Private,   // fec0::/10, deprecated site-local
            0xfc or 0xfd => AddressKind.Private,                      // fc00::/7, unique local
            _ => AddressKind.Public,
        };
    }
}
