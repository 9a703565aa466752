using ClaimLedger.Contracts.V1;
using Google.Protobuf.WellKnownTypes;

namespace ClaimLedger.Cli.Import;

/// <summary>Whose reviews these are: ours become verdicts, everyone else's become FACT_CHECK evidence.</summary>
internal enum ReviewsAs
{
    /// <summary>Reviews whose author, publisher or URL matches --publisher-url are ours; without it, none is.</summary>
    Auto,
    Verdicts,
    Evidence,
}

/// <summary>How an import reads ClaimReview markup (the CLI's options).</summary>
internal sealed record ImportOptions(RatingMap Ratings, ReviewsAs As, Uri? PublisherUrl, string? Language, Uri? BaseUrl, LanguageDetection Detection);

/// <summary>
/// One row of an import: a record to send (READY) or what happened to it (CREATED, ATTACHED, DUPLICATE), or something
/// not sent (SKIPPED, INVALID), with the reading of its rating and language for the report.
/// </summary>
internal sealed class ImportRow
{
    public required string File { get; init; }
    public int Line { get; init; }
    public string Path { get; init; } = "";
    public required string Outcome { get; set; }
    public ClaimRecord? Record { get; init; }
    public string Reason { get; set; } = "";
    public string Claim { get; set; } = "";
    public string? SkippedType { get; init; }
    public string? RatingLabel { get; init; }
    public RatingReading? Rating { get; init; }
    public bool? Ours { get; init; }
    public string? Language { get; init; }
    public LanguageOrigin LanguageOrigin { get; init; }
    public List<string> Notes { get; init; } = [];

    public string Location => $"{File}{(Line > 0 ? $":{Line}" : "")}{(Path.Length > 0 ? $" {Path}" : "")}";
}

/// <summary>
/// Turns one published review into the records to import (one per claim it checked), deciding whose review it is,
/// what its rating means (<see cref="RatingMap"/>) and which language its claim is in — never silently: every choice
/// that loses or guesses something is a note on the row, and a review that cannot be imported is INVALID with why.
/// </summary>
internal static class ReviewRecords
{
    public static IEnumerable<ImportRow> Build(ReviewItem item, string file, int line, ImportOptions options)
    {
        if (item.ClaimTexts.Count == 0)
        {
            yield return Invalid(item, file, line, "claimReviewed is missing: the review does not say what claim it checked");
            yield break;
        }

        if (item.Url is null)
        {
            yield return Invalid(item, file, line, item.UrlProblem ?? "the review has no url");
            yield break;
        }

        var ours = options.As switch
        {
            ReviewsAs.Verdicts => true,
            ReviewsAs.Evidence => false,
            _ => options.PublisherUrl is not null && IsPublishedBy(item, options.PublisherUrl),
        };

        foreach (var text in item.ClaimTexts)
        {
            var notes = new List<string>(item.Notes);
            var (language, origin, languageProblem) = ResolveLanguage(item, text, options);
            if (language is null)
            {
                yield return Invalid(item, file, line, languageProblem!);
                continue;
            }

            // The claim's language reads the few phrases whose meaning depends on it (Chinese and Japanese 不正確).
            var rating = options.Ratings.Resolve(item.RatingLabel, item.RatingValue, item.RatingBest, item.RatingWorst, language);

            if (rating.Note is { } ratingNote)
            {
                notes.Add(ratingNote);
            }

            if (ours && rating.Rating == Rating.Unspecified)
            {
                notes.Add("our review's rating is unmapped: the claim is imported IN_REVIEW with the review as FACT_CHECK evidence; submit the verdict it means");
            }

            yield return new ImportRow
            {
                File = file,
                Line = line,
                Path = item.Location,
                Outcome = "READY",
                Record = ToRecord(item, text, language, origin, rating, ours),
                RatingLabel = item.RatingLabel,
                Rating = rating,
                Ours = ours,
                Language = language,
                LanguageOrigin = origin,
                Notes = notes,
            };
        }
    }

    private static ImportRow Invalid(ReviewItem item, string file, int line, string reason) => new()
    {
        File = file,
        Line = line,
        Path = item.Location,
        Outcome = "INVALID",
        Reason = reason,
        RatingLabel = item.RatingLabel,
        Notes = [.. item.Notes],
    };

    /// <summary>The review's own inLanguage; else its document's; else detected from the claim; else --language.</summary>
    private static (string? Language, LanguageOrigin Origin, string? Problem) ResolveLanguage(ReviewItem item, string text, ImportOptions options)
    {
        if (item.DeclaredLanguage is { } declared)
        {
            return (declared, LanguageOrigin.Declared, null);
        }

        if (item.InheritedLanguage is { } inherited)
        {
            return (inherited, LanguageOrigin.Inherited, null);
        }

        var (detected, best, confidence) = options.Detection.Detect(text);
        if (detected is not null)
        {
            return (detected, LanguageOrigin.Detected, null);
        }

        if (options.Language is { } given)
        {
            return (given, LanguageOrigin.Given, null);
        }

        return (null, LanguageOrigin.Unspecified,
            $"needs a language: the review and its page declare none, and detection is not confident enough " +
            $"(best guess {best} at {confidence:0.00} < {LanguageDetection.MinConfidence:0.00}); pass --language");
    }

