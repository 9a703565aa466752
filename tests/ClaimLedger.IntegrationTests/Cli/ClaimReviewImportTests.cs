using System.Text;
using System.Text.Json;
using ClaimLedger.Contracts.V1;
using ClaimLedger.IntegrationTests.Infrastructure;

namespace ClaimLedger.IntegrationTests.Cli;

/// <summary>
/// ClaimReview import rules one at a time, through the CLI against the real service: whose reviews become verdicts,
/// what happens to a second review of a held claim, the user's rating map, languages that cannot be detected, standard
/// input, odd encodings, and what export writes back.
/// </summary>
public sealed class ClaimReviewImportTests(CliServer server) : IClassFixture<CliServer>, IDisposable
{
    private readonly CliRunner _cli = new(server);
    private readonly string _dir = Directory.CreateTempSubdirectory("claimledger-claimreview-").FullName;

    private string File(string name, string content, Encoding? encoding = null)
    {
        var path = Path.Combine(_dir, name);
        System.IO.File.WriteAllText(path, content, encoding ?? new UTF8Encoding(false));
        return path;
    }

    private static string Unique() => Guid.NewGuid().ToString("N")[..10];

    /// <summary>A ClaimReview as a publisher's CMS writes it.</summary>
    private static string Review(string text, string url, string label, string publisherUrl, string language = "en", string extra = "") => $$$"""
        {"@context": "https://schema.org", "@type": "ClaimReview", "url": "{{{url}}}", "claimReviewed": "{{{text}}}", "inLanguage": "{{{language}}}",
         "datePublished": "2024-06-02T09:30:00+02:00", "name": "Fact check: {{{text}}}",
         "author": {"@type": "Person", "name": "Dana Desk", "url": "{{{publisherUrl}}}/team/dana"},
         "publisher": {"@type": "Organization", "name": "Desk {{{Unique()}}}", "url": "{{{publisherUrl}}}"},
         "itemReviewed": {"@type": "Claim", "author": {"@type": "Organization", "name": "Example Party", "sameAs": ["https://party.example.org"]}},
         "reviewRating": {"@type": "Rating", "alternateName": "{{{label}}}", "ratingValue": 1, "bestRating": 5, "worstRating": 1}{{{extra}}}}
        """;

    private async Task<(Claim Claim, IReadOnlyList<Evidence> Evidence)> ReadAsync(string name)
    {
        var claim = await server.Claims().GetClaimAsync(new GetClaimRequest { Name = name });
        var evidence = (await server.Evidence().ListEvidenceAsync(new ListEvidenceRequest { Parent = name })).Evidence.ToList();
        return (claim, evidence);
    }

    [Fact]
    public async Task Import_OurOwnArchive_RecordsOurVerdicts_KeepingTheReviewAsWePublishedIt_AndOthersAsEvidence()
    {
        var ours = "https://desk-" + Unique() + ".example.org";
        var mapped = $"The Exampleton ferry will stop running on Sundays from next month, says the council {Unique()}";
        var unmapped = $"A picture shows the Exampleton clock tower painted bright green overnight {Unique()}";
        var theirs = $"Exampleton will rename its main square after a famous goat this summer {Unique()}";
        var path = File("archive.json", $"""
            [{Review(mapped, $"{ours}/checks/ferry", "Falso", ours)},
             {Review(unmapped, $"{ours}/checks/tower", "Sátira", ours)},
             {Review(theirs, $"https://other-{Unique()}.example.net/goat", "False", "https://other.example.net")}]
            """);

        var result = await _cli.RunAsync("import", path, "--publisher-url", ours, "--json");

        result.ExitCode.ShouldBe(0, result.ToString());
        var rows = result.Json().Items("results");
        rows.Select(r => (r.Text("outcome"), r.GetProperty("ours").GetBoolean())).ShouldBe([("CREATED", true), ("CREATED", true), ("CREATED", false)]);
        rows[1].Texts("notes").ShouldContain(n => n.Contains("unmapped", StringComparison.Ordinal));

        var (verified, verifiedEvidence) = await ReadAsync(rows[0].Text("claim"));
        verified.Status.ShouldBe(ClaimStatus.Verified);
        verified.Verdict.Rating.ShouldBe(Rating.False);
        verified.Verdict.OriginalRating.ShouldBe("Falso");
        verified.Verdict.PublishedReview.Url.ShouldBe($"{ours}/checks/ferry");
        verified.Verdict.PublishedReview.PublishTime.ToDateTimeOffset().ShouldBe(new DateTimeOffset(2024, 6, 2, 7, 30, 0, TimeSpan.Zero));
        verified.Verdict.PublishedReview.Author.Name.ShouldBe("Dana Desk");
        verified.Verdict.PublishedReview.Author.Type.ShouldBe(Party.Types.Type.Person);
        verified.Verdict.PublishedReview.Rating.Best.ShouldBe(5);
        verified.Verdict.CreateTime.ToDateTimeOffset().ShouldBe(server.Clock.GetUtcNow(), TimeSpan.FromSeconds(1)); // imported now, published then
        verified.Verdict.Evidence.ShouldBe([verifiedEvidence.Single(e => e.Stance == Stance.FactCheck).Name]);
        verified.Claimants.Single().SameAs.ShouldBe(["https://party.example.org"]);
        verified.Claimant.ShouldBe("Example Party");
        var report = Path.Combine(_dir, "audit.md");
        (await _cli.RunAsync("report", "audit", "--format", "md", "--output", report, "--claim", verified.Name, "--since", "2026-01-01", "--until", "2027-01-01"))
            .ExitCode.ShouldBe(0);
        (await System.IO.File.ReadAllTextAsync(report)).ShouldContain("published as “Falso”", customMessage: "the auditor sees the publisher's own rating");

        var (inReview, inReviewEvidence) = await ReadAsync(rows[1].Text("claim"));
        inReview.Status.ShouldBe(ClaimStatus.InReview);
        inReview.Verdict.ShouldBeNull();
        inReviewEvidence.Single(e => e.Stance == Stance.FactCheck).Review.Rating.Label.ShouldBe("Sátira");

        var (evidenceOnly, evidence) = await ReadAsync(rows[2].Text("claim"));
        evidenceOnly.Status.ShouldBe(ClaimStatus.Unverified);
        evidence.Single(e => e.Stance == Stance.FactCheck).Review.Rating.Rating.ShouldBe(Rating.False);
    }

