using System.Text.Json;
using System.Text.Json.Nodes;
using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Infrastructure.Data;
using FluentValidation;
using Google.Protobuf.WellKnownTypes;

namespace ClaimLedger.Server.Features.Reviews;

/// <summary>
/// Fact-checks as their publishers published them (schema.org ClaimReview): the rules a <see cref="PublishedReview"/>
/// and its <see cref="Party"/>s must meet, and how they are stored (published_reviews, parties as JSON objects).
/// Carried by FACT_CHECK evidence (another publisher's rating) and by verdicts imported from our own archive.
/// </summary>
public static class PublishedReviews
{
    public const int MaxNameLength = 300;
    public const int MaxLabelLength = 500;
    public const int MaxHeadlineLength = 500;
    public const int MaxSameAs = 10;
    public const int MaxClaimants = 20;

    /// <summary>Rules for one party; the caller sets the path prefix ("claim.claimants[0]", "review.author").</summary>
    public sealed class PartyValidator : AbstractValidator<Party>
    {
        public PartyValidator()
        {
            RuleFor(p => p.Name).Must(n => !string.IsNullOrWhiteSpace(n)).WithMessage("is required")
                .MaximumLength(MaxNameLength).WithMessage($"must be at most {MaxNameLength} characters").OverridePropertyName("name");
            RuleFor(p => p.Type).Must(System.Enum.IsDefined).OverridePropertyName("type").WithMessage("must be PERSON or ORGANIZATION");
            RuleFor(p => p.Url).Must(u => u.Length == 0 || UrlCanonicalizer.IsHttpUrl(u)).OverridePropertyName("url").WithMessage("must be an http(s) URL");
            RuleFor(p => p.SameAs.Count).LessThanOrEqualTo(MaxSameAs).OverridePropertyName("same_as").WithMessage($"must have at most {MaxSameAs} entries");
            RuleFor(p => p.SameAs).Must(s => s.All(UrlCanonicalizer.IsHttpUrl)).OverridePropertyName("same_as").WithMessage("entries must be http(s) URLs");
        }
    }

    /// <summary>Rules for a review; the caller sets the path prefix ("evidence.review", "record.claim.verdict.published_review").</summary>
    public sealed class Validator : AbstractValidator<PublishedReview>
    {
        public Validator()
        {
            RuleFor(r => r.Url).Must(u => u.Length == 0 || UrlCanonicalizer.IsHttpUrl(u)).OverridePropertyName("url").WithMessage("must be an http(s) URL");
            RuleFor(r => r.PublishTime).Must(TimestampRules.IsValidOrUnset).OverridePropertyName("publish_time").WithMessage(TimestampRules.Message);
            RuleFor(r => r.Author).SetValidator(new PartyValidator()!).When(r => r.Author is not null).OverridePropertyName("author");
            RuleFor(r => r.Publisher).SetValidator(new PartyValidator()!).When(r => r.Publisher is not null).OverridePropertyName("publisher");
            RuleFor(r => r.LanguageCode).Must(l => l.Length == 0 || LanguageTags.IsWellFormed(l)).OverridePropertyName("language_code")
                .WithMessage("must be a BCP-47 language tag such as \"en\" or \"pt-BR\"");
            RuleFor(r => r.Headline).MaximumLength(MaxHeadlineLength).OverridePropertyName("headline").WithMessage($"must be at most {MaxHeadlineLength} characters");
            When(r => r.Rating is not null, () =>
            {
                RuleFor(r => r.Rating.Label).MaximumLength(MaxLabelLength).OverridePropertyName("rating.label")
                    .WithMessage($"must be at most {MaxLabelLength} characters");
                RuleFor(r => r.Rating.Rating).Must(System.Enum.IsDefined).OverridePropertyName("rating.rating").WithMessage("must be a defined rating");
                RuleFor(r => r.Rating).Must(r => !r.HasValue || double.IsFinite(r.Value)).OverridePropertyName("rating.value").WithMessage("must be a finite number");
                RuleFor(r => r.Rating).Must(r => (!r.HasBest || double.IsFinite(r.Best)) && (!r.HasWorst || double.IsFinite(r.Worst)))
                    .OverridePropertyName("rating.best").WithMessage("best and worst must be finite numbers");
            });
        }
    }

