using System.Text.Json;
using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Infrastructure.Data;
using ClaimLedger.Server.Infrastructure.Grpc;
using ClaimLedger.Server.Infrastructure.Messaging;
using ClaimLedger.Server.Infrastructure.Security;
using FluentValidation;
using Grpc.Core;
using MediatR;

namespace ClaimLedger.Server.Features.Reports;

/// <summary>
/// schema.org ClaimReview JSON-LD (one array) for every VERIFIED claim, as fact-checkers publish them. The mapping of
/// ratings and fields is documented in docs/claimreview.md. Streamed: one claim at a time.
/// </summary>
public static class ExportClaimReviews
{
    [Requires(Permission.Read)]
    public sealed record Query(string Topic, string PublisherName, string PublisherUrl, string ReviewUrlTemplate, IServerStreamWriter<ReportChunk> Output)
        : IQuery<long>;

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

    private sealed record ClaimRow(string Id, string Text, string Claimant, string? ClaimTime, string LanguageCode, string Rating, string VerdictTime);

    private sealed class Appearance
    {
        public string Url { get; init; } = "";
        public string Title { get; init; } = "";
        public string? PublishTime { get; init; }
    }

    internal sealed class Handler(DbSession db) : IRequestHandler<Query, long>
    {
        private const string ClaimsSql = """
            SELECT c.id AS Id, c.text AS Text, c.claimant AS Claimant, c.claim_time AS ClaimTime, c.language_code AS LanguageCode,
                   v.rating AS Rating, v.create_time AS VerdictTime
            FROM claims c JOIN verdicts v ON v.id = c.verdict_id
            WHERE c.status = 'VERIFIED'
              AND (@Topic = '' OR EXISTS (SELECT 1 FROM claim_topics t WHERE t.claim_seq = c.seq AND t.topic = @Topic))
            ORDER BY c.seq
            """;

        private const string AppearancesSql = """
            SELECT coalesce(s.url, s.archive_url) AS Url, s.title AS Title, s.publish_time AS PublishTime
            FROM evidence e JOIN sources s ON s.id = e.source_id
            WHERE e.claim_id = @Id AND e.stance = 'ORIGIN' AND e.remove_time IS NULL AND coalesce(s.url, s.archive_url) IS NOT NULL
            ORDER BY coalesce(s.publish_time, '9999'), e.seq
            """;

        public async Task<long> Handle(Query q, CancellationToken ct)
        {
            await db.BeginReadSnapshotAsync(ct);
            var output = new ChunkedResponseStream(q.Output, "application/ld+json", "claimreviews.jsonld");
            long count = 0;
            await using (var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true }))
            {
                json.WriteStartArray();
                await foreach (var c in db.StreamAsync<ClaimRow>(ClaimsSql, new { Topic = q.Topic.Trim().ToLowerInvariant() }, ct))
                {
                    var appearances = await db.QueryAsync<Appearance>(AppearancesSql, new { c.Id }, ct);
                    Write(json, q, c, appearances);
                    count++;
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

        private static void Write(Utf8JsonWriter json, Query q, ClaimRow c, IReadOnlyList<Appearance> appearances)
        {
            json.WriteStartObject();
            json.WriteString("@context", "https://schema.org");
            json.WriteString("@type", "ClaimReview");
            json.WriteString("url", q.ReviewUrlTemplate.Replace("{claim}", c.Id, StringComparison.Ordinal));
            json.WriteString("claimReviewed", c.Text);
            json.WriteString("inLanguage", c.LanguageCode);
            json.WriteString("datePublished", Date(c.VerdictTime));
            json.WriteStartObject("author");
            json.WriteString("@type", "Organization");
            json.WriteString("name", q.PublisherName.Trim());
            json.WriteString("url", q.PublisherUrl.Trim());
            json.WriteEndObject();

            json.WriteStartObject("itemReviewed");
            json.WriteString("@type", "Claim");
            json.WriteStartObject("author");
            json.WriteString("@type", "Organization");
            json.WriteString("name", c.Claimant);
            json.WriteEndObject();
            var claimDate = c.ClaimTime ?? appearances.FirstOrDefault(a => a.PublishTime is not null)?.PublishTime;
            if (claimDate is not null)
            {
                json.WriteString("datePublished", Date(claimDate));
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

            var (value, name) = Rating(c.Rating);
            json.WriteStartObject("reviewRating");
            json.WriteString("@type", "Rating");
            json.WriteString("alternateName", name);
            if (value is { } v)
            {
                json.WriteNumber("ratingValue", v);
                json.WriteNumber("bestRating", 5);
                json.WriteNumber("worstRating", 1);
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        private static void WriteWork(Utf8JsonWriter json, Appearance a)
        {
            json.WriteStartObject();
            json.WriteString("@type", "CreativeWork");
            json.WriteString("url", a.Url);
            if (a.Title.Length > 0)
            {
                json.WriteString("headline", a.Title);
            }

            if (a.PublishTime is not null)
            {
                json.WriteString("datePublished", Date(a.PublishTime));
            }

            json.WriteEndObject();
        }

        private static string Date(string dbTime) => DbTime.FromDb(dbTime).UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
    }
}