    /// <summary>Ours when the review's URL, author or publisher is on the publisher's site (and under its path, if it has one).</summary>
    public static bool IsPublishedBy(ReviewItem item, Uri publisher) =>
        new[] { item.Url, item.Author?.Url, item.Publisher?.Url }
            .Concat(item.Author?.SameAs ?? [])
            .Concat(item.Publisher?.SameAs ?? [])
            .Any(candidate => candidate is not null && Uri.TryCreate(candidate, UriKind.Absolute, out var u) && Host(u) == Host(publisher)
                && u.AbsolutePath.StartsWith(publisher.AbsolutePath.TrimEnd('/'), StringComparison.OrdinalIgnoreCase));

    private static string Host(Uri u) => u.Host.StartsWith("www.", StringComparison.OrdinalIgnoreCase) ? u.Host[4..].ToLowerInvariant() : u.Host.ToLowerInvariant();

    private static ClaimRecord ToRecord(ReviewItem item, string text, string language, LanguageOrigin origin, RatingReading rating, bool ours)
    {
        var claim = new Claim
        {
            Text = text,
            LanguageCode = language,
            LanguageOrigin = origin,
            ClaimTime = item.ClaimDate is { } when ? Timestamp.FromDateTimeOffset(when) : null,
        };
        claim.Claimants.AddRange(item.Claimants.Take(20));
        var record = new ClaimRecord { Claim = claim };
        foreach (var a in item.Appearances)
        {
            record.Sources.Add(new Source
            {
                Url = a.Url,
                Title = a.Title,
                Kind = a.Kind,
                Author = ReviewReader.Bounded(a.Author, 300),
                PublishTime = a.Published is { } p ? Timestamp.FromDateTimeOffset(p) : null,
            });
            record.Evidence.Add(new RecordEvidence { Source = a.Url, Stance = Stance.Origin });
        }

        var published = new PublishedReview
        {
            Url = item.Url!,
            PublishTime = item.DatePublished is { } d ? Timestamp.FromDateTimeOffset(d) : null,
            Author = item.Author,
            Publisher = item.Publisher,
            LanguageCode = item.DeclaredLanguage ?? "",
            Headline = ReviewReader.Bounded(item.Headline, 500),
            Rating = new PublishedRating { Label = ReviewReader.Bounded(item.RatingLabel ?? "", 500), Rating = rating.Rating },
        };
        if (item.RatingValue is { } value)
        {
            published.Rating.Value = value;
        }

        if (item.RatingBest is { } best)
        {
            published.Rating.Best = best;
        }

        if (item.RatingWorst is { } worst)
        {
            published.Rating.Worst = worst;
        }

        var publisherName = item.Publisher?.Name ?? (item.Author?.Type == Party.Types.Type.Organization ? item.Author.Name : "");
        record.Sources.Add(new Source
        {
            Url = item.Url!,
            Title = ReviewReader.Bounded(item.Headline.Length > 0 ? item.Headline : publisherName.Length > 0 ? $"Fact check by {publisherName}" : "Fact check", 500),
            Publisher = ReviewReader.Bounded(publisherName, 300),
            Author = item.Author is { Type: not Party.Types.Type.Organization } person ? ReviewReader.Bounded(person.Name, 300) : "",
            Kind = SourceKind.NewsArticle,
            PublishTime = published.PublishTime,
        });
        record.Evidence.Add(new RecordEvidence
        {
            Source = item.Url!,
            Stance = Stance.FactCheck,
            Excerpt = ReviewReader.Bounded(item.RatingExplanation ?? "", 5000),
            Review = published,
        });

        if (ours && rating.Rating != Rating.Unspecified)
        {
            claim.Status = ClaimStatus.Verified;
            claim.Verdict = new Verdict
            {
                Rating = rating.Rating,
                OriginalRating = published.Rating.Label,
                Rationale = ReviewReader.Bounded(Rationale(item), 10_000),
                PublishedReview = published,
            };
            record.VerdictEvidence.Add(record.Evidence.Count - 1);
        }
        else if (ours)
        {
            claim.Status = ClaimStatus.InReview;
        }

        return record;
    }

    private static string Rationale(ReviewItem item)
    {
        var when = item.DatePublished is { } d ? $" on {d.UtcDateTime:yyyy-MM-dd}" : "";
        var label = item.RatingLabel is { Length: > 0 } l ? $" as “{l}”" : "";
        var explanation = item.RatingExplanation is { Length: > 0 } e ? $" {e}" : "";
        return $"Published{when} at {item.Url}{label}.{explanation}";
    }
}
