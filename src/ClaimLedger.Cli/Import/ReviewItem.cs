using System.Text.Json;
using System.Text.RegularExpressions;
using ClaimLedger.Contracts.V1;

namespace ClaimLedger.Cli.Import;

/// <summary>Where a claim appeared (itemReviewed.appearance / firstAppearance).</summary>
internal sealed record Appearance(string Url, string Title, SourceKind Kind, DateTimeOffset? Published, string Author);

/// <summary>
/// One published fact-check, read faithfully from whatever shape it came in: what it checked, who said it, where it
/// appeared, the review's own URL, date, author, publisher, language and rating exactly as published. Problems that
/// do not stop the import (an appearance URL that cannot be resolved, a date that is not a date) are in Notes.
/// </summary>
internal sealed class ReviewItem
{
    public required string Location { get; init; }
    public List<string> ClaimTexts { get; } = [];
    public List<Party> Claimants { get; } = [];
    public DateTimeOffset? ClaimDate { get; set; }
    public List<Appearance> Appearances { get; } = [];
    public string? Url { get; set; }
    /// <summary>Why the review's URL could not be used, when it could not.</summary>
    public string? UrlProblem { get; set; }
    public DateTimeOffset? DatePublished { get; set; }
    public Party? Author { get; set; }
    public Party? Publisher { get; set; }
    public string Headline { get; set; } = "";
    public string? RatingLabel { get; set; }
    public string? RatingExplanation { get; set; }
    public double? RatingValue { get; set; }
    public double? RatingBest { get; set; }
    public double? RatingWorst { get; set; }
    /// <summary>The review's own inLanguage, as a BCP-47 tag.</summary>
    public string? DeclaredLanguage { get; set; }
    /// <summary>The language the rest of the document declares (sibling nodes, the page's lang).</summary>
    public string? InheritedLanguage { get; set; }
    public List<string> Notes { get; } = [];
}

/// <summary>Reads ClaimReview nodes and Fact Check Tools API reviews into <see cref="ReviewItem"/>s.</summary>
internal static partial class ReviewReader
{
    /// <summary>A schema.org ClaimReview node. <paramref name="pageUrl"/> resolves a relative review URL.</summary>
    public static ReviewItem Read(JsonElement node, string location, NodeIndex ids, Uri? pageUrl)
    {
        var item = new ReviewItem { Location = location };
        foreach (var claimed in JsonLd.Values(node, "claimReviewed"))
        {
            item.ClaimTexts.AddRange(JsonLd.Texts(claimed));
        }

        (item.Url, item.UrlProblem) = ResolveReviewUrl(JsonLd.FirstText(node, "url"), pageUrl);
        item.DatePublished = Date(item, JsonLd.FirstText(node, "datePublished"), "datePublished");
        item.Headline = JsonLd.FirstText(node, "name") ?? JsonLd.FirstText(node, "headline") ?? "";
        item.DeclaredLanguage = Language(JsonLd.Values(node, "inLanguage", ids).FirstOrDefault());

        var authors = JsonLd.Values(node, "author", ids).Select(a => ReadParty(a, ids)).OfType<Party>().ToList();
        var publisher = JsonLd.Values(node, "publisher", ids).Select(a => ReadParty(a, ids)).OfType<Party>().FirstOrDefault();
        item.Author = authors.FirstOrDefault();
        // author: [Person, Organization] — the organisation is the publisher when none is named.
        item.Publisher = publisher ?? authors.Skip(1).FirstOrDefault(p => p.Type == Party.Types.Type.Organization);

        var rating = JsonLd.Values(node, "reviewRating", ids).FirstOrDefault();
        if (rating.ValueKind == JsonValueKind.Object)
        {
            item.RatingLabel = JsonLd.FirstText(rating, "alternateName") ?? JsonLd.FirstText(rating, "name");
            item.RatingExplanation = JsonLd.FirstText(rating, "ratingExplanation");
            item.RatingValue = JsonLd.Number(rating, "ratingValue");
            item.RatingBest = JsonLd.Number(rating, "bestRating");
            item.RatingWorst = JsonLd.Number(rating, "worstRating");
        }
        else if (rating.ValueKind == JsonValueKind.String)
        {
            item.RatingLabel = JsonLd.Text(rating);
        }

        var claim = JsonLd.Values(node, "itemReviewed", ids).FirstOrDefault(v => v.ValueKind == JsonValueKind.Object);
        if (claim.ValueKind == JsonValueKind.Object)
        {
            foreach (var author in JsonLd.Values(claim, "author", ids).Concat(JsonLd.Values(claim, "creator", ids)))
            {
                if (ReadParty(author, ids) is { } party && !item.Claimants.Any(p => p.Name == party.Name))
                {
                    item.Claimants.Add(party);
                }
            }

            item.ClaimDate = Date(item, JsonLd.FirstText(claim, "datePublished") ?? JsonLd.FirstText(claim, "dateCreated"), "itemReviewed.datePublished");
            var baseUrl = item.Url is not null ? new Uri(item.Url) : pageUrl;
            foreach (var name in new[] { "firstAppearance", "appearance" })
            {
                foreach (var work in JsonLd.Values(claim, name, ids))
                {
                    AddAppearance(item, work, baseUrl, ids);
                }
            }

            // Claims summarised only in itemReviewed.name / text: the claim text when claimReviewed is missing.
            if (item.ClaimTexts.Count == 0 && (JsonLd.FirstText(claim, "text") ?? JsonLd.FirstText(claim, "name")) is { } claimText)
            {
                item.ClaimTexts.Add(claimText);
            }
        }

        return item;
    }