    private const string InsertSql = """
        INSERT INTO published_reviews (id, url, publish_time, author, publisher, language_code, headline,
                                       rating_label, rating_value, rating_best, rating_worst, rating, create_time)
        VALUES (@Id, @Url, @PublishTime, @Author, @Publisher, @LanguageCode, @Headline,
                @RatingLabel, @RatingValue, @RatingBest, @RatingWorst, @Rating, @Now)
        """;

    private static string LoadSql(DbSession db) => $"""
        SELECT id, url, publish_time, author, publisher, language_code, headline,
               rating_label, rating_value, rating_best, rating_worst, rating
        FROM published_reviews WHERE {db.InList("id", "@Ids")}
        """;

    /// <summary>Stores a validated review inside the caller's transaction. <paramref name="defaultUrl"/> fills an empty url.</summary>
    /// <returns>The new review's id.</returns>
    internal static async Task<string> InsertAsync(DbSession db, PublishedReview review, string defaultUrl, string now, CancellationToken ct)
    {
        var id = ResourceNames.NewId();
        var rating = review.Rating ?? new PublishedRating();
        await db.ExecuteAsync(InsertSql, new
        {
            Id = id,
            Url = review.Url.Length > 0 ? review.Url.Trim() : defaultUrl,
            PublishTime = review.PublishTime is null ? null : DbTime.ToDb(review.PublishTime.ToDateTimeOffset()),
            Author = PartyJson(review.Author),
            Publisher = PartyJson(review.Publisher),
            LanguageCode = review.LanguageCode.Length > 0 ? LanguageTags.Canonicalize(review.LanguageCode) : "",
            Headline = review.Headline.Trim(),
            RatingLabel = rating.Label.Trim(),
            RatingValue = rating.HasValue ? rating.Value : (double?)null,
            RatingBest = rating.HasBest ? rating.Best : (double?)null,
            RatingWorst = rating.HasWorst ? rating.Worst : (double?)null,
            Rating = DbEnum.ToDbOrNull(rating.Rating),
            Now = now,
        }, ct);
        return id;
    }

    /// <summary>The reviews with these ids, in one query.</summary>
    internal static async Task<IReadOnlyDictionary<string, PublishedReview>> LoadAsync(DbSession db, IEnumerable<string?> ids, CancellationToken ct)
    {
        var wanted = ids.OfType<string>().Distinct(StringComparer.Ordinal).ToArray();
        if (wanted.Length == 0)
        {
            return new Dictionary<string, PublishedReview>();
        }

        var rows = await db.QueryAsync<Row>(LoadSql(db), new { Ids = wanted }, ct);
        return rows.ToDictionary(r => r.Id, r => r.ToReview(), StringComparer.Ordinal);
    }

    /// <summary>A party as stored: {"name","type","url","same_as"}; null for none.</summary>
    public static string? PartyJson(Party? party) => party is null ? null : PartyNode(party).ToJsonString();

    public static string? PartiesJson(IReadOnlyCollection<Party> parties) =>
        parties.Count == 0 ? null : new JsonArray(parties.Select(p => (JsonNode?)PartyNode(p)).ToArray()).ToJsonString();

    public static Party? ParseParty(string? json) => json is null ? null : FromNode(JsonNode.Parse(json)!.AsObject());

    public static IReadOnlyList<Party> ParseParties(string? json) =>
        json is null ? [] : JsonNode.Parse(json)!.AsArray().Select(n => FromNode(n!.AsObject())).ToList();

