using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Features.Reviews;
using ClaimLedger.Server.Infrastructure.Data;
using ClaimLedger.Server.Infrastructure.Grpc;
using ClaimLedger.Server.Infrastructure.Hosting;
using ClaimLedger.Server.Infrastructure.Messaging;
using ClaimLedger.Server.Infrastructure.Security;
using FluentValidation;
using Grpc.Core;
using MediatR;

namespace ClaimLedger.Server.Features.Reports;

/// <summary>
/// schema.org ClaimReview JSON-LD (one array), as fact-checkers publish it: one review per VERIFIED claim, and with
/// include_other_publishers one per other publisher's fact-check held as FACT_CHECK evidence. A review that was
/// imported is written back as its publisher published it (URL, author, publisher, date, label and scale); a verdict
/// of ours that was never published under another URL carries the request's publisher and URL template.
/// The mapping of ratings and fields is documented in docs/claimreview.md. Streamed: one claim at a time.
/// </summary>
public static class ExportClaimReviews
{
    [Requires(Permission.Read)]
    public sealed record Query(string Topic, string PublisherName, string PublisherUrl, string ReviewUrlTemplate, bool IncludeOtherPublishers,
        IServerStreamWriter<ReportChunk> Output) : IQuery<long>;

    public sealed class Validator : AbstractValidator<Query>
    {
        public Validator()
        {
            RuleFor(q => q.Topic).MaximumLength(64).OverridePropertyName("topic");
            RuleFor(q => q.PublisherName).Must(n => !string.IsNullOrWhiteSpace(n)).WithMessage("is required").MaximumLength(300)
                .OverridePropertyName("publisher_name");
            RuleFor(q => q.PublisherUrl).Must(UrlCanonicalizer.IsHttpUrl).OverridePropertyName("publisher_url").WithMessage("must be an http(s) URL");
            RuleFor(q => q.ReviewUrlTemplate).Must(t => t.Contains("{claim}", StringComparison.Ordinal) && UrlCanonicalizer.IsHttpUrl(t.Replace("{claim}", "x", StringComparison.Ordinal)))
                .OverridePropertyName("review_url_template").WithMessage("must be an http(s) URL containing {claim}");
        }
    }

    /// <summary>ClaimReview's 1 (worst) – 5 (best) scale; MISLEADING and UNPROVEN are not on it and carry only their name.</summary>
    public static (int? Value, string Name) Rating(string rating) => rating switch
    {
        "TRUE" => (5, "True"),
        "MOSTLY_TRUE" => (4, "Mostly true"),
        "MIXED" => (3, "Mixed"),
        "MOSTLY_FALSE" => (2, "Mostly false"),
        "FALSE" => (1, "False"),
        "MISLEADING" => (null, "Misleading"),
        "UNPROVEN" => (null, "Unproven"),
        _ => (null, rating),
    };

    // Non-ASCII letters stay readable; <, >, & and quotes are still escaped, so the output can be pasted into a
    // <script type="application/ld+json"> block as it is.
    private static readonly JsonWriterOptions WriterOptions = new() { Indented = true, Encoder = JavaScriptEncoder.Create(UnicodeRanges.All) };

    private sealed class ClaimRow
    {
        public long Seq { get; init; }
        public string Id { get; init; } = "";
        public string Text { get; init; } = "";
        public string Claimant { get; init; } = "";
        public string? Claimants { get; init; }
        public string? ClaimTime { get; init; }
        public string LanguageCode { get; init; } = "";
        public string Status { get; init; } = "";
        public string? Rating { get; init; }
        public string? VerdictTime { get; init; }
        public string? VerdictReviewId { get; init; }
    }

    private sealed class Appearance
    {
        public string Url { get; init; } = "";
        public string Title { get; init; } = "";
        public string Kind { get; init; } = "";
        public string Author { get; init; } = "";
        public string? PublishTime { get; init; }
    }

    internal sealed class Handler(DbSession db, ServerStopping stopping) : IRequestHandler<Query, long>
    {
        private const string ClaimsSql = """
            SELECT c.seq, c.id, c.text, c.claimant, c.claimants, c.claim_time, c.language_code, c.status,
                   v.rating, v.create_time AS verdict_time, v.review_id AS verdict_review_id
            FROM claims c LEFT JOIN verdicts v ON v.id = c.verdict_id
            WHERE (c.status = 'VERIFIED'
                   OR (@Others AND EXISTS (SELECT 1 FROM evidence e WHERE e.claim_id = c.id AND e.review_id IS NOT NULL AND e.remove_time IS NULL)))
              AND (@Topic = '' OR EXISTS (SELECT 1 FROM claim_topics t WHERE t.claim_seq = c.seq AND t.topic = @Topic))
            ORDER BY c.seq
            """;