    /// <summary>One claimReview of a Google Fact Check Tools API claim: {text, claimant, claimDate} and {publisher{name,site}, url, title, reviewDate, textualRating, languageCode}.</summary>
    public static ReviewItem ReadApi(JsonElement claim, JsonElement review, string location)
    {
        var item = new ReviewItem { Location = location };
        if (JsonLd.FirstText(claim, "text") is { } text)
        {
            item.ClaimTexts.Add(text);
        }

        if (JsonLd.FirstText(claim, "claimant") is { } claimant)
        {
            item.Claimants.Add(new Party { Name = claimant });
        }

        item.ClaimDate = Date(item, JsonLd.FirstText(claim, "claimDate"), "claimDate");
        (item.Url, item.UrlProblem) = ResolveReviewUrl(JsonLd.FirstText(review, "url"), null);
        item.Headline = JsonLd.FirstText(review, "title") ?? "";
        item.DatePublished = Date(item, JsonLd.FirstText(review, "reviewDate"), "reviewDate");
        item.RatingLabel = JsonLd.FirstText(review, "textualRating");
        item.DeclaredLanguage = LanguageNames.ToCode(JsonLd.FirstText(review, "languageCode"));
        var publisher = JsonLd.Values(review, "publisher").FirstOrDefault();
        if (publisher.ValueKind == JsonValueKind.Object && JsonLd.FirstText(publisher, "name") is { } name)
        {
            var site = JsonLd.FirstText(publisher, "site");
            item.Publisher = new Party
            {
                Name = name,
                Type = Party.Types.Type.Organization,
                Url = site is null ? "" : ResolveUrl(site, null) ?? "",
            };
        }

        return item;
    }

