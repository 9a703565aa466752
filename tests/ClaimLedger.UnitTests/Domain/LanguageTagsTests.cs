using ClaimLedger.Server.Domain;

namespace ClaimLedger.UnitTests.Domain;

public sealed class LanguageTagsTests
{
    [Theory]
    [InlineData("en")]
    [InlineData("en-GB")]
    [InlineData("pt-BR")]
    [InlineData("zh-Hant-TW")]
    [InlineData("es-419")]
    [InlineData("sr-Latn")]
    [InlineData("fil")]
    [InlineData("de-CH-1996")]
    [InlineData("en-x-private")]
    public void IsWellFormed_AcceptsBcp47Tags(string tag)
    {
        LanguageTags.IsWellFormed(tag).ShouldBeTrue();
    }

    [Theory]
    [InlineData("")]
    [InlineData("e")]
    [InlineData("english")]
    [InlineData("en_GB")]
    [InlineData("en-")]
    [InlineData("-en")]
    [InlineData("en GB")]
    [InlineData("en-GB-")]
    [InlineData("en--GB")]
    [InlineData("12")]
    public void IsWellFormed_RejectsMalformedTags(string tag)
    {
        LanguageTags.IsWellFormed(tag).ShouldBeFalse();
    }

    [Fact]
    public void IsWellFormed_RejectsNull()
    {
        LanguageTags.IsWellFormed(null).ShouldBeFalse();
    }

    [Fact]
    public void IsWellFormed_AcceptsAWellFormedTagOf35Characters()
    {
        const string tag = "en-abcdefgh-abcdefgh-abcdefgh-abcde";
        tag.Length.ShouldBe(35);

        LanguageTags.IsWellFormed(tag).ShouldBeTrue();
    }

    [Fact]
    public void IsWellFormed_RejectsAnOtherwiseWellFormedTagLongerThan35Characters()
    {
        const string tag = "en-abcdefgh-abcdefgh-abcdefgh-abcdef";
        tag.Length.ShouldBe(36);

        LanguageTags.IsWellFormed(tag).ShouldBeFalse();
    }

    [Theory]
    [InlineData("pt-br", "pt-BR")]
    [InlineData("zh-hant-tw", "zh-Hant-TW")]
    [InlineData("EN", "en")]
    [InlineData("EN-gb", "en-GB")]
    [InlineData("SR-LATN", "sr-Latn")]
    [InlineData("es-419", "es-419")]
    [InlineData("DE-ch-1996", "de-CH-1996")]
    [InlineData("en-X-Private", "en-x-private")]
    [InlineData("en-US-u-CA-Gregory", "en-US-u-ca-gregory")]
    [InlineData("zh-Hant-TW", "zh-Hant-TW")]
    public void Canonicalize_AppliesBcp47Casing(string tag, string expected)
    {
        LanguageTags.Canonicalize(tag).ShouldBe(expected);
    }

    [Theory]
    [InlineData("en\n")]
    [InlineData("pt-BR\n")]
    public void IsWellFormed_RejectsATagWithATrailingNewline(string tag)
    {
        LanguageTags.IsWellFormed(tag).ShouldBeFalse();
    }
}
