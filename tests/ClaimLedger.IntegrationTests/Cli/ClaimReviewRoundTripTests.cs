using System.Text.Json;
using System.Text.Json.Nodes;
using ClaimLedger.IntegrationTests.Infrastructure;
using CsCheck;

namespace ClaimLedger.IntegrationTests.Cli;

/// <summary>
/// Property: for any archive of other publishers' ClaimReviews (random shapes, languages, claimants, appearances,
/// authors, dates and ratings, mapped or not), import → export → import changes nothing: importing the export into the
/// same server creates and attaches nothing and writes no ledger entry, and a second server that imports the export
/// exports exactly the same markup.
/// </summary>
public sealed class ClaimReviewRoundTripTests : IDisposable
{
    private readonly CliServer _first = new();
    private readonly CliServer _second = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("claimledger-roundtrip-").FullName;
    private static readonly string[] Publisher = ["--publisher", "Round Trip Desk", "--publisher-url", "https://desk.example.org", "--review-url", "https://desk.example.org/c/{claim}"];

    private static readonly string[] Words =
    [
        "harbour", "council", "bridge", "festival", "tram", "library", "mayor", "river", "school", "market", "ferry", "tower", "bakery", "garden",
        "museum", "stadium", "hospital", "airport", "orchestra", "museum", "railway", "cinema", "theatre", "lighthouse", "vineyard", "factory",
    ];

    private static readonly (string Language, string[] Labels)[] Languages =
    [
        ("en", ["False", "Mostly true", "Missing context", "Satire", "Pants on Fire", "That's not correct."]),
        ("es", ["Falso", "Engañoso", "Verdad a medias", "Sátira"]),
        ("pt-BR", ["Falso", "Sem contexto", "Verdadeiro", "Opinião"]),
        ("fr", ["Faux", "Trompeur", "Vrai"]),
        ("ar", ["زائف", "مضلل", "صحيح"]),
        ("zh-TW", ["錯誤", "證據不足", "部分錯誤"]),
    ];

    private static readonly Gen<JsonObject?> GenParty =
        Gen.Int[0, 3].SelectMany(kind => Gen.Int[0, 9999].Select(n => kind switch
        {
            0 => null,
            1 => new JsonObject { ["@type"] = "Person", ["name"] = $"Reporter {n}", ["url"] = $"https://people.example.org/{n}" },
            2 => new JsonObject { ["@type"] = "Organization", ["name"] = $"Desk {n}", ["url"] = $"https://desk{n}.example.org/", ["sameAs"] = new JsonArray($"https://social.example.net/desk{n}") },
            _ => (JsonObject?)new JsonObject { ["@type"] = "Organization", ["name"] = $"Outlet {n}" },
        }));

    private static readonly Gen<JsonObject> GenReview =
        from words in Gen.Int[0, Words.Length - 1].Array[6, 10]
        from language in Gen.Int[0, Languages.Length - 1]
        from label in Gen.Int[0, 5]
        from scale in Gen.Int[0, 2]
        from value in Gen.Int[1, 5]
        from day in Gen.Int[0, 900]
        from author in GenParty
        from publisher in GenParty
        from claimants in GenParty.Array[0, 2]
        from appearances in Gen.Int[0, 2]
        select Review(words, language, label, scale, value, day, author, publisher, claimants, appearances);

    /// <summary>An archive: reviews in one of the shapes publishers use.</summary>
    private static readonly Gen<(int Shape, JsonObject[] Reviews)> GenArchive = Gen.Select(Gen.Int[0, 3], GenReview.Array[1, 4]);