    /// <summary>A Person, an Organization, a plain name, or a thing with a name: a party; null when it names nobody.</summary>
    public static Party? ReadParty(JsonElement value, NodeIndex ids)
    {
        value = ids.Resolve(value);
        if (value.ValueKind == JsonValueKind.String)
        {
            return JsonLd.Text(value) is { Length: > 0 } plain ? new Party { Name = Bounded(plain, 300) } : null;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var names = JsonLd.Values(value, "name").SelectMany(JsonLd.Texts).Distinct(StringComparer.Ordinal).ToList();
        if (names.Count == 0)
        {
            return null;
        }

        var types = JsonLd.Types(value);
        var party = new Party
        {
            // A name given as an array (alternate spellings, several languages): all of them, in order.
            Name = Bounded(string.Join(" / ", names), 300),
            Type = types.Any(t => t.Equals("Person", StringComparison.OrdinalIgnoreCase)) ? Party.Types.Type.Person
                : types.Any(t => t.Contains("Organization", StringComparison.OrdinalIgnoreCase) || t.Equals("Corporation", StringComparison.OrdinalIgnoreCase)
                    || t.Equals("GovernmentOrganization", StringComparison.OrdinalIgnoreCase) || t.Equals("NewsMediaOrganization", StringComparison.OrdinalIgnoreCase))
                    ? Party.Types.Type.Organization
                    : Party.Types.Type.Unspecified,
            Url = JsonLd.FirstText(value, "url") is { } url ? ResolveUrl(url, null) ?? "" : "",
        };
        party.SameAs.AddRange(JsonLd.Values(value, "sameAs").SelectMany(JsonLd.Texts).Select(s => ResolveUrl(s, null)).OfType<string>()
            .Distinct(StringComparer.Ordinal).Take(10));
        return party;
    }

    private static void AddAppearance(ReviewItem item, JsonElement work, Uri? baseUrl, NodeIndex ids)
    {
        var raw = work.ValueKind == JsonValueKind.String ? JsonLd.Text(work) : JsonLd.FirstText(work, "url") ?? JsonLd.FirstText(work, "@id");
        if (string.IsNullOrEmpty(raw))
        {
            return;
        }

        if (ResolveUrl(raw, baseUrl) is not { } url)
        {
            item.Notes.Add($"appearance \"{Bounded(raw, 120)}\" is not an http(s) URL and cannot be resolved against the review's; left out");
            return;
        }

        if (item.Appearances.Any(a => a.Url == url))
        {
            return;
        }

        var types = work.ValueKind == JsonValueKind.Object ? JsonLd.Types(work) : [];
        var kind = types.FirstOrDefault() switch
        {
            "SocialMediaPosting" or "DiscussionForumPosting" or "BlogPosting" => SourceKind.SocialPost,
            "NewsArticle" or "Article" or "ReportageNewsArticle" or "AnalysisNewsArticle" => SourceKind.NewsArticle,
            "Dataset" => SourceKind.Dataset,
            _ => SourceKind.Other,
        };
        var author = work.ValueKind == JsonValueKind.Object ? JsonLd.Values(work, "author", ids).Select(a => ReadParty(a, ids)).OfType<Party>().FirstOrDefault() : null;
        item.Appearances.Add(new Appearance(url,
            work.ValueKind == JsonValueKind.Object ? Bounded(JsonLd.FirstText(work, "headline") ?? JsonLd.FirstText(work, "name") ?? "", 500) : "",
            kind,
            work.ValueKind == JsonValueKind.Object ? Date(item, JsonLd.FirstText(work, "datePublished"), "appearance.datePublished") : null,
            author?.Name ?? ""));
    }

    private static (string? Url, string? Problem) ResolveReviewUrl(string? raw, Uri? pageUrl)
    {
        if (string.IsNullOrEmpty(raw))
        {
            return pageUrl is not null ? (pageUrl.AbsoluteUri, null) : (null, "the review has no url");
        }

        return ResolveUrl(raw, pageUrl) is { } url
            ? (url, null)
            : (null, $"the review's url \"{Bounded(raw, 120)}\" is relative and there is no page URL to resolve it against (pass --base-url)");
    }

    /// <summary>
    /// An absolute http(s) URL: as given; "//host/…" as https; "host.tld/path" (no scheme) as https; a relative path
    /// against <paramref name="baseUrl"/>. Null when none of these applies.
    /// </summary>
    public static string? ResolveUrl(string raw, Uri? baseUrl)
    {
        var text = raw.Trim();
        if (Uri.TryCreate(text, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https" && text.Contains("://", StringComparison.Ordinal))
        {
            // As published: the export gives it back unchanged (the server compares canonical forms where it matters).
            return text;
        }

        if (text.StartsWith("//", StringComparison.Ordinal) && Uri.TryCreate("https:" + text, UriKind.Absolute, out var network))
        {
            return network.AbsoluteUri;
        }

        if (SchemeLess().IsMatch(text) && Uri.TryCreate("https://" + text, UriKind.Absolute, out var guessed))
        {
            return guessed.AbsoluteUri;
        }

        if (baseUrl is not null && !Scheme().IsMatch(text) && Uri.TryCreate(baseUrl, text, out var relative)
            && relative.Scheme is "http" or "https")
        {
            return relative.AbsoluteUri;
        }

        return null;
    }

    /// <summary>A BCP-47 tag from inLanguage given as a code, a name, or an object {"name", "alternateName"}.</summary>
    public static string? Language(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Object)
        {
            return new[] { "alternateName", "identifier", "name", "@value" }
                .Select(p => LanguageNames.ToCode(JsonLd.FirstText(value, p))).FirstOrDefault(c => c is not null);
        }

        return value.ValueKind == JsonValueKind.String ? LanguageNames.ToCode(JsonLd.Text(value)) : null;
    }

    private static DateTimeOffset? Date(ReviewItem item, string? text, string what)
    {
        if (text is null)
        {
            return null;
        }

        var date = JsonLd.Date(text);
        if (date is null)
        {
            item.Notes.Add($"{what} \"{Bounded(text, 60)}\" is not a date; left out");
        }

        return date;
    }

    public static string Bounded(string s, int max) => s.Length <= max ? s : s[..(max - 1)] + "…";

    [GeneratedRegex(@"^[a-zA-Z][a-zA-Z0-9+.-]*:")]
    private static partial Regex Scheme();

    // "aosfatos.org/noticias/…", "www.example.com" — a host with a dot and no scheme.
    [GeneratedRegex(@"^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}(?::\d+)?(?:[/?#]|$)", RegexOptions.IgnoreCase)]
    private static partial Regex SchemeLess();
}
