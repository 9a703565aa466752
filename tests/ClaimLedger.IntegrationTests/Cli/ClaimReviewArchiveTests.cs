using System.Text.Json;
using ClaimLedger.Contracts.V1;
using ClaimLedger.IntegrationTests.Infrastructure;

namespace ClaimLedger.IntegrationTests.Cli;

/// <summary>
/// `claimledger import` pointed at a folder of fact-check archives as real publishers publish them (Fixtures/ClaimReview:
/// 78 reviews by 20 fictional publishers in 14 languages, in every shape, with a manifest of what a faithful import must
/// record) against the real service on loopback, then checked through the API.
/// </summary>
public sealed class ClaimReviewArchiveTests(ClaimReviewArchiveTests.ImportedArchive archive) : IClassFixture<ClaimReviewArchiveTests.ImportedArchive>
{
    public static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Fixtures", "ClaimReview");

    /// <summary>The archive's languages: detection among them tells Hindi from Marathi (see LanguageDetection).</summary>
    public static readonly string[] DetectAmong = ["--detect-languages", "en,es,pt,fr,de,it,hi,bn,ar,zh,tr,id,ja"];

    /// <summary>A fresh server with the whole archive imported once, and everything the API says about it.</summary>
    public sealed class ImportedArchive : IAsyncLifetime
    {
        public CliServer Server { get; } = new();

        public CliResult Import { get; private set; } = null!;

