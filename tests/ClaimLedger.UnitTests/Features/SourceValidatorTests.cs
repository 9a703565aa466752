using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Features.Sources;
using static ClaimLedger.UnitTests.Features.ValidationAssertions;

namespace ClaimLedger.UnitTests.Features;

public sealed class CreateSourceValidatorTests
{
    private const string Sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    private static readonly CreateSource.Validator Validator = new();

    private static readonly CreateSource.Command Valid = new(
        Url: "https://news.example.com/2025/03/drones?utm_source=x",
        Title: "Drone deliveries",
        Publisher: "Example News",
        Author: "J. Reporter",
        Kind: SourceKind.NewsArticle,
        PublishTime: new DateTimeOffset(2025, 3, 1, 0, 0, 0, TimeSpan.Zero),
        RetrieveTime: null,
        ContentSha256: "",
        ArchiveUrl: "https://web.archive.org/web/2025/https://news.example.com/2025/03/drones",
        Reliability: Reliability.BUsuallyReliable,
        RequestId: "");

    [Fact]
    public void ValidCommand_Passes() => Validator.ShouldBeValid(Valid);

    [Fact]
    public void OfflineDocumentWithContentHashAndNoUrl_Passes() =>
        Validator.ShouldBeValid(Valid with { Url = "", ArchiveUrl = "", ContentSha256 = Sha, Kind = SourceKind.PrimaryDocument });

    [Fact]
    public void NoUrlAndNoContentHash_FailsOnSourceUrl() =>
        Validator.ShouldFailOnlyOn(Valid with { Url = "" }, "source.url");

    [Theory]
    [InlineData("ftp://example.com/file.pdf")]
    [InlineData("javascript:alert(1)")]
    [InlineData("mailto:desk@example.com")]
    [InlineData("/relative/path")]
    [InlineData("https://user:pw@example.com/")]
    [InlineData("   ")]
    public void NonHttpUrl_FailsOnSourceUrl(string url)
    {
        var failures = Validator.ShouldFailOnlyOn(Valid with { Url = url }, "source.url");

        failures.ShouldContain(f => f.ErrorMessage.StartsWith("must be an http(s) URL: ", StringComparison.Ordinal));
    }

    [Fact]
    public void UrlOver2048Characters_FailsOnSourceUrl() =>
        Validator.ShouldFailOnlyOn(Valid with { Url = "https://example.com/" + Text(2048) }, "source.url");

    [Fact]
    public void NonHttpArchiveUrl_FailsOnSourceArchiveUrl() =>
        Validator.ShouldFailOnlyOn(Valid with { ArchiveUrl = "ftp://archive.example.com/x" }, "source.archive_url");

    [Theory]
    [InlineData("9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08")] // upper case
    [InlineData("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a0")]  // 63 characters
    [InlineData("not-a-hash")]
    public void MalformedContentHash_FailsOnSourceContentSha256(string sha) =>
        Validator.ShouldFailOnlyOn(Valid with { ContentSha256 = sha }, "source.content_sha256");

    [Theory]
    [InlineData("\n")]
    [InlineData(Sha + "\n")]
    public void ContentHashWithATrailingNewline_FailsOnSourceContentSha256(string sha) =>
        Validator.ShouldFailOnlyOn(Valid with { ContentSha256 = sha }, "source.content_sha256");

    [Theory]
    [InlineData(SourceKind.Unspecified)]
    [InlineData((SourceKind)77)]
    public void UnspecifiedOrUndefinedKind_FailsOnSourceKind(SourceKind kind) =>
        Validator.ShouldFailOnlyOn(Valid with { Kind = kind }, "source.kind");

    [Fact]
    public void UnspecifiedReliability_Passes() => Validator.ShouldBeValid(Valid with { Reliability = Reliability.Unspecified });

    [Fact]
    public void UndefinedReliability_FailsOnSourceReliability() =>
        Validator.ShouldFailOnlyOn(Valid with { Reliability = (Reliability)12 }, "source.reliability");

    [Fact]
    public void TitleOf500Characters_Passes() => Validator.ShouldBeValid(Valid with { Title = Text(500) });

    [Fact]
    public void TitleOver500Characters_FailsOnSourceTitle() => Validator.ShouldFailOnlyOn(Valid with { Title = Text(501) }, "source.title");