        private const string AppearancesSql = """
            SELECT coalesce(s.url, s.archive_url) AS Url, s.title AS Title, s.kind AS Kind, s.author AS Author, s.publish_time AS PublishTime
            FROM evidence e JOIN sources s ON s.id = e.source_id
            WHERE e.claim_id = @Id AND e.stance = 'ORIGIN' AND e.remove_time IS NULL AND coalesce(s.url, s.archive_url) IS NOT NULL
            ORDER BY coalesce(s.publish_time, '9999'), e.seq
            """;

        private const string FactChecksSql = """
            SELECT e.review_id FROM evidence e
            WHERE e.claim_id = @Id AND e.stance = 'FACT_CHECK' AND e.review_id IS NOT NULL AND e.remove_time IS NULL
            ORDER BY e.seq
            """;

        public Task<long> Handle(Query q, CancellationToken ct) => stopping.RunAsync(token => ExportAsync(q, token), "run the export again.", ct);

        private async Task<long> ExportAsync(Query q, CancellationToken ct)
        {
            await db.BeginReadSnapshotAsync(ct);
            var output = new ChunkedResponseStream(q.Output, "application/ld+json", "claimreviews.jsonld");
            long count = 0;
            await using (var json = new Utf8JsonWriter(output, WriterOptions))
            {
                json.WriteStartArray();
                await foreach (var c in db.StreamAsync<ClaimRow>(ClaimsSql, new { Topic = q.Topic.Trim().ToLowerInvariant(), Others = q.IncludeOtherPublishers }, ct))
                {
                    var appearances = await db.QueryAsync<Appearance>(AppearancesSql, new { c.Id }, ct);
                    var factChecks = q.IncludeOtherPublishers ? await db.QueryAsync<string>(FactChecksSql, new { c.Id }, ct) : [];
                    var reviews = await PublishedReviews.LoadAsync(db, factChecks.Append(c.VerdictReviewId), ct);
                    var ours = c is { Status: "VERIFIED", Rating: not null } ? c.VerdictReviewId is { } id ? reviews[id] : null : null;
                    if (c is { Status: "VERIFIED", Rating: not null })
                    {
                        WriteOurs(json, q, c, ours, appearances);
                        count++;
                    }

                    // Our own archive's review is also held as FACT_CHECK evidence (the verdict rests on it): written once.
                    foreach (var review in factChecks.Select(r => reviews[r]).Where(r => r.Url != ours?.Url).DistinctBy(r => r.Url))
                    {
                        WriteReview(json, c, review, DbEnum.ToDbOrNull(review.Rating?.Rating ?? Contracts.V1.Rating.Unspecified) ?? "", appearances);
                        count++;
                    }

                    if (json.BytesPending > 32 * 1024)
                    {
                        await json.FlushAsync(ct);
                    }
                }

                json.WriteEndArray();
                await json.FlushAsync(ct);
            }

            await output.CompleteAsync(ct);
            return count;
        }

        /// <summary>Our verdict: as we published it when it came from our archive, else under the request's publisher.</summary>
        private static void WriteOurs(Utf8JsonWriter json, Query q, ClaimRow c, PublishedReview? published, IReadOnlyList<Appearance> appearances)
        {
            var (value, name) = Rating(c.Rating!);
            var review = new PublishedReview
            {
                Url = published?.Url is { Length: > 0 } url ? url : q.ReviewUrlTemplate.Replace("{claim}", c.Id, StringComparison.Ordinal),
                PublishTime = published?.PublishTime ?? DbTime.ToTimestamp(c.VerdictTime),
                Author = published is null ? new Party { Name = q.PublisherName.Trim(), Type = Party.Types.Type.Organization, Url = q.PublisherUrl.Trim() }
                    : published.Author,
                Publisher = published?.Publisher,
                LanguageCode = published?.LanguageCode ?? "",
                Headline = published?.Headline ?? "",
                Rating = published?.Rating is { Label.Length: > 0 } original ? original : new PublishedRating { Label = name },
            };
            if (published?.Rating is not { Label.Length: > 0 } && value is { } v)
            {
                review.Rating.Value = v;
                review.Rating.Best = 5;
                review.Rating.Worst = 1;
            }

            WriteReview(json, c, review, c.Rating!, appearances);
        }