        public JsonElement Manifest { get; } = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "ClaimReview.expected.json"))).RootElement;

        public IReadOnlyList<Claim> Claims { get; private set; } = [];

        public IReadOnlyDictionary<string, IReadOnlyList<Evidence>> Evidence { get; private set; } = new Dictionary<string, IReadOnlyList<Evidence>>();

        public IReadOnlyDictionary<string, Source> Sources { get; private set; } = new Dictionary<string, Source>();

        public async Task InitializeAsync()
        {
            Import = await new CliRunner(Server).RunAsync(["import", Folder, "--json", .. DetectAmong]);
            (Claims, Evidence, Sources) = await ReadAllAsync(Server);
        }

        public Task DisposeAsync()
        {
            Server.Dispose();
            return Task.CompletedTask;
        }
    }

    /// <summary>Every claim, its evidence and every source, through the API.</summary>
    public static async Task<(IReadOnlyList<Claim>, IReadOnlyDictionary<string, IReadOnlyList<Evidence>>, IReadOnlyDictionary<string, Source>)> ReadAllAsync(CliServer server)
    {
        var claims = new List<Claim>();
        var token = "";
        do
        {
            var page = await server.Claims().ListClaimsAsync(new ListClaimsRequest { PageSize = 100, PageToken = token, OrderBy = "create_time" });
            claims.AddRange(page.Claims);
            token = page.NextPageToken;
        }
        while (token.Length > 0);

        var evidence = new Dictionary<string, IReadOnlyList<Evidence>>();
        foreach (var claim in claims)
        {
            evidence[claim.Name] = (await server.Evidence().ListEvidenceAsync(new ListEvidenceRequest { Parent = claim.Name, PageSize = 100 })).Evidence.ToList();
        }

        var sources = new Dictionary<string, Source>();
        token = "";
        do
        {
            var page = await server.Sources().ListSourcesAsync(new ListSourcesRequest { PageSize = 100, PageToken = token });
            foreach (var s in page.Sources)
            {
                sources[s.Name] = s;
            }

            token = page.NextPageToken;
        }
        while (token.Length > 0);

        return (claims, evidence, sources);
    }

    private JsonElement[] Results => archive.Import.JsonWhateverTheExitCode().Items("results");

    [Fact]
    public void Import_ReportsEveryRecord_CreatedAttachedSkippedOrInvalid_WithTheArchivesCounts()
    {
        var reviews = archive.Manifest.Items("reviews");
        var report = archive.Import.JsonWhateverTheExitCode();

        archive.Import.ExitCode.ShouldBe(1, "two records of the archive are invalid");
        report.Int64("created").ShouldBe(reviews.Count(r => r.Text("outcome") == "CREATED"));
        report.Int64("attached").ShouldBe(reviews.Count(r => r.Text("outcome") == "ATTACHED"));
        report.Int64("duplicates").ShouldBe(0);
        report.Int64("invalid").ShouldBe(archive.Manifest.Items("invalid").Length);
        report.Int64("skipped").ShouldBe(archive.Manifest.Items("skipped").Sum(s => s.Int64("count")));
        report.GetProperty("ratings").Int64("unmapped").ShouldBe(reviews.Count(r => r.Text("rating") == "UNMAPPED"));
        report.GetProperty("ratings").Int64("mapped").ShouldBe(reviews.Count(r => r.Text("rating") != "UNMAPPED"));
        foreach (var origin in new[] { "DECLARED", "INHERITED", "DETECTED" })
        {
            report.GetProperty("languages").Int64(origin.ToLowerInvariant()).ShouldBe(reviews.Count(r => r.Text("language_origin") == origin), origin);
        }

        // Per file: as many created and attached rows as the manifest has reviews.
        foreach (var file in reviews.GroupBy(r => r.Text("file")))
        {
            Results.Where(r => r.Text("file") == file.Key && r.Text("outcome") is "CREATED" or "ATTACHED").Select(r => r.Text("outcome")).Order()
                .ShouldBe(file.Select(r => r.Text("outcome")).Order(), file.Key);
        }
    }

    [Fact]
    public void Import_RecordsEveryReview_WithItsPublishersRatingDateUrlAuthorAndLanguage()
    {
        foreach (var expected in archive.Manifest.Items("reviews"))
        {
            var what = $"{expected.Text("file")}: {expected.Text("review_url")}";
            var claimText = expected.TryGetProperty("attached_to", out var to) ? to.Text("claim_text") : expected.Text("claim_text");
            var claim = archive.Claims.SingleOrDefault(c => c.Text == claimText).ShouldNotBeNull(what);
            var evidence = archive.Evidence[claim.Name];
            var factCheck = evidence.SingleOrDefault(e => e.Stance == Stance.FactCheck && e.Review?.Url == expected.Text("review_url")).ShouldNotBeNull(what);
            var review = factCheck.Review;

            review.Rating.Label.ShouldBe(expected.Text("rating_label"), what);
            review.Rating.Rating.ShouldBe(expected.Text("rating") == "UNMAPPED" ? Rating.Unspecified : Parse<Rating>(expected.Text("rating")), what);
            (review.Rating.HasValue ? review.Rating.Value : (double?)null).ShouldBe(Number(expected, "rating_value"), what);
            (review.Rating.HasBest ? review.Rating.Best : (double?)null).ShouldBe(Number(expected, "rating_best"), what);
            (review.Rating.HasWorst ? review.Rating.Worst : (double?)null).ShouldBe(Number(expected, "rating_worst"), what);
            (review.PublishTime?.ToDateTime().ToString("yyyy-MM-dd")).ShouldBe(expected.GetProperty("date_published").GetString(), what);
            PartyShouldBe(review.Author, expected.GetProperty("author"), what + " author");
            PartyShouldBe(review.Publisher, expected.GetProperty("publisher"), what + " publisher");
            // The review's page is the source (one page may carry several reviews, told apart by their #fragment).
            archive.Sources[factCheck.Source].Url.Split('#')[0].ShouldBe(expected.Text("review_url").Split('#')[0], what);

            if (!expected.Has("attached_to"))
            {
                claim.LanguageCode.ShouldBe(expected.Text("language"), what);
                claim.LanguageOrigin.ShouldBe(Parse<LanguageOrigin>(expected.Text("language_origin")), what);
                claim.Claimants.Select(p => (p.Name, Format(p.Type), string.Join(" ", p.SameAs))).ShouldBe(
                    expected.Items("claimants").Select(p => (p.Text("name"), p.Text("type"), string.Join(" ", p.Texts("same_as")))), what);
                claim.Status.ShouldBe(ClaimStatus.Unverified, what + " (another publisher's review is never our verdict)");
                claim.Verdict.ShouldBeNull(what);
            }

            var origins = evidence.Where(e => e.Stance == Stance.Origin).Select(e => archive.Sources[e.Source].Url).ToList();
            expected.Texts("appearances").ShouldBeSubsetOf(origins, what);
        }
    }

    [Fact]
    public void Import_CountsNonClaimReviewNodesAsSkipped_ByFileAndType_NeverInvalid()
    {
        var skipped = Results.Where(r => r.Text("outcome") == "SKIPPED" && r.Text("file") != "")
            .GroupBy(r => (File: r.Text("file"), Type: Type(r.Text("reason"))))
            .ToDictionary(g => g.Key, g => (long)g.Count());
        var expected = archive.Manifest.Items("skipped").ToDictionary(s => (File: s.Text("file"), Type: s.Text("type")), s => s.Int64("count"));

        skipped.OrderBy(k => k.Key).ShouldBe(expected.OrderBy(k => k.Key));
        Results.Where(r => r.Text("outcome") == "SKIPPED" && r.Text("reason").Contains("MediaReview", StringComparison.Ordinal))
            .ShouldHaveSingleItem().Text("reason").ShouldContain("not imported");
    }

    [Fact]
    public void Import_ReportsInvalidRecordsWithWhy_AndStoresNothingOfThem()
    {
        foreach (var expected in archive.Manifest.Items("invalid"))
        {
            Results.Where(r => r.Text("file") == expected.Text("file") && r.Text("outcome") == "INVALID").ShouldHaveSingleItem(expected.Text("file"))
                .Text("reason").ShouldContain(expected.Text("reason_contains"));
        }

        foreach (var never in archive.Manifest.Items("not_imported"))
        {
            archive.Claims.ShouldNotContain(c => c.Text == never.Text("claim_text"), never.Text("why"));
        }
    }

    [Fact]
    public async Task ImportingTheArchiveAgain_ReportsEveryReviewAsADuplicate_AndChangesNothing()
    {
        var ledgerBefore = Db.Scalar(archive.Server.DatabasePath, "SELECT count(*) FROM ledger_entries");
        var evidenceBefore = Db.Scalar(archive.Server.DatabasePath, "SELECT count(*) FROM evidence");

        var again = await new CliRunner(archive.Server).RunAsync(["import", Folder, "--json", .. DetectAmong]);

        var report = again.JsonWhateverTheExitCode();
        report.Int64("created").ShouldBe(0);
        report.Int64("attached").ShouldBe(0);
        report.Int64("duplicates").ShouldBe(archive.Manifest.Items("reviews").Length);
        Db.Scalar(archive.Server.DatabasePath, "SELECT count(*) FROM ledger_entries").ShouldBe(ledgerBefore);
        Db.Scalar(archive.Server.DatabasePath, "SELECT count(*) FROM evidence").ShouldBe(evidenceBefore);
    }

    [Fact]
    public async Task Export_WritesEveryImportedReviewBackAsItsPublisherPublishedIt_WithGooglesFields()
    {
        var path = Path.Combine(Path.GetTempPath(), $"claimreviews-{Guid.NewGuid():N}.jsonld");
        try
        {
            var result = await new CliRunner(archive.Server).RunAsync("export", "--format", "claimreview", "--output", path,
                "--publisher", "Our Desk", "--publisher-url", "https://desk.example.org", "--review-url", "https://desk.example.org/c/{claim}", "--json");
            result.ExitCode.ShouldBe(0, result.ToString());
            var exported = JsonDocument.Parse(File.ReadAllText(path)).RootElement.EnumerateArray().ToList();

            // One ClaimReview per claim and review: a review of two claims (claimReviewed as an array) is written for each.
            exported.Count.ShouldBe(archive.Manifest.Items("reviews").Length);
            foreach (var expected in archive.Manifest.Items("reviews"))
            {
                var what = expected.Text("review_url");
                var claimText = expected.TryGetProperty("attached_to", out var to) ? to.Text("claim_text") : expected.Text("claim_text");
                var review = exported.Where(r => r.Text("url") == what && r.Text("claimReviewed") == claimText).ShouldHaveSingleItem(what);
                var rating = review.GetProperty("reviewRating");
                if (expected.Text("rating_label").Length > 0)
                {
                    rating.Text("alternateName").ShouldBe(expected.Text("rating_label"), what);
                }

                (rating.TryGetProperty("ratingValue", out var v) ? v.GetDouble() : (double?)null).ShouldBe(Number(expected, "rating_value"), what);
                (rating.TryGetProperty("bestRating", out var b) ? b.GetDouble() : (double?)null).ShouldBe(Number(expected, "rating_best"), what);
                (review.TryGetProperty("datePublished", out var d) ? d.GetString() : null).ShouldBe(expected.GetProperty("date_published").GetString(), what);
                var author = expected.GetProperty("author").ValueKind == JsonValueKind.Object ? expected.GetProperty("author") : expected.GetProperty("publisher");
                if (author.ValueKind == JsonValueKind.Object)
                {
                    review.GetProperty("author").Text("name").ShouldBe(author.Text("name"), what);
                }

                // Google's required properties, and the recommended ones wherever the review has them.
                review.Text("@type").ShouldBe("ClaimReview");
                review.Text("claimReviewed").ShouldNotBeEmpty();
                review.GetProperty("itemReviewed").Text("@type").ShouldBe("Claim");
            }

            File.ReadAllText(path).ShouldNotContain("\"unknown\"", Case.Insensitive);
            exported.Where(r => !r.GetProperty("itemReviewed").Has("author")).Select(r => r.Text("claimReviewed")).Distinct()
                .ShouldBe(archive.Claims.Where(c => c.Claimant.Length == 0).Select(c => c.Text), ignoreOrder: true);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static string Type(string reason) =>
        reason.Contains("MediaReview", StringComparison.Ordinal) ? "MediaReview"
        : reason.Contains("(@type ", StringComparison.Ordinal) ? reason[(reason.IndexOf("(@type ", StringComparison.Ordinal) + 7)..].TrimEnd(')').Split(", ")[0]
        : reason;

    private static double? Number(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;

    private static T Parse<T>(string name) where T : struct, Enum =>
        Enum.GetValues<T>().Single(v => Format(v) == name);

    private static string Format<T>(T value) where T : struct, Enum =>
        typeof(T).GetField(value.ToString())!.GetCustomAttributes(typeof(Google.Protobuf.Reflection.OriginalNameAttribute), false)
            .OfType<Google.Protobuf.Reflection.OriginalNameAttribute>().Single().Name switch
        {
            "TYPE_UNSPECIFIED" => "UNSPECIFIED",
            var n => n,
        };

    private static void PartyShouldBe(Party? actual, JsonElement expected, string what)
    {
        if (expected.ValueKind != JsonValueKind.Object)
        {
            actual.ShouldBeNull(what);
            return;
        }

        actual.ShouldNotBeNull(what);
        actual.Name.ShouldBe(expected.Text("name"), what);
        Format(actual.Type).ShouldBe(expected.Text("type"), what);
    }
}