    [Fact]
    public async Task Import_OurReviewOfAClaimHeldFromAnotherPublisher_IsAttached_WithOurVerdictApplied()
    {
        var ours = "https://desk-" + Unique() + ".example.org";
        var text = $"The Exampleton library will charge an entry fee for children from September {Unique()}";
        var first = await _cli.RunAsync("import", File("theirs.json", Review(text, $"https://other-{Unique()}.example.net/library", "Misleading", "https://other.example.net")), "--json");
        var second = await _cli.RunAsync("import", File("ours.json", Review(text + ".", $"{ours}/library", "Mostly false", ours)), "--publisher-url", ours, "--json");

        var claimName = first.Json().Items("results").Single().Text("claim");
        var attached = second.Json().Items("results").Single();
        attached.Text("outcome").ShouldBe("ATTACHED");
        attached.Text("claim").ShouldBe(claimName);
        attached.Text("reason").ShouldContain("applied");
        var (claim, evidence) = await ReadAsync(claimName);
        claim.Status.ShouldBe(ClaimStatus.Verified);
        claim.Verdict.Rating.ShouldBe(Rating.MostlyFalse);
        evidence.Where(e => e.Stance == Stance.FactCheck).Select(e => e.Review.Rating.Label).ShouldBe(["Misleading", "Mostly false"], ignoreOrder: true);
        var history = await server.Claims().ListClaimHistoryAsync(new ListClaimHistoryRequest { Name = claimName });
        history.Events.Select(e => e.Type).ShouldContain(ClaimEvent.Types.Type.VerdictSubmitted);
    }

    [Fact]
    public async Task Import_AsVerdicts_TakesEveryReviewAsOurs_AndAsEvidence_TakesNone()
    {
        var ours = $"https://desk-{Unique()}.example.org";
        var asVerdicts = await _cli.RunAsync("import", File("a.json", Review($"Exampleton doubled its tram fares over the weekend {Unique()}", $"{ours}/a", "True", ours)),
            "--as", "verdicts", "--json");
        var asEvidence = await _cli.RunAsync("import", File("b.json", Review($"Exampleton closed every bakery on Tuesdays in winter {Unique()}", $"{ours}/b", "True", ours)),
            "--as", "evidence", "--publisher-url", ours, "--json");

        (await ReadAsync(asVerdicts.Json().Items("results").Single().Text("claim"))).Claim.Verdict.Rating.ShouldBe(Rating.True);
        (await ReadAsync(asEvidence.Json().Items("results").Single().Text("claim"))).Claim.Status.ShouldBe(ClaimStatus.Unverified);
    }

