extern alias cli;

using System.Text;
using System.Text.Json;
using cli::ClaimLedger.Cli.Import;
using ClaimLedger.Contracts.V1;

namespace ClaimLedger.UnitTests.Import;

/// <summary>Reading fact-check archives in the shapes publishers use, before anything reaches the server.</summary>
public sealed class ArchiveReaderTests
{
    private static readonly ImportOptions Options = new(RatingMap.BuiltIn, ReviewsAs.Auto, null, null, null, new LanguageDetection());

    private static List<ImportRow> ReadJson(string json, string extension = ".json", ImportOptions? options = null)
    {
        var path = Path.Combine(Path.GetTempPath(), $"archive-{Guid.NewGuid():N}{extension}");
        File.WriteAllText(path, json);
        try
        {
            return ArchiveReader.Read(new ImportInput(Path.GetFileName(path), path), null, options ?? Options, TextReader.Null).ToList();
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static string Review(string text = "The mayor of Exampleton banned bicycles in the old town square", string extra = "") =>
        $$"""{"@type": "ClaimReview", "url": "https://checks.example.org/r/1", "claimReviewed": "{{text}}", "inLanguage": "en", "reviewRating": {"alternateName": "False"}{{extra}}}""";

    [Theory]
    [InlineData("ClaimReview")]
    [InlineData("schema:ClaimReview")]
    [InlineData("https://schema.org/ClaimReview")]
    [InlineData("http://schema.org/ClaimReview")]
    public void Types_WithOrWithoutAVocabularyPrefix_AreRead(string type)
    {
        using var doc = JsonDocument.Parse($$"""{"@type": ["{{type}}"]}""");
        JsonLd.Types(doc.RootElement).ShouldBe(["ClaimReview"]);
    }

    [Fact]
    public void Text_DecodesHtmlEntitiesOnce_AndCollapsesWhitespace()
    {
        using var doc = JsonDocument.Parse("\"Mr Singh&#039;s  claim &amp;amp; more\\n\"");
        JsonLd.Text(doc.RootElement).ShouldBe("Mr Singh's claim &amp; more");
    }

    [Fact]
    public void NodeIndex_ResolvesAReference_ToTheFullestNodeWithThatId()
    {
        using var doc = JsonDocument.Parse("""
            {"@graph": [
              {"@type": "NewsArticle", "author": {"@id": "#maria", "name": "Maria"}},
              {"@type": "Person", "@id": "#maria", "name": "Maria Exemplo", "url": "https://example.org/maria"}]}
            """);
        using var reference = JsonDocument.Parse("""{"@id": "#maria"}""");

        var resolved = new NodeIndex(doc.RootElement).Resolve(reference.RootElement);

        JsonLd.Types(resolved).ShouldBe(["Person"]);
        JsonLd.FirstText(resolved, "name").ShouldBe("Maria Exemplo");
    }

    [Fact]
    public void Walk_GraphPage_TakesTheClaimReview_SkipsEveryOtherNodeByType_AndInheritsThePagesLanguage()
    {
        using var doc = JsonDocument.Parse("""
            {"@context": "https://schema.org", "@graph": [
              {"@type": "WebSite", "inLanguage": "en"},
              {"@type": "WebPage", "inLanguage": "pt-BR"},
              {"@type": "BreadcrumbList"},
              {"@id": "#bare-reference"},
              {"@type": "ClaimReview", "claimReviewed": "x"}]}
            """);

        var walked = ArchiveWalker.Walk(doc.RootElement);

        walked.Found.OfType<FoundSkip>().Select(s => s.Type).ShouldBe(["WebSite", "WebPage", "BreadcrumbList"]);
        walked.Found.OfType<FoundReview>().Single().Path.ShouldBe("$.@graph[4]");
        walked.InheritedLanguage.ShouldBe("pt-BR", "the page's language, not the site's default");
    }

    [Fact]
    public void Walk_PagesDeclaringDifferentLanguages_InheritNone_AndSaySo()
    {
        using var doc = JsonDocument.Parse("""[{"@type": "WebPage", "inLanguage": "es"}, {"@type": "NewsArticle", "inLanguage": "fr"}, {"@type": "ClaimReview"}]""");

        var walked = ArchiveWalker.Walk(doc.RootElement);

        walked.InheritedLanguage.ShouldBeNull();
        walked.LanguageNote.ShouldNotBeNull().ShouldContain("es, fr");
    }

    [Fact]
    public void Walk_FeedsListingsAndApiResponses_AreUnwrapped_NotCountedAsSkipped()
    {
        using var feed = JsonDocument.Parse("""
            {"@type": "DataFeed", "dataFeedElement": [{"@type": "DataFeedItem", "item": [{"@type": "ClaimReview"}, {"@type": "ClaimReview"}]}]}
            """);
        using var listing = JsonDocument.Parse("""{"data": [{"@type": "ClaimReview"}], "meta": {"total": 1}, "links": {"next": null}}""");
        using var api = JsonDocument.Parse("""{"claims": [{"text": "t", "claimReview": [{"url": "u1"}, {"url": "u2"}]}, {"text": "no reviews"}], "nextPageToken": "x"}""");

        ArchiveWalker.Walk(feed.RootElement).Found.Select(f => f.GetType().Name).ShouldBe(["FoundReview", "FoundReview"]);
        ArchiveWalker.Walk(listing.RootElement).Found.ShouldHaveSingleItem().ShouldBeOfType<FoundReview>();
        var apiFound = ArchiveWalker.Walk(api.RootElement).Found;
        apiFound.OfType<FoundApiReview>().Select(f => f.Path).ShouldBe(["$.claims[0].claimReview[0]", "$.claims[0].claimReview[1]"]);
        apiFound.OfType<FoundInvalid>().Single().Reason.ShouldContain("without claimReview");
    }

    [Fact]
    public void Walk_ReviewsNestedInAPage_AreTaken_AndThePageIsSkipped_AndMediaReviewIsSkippedWithItsReason()
    {
        using var doc = JsonDocument.Parse("""
            [{"@type": "NewsArticle", "inLanguage": "de", "review": {"@type": "ClaimReview"}},
             {"@type": "WebPage", "mainEntity": {"@type": "ItemList", "itemListElement": [{"@type": "ListItem", "item": {"@type": "ClaimReview"}}]}},
             {"@type": "MediaReview", "mediaAuthenticityCategory": "TransformedContent"}]
            """);

        var found = ArchiveWalker.Walk(doc.RootElement).Found;

        found.OfType<FoundReview>().Select(f => f.Path).ShouldBe(["$[0].review", "$[1].mainEntity.itemListElement[0].item"]);
        found.OfType<FoundSkip>().Select(f => f.Type).ShouldBe(["NewsArticle", "WebPage", "MediaReview"]);
        found.OfType<FoundSkip>().Last().Reason.ShouldContain("not a claim's truth");
    }

    [Theory]
    [InlineData("https://checks.example.org/a?b=1#c", null, "https://checks.example.org/a?b=1#c")]
    [InlineData("  https://checks.example.org/a  ", null, "https://checks.example.org/a")]
    [InlineData("//checks.example.org/a", null, "https://checks.example.org/a")]
    [InlineData("aosfatos.example.org/noticias/abc", null, "https://aosfatos.example.org/noticias/abc")]
    [InlineData("www.example.com", null, "https://www.example.com/")]
    [InlineData("/estadao-verifica/abc", "https://www.example.com.br/estadao-verifica/", "https://www.example.com.br/estadao-verifica/abc")]
    [InlineData("../b", "https://example.org/x/y/", "https://example.org/x/b")]
    [InlineData("/estadao-verifica/abc", null, null)]
    [InlineData("mailto:tips@example.org", "https://example.org/", null)]
    [InlineData("javascript:alert(1)", "https://example.org/", null)]
    [InlineData("ftp://example.org/file", null, null)]
    public void ResolveUrl_KeepsAbsoluteUrlsAsPublished_AndResolvesRelativeAndSchemeLessOnes(string raw, string? baseUrl, string? expected) =>
        ReviewReader.ResolveUrl(raw, baseUrl is null ? null : new Uri(baseUrl)).ShouldBe(expected);

    [Theory]
    [InlineData("es", "es")]
    [InlineData("pt_BR", "pt-BR")]
    [InlineData("PT-br", "pt-BR")]
    [InlineData("zh-hant-tw", "zh-Hant-TW")]
    [InlineData("Spanish", "es")]
    [InlineData("Português", "pt")]
    [InlineData("portugues (Brasil)", "pt")]
    [InlineData("Deutsch", "de")]
    [InlineData("हिन्दी", "hi")]
    [InlineData("العربية", "ar")]
    [InlineData("বাংলা", "bn")]
    [InlineData("Klingonish", null)]
    [InlineData("", null)]
    public void LanguageNames_ReadCodesEnglishAndNativeNames(string text, string? expected) => LanguageNames.ToCode(text).ShouldBe(expected);

    [Fact]
    public void Read_ClaimantsAuthorsAndPublishers_AsPublishersWriteThem()
    {
        var rows = ReadJson(Review(extra: """
            , "author": [{"@type": "Person", "name": "Ana Ficticia"}, {"@type": "Organization", "name": "Checks Desk", "url": "checks.example.org"}],
            "itemReviewed": {"@type": "Claim", "author": [
               {"@type": "Person", "name": ["Dr. Ana Ficticia", "Ana F."], "sameAs": "https://social.example.net/ana"},
               "A viral post",
               {"@type": "Organization", "name": "Ministry of Examples", "sameAs": ["https://gov.example.org", "https://social.example.net/moe"]}]}
            """));

        var record = rows.Single().Record.ShouldNotBeNull();
        record.Claim.Claimants.Select(p => (p.Name, p.Type, p.SameAs.Count)).ShouldBe([
            ("Dr. Ana Ficticia / Ana F.", Party.Types.Type.Person, 1), ("A viral post", Party.Types.Type.Unspecified, 0), ("Ministry of Examples", Party.Types.Type.Organization, 2)]);
        record.Claim.Claimant.ShouldBeEmpty("the server joins the claimants' names");
        var review = record.Evidence.Single(e => e.Stance == Stance.FactCheck).Review;
        review.Author.Name.ShouldBe("Ana Ficticia");
        review.Publisher.Name.ShouldBe("Checks Desk");
        review.Publisher.Url.ShouldBe("https://checks.example.org/");
        record.Sources.Single(s => s.Url == "https://checks.example.org/r/1").Publisher.ShouldBe("Checks Desk");
    }

    [Fact]
    public void Read_ClaimReviewedAsAnArray_IsOneRecordPerClaim_WithTheSameReview()
    {
        var rows = ReadJson("""
            {"@type": "ClaimReview", "url": "https://checks.example.org/two", "inLanguage": "en", "reviewRating": {"alternateName": "False"},
             "claimReviewed": ["Exampleton banned dogs from every public park", "Exampleton fined dog owners for barking at night"]}
            """);

        rows.Select(r => r.Record!.Claim.Text).ShouldBe(["Exampleton banned dogs from every public park", "Exampleton fined dog owners for barking at night"]);
        rows.Select(r => r.Record!.Evidence.Single(e => e.Stance == Stance.FactCheck).Review.Url).Distinct().ShouldHaveSingleItem();
    }

    [Fact]
    public void Read_AnUnparseableDate_IsLeftOutWithANote_NotGuessed()
    {
        var row = ReadJson(Review(extra: """, "datePublished": "the day before yesterday" """)).Single();

        row.Record!.Evidence.Single(e => e.Stance == Stance.FactCheck).Review.PublishTime.ShouldBeNull();
        row.Notes.ShouldContain(n => n.Contains("datePublished", StringComparison.Ordinal));
    }

    [Fact]
    public void Read_ALabelThatMapsToNothing_IsKept_AndTheNumberIsNotUsed()
    {
        var row = ReadJson(Review(extra: "").Replace("\"alternateName\": \"False\"", "\"alternateName\": \"Satire\", \"ratingValue\": 1, \"bestRating\": 5, \"worstRating\": 1",
            StringComparison.Ordinal)).Single();

        row.Rating.ShouldNotBeNull().Rating.ShouldBe(Rating.Unspecified);
        var rating = row.Record!.Evidence.Single(e => e.Stance == Stance.FactCheck).Review.Rating;
        (rating.Label, rating.Rating, rating.Value).ShouldBe(("Satire", Rating.Unspecified, 1d));
        row.Notes.ShouldContain(n => n.Contains("unmapped", StringComparison.Ordinal));
    }

    [Fact]
    public void Read_OurOwnReview_ByPublisherUrl_IsAVerdictRestingOnIt()
    {
        var options = Options with { PublisherUrl = new Uri("https://www.checks.example.org/") };

        var row = ReadJson(Review(), options: options).Single();

        row.Ours.ShouldBe(true);
        row.Record!.Claim.Status.ShouldBe(ClaimStatus.Verified);
        row.Record.Claim.Verdict.Rating.ShouldBe(Rating.False);
        row.Record.Claim.Verdict.PublishedReview.Url.ShouldBe("https://checks.example.org/r/1");
        row.Record.VerdictEvidence.ShouldBe([row.Record.Evidence.Count - 1]);
        row.Record.Evidence[^1].Stance.ShouldBe(Stance.FactCheck);
    }

    [Fact]
    public void Read_APublisherUrlWithAPath_OnlyMatchesReviewsUnderIt()
    {
        var options = Options with { PublisherUrl = new Uri("https://checks.example.org/desk-b/") };

        ReadJson(Review(), options: options).Single().Ours.ShouldBe(false);
    }

    [Fact]
    public void Read_HtmlPage_TakesEveryLdJsonBlock_ResolvesAgainstTheCanonicalUrl_AndInheritsTheLanguage()
    {
        var rows = ReadJson("""
            <!doctype html><html lang="es-MX" dir="ltr"><head>
            <link rel="canonical" href="https://checa.example.mx/verificacion/2024/abc/">
            <script type="application/ld+json"><!--
            {"@context": "https://schema.org", "@graph": [{"@type": "WebSite", "name": "Checa"}]}
            --></script>
            <script type="application/ld+json; charset=utf-8">
            {"@type": "ClaimReview", "url": "#primera", "claimReviewed": "El alcalde de Villaejemplo prohibió las bicicletas en la plaza central",
             "itemReviewed": {"@type": "Claim", "appearance": "/redes/post-1"}, "reviewRating": {"alternateName": "Engañoso"}}
            </script>
            <script>var notJsonLd = {"@type": "ClaimReview"};</script>
            </head><body><!-- <script type="application/ld+json">{"@type": "ClaimReview", "claimReviewed": "draft"}</script> --></body></html>
            """, ".html");

        rows.Select(r => r.Outcome).ShouldBe(["SKIPPED", "READY"]);
        var ready = rows[1];
        ready.Path.ShouldStartWith("script 2");
        ready.Language.ShouldBe("es-MX");
        ready.LanguageOrigin.ShouldBe(LanguageOrigin.Inherited);
        ready.Record!.Evidence.Single(e => e.Stance == Stance.FactCheck).Review.Url.ShouldBe("https://checa.example.mx/verificacion/2024/abc/#primera");
        ready.Record.Sources.Select(s => s.Url).ShouldContain("https://checa.example.mx/redes/post-1");
        ready.Rating!.Rating.ShouldBe(Rating.Misleading);
    }

    [Fact]
    public void ReadText_AFileThatIsNotUtf8_IsReadAsLatin1_WithANote_AndUtf16ByItsByteOrderMark()
    {
        var latin1 = Path.GetTempFileName();
        var utf16 = Path.GetTempFileName();
        try
        {
            File.WriteAllText(latin1, "Não é verdade", Encoding.Latin1);
            File.WriteAllText(utf16, "錯誤 Não", Encoding.Unicode);

            ArchiveReader.ReadText(latin1).ShouldBe(("Não é verdade", "the file is not valid UTF-8; read as Latin-1"));
            ArchiveReader.ReadText(utf16).ShouldBe(("錯誤 Não", null));
        }
        finally
        {
            File.Delete(latin1);
            File.Delete(utf16);
        }
    }

    [Fact]
    public void Read_JsonLines_MixesClaimRecordsAndJsonLdLines_AndReportsABrokenLineByNumber()
    {
        var rows = ReadJson(string.Join('\n',
            """{"claim": {"text": "A claim in our own export format", "claimant": "Desk", "languageCode": "en"}}""",
            "",
            Review(),
            "{ not json"), ".jsonl");

        rows.Select(r => (r.Line, r.Outcome)).ShouldBe([(1, "READY"), (3, "READY"), (4, "INVALID")]);
        rows[0].Record!.Claim.Claimant.ShouldBe("Desk");
        rows[1].Record!.Evidence.ShouldContain(e => e.Stance == Stance.FactCheck);
    }

    [Fact]
    public void Detect_TellsLanguagesApart_OnlyWhenConfident()
    {
        var detection = new LanguageDetection();

        detection.Detect("O prefeito de Vila Exemplo proibiu as bicicletas na praça central da cidade").Code.ShouldBe("pt");
        detection.Detect("ভাইরাল ছবিতে দেখা যাচ্ছে যে নদীতে হাজার হাজার মাছ মরে ভেসে উঠেছে").Code.ShouldBe("bn");
        // Hindi that trigrams alone call Marathi: the family check is not confident either way, so nothing is claimed.
        detection.Detect("वायरल वीडियो में दिखाया गया है कि उदाहरणपुर की मुख्य सड़क पर बाढ़ का पानी भर गया है").Code.ShouldBeNull();
        new LanguageDetection(LanguageDetection.Parse(["hi,en", "bn"])).Detect("वायरल वीडियो में दिखाया गया है कि उदाहरणपुर की मुख्य सड़क पर बाढ़ का पानी भर गया है").Code.ShouldBe("hi");
        detection.Detect("").Code.ShouldBeNull();
    }
}