    private static JsonObject Review(int[] words, int language, int label, int scale, int value, int day, JsonObject? author, JsonObject? publisher,
        JsonObject?[] claimants, int appearances)
    {
        var id = Guid.NewGuid().ToString("N");
        var (code, labels) = Languages[language];
        var rating = new JsonObject { ["@type"] = "Rating", ["alternateName"] = labels[label % labels.Length] };
        if (scale > 0)
        {
            rating["ratingValue"] = value;
            rating["bestRating"] = 5;
            rating["worstRating"] = 1;
        }

        var claim = new JsonObject { ["@type"] = "Claim" };
        var named = claimants.OfType<JsonObject>().GroupBy(c => c["name"]!.GetValue<string>()).Select(g => g.First()).ToArray();
        if (named.Length > 0)
        {
            claim["author"] = named.Length == 1 ? named[0] : new JsonArray(named.Cast<JsonNode?>().ToArray());
        }

        if (appearances > 0)
        {
            claim["appearance"] = new JsonArray(Enumerable.Range(0, appearances)
                .Select(i => (JsonNode?)new JsonObject { ["@type"] = i == 0 ? "SocialMediaPosting" : "NewsArticle", ["url"] = $"https://posts.example.net/{id}/{i}" }).ToArray());
        }

        var review = new JsonObject
        {
            ["@context"] = "https://schema.org",
            ["@type"] = "ClaimReview",
            ["url"] = $"https://checks-{id[..6]}.example.org/review/{id}",
            // Random words and a random name: no two generated claims are near-duplicates of each other.
            ["claimReviewed"] = $"{string.Join(' ', words.Select(w => Words[w]))} of {id[..8]} {id[8..14]}",
            ["inLanguage"] = code,
            ["datePublished"] = new DateTime(2023, 1, 1).AddDays(day).ToString("yyyy-MM-dd"),
            ["itemReviewed"] = claim,
            ["reviewRating"] = rating,
        };
        if (author is not null)
        {
            review["author"] = author.DeepClone();
        }

        if (publisher is not null && publisher["@type"]!.GetValue<string>() == "Organization")
        {
            review["publisher"] = publisher.DeepClone();
        }

        return review;
    }

    private static string Shape(int shape, JsonObject[] reviews)
    {
        var items = new JsonArray(reviews.Select(r => (JsonNode?)r.DeepClone()).ToArray());
        JsonNode document = shape switch
        {
            0 => items,
            1 => new JsonObject { ["@context"] = "https://schema.org", ["@graph"] = new JsonArray([new JsonObject { ["@type"] = "WebSite", ["name"] = "x" }, .. items.Select(i => i!.DeepClone())]) },
            2 => new JsonObject
            {
                ["@context"] = "https://schema.org", ["@type"] = "DataFeed",
                ["dataFeedElement"] = new JsonArray(items.Select(i => (JsonNode?)new JsonObject { ["@type"] = "DataFeedItem", ["item"] = new JsonArray(i!.DeepClone()) }).ToArray()),
            },
            _ => new JsonObject { ["data"] = items, ["meta"] = new JsonObject { ["page"] = 1 } },
        };
        return document.ToJsonString();
    }

    [Fact]
    public async Task ImportExportImport_ChangesNothing_AndAnotherServerExportsTheSameMarkup()
    {
        var first = new CliRunner(_first);
        var second = new CliRunner(_second);
        await GenArchive.SampleAsync(async archive =>
        {
            var urls = archive.Reviews.Select(r => r["url"]!.GetValue<string>()).ToHashSet();
            var input = Path.Combine(_dir, $"{Guid.NewGuid():N}.json");
            await File.WriteAllTextAsync(input, Shape(archive.Shape, archive.Reviews));

            var imported = await first.RunAsync("import", input, "--json");
            imported.Json().Int64("created").ShouldBe(archive.Reviews.Length, imported.ToString());
            var exported = await ExportAsync(first, urls);

            var ledger = Db.Scalar(_first.DatabasePath, "SELECT count(*) FROM ledger_entries");
            var again = await first.RunAsync("import", exported.Path, "--json");
            again.Json().Int64("created").ShouldBe(0, again.ToString());
            again.Json().Int64("attached").ShouldBe(0, again.ToString());
            Db.Scalar(_first.DatabasePath, "SELECT count(*) FROM ledger_entries").ShouldBe(ledger);

            var elsewhere = await second.RunAsync("import", exported.Path, "--json");
            elsewhere.Json().Int64("created").ShouldBe(archive.Reviews.Length, elsewhere.ToString());
            var reexported = await ExportAsync(second, urls);
            reexported.Markup.ShouldBe(exported.Markup);
        }, iter: 12, threads: 1, print: a => Shape(a.Shape, a.Reviews));
    }

    /// <summary>The ClaimReview export, as a file of just these reviews and as their canonical text.</summary>
    private async Task<(string Path, string Markup)> ExportAsync(CliRunner cli, IReadOnlySet<string> urls)
    {
        var all = Path.Combine(_dir, $"{Guid.NewGuid():N}.jsonld");
        (await cli.RunAsync(["export", "--format", "claimreview", "--output", all, .. Publisher])).ExitCode.ShouldBe(0);
        var mine = JsonNode.Parse(await File.ReadAllTextAsync(all))!.AsArray().Where(r => urls.Contains(r!["url"]!.GetValue<string>()))
            .OrderBy(r => r!["url"]!.GetValue<string>(), StringComparer.Ordinal).Select(r => r!.DeepClone()).ToArray();
        var markup = new JsonArray(mine).ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        var path = Path.Combine(_dir, $"{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, markup);
        return (path, markup);
    }

    public void Dispose()
    {
        _first.Dispose();
        _second.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
