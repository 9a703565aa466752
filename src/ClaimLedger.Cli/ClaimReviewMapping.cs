using System.Globalization;
using System.Text.Json;
using ClaimLedger.Contracts.V1;
using Google.Protobuf.WellKnownTypes;

namespace ClaimLedger.Cli;

/// <summary>
/// schema.org ClaimReview → ClaimRecord. The claim is claimReviewed, its claimant itemReviewed.author.name, its time
/// itemReviewed.datePublished; appearance/firstAppearance URLs are ORIGIN evidence. The review itself (its url) is the
/// evidence the verdict rests on: REFUTES for ratings below MIXED, SUPPORTS otherwise. The rating is mapped from
/// reviewRating.alternateName (the fact-checker's words, kept as original_rating) and, failing that, from ratingValue on
/// its worstRating..bestRating scale. docs/import-formats.md has the table.
/// </summary>
public static class ClaimReviewMapping
{
    private static readonly (string[] Words, Rating Rating)[] Names =
    [
        (["pants on fire", "false", "fake", "incorrect", "wrong", "untrue", "hoax", "fabricated", "four pinocchios"], Rating.False),
        (["mostly false", "largely false", "mostly inaccurate", "three pinocchios"], Rating.MostlyFalse),
        (["half true", "half-true", "mixed", "mixture", "partly true", "partly false", "two pinocchios"], Rating.Mixed),
        (["mostly true", "largely true", "mostly accurate", "one pinocchio"], Rating.MostlyTrue),
        (["true", "correct", "accurate", "geppetto checkmark"], Rating.True),
        (["misleading", "missing context", "out of context", "cherry-picked", "exaggerated", "distorted"], Rating.Misleading),
        (["unproven", "unverified", "unsupported", "no evidence", "unsubstantiated", "cannot be verified", "research in progress"], Rating.Unproven),
    ];

    public static Rating? FromName(string name)
    {
        var n = name.Trim().ToLowerInvariant();
        // Exact names first ("false" must not win over "mostly false"), then contained phrases, longest first.
        foreach (var (words, rating) in Names)
        {
            if (words.Contains(n))
            {
                return rating;
            }
        }

        return Names.SelectMany(x => x.Words.Select(w => (w, x.Rating))).OrderByDescending(x => x.w.Length)
            .Where(x => n.Contains(x.w, StringComparison.Ordinal)).Select(x => (Rating?)x.Rating).FirstOrDefault();
    }

    public static Rating? FromScale(double value, double worst, double best)
    {
        if (best <= worst || value < worst || value > best)
        {
            return null;
        }

        var x = (value - worst) / (best - worst);
        return x switch
        {
            < 0.125 => Rating.False,
            < 0.375 => Rating.MostlyFalse,
            < 0.625 => Rating.Mixed,
            < 0.875 => Rating.MostlyTrue,
            _ => Rating.True,
        };
    }

    public static ReadRecord ToRecord(JsonElement review, int index)
    {
        string? Str(JsonElement e, string name) => e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        JsonElement Obj(JsonElement e, string name) => e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) ? v : default;

        var text = Str(review, "claimReviewed");
        if (string.IsNullOrWhiteSpace(text))
        {
            return new ReadRecord(index, null, "claimReviewed is missing");
        }

        var item = Obj(review, "itemReviewed");
        var author = Obj(item, "author");
        var claimant = author.ValueKind == JsonValueKind.Array ? Str(author.EnumerateArray().FirstOrDefault(), "name") : Str(author, "name");
        var claim = new Claim
        {
            Text = text.Trim(),
            Claimant = string.IsNullOrWhiteSpace(claimant) ? "unknown" : claimant.Trim(),
            LanguageCode = Str(review, "inLanguage") ?? "en",
        };
        if (Str(item, "datePublished") is { } published && DateTimeOffset.TryParse(published, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t))
        {
            claim.ClaimTime = Timestamp.FromDateTimeOffset(t);
        }

        var record = new ClaimRecord { Claim = claim };
        var origins = new List<string>();
        foreach (var name in new[] { "firstAppearance", "appearance" })
        {
            var value = Obj(item, name);
            foreach (var work in value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().ToList() : [value])
            {
                if ((work.ValueKind == JsonValueKind.String ? work.GetString() : Str(work, "url")) is { Length: > 0 } url && !origins.Contains(url))
                {
                    origins.Add(url);
                    record.Sources.Add(new Source { Url = url, Title = Str(work, "headline") ?? "", Kind = SourceKind.Other });
                    record.Evidence.Add(new RecordEvidence { Source = url, Stance = Stance.Origin });
                }
            }
        }

        var reviewRating = Obj(review, "reviewRating");
        var alternate = Str(reviewRating, "alternateName") ?? "";
        var rating = FromName(alternate);
        if (rating is null && Number(reviewRating, "ratingValue") is { } v)
        {
            rating = FromScale(v, Number(reviewRating, "worstRating") ?? 1, Number(reviewRating, "bestRating") ?? 5);
        }

        var reviewUrl = Str(review, "url");
        if (rating is { } r && !string.IsNullOrWhiteSpace(reviewUrl))
        {
            var publisher = Str(Obj(review, "author"), "name") ?? "";
            record.Sources.Add(new Source { Url = reviewUrl, Title = $"Fact check{(publisher.Length > 0 ? $" by {publisher}" : "")}", Publisher = publisher, Kind = SourceKind.NewsArticle });
            record.Evidence.Add(new RecordEvidence
            {
                Source = reviewUrl,
                Stance = r is Rating.False or Rating.MostlyFalse or Rating.Misleading ? Stance.Refutes : Stance.Supports,
                Excerpt = alternate,
            });
            claim.Status = ClaimStatus.Verified;
            claim.Verdict = new Verdict
            {
                Rating = r,
                OriginalRating = alternate,
                Rationale = $"Imported ClaimReview{(publisher.Length > 0 ? $" by {publisher}" : "")}: \"{alternate}\" ({reviewUrl})",
            };
            record.VerdictEvidence.Add(record.Evidence.Count - 1);
        }

        return new ReadRecord(index, record, null);
    }

    private static double? Number(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v)
            ? v.ValueKind == JsonValueKind.Number ? v.GetDouble()
            : v.ValueKind == JsonValueKind.String && double.TryParse(v.GetString(), CultureInfo.InvariantCulture, out var d) ? d : null
            : null;
}