    [Fact]
    public async Task Import_WithTheUsersRatingMap_MapsTheirLabels_AndABadMapIsAUsageError()
    {
        var label = $"Zorglub-{Unique()}";
        var map = File("my-ratings.json", """{"languages": {"en": {"name": "House style", "ratings": {"FALSE": ["LABEL"]}}}}""".Replace("LABEL", label, StringComparison.Ordinal));
        var path = File("house.json", Review($"The Exampleton zoo released its lions into the park last night {Unique()}", $"https://house-{Unique()}.example.org/lions", label, "https://house.example.org"));

        var without = await _cli.RunAsync("import", path, "--dry-run", "--json");
        var with = await _cli.RunAsync("import", path, "--rating-map", map, "--json");
        var bad = await _cli.RunAsync("import", path, "--rating-map", File("bad.json", """{"languages": {"en": {"ratings": {"NOT_A_RATING": ["x"]}}}}"""));

        without.Json().Items("results").Single().Text("rating").ShouldBe("UNMAPPED");
        with.Json().Items("results").Single().Text("rating").ShouldBe("FALSE");
        var (_, evidence) = await ReadAsync(with.Json().Items("results").Single().Text("claim"));
        evidence.Single(e => e.Stance == Stance.FactCheck).Review.Rating.Rating.ShouldBe(Rating.False);
        bad.ExitCode.ShouldBe(2, bad.ToString());
        bad.Error.ShouldContain("--rating-map");
    }

    [Fact]
    public async Task Import_OfAClaimWhoseLanguageCannotBeToldApart_AsksForOne_NeverGuessesAnother()
    {
        // Hindi that trigram detection over every language confidently calls Marathi.
        const string hindi = "वायरल वीडियो में दिखाया गया है कि उदाहरणपुर की मुख्य सड़क पर बाढ़ का पानी भर गया है";
        var text = $"{hindi} {Unique()}";
        var json = $$$"""{"@type": "ClaimReview", "url": "https://sach.example.in/{{{Unique()}}}", "claimReviewed": "{{{text}}}", "reviewRating": {"alternateName": "भ्रामक"}}""";
        var path = File("hindi.json", json);

        var undecided = await _cli.RunAsync("import", path, "--dry-run", "--json");
        var among = await _cli.RunAsync("import", path, "--dry-run", "--detect-languages", "hi,en,bn", "--json");
        var given = await _cli.RunAsync("import", path, "--language", "hi", "--json");

        undecided.ExitCode.ShouldBe(1);
        var row = undecided.JsonWhateverTheExitCode().Items("results").Single();
        row.Text("outcome").ShouldBe("INVALID");
        row.Text("reason").ShouldContain("needs a language");
        among.Json().Items("results").Single().Text("language").ShouldBe("hi");
        among.Json().Items("results").Single().Text("language_origin").ShouldBe("DETECTED");
        var (claim, _) = await ReadAsync(given.Json().Items("results").Single().Text("claim"));
        claim.LanguageCode.ShouldBe("hi");
        claim.LanguageOrigin.ShouldBe(LanguageOrigin.Given);
    }

    [Fact]
    public async Task Import_FromStandardInput_ReadsAFactCheckToolsApiResponse()
    {
        var text = $"Exampleton's council will ban umbrellas in the old town from May {Unique()}";
        _cli.Input = $$$"""
            {"claims": [{"text": "{{{text}}}", "claimant": "Viral post", "claimDate": "2024-04-01T00:00:00Z",
              "claimReview": [{"publisher": {"name": "Example Checks", "site": "checks.example.org"}, "url": "https://checks.example.org/{{{Unique()}}}",
                               "title": "Umbrella ban?", "reviewDate": "2024-04-03T00:00:00Z", "textualRating": "Four Pinocchios", "languageCode": "en"}]}],
             "nextPageToken": "abc"}
            """;

        var result = await _cli.RunAsync("import", "-", "--json");

        var row = result.Json().Items("results").Single();
        row.Text("file").ShouldBe("(stdin)");
        row.Text("rating").ShouldBe("FALSE");
        var (claim, evidence) = await ReadAsync(row.Text("claim"));
        claim.Claimant.ShouldBe("Viral post");
        claim.ClaimTime.ToDateTimeOffset().ShouldBe(new DateTimeOffset(2024, 4, 1, 0, 0, 0, TimeSpan.Zero));
        var review = evidence.Single(e => e.Stance == Stance.FactCheck).Review;
        review.Publisher.Url.ShouldBe("https://checks.example.org/");
        review.Headline.ShouldBe("Umbrella ban?");
    }

