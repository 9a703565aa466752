using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Infrastructure.Data;

namespace ClaimLedger.UnitTests.Infrastructure;

public sealed class EtagsTests
{
    private const string Name = "claims/0123456789abcdef0123456789abcdef";

    [Theory]
    [InlineData(1, "\"1\"")]
    [InlineData(42, "\"42\"")]
    public void For_QuotesTheRevision(long revision, string expected)
    {
        Etags.For(revision).ShouldBe(expected);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void EnsureCurrent_WithoutEtag_Passes(string? etag)
    {
        Should.NotThrow(() => Etags.EnsureCurrent(Name, etag, 3));
    }

    [Fact]
    public void EnsureCurrent_WithTheCurrentEtag_Passes()
    {
        Should.NotThrow(() => Etags.EnsureCurrent(Name, "\"3\"", 3));
    }

    [Theory]
    [InlineData("\"2\"")]
    [InlineData("\"4\"")]
    [InlineData("3")]        // unquoted
    [InlineData("W/\"3\"")]  // weak
    [InlineData(" \"3\"")]
    public void EnsureCurrent_WithAnyOtherEtag_ThrowsEtagMismatchNamingTheCurrentOne(string etag)
    {
        var e = Should.Throw<EtagMismatchException>(() => Etags.EnsureCurrent(Name, etag, 3));

        e.Reason.ShouldBe("ETAG_MISMATCH");
        e.ResourceName.ShouldBe(Name);
        e.CurrentEtag.ShouldBe("\"3\"");
        e.Message.ShouldContain(Name);
    }
}
