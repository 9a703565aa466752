using ClaimLedger.Server.Domain;

namespace ClaimLedger.UnitTests.Domain;

public sealed class UrlCanonicalizerTests
{
    private static string Canonical(string url)
    {
        UrlCanonicalizer.TryCanonicalize(url, out var canonical, out var error).ShouldBeTrue($"\"{url}\" was rejected: {error}");
        error.ShouldBeEmpty();
        return canonical;
    }

    private static string Rejection(string? url)
    {
        UrlCanonicalizer.TryCanonicalize(url, out var canonical, out var error).ShouldBeFalse($"\"{url}\" was accepted as \"{canonical}\"");
        canonical.ShouldBeEmpty();
        error.ShouldNotBeNullOrWhiteSpace();
        return error;
    }

    [Theory]
    [InlineData("HTTPS://Example.COM/a", "https://example.com/a")]
    [InlineData("HtTp://WWW.Example.Org/", "http://www.example.org/")]
    public void TryCanonicalize_LowerCasesSchemeAndHost(string url, string expected)
    {
        Canonical(url).ShouldBe(expected);
    }

    [Fact]
    public void TryCanonicalize_KeepsPathCase()
    {
        Canonical("https://Example.com/News/Article-ABC.html").ShouldBe("https://example.com/News/Article-ABC.html");
    }

    [Theory]
    [InlineData("http://example.com:80/a", "http://example.com/a")]
    [InlineData("https://example.com:443/a", "https://example.com/a")]
    [InlineData("https://example.com:443", "https://example.com/")]
    public void TryCanonicalize_DropsTheDefaultPort(string url, string expected)
    {
        Canonical(url).ShouldBe(expected);
    }

    [Theory]
    [InlineData("https://example.com:8443/a", "https://example.com:8443/a")]
    [InlineData("http://example.com:8080/", "http://example.com:8080/")]
    [InlineData("http://example.com:443/", "http://example.com:443/")]   // 443 is not http's default
    [InlineData("https://example.com:80/", "https://example.com:80/")]   // 80 is not https's default
    public void TryCanonicalize_KeepsANonDefaultPort(string url, string expected)
    {
        Canonical(url).ShouldBe(expected);
    }

    [Theory]
    [InlineData("https://example.com/a#section-2", "https://example.com/a")]
    [InlineData("https://example.com/a?id=1#top", "https://example.com/a?id=1")]
    [InlineData("https://example.com/#", "https://example.com/")]
    public void TryCanonicalize_DropsTheFragment(string url, string expected)
    {
        Canonical(url).ShouldBe(expected);
    }

    [Theory]
    [InlineData("https://example.com/a?utm_source=x&id=5&utm_medium=social&b=2", "https://example.com/a?id=5&b=2")]
    [InlineData("https://example.com/a?fbclid=abc&z=1&gclid=def&a=2", "https://example.com/a?z=1&a=2")]
    [InlineData("https://example.com/a?UTM_Campaign=x&q=news", "https://example.com/a?q=news")]
    [InlineData("https://example.com/a?msclkid=1&mc_cid=2&mc_eid=3&igshid=4&p=9", "https://example.com/a?p=9")]
    [InlineData("https://example.com/a?z=3&y=2&x=1", "https://example.com/a?z=3&y=2&x=1")]
    [InlineData("https://example.com/a?flag&utm_term", "https://example.com/a?flag")]
    public void TryCanonicalize_RemovesTrackingParametersAndKeepsTheOthersInOrder(string url, string expected)
    {
        Canonical(url).ShouldBe(expected);
    }

    [Theory]
    [InlineData("https://example.com/a?", "https://example.com/a")]
    [InlineData("https://example.com/a?utm_source=x&fbclid=y", "https://example.com/a")]
    [InlineData("https://example.com/a?&&", "https://example.com/a")]
    public void TryCanonicalize_DropsAnEmptyQuery(string url, string expected)
    {
        Canonical(url).ShouldBe(expected);
    }

    [Theory]
    [InlineData("https://example.com", "https://example.com/")]
    [InlineData("https://example.com?q=1", "https://example.com/?q=1")]
    public void TryCanonicalize_EmptyPathBecomesSlash(string url, string expected)
    {
        Canonical(url).ShouldBe(expected);
    }

    [Theory]
    [InlineData("https://bücher.example/", "https://xn--bcher-kva.example/")]
    [InlineData("https://BÜCHER.example/x", "https://xn--bcher-kva.example/x")]
    public void TryCanonicalize_ConvertsAnIdnHostToPunycode(string url, string expected)
    {
        Canonical(url).ShouldBe(expected);
    }

    [Theory]
    [InlineData("http://[::1]:8080/x", "http://[::1]:8080/x")]
    [InlineData("http://[2001:DB8::1]/x", "http://[2001:db8::1]/x")]
    public void TryCanonicalize_KeepsTheBracketsOfAnIpv6Host(string url, string expected)
    {
        var canonical = Canonical(url);

        canonical.ShouldBe(expected);
        UrlCanonicalizer.IsHttpUrl(canonical).ShouldBeTrue();
    }

    [Fact]
    public void TryCanonicalize_TrimsSurroundingWhitespace()
    {
        Canonical("  https://example.com/a  ").ShouldBe("https://example.com/a");
    }

    [Fact]
    public void TryCanonicalize_IsIdempotent()
    {
        var once = Canonical("HTTPS://Example.COM:443/Path?utm_source=x&id=7#frag");

        once.ShouldBe("https://example.com/Path?id=7");
        Canonical(once).ShouldBe(once);
    }

    [Theory]
    [InlineData("ftp://example.com/file.txt")]
    [InlineData("javascript:alert(1)")]
    [InlineData("mailto:editor@example.com")]
    [InlineData("file:///etc/passwd")]
    [InlineData("data:text/html,hello")]
    public void TryCanonicalize_RejectsSchemesOtherThanHttpAndHttps(string url)
    {
        Rejection(url);
    }

    [Theory]
    [InlineData("/news/article")]
    [InlineData("news/article")]
    [InlineData("example.com/news")]
    [InlineData("//example.com/news")]
    public void TryCanonicalize_RejectsARelativeUrl(string url)
    {
        Rejection(url);
    }

    [Theory]
    [InlineData("https://user:pw@example.com/")]
    [InlineData("https://user@example.com/")]
    public void TryCanonicalize_RejectsCredentials(string url)
    {
        Rejection(url).ShouldContain("credentials");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\t\n")]
    public void TryCanonicalize_RejectsEmptyOrWhitespace(string? url)
    {
        Rejection(url).ShouldContain("empty");
    }

    [Fact]
    public void TryCanonicalize_RejectsAUrlLongerThan2048Characters()
    {
        var url = "https://example.com/" + new string('a', 2049 - "https://example.com/".Length);
        url.Length.ShouldBe(2049);

        Rejection(url).ShouldContain("2048");
    }

    [Fact]
    public void TryCanonicalize_AcceptsAUrlOfExactly2048Characters()
    {
        var url = "https://example.com/" + new string('a', 2048 - "https://example.com/".Length);
        url.Length.ShouldBe(2048);

        Canonical(url).ShouldBe(url);
    }

    [Theory]
    [InlineData("https://example.com/a", true)]
    [InlineData("ftp://example.com/a", false)]
    [InlineData("", false)]
    public void IsHttpUrl_AgreesWithTryCanonicalize(string url, bool expected)
    {
        UrlCanonicalizer.IsHttpUrl(url).ShouldBe(expected);
    }
}
