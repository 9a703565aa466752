using System.Text;
using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Infrastructure.Data;

namespace ClaimLedger.UnitTests.Infrastructure;

public sealed class PageTokensTests
{
    private static readonly string Fingerprint = PageTokens.Fingerprint("claims", "VERIFIED", "", "create_time", true);

    [Fact]
    public void EncodeThenDecode_RoundTripsThePosition()
    {
        var position = new PageTokens.Position("2025-01-02T03:04:05.1234567Z", 42);

        var token = PageTokens.Encode(position, Fingerprint);

        PageTokens.Decode(token, Fingerprint).ShouldBe(position);
    }

    [Fact]
    public void EncodeThenDecode_RoundTripsAPositionWithoutSortValue()
    {
        var position = new PageTokens.Position(null, 1_234_567_890_123);

        PageTokens.Decode(PageTokens.Encode(position, Fingerprint), Fingerprint).ShouldBe(position);
    }

    [Fact]
    public void EncodeThenDecode_RoundTripsNonAsciiSortValues()
    {
        var position = new PageTokens.Position("é/+?=&ü\"", 7);

        PageTokens.Decode(PageTokens.Encode(position, Fingerprint), Fingerprint).ShouldBe(position);
    }

    [Fact]
    public void Encode_IsUrlSafeBase64WithoutPadding()
    {
        for (var i = 0; i < 64; i++)
        {
            var token = PageTokens.Encode(new PageTokens.Position(new string('?', i) + "~~~>>>", i), Fingerprint);

            token.ShouldMatch("^[A-Za-z0-9_-]+$");
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Decode_EmptyToken_IsNull(string? token)
    {
        PageTokens.Decode(token, Fingerprint).ShouldBeNull();
    }

    [Fact]
    public void Decode_TokenIssuedForAnotherQuery_ThrowsInvalidFieldOnPageToken()
    {
        var token = PageTokens.Encode(new PageTokens.Position("x", 1), PageTokens.Fingerprint("claims", "STALE"));

        var e = Should.Throw<InvalidFieldException>(() => PageTokens.Decode(token, Fingerprint));

        e.Field.ShouldBe("page_token");
        e.Reason.ShouldBe("INVALID_ARGUMENT");
    }

    [Theory]
    [InlineData("!!!")]
    [InlineData("a")]
    [InlineData("abcd")]             // valid base64, not JSON
    [InlineData("bnVsbA")]           // base64url of JSON null
    [InlineData("WzFd")]             // base64url of [1]
    [InlineData("eyJTIjoieCJ9")]     // base64url of {"S":"x"}
    [InlineData("e30")]              // base64url of {} (no fingerprint)
    public void Decode_Garbage_ThrowsInvalidFieldOnPageToken(string token)
    {
        var e = Should.Throw<InvalidFieldException>(() => PageTokens.Decode(token, Fingerprint));

        e.Field.ShouldBe("page_token");
    }

    [Fact]
    public void Decode_TamperedToken_ThrowsInvalidFieldOnPageToken()
    {
        var json = Encoding.UTF8.GetBytes("{\"A\":null,\"S\":5,\"F\":\"0000000000000000\"}");
        var token = Convert.ToBase64String(json).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        Should.Throw<InvalidFieldException>(() => PageTokens.Decode(token, Fingerprint)).Field.ShouldBe("page_token");
    }

    [Fact]
    public void Fingerprint_IsStableAndDependsOnEveryPart()
    {
        var a = PageTokens.Fingerprint("claims", "VERIFIED", "topic");

        PageTokens.Fingerprint("claims", "VERIFIED", "topic").ShouldBe(a);
        PageTokens.Fingerprint("claims", "VERIFIED", "other").ShouldNotBe(a);
        PageTokens.Fingerprint("claims", "STALE", "topic").ShouldNotBe(a);
        PageTokens.Fingerprint("sources", "VERIFIED", "topic").ShouldNotBe(a);
        a.ShouldMatch("^[0-9a-f]{16}$");
    }

    [Fact]
    public void Fingerprint_SeparatesParts()
    {
        PageTokens.Fingerprint("ab", "c").ShouldNotBe(PageTokens.Fingerprint("a", "bc"));
    }

    [Theory]
    [InlineData(0, 25)]
    [InlineData(-5, 25)]
    [InlineData(1, 1)]
    [InlineData(7, 7)]
    [InlineData(100, 100)]
    [InlineData(101, 100)]
    [InlineData(1000, 100)]
    public void Size_DefaultsTo25AndCapsAt100(int requested, int expected)
    {
        PageTokens.Size(requested).ShouldBe(expected);
    }
}