    /// <summary>The ledger's and the stored form of a party (the same JSON, so the ledger says exactly what is stored).</summary>
    public static JsonObject PartyNode(Party p) => new()
    {
        ["name"] = p.Name.Trim(),
        ["type"] = DbEnum.ToDbOrNull(p.Type),
        ["url"] = p.Url.Trim(),
        ["same_as"] = new JsonArray(p.SameAs.Select(s => (JsonNode?)s.Trim()).ToArray()),
    };

    /// <summary>A review as the ledger records it.</summary>
    public static JsonObject? LedgerNode(PublishedReview? r) => r is null ? null : new JsonObject
    {
        ["url"] = r.Url,
        ["publish_time"] = r.PublishTime is null ? null : DbTime.ToDb(r.PublishTime.ToDateTimeOffset()),
        ["author"] = r.Author is null ? null : PartyNode(r.Author),
        ["publisher"] = r.Publisher is null ? null : PartyNode(r.Publisher),
        ["language_code"] = r.LanguageCode,
        ["headline"] = r.Headline,
        ["rating"] = r.Rating is null ? null : new JsonObject
        {
            ["label"] = r.Rating.Label,
            ["value"] = r.Rating.HasValue ? Number(r.Rating.Value) : null,
            ["best"] = r.Rating.HasBest ? Number(r.Rating.Best) : null,
            ["worst"] = r.Rating.HasWorst ? Number(r.Rating.Worst) : null,
            ["rating"] = DbEnum.ToDbOrNull(r.Rating.Rating),
        },
    };

    // Decimals are strings in the ledger (docs/ledger-format.md): canonical JSON has no floating point.
    private static string Number(double d) => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture);

    private static Party FromNode(JsonObject o)
    {
        var party = new Party
        {
            Name = o["name"]?.GetValue<string>() ?? "",
            Type = DbEnum.Parse<Party.Types.Type>(o["type"]?.GetValue<string>()),
            Url = o["url"]?.GetValue<string>() ?? "",
        };
        if (o["same_as"] is JsonArray sameAs)
        {
            party.SameAs.AddRange(sameAs.Select(s => s!.GetValue<string>()));
        }

        return party;
    }

    private sealed class Row
    {
        public string Id { get; init; } = "";
        public string Url { get; init; } = "";
        public string? PublishTime { get; init; }
        public string? Author { get; init; }
        public string? Publisher { get; init; }
        public string LanguageCode { get; init; } = "";
        public string Headline { get; init; } = "";
        public string RatingLabel { get; init; } = "";
        public double? RatingValue { get; init; }
        public double? RatingBest { get; init; }
        public double? RatingWorst { get; init; }
        public string? Rating { get; init; }

        public PublishedReview ToReview()
        {
            var rating = new PublishedRating { Label = RatingLabel, Rating = DbEnum.Parse<Rating>(Rating) };
            if (RatingValue is { } v)
            {
                rating.Value = v;
            }

            if (RatingBest is { } b)
            {
                rating.Best = b;
            }

            if (RatingWorst is { } w)
            {
                rating.Worst = w;
            }

            return new PublishedReview
            {
                Url = Url,
                PublishTime = DbTime.ToTimestamp(PublishTime),
                Author = ParseParty(Author),
                Publisher = ParseParty(Publisher),
                LanguageCode = LanguageCode,
                Headline = Headline,
                Rating = rating,
            };
        }
    }
}

/// <summary>google.protobuf.Timestamp limits: 0001-01-01 to 9999-12-31 UTC, nanos 0..999,999,999.</summary>
public static class TimestampRules
{
    public const string Message = "must be a valid timestamp between 0001-01-01 and 9999-12-31 UTC";

    public static bool IsValidOrUnset(Timestamp? t) =>
        t is null || (t.Seconds >= -62135596800L && t.Seconds <= 253402300799L && t.Nanos is >= 0 and <= 999_999_999);
}
