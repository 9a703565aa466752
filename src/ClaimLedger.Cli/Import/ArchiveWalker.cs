using System.Text.Json;

namespace ClaimLedger.Cli.Import;

/// <summary>Something found in a document: a review to import, or a node skipped or rejected, with its JSON path.</summary>
internal abstract record Found(string Path);

/// <summary>A schema.org ClaimReview node.</summary>
internal sealed record FoundReview(string Path, JsonElement Node) : Found(Path);

/// <summary>One claimReview of one claim of a Google Fact Check Tools API claims:search response.</summary>
internal sealed record FoundApiReview(string Path, JsonElement Claim, JsonElement Review) : Found(Path);

/// <summary>A node that is not a ClaimReview (a WebPage, an Organization, a MediaReview…): counted, never an error.</summary>
internal sealed record FoundSkip(string Path, string Type, string Reason) : Found(Path);

/// <summary>Something that should have been importable and is not.</summary>
internal sealed record FoundInvalid(string Path, string Reason) : Found(Path);

/// <summary>What one JSON document holds: its reviews and skipped nodes, and the language its other nodes declare.</summary>
internal sealed record WalkedDocument(JsonElement Root, IReadOnlyList<Found> Found, NodeIndex Ids, string? InheritedLanguage, string? LanguageNote);

/// <summary>
/// Finds the ClaimReviews in every shape a fact-check archive comes in: one object, an array, an @graph document
/// (WordPress/Yoast style, with @id references), a DataFeed of DataFeedItems, a {"data": […]} API listing, a Google
/// Fact Check Tools API claims:search response (claims[].claimReview[]), an ItemList, and reviews nested in a page's
/// mainEntity / review / hasPart. Every other node is skipped with its type; MediaReview is skipped with the reason.
/// </summary>
internal static class ArchiveWalker
{
    private static readonly string[] Containers = ["mainEntity", "review", "reviews", "hasPart", "subjectOf", "itemListElement", "item"];

    // Where a page declares its language, most specific first (a WebSite's language is the site's default).
    private static readonly string[][] LanguagePriority =
    [
        ["WebPage", "ItemPage", "FAQPage", "Article", "NewsArticle", "BlogPosting", "ReportageNewsArticle", "AnalysisNewsArticle", "BackgroundNewsArticle"],
        ["WebSite", "Organization", "NewsMediaOrganization"],
    ];

    public static WalkedDocument Walk(JsonElement root)
    {
        var found = new List<Found>();
        var languages = new List<(int Priority, string Language)>();
        Visit(root, "$", found, languages, topLevel: true, depth: 0);
        var (inherited, note) = Inherit(languages);
        return new WalkedDocument(root, found, new NodeIndex(root), inherited, note);
    }

    private static void Visit(JsonElement e, string path, List<Found> found, List<(int, string)> languages, bool topLevel, int depth)
    {
        if (depth > 32)
        {
            found.Add(new FoundInvalid(path, "nested too deeply"));
            return;
        }

        if (e.ValueKind == JsonValueKind.Array)
        {
            var i = 0;
            foreach (var item in e.EnumerateArray())
            {
                Visit(item, $"{path}[{i++}]", found, languages, topLevel, depth + 1);
            }

            return;
        }

        if (e.ValueKind != JsonValueKind.Object)
        {
            if (topLevel)
            {
                found.Add(new FoundSkip(path, "value", $"not a ClaimReview ({JsonLd.Describe(e)})"));
            }

            return;
        }

        var types = JsonLd.Types(e);
        bool Is(string t) => types.Contains(t, StringComparer.OrdinalIgnoreCase);

        if (Is("ClaimReview") || (types.Count == 0 && JsonLd.Has(e, "claimReviewed")))
        {
            found.Add(new FoundReview(path, e));
            return;
        }

        if (Is("MediaReview"))
        {
            found.Add(new FoundSkip(path, "MediaReview", "MediaReview rates a photo's or video's authenticity, not a claim's truth: not imported"));
            return;
        }

        if (e.TryGetProperty("@graph", out var graph))
        {
            Visit(graph, $"{path}.@graph", found, languages, topLevel: true, depth + 1);
            return;
        }

        if (Is("DataFeed"))
        {
            Visit(Property(e, "dataFeedElement"), $"{path}.dataFeedElement", found, languages, topLevel: true, depth + 1);
            return;
        }

        if (Is("DataFeedItem"))
        {
            Visit(Property(e, "item"), $"{path}.item", found, languages, topLevel: true, depth + 1);
            return;
        }

        if (types.Count == 0 && e.TryGetProperty("claims", out var claims) && claims.ValueKind == JsonValueKind.Array)
        {
            // Google Fact Check Tools API: {"claims": [{"text", "claimant", "claimDate", "claimReview": [...]}], "nextPageToken"}
            var c = 0;
            foreach (var claim in claims.EnumerateArray())
            {
                var r = 0;
                foreach (var review in JsonLd.Values(claim, "claimReview"))
                {
                    found.Add(new FoundApiReview($"{path}.claims[{c}].claimReview[{r++}]", claim, review));
                }

                if (r == 0)
                {
                    found.Add(new FoundInvalid($"{path}.claims[{c}]", "an API claim without claimReview"));
                }

                c++;
            }

            return;
        }

        if (types.Count == 0 && e.TryGetProperty("data", out var data) && data.ValueKind is JsonValueKind.Array or JsonValueKind.Object)
        {
            // {"data": [...], "meta": …, "links": …}: an API listing.
            Visit(data, $"{path}.data", found, languages, topLevel: true, depth + 1);
            return;
        }

        // Any other node: remember the language it declares, look inside it for nested reviews, count it as skipped.
        if (JsonLd.FirstText(e, "inLanguage") is { } language && LanguageNames.ToCode(language) is { } code)
        {
            var priority = Array.FindIndex(LanguagePriority, group => group.Any(Is));
            languages.Add((priority < 0 ? 1 : priority, code));
        }

        foreach (var container in Containers)
        {
            if (e.TryGetProperty(container, out var inner) && ContainsReview(inner, depth + 1))
            {
                Visit(inner, $"{path}.{container}", found, languages, topLevel: false, depth + 1);
            }
        }

        if (topLevel && !IsBareReference(e))
        {
            var type = types.Count > 0 ? types[0] : "no @type";
            found.Add(new FoundSkip(path, type, $"not a ClaimReview ({JsonLd.Describe(e)})"));
        }
    }

    private static JsonElement Property(JsonElement e, string name) => e.TryGetProperty(name, out var v) ? v : default;

    private static bool IsBareReference(JsonElement e) => e.EnumerateObject().All(p => p.Name is "@id" or "@context");

    private static bool ContainsReview(JsonElement e, int depth) => depth <= 32 && e.ValueKind switch
    {
        JsonValueKind.Array => e.EnumerateArray().Any(x => ContainsReview(x, depth + 1)),
        JsonValueKind.Object => JsonLd.IsA(e, "ClaimReview") || Containers.Any(c => e.TryGetProperty(c, out var inner) && ContainsReview(inner, depth + 1)),
        _ => false,
    };

    private static (string? Language, string? Note) Inherit(List<(int Priority, string Language)> declared)
    {
        foreach (var group in declared.GroupBy(d => d.Priority).OrderBy(g => g.Key))
        {
            var distinct = group.Select(d => d.Language).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            if (distinct.Count == 1)
            {
                return (distinct[0], null);
            }

            return (null, $"the document's other nodes declare different languages ({string.Join(", ", distinct)}); none inherited");
        }

        return (null, null);
    }
}