        private static void WriteReview(Utf8JsonWriter json, ClaimRow c, PublishedReview r, string ourRating, IReadOnlyList<Appearance> appearances)
        {
            json.WriteStartObject();
            json.WriteString("@context", "https://schema.org");
            json.WriteString("@type", "ClaimReview");
            json.WriteString("url", r.Url);
            json.WriteString("claimReviewed", c.Text);
            if (r.Headline.Length > 0)
            {
                json.WriteString("name", r.Headline);
            }

            json.WriteString("inLanguage", r.LanguageCode.Length > 0 ? r.LanguageCode : c.LanguageCode);
            if (r.PublishTime is not null)
            {
                json.WriteString("datePublished", Date(r.PublishTime.ToDateTimeOffset()));
            }

            // Google recommends an author; a review known only by its publisher (e.g. from the Fact Check Tools API) has it as author.
            if ((r.Author ?? r.Publisher) is { } author)
            {
                json.WritePropertyName("author");
                WriteParty(json, author);
            }

            if (r.Publisher is not null && r.Author is not null)
            {
                json.WritePropertyName("publisher");
                WriteParty(json, r.Publisher);
            }

            WriteClaim(json, c, appearances);

            json.WriteStartObject("reviewRating");
            json.WriteString("@type", "Rating");
            // The publisher's words; ours only where the publisher gave none but the rating is known. A review published
            // with a bare number and no label keeps just the number: we do not put words in its publisher's mouth.
            var label = r.Rating?.Label is { Length: > 0 } l ? l : ourRating.Length > 0 ? Rating(ourRating).Name : "";
            if (label.Length > 0)
            {
                json.WriteString("alternateName", label);
            }
            if (r.Rating is { HasValue: true, HasBest: true, HasWorst: true } numbers)
            {
                json.WriteNumber("ratingValue", numbers.Value);
                json.WriteNumber("bestRating", numbers.Best);
                json.WriteNumber("worstRating", numbers.Worst);
            }
            else if (r.Rating is { HasValue: true } only)
            {
                json.WriteNumber("ratingValue", only.Value);
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        private static void WriteClaim(Utf8JsonWriter json, ClaimRow c, IReadOnlyList<Appearance> appearances)
        {
            json.WriteStartObject("itemReviewed");
            json.WriteString("@type", "Claim");
            var claimants = PublishedReviews.ParseParties(c.Claimants);
            if (claimants.Count == 1)
            {
                json.WritePropertyName("author");
                WriteParty(json, claimants[0]);
            }
            else if (claimants.Count > 1)
            {
                json.WriteStartArray("author");
                foreach (var p in claimants)
                {
                    WriteParty(json, p);
                }

                json.WriteEndArray();
            }
            else if (c.Claimant.Length > 0)
            {
                // A claimant recorded as plain text: its kind is not known; Google asks for a Person or an Organization.
                json.WritePropertyName("author");
                WriteParty(json, new Party { Name = c.Claimant, Type = Party.Types.Type.Organization });
            }

            var claimDate = c.ClaimTime ?? appearances.FirstOrDefault(a => a.PublishTime is not null)?.PublishTime;
            if (claimDate is not null)
            {
                json.WriteString("datePublished", Date(DbTime.FromDb(claimDate)));
            }

            if (appearances.Count > 0)
            {
                json.WritePropertyName("firstAppearance");
                WriteWork(json, appearances[0]);
                json.WriteStartArray("appearance");
                foreach (var a in appearances)
                {
                    WriteWork(json, a);
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
        }

        private static void WriteParty(Utf8JsonWriter json, Party p)
        {
            json.WriteStartObject();
            json.WriteString("@type", p.Type == Party.Types.Type.Person ? "Person" : "Organization");
            json.WriteString("name", p.Name);
            if (p.Url.Length > 0)
            {
                json.WriteString("url", p.Url);
            }

            if (p.SameAs.Count == 1)
            {
                json.WriteString("sameAs", p.SameAs[0]);
            }
            else if (p.SameAs.Count > 1)
            {
                json.WriteStartArray("sameAs");
                foreach (var s in p.SameAs)
                {
                    json.WriteStringValue(s);
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
        }

        private static void WriteWork(Utf8JsonWriter json, Appearance a)
        {
            json.WriteStartObject();
            json.WriteString("@type", a.Kind switch
            {
                "SOCIAL_POST" => "SocialMediaPosting",
                "NEWS_ARTICLE" => "NewsArticle",
                "DATASET" => "Dataset",
                _ => "CreativeWork",
            });
            json.WriteString("url", a.Url);
            if (a.Title.Length > 0)
            {
                json.WriteString("headline", a.Title);
            }

            if (a.PublishTime is not null)
            {
                json.WriteString("datePublished", Date(DbTime.FromDb(a.PublishTime)));
            }

            if (a.Author.Length > 0)
            {
                // Sources keep their author as text; schema.org accepts text where a Person or Organization is expected.
                json.WriteString("author", a.Author);
            }

            json.WriteEndObject();
        }

        private static string Date(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
    }
}