    [Fact]
    public void PublisherOver300Characters_FailsOnSourcePublisher() =>
        Validator.ShouldFailOnlyOn(Valid with { Publisher = Text(301) }, "source.publisher");

    [Fact]
    public void AuthorOver300Characters_FailsOnSourceAuthor() => Validator.ShouldFailOnlyOn(Valid with { Author = Text(301) }, "source.author");

    [Fact]
    public void OverlongRequestId_FailsOnRequestId() => Validator.ShouldFailOnlyOn(Valid with { RequestId = Text(129) }, "request_id");
}

public sealed class UpdateSourceValidatorTests
{
    private static readonly UpdateSource.Validator Validator = new();

    private static readonly UpdateSource.Command Valid = new(
        Name: SourceA,
        Etag: "\"1\"",
        Paths: ["title", "kind"],
        Title: "Corrected title",
        Publisher: "",
        Author: "",
        Kind: SourceKind.Dataset,
        PublishTime: null,
        RetrieveTime: null,
        ContentSha256: "",
        ArchiveUrl: "",
        Reliability: Reliability.Unspecified,
        RequestId: "");

    [Fact]
    public void ValidCommand_Passes() => Validator.ShouldBeValid(Valid);

    [Fact]
    public void BadName_FailsOnSourceName() => Validator.ShouldFailOnlyOn(Valid with { Name = ClaimA }, "source.name");

    [Fact]
    public void EmptyMask_FailsOnUpdateMask() => Validator.ShouldFailOnlyOn(Valid with { Paths = [] }, "update_mask");

    [Fact]
    public void UrlInTheMask_IsNotUpdatable() =>
        Validator.ShouldFailOnlyOn(Valid with { Paths = ["title", "url"] }, "update_mask").Single().ErrorMessage.ShouldContain("(\"url\")");

    [Fact]
    public void UnspecifiedKindInTheMask_FailsOnSourceKind() =>
        Validator.ShouldFailOnlyOn(Valid with { Kind = SourceKind.Unspecified }, "source.kind");

    [Fact]
    public void UnspecifiedKindOutsideTheMask_Passes() =>
        Validator.ShouldBeValid(Valid with { Paths = ["title"], Kind = SourceKind.Unspecified });

    [Fact]
    public void NonHttpArchiveUrl_FailsOnSourceArchiveUrl() =>
        Validator.ShouldFailOnlyOn(Valid with { Paths = ["archive_url"], ArchiveUrl = "javascript:alert(1)" }, "source.archive_url");

    [Fact]
    public void AHugeMaskPath_IsQuotedShortened()
    {
        var failures = Validator.ShouldFailOnlyOn(Valid with { Paths = ["title", "\u0000" + new string('p', 40 * 1024)] }, "update_mask");

        failures.Single().ErrorMessage.ShouldStartWith($"names fields that cannot be updated (\"\\u0000{new string('p', 57)}…\"); updatable: title,");
    }
}

public sealed class ListSourcesValidatorTests
{
    private static readonly ListSources.Validator Validator = new();

    private static readonly ListSources.Query Valid = new(10, "", SourceKind.NewsArticle, "Example News");

    [Fact]
    public void ValidQuery_Passes() => Validator.ShouldBeValid(Valid);

    [Fact]
    public void NegativePageSize_FailsOnPageSize() => Validator.ShouldFailOnlyOn(Valid with { PageSize = -1 }, "page_size");

    [Fact]
    public void UndefinedKind_FailsOnKind() => Validator.ShouldFailOnlyOn(Valid with { Kind = (SourceKind)50 }, "kind");

    [Fact]
    public void PublisherOver300Characters_FailsOnPublisher() => Validator.ShouldFailOnlyOn(Valid with { Publisher = Text(301) }, "publisher");
}

public sealed class GetSourceValidatorTests
{
    [Fact]
    public void SourceName_Passes() => new GetSource.Validator().ShouldBeValid(new GetSource.Query(SourceA));

    [Fact]
    public void ClaimName_FailsOnName() => new GetSource.Validator().ShouldFailOnlyOn(new GetSource.Query(ClaimA), "name");
}
