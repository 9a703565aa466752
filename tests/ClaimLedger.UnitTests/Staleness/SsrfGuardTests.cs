using System.Net;
using ClaimLedger.Server.Features.Staleness.Fetching;

namespace ClaimLedger.UnitTests.Staleness;

public sealed class SsrfGuardTests
{
    [Theory]
    // loopback 127.0.0.0/8, ::1
    [InlineData("127.0.0.1", AddressKind.Loopback)]
    [InlineData("127.255.255.254", AddressKind.Loopback)]
    [InlineData("::1", AddressKind.Loopback)]
    // private 10/8, 172.16/12, 192.168/16, fc00::/7
    [InlineData("10.0.0.1", AddressKind.Private)]
    [InlineData("10.255.255.255", AddressKind.Private)]
    [InlineData("172.16.0.1", AddressKind.Private)]
    [InlineData("172.31.255.255", AddressKind.Private)]
    [InlineData("192.168.0.1", AddressKind.Private)]
    [InlineData("192.168.255.255", AddressKind.Private)]
    [InlineData("fc00::1", AddressKind.Private)]
    [InlineData("fd12:3456:789a::1", AddressKind.Private)]
    [InlineData("fec0::1", AddressKind.Private)]
    // link-local 169.254/16, fe80::/10, and the metadata endpoints
    [InlineData("169.254.0.1", AddressKind.LinkLocal)]
    [InlineData("169.254.170.2", AddressKind.LinkLocal)]
    [InlineData("169.254.169.254", AddressKind.Metadata)]
    [InlineData("fe80::1", AddressKind.LinkLocal)]
    [InlineData("febf:ffff::1", AddressKind.LinkLocal)]
    [InlineData("fd00:ec2::254", AddressKind.Metadata)]
    // unspecified
    [InlineData("0.0.0.0", AddressKind.Unspecified)]
    [InlineData("0.1.2.3", AddressKind.Unspecified)]
    [InlineData("::", AddressKind.Unspecified)]
    // multicast
    [InlineData("224.0.0.1", AddressKind.Multicast)]
    [InlineData("239.255.255.250", AddressKind.Multicast)]
    [InlineData("ff02::1", AddressKind.Multicast)]
    [InlineData("ff05::1:3", AddressKind.Multicast)]
    // CGNAT 100.64/10
    [InlineData("100.64.0.1", AddressKind.Shared)]
    [InlineData("100.127.255.255", AddressKind.Shared)]
    // reserved, broadcast
    [InlineData("240.0.0.1", AddressKind.Reserved)]
    [InlineData("255.255.255.255", AddressKind.Reserved)]
    // IPv4-mapped IPv6 forms of all of the above
    [InlineData("::ffff:127.0.0.1", AddressKind.Loopback)]
    [InlineData("::ffff:7f00:1", AddressKind.Loopback)]
    [InlineData("::ffff:10.1.2.3", AddressKind.Private)]
    [InlineData("::ffff:172.20.0.1", AddressKind.Private)]
    [InlineData("::ffff:192.168.1.1", AddressKind.Private)]
    [InlineData("::ffff:169.254.169.254", AddressKind.Metadata)]
    [InlineData("::ffff:169.254.1.1", AddressKind.LinkLocal)]
    [InlineData("::ffff:0.0.0.0", AddressKind.Unspecified)]
    [InlineData("::ffff:224.0.0.1", AddressKind.Multicast)]
    [InlineData("::ffff:100.64.0.1", AddressKind.Shared)]
    // other IPv6 forms that embed an IPv4 address: IPv4-compatible, NAT64, 6to4
    [InlineData("::127.0.0.1", AddressKind.Loopback)]
    [InlineData("::169.254.169.254", AddressKind.Metadata)]
    [InlineData("64:ff9b::10.0.0.1", AddressKind.Private)]
    [InlineData("64:ff9b::169.254.169.254", AddressKind.Metadata)]
    [InlineData("2002:7f00:1::", AddressKind.Loopback)]
    [InlineData("2002:a9fe:a9fe::1", AddressKind.Metadata)]
    public void NonPublicAddresses_AreForbidden(string address, AddressKind expected)
    {
        var ip = IPAddress.Parse(address);

        SsrfGuard.Classify(ip).ShouldBe(expected);
        SsrfGuard.IsForbidden(ip).ShouldBeTrue();
        SsrfGuard.IsForbidden(ip, allowPrivateAddresses: false).ShouldBeTrue();
    }