    [Fact]
    public async Task Import_OfALatin1File_ReadsItAndSaysSo_AndLeavesOutAnAppearanceItCannotResolve()
    {
        var text = $"O prefeito de Vila Exemplo proibiu as bicicletas na praça central da cidade {Unique()}";
        var json = $$$"""
            {"@type": "ClaimReview", "url": "https://verifica.example.com.br/{{{Unique()}}}", "claimReviewed": "{{{text}}}", "inLanguage": "pt-BR",
             "itemReviewed": {"@type": "Claim", "appearance": ["mailto:denuncias@example.com.br", "/redes/post-123"]},
             "reviewRating": {"alternateName": "Não é verdade"}}
            """;
        var path = File("latin1.json", json, Encoding.Latin1);

        var result = await _cli.RunAsync("import", path, "--json");

        var row = result.Json().Items("results").Single();
        row.Texts("notes").ShouldContain(n => n.Contains("Latin-1", StringComparison.Ordinal));
        row.Texts("notes").ShouldContain(n => n.Contains("mailto:", StringComparison.Ordinal));
        row.Text("rating").ShouldBe("FALSE");
        var (claim, evidence) = await ReadAsync(row.Text("claim"));
        claim.Text.ShouldBe(text);
        var origin = evidence.Single(e => e.Stance == Stance.Origin);
        (await server.Sources().GetSourceAsync(new GetSourceRequest { Name = origin.Source })).Url.ShouldBe("https://verifica.example.com.br/redes/post-123");
    }

    [Fact]
    public async Task Import_DryRun_ReportsWhatWouldHappen_AndSendsNothing()
    {
        var path = File("dry.json", Review($"Exampleton painted every bus stop purple during the night {Unique()}", $"https://x-{Unique()}.example.org/r", "False", "https://x.example.org"));
        var before = Db.Scalar(server.DatabasePath, "SELECT count(*) FROM ledger_entries");

        var result = await _cli.RunAsync("import", path, "--dry-run", "--json");

        result.Json().Items("results").Single().Text("outcome").ShouldBe("READY");
        result.Json().GetProperty("dry_run").GetBoolean().ShouldBeTrue();
        Db.Scalar(server.DatabasePath, "SELECT count(*) FROM ledger_entries").ShouldBe(before);
    }

    [Fact]
    public async Task Export_ClaimReviews_OursOnly_LeavesOtherPublishersOut_AndAVerdictOfOursCarriesOurPublisher()
    {
        var topicless = $"Exampleton's mayor said the river would be moved two miles east {Unique()}";
        var imported = await _cli.RunAsync("import", File("other.json", Review(topicless, $"https://other-{Unique()}.example.net/river", "False", "https://other.example.net")), "--json");
        var claimName = imported.Json().Items("results").Single().Text("claim");
        var (_, evidence) = await ReadAsync(claimName);
        await server.Claims().StartReviewAsync(new StartReviewRequest { Name = claimName });
        await server.Claims().SubmitVerdictAsync(new SubmitVerdictRequest
        {
            Name = claimName, Rating = Rating.False, Rationale = "Their check and ours agree.", Evidence = { evidence.Single(e => e.Stance == Stance.FactCheck).Name },
        });
        var all = Path.Combine(_dir, "all.jsonld");
        var ours = Path.Combine(_dir, "ours.jsonld");
        string[] publisher = ["--publisher", "Our Desk", "--publisher-url", "https://desk.example.org", "--review-url", "https://desk.example.org/c/{claim}"];

        (await _cli.RunAsync(["export", "--format", "claimreview", "--output", all, .. publisher])).ExitCode.ShouldBe(0);
        (await _cli.RunAsync(["report", "claimreviews", "--output", ours, "--reviews", "ours", .. publisher])).ExitCode.ShouldBe(0);

        static List<JsonElement> For(string path, string text) =>
            JsonDocument.Parse(System.IO.File.ReadAllText(path)).RootElement.EnumerateArray().Where(r => r.Text("claimReviewed") == text).ToList();
        var both = For(all, topicless);
        both.Select(r => r.GetProperty("author").Text("name")).ShouldBe(["Our Desk", "Dana Desk"], ignoreOrder: true);
        var ourReview = For(ours, topicless).ShouldHaveSingleItem();
        ourReview.Text("url").ShouldBe($"https://desk.example.org/c/{claimName["claims/".Length..]}");
        ourReview.GetProperty("reviewRating").Text("alternateName").ShouldBe("False");
        ourReview.GetProperty("reviewRating").GetProperty("ratingValue").GetInt32().ShouldBe(1);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