    [Theory]
    [InlineData("93.184.216.34")]
    [InlineData("2606:2800:220:1:248:1893:25c8:1946")]
    [InlineData("8.8.8.8")]
    [InlineData("1.1.1.1")]
    [InlineData("172.15.255.255")]  // just below 172.16/12
    [InlineData("172.32.0.1")]      // just above
    [InlineData("100.63.255.255")]  // just below 100.64/10
    [InlineData("100.128.0.1")]     // just above
    [InlineData("169.253.255.255")]
    [InlineData("192.167.1.1")]
    [InlineData("11.0.0.1")]
    [InlineData("126.255.255.255")]
    [InlineData("128.0.0.1")]
    [InlineData("223.255.255.255")]
    [InlineData("::ffff:93.184.216.34")]
    [InlineData("64:ff9b::808:808")]
    [InlineData("2002:5db8:d822::1")]
    [InlineData("2a00:1450:4001:82b::200e")]
    [InlineData("fb00::1")]         // just below fc00::/7
    [InlineData("fe00::1")]         // between fc00::/7 and fe80::/10
    public void PublicAddresses_AreAllowed(string address)
    {
        var ip = IPAddress.Parse(address);

        SsrfGuard.Classify(ip).ShouldBe(AddressKind.Public);
        SsrfGuard.IsForbidden(ip).ShouldBeFalse();
        SsrfGuard.IsForbidden(ip, allowPrivateAddresses: false).ShouldBeFalse();
        SsrfGuard.IsForbidden(ip, allowPrivateAddresses: true).ShouldBeFalse();
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("10.0.0.1")]
    [InlineData("172.16.0.1")]
    [InlineData("192.168.1.1")]
    [InlineData("fd12::1")]
    [InlineData("100.64.0.1")]
    public void AllowPrivateAddresses_AllowsLoopbackPrivateAndShared(string address)
    {
        SsrfGuard.IsForbidden(IPAddress.Parse(address), allowPrivateAddresses: true).ShouldBeFalse();
    }

    [Theory]
    [InlineData("169.254.169.254")]
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("169.254.1.1")]
    [InlineData("fe80::1")]
    [InlineData("fd00:ec2::254")]
    [InlineData("0.0.0.0")]
    [InlineData("::")]
    [InlineData("224.0.0.1")]
    [InlineData("ff02::1")]
    [InlineData("255.255.255.255")]
    public void AllowPrivateAddresses_StillRefusesLinkLocalMetadataUnspecifiedAndMulticast(string address)
    {
        SsrfGuard.IsForbidden(IPAddress.Parse(address), allowPrivateAddresses: true).ShouldBeTrue();
    }

    [Fact]
    public void ScopedLinkLocalAddress_IsForbidden()
    {
        var ip = IPAddress.Parse("fe80::1%2");

        SsrfGuard.IsForbidden(ip).ShouldBeTrue();
    }

    [Theory]
    [InlineData("http://example.org/", true)]
    [InlineData("https://example.org/a?b=c", true)]
    [InlineData("HTTPS://EXAMPLE.ORG/", true)]
    [InlineData("ftp://example.org/file", false)]
    [InlineData("file:///etc/passwd", false)]
    [InlineData("gopher://example.org/", false)]
    [InlineData("data:text/plain,hello", false)]
    [InlineData("javascript:alert(1)", false)]
    public void IsAllowedScheme_AcceptsOnlyHttpAndHttps(string url, bool allowed)
    {
        SsrfGuard.IsAllowedScheme(new Uri(url)).ShouldBe(allowed);
    }

    [Fact]
    public void IsAllowedScheme_RejectsRelativeUris()
    {
        SsrfGuard.IsAllowedScheme(new Uri("/path", UriKind.Relative)).ShouldBeFalse();
    }
}
