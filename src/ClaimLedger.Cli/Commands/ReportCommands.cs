using System.CommandLine;
using ClaimLedger.Contracts.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace ClaimLedger.Cli.Commands;

public static class ReportCommands
{
    private static ReportService.ReportServiceClient Client(CliContext c) => new(c.Connection.Invoker);

    public static Command Build(Globals g, CliEnvironment env)
    {
        var report = new Command("report", "Reports for auditors and publishers.");

        var format = new Option<string>("--format") { Description = "html, md, csv or json", DefaultValueFactory = _ => "html" };
        var output = new Option<string>("--output") { Description = "File to write", Required = true };
        var since = new Option<string?>("--since") { Description = "Start of the period (default: --days before now)" };
        var until = new Option<string?>("--until") { Description = "End of the period, exclusive (default: now)" };
        var days = new Option<double>("--days") { Description = "Period length when --since is not given", DefaultValueFactory = _ => 30 };
        var topic = new Option<string?>("--topic");
        var claim = new Option<string?>("--claim");
        var asOfCheckpoint = new Option<long>("--as-of-checkpoint")
        {
            Description = "As of a past checkpoint (its tree size, see `ledger checkpoint`): the period ends with it and the report shows its signed note",
        };
        var audit = new Command("audit", """
            Write an audit report (auditor or admin).
            Example: claimledger report audit --format html --output audit.html --days 7
            """) { format, output, since, until, days, topic, claim, asOfCheckpoint };
        Cli.Handle(audit, g, env, async c =>
        {
            var fmt = c.Get(format).ToLowerInvariant() switch
            {
                "html" => ReportFormat.Html, "md" or "markdown" => ReportFormat.Markdown, "csv" => ReportFormat.Csv, "json" => ReportFormat.Json,
                var other => throw new UsageException($"--format must be html, md, csv or json; got \"{other}\"."),
            };
            var end = c.Get(until) is { } u ? Format.ParseTime(u, "--until") : Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow);
            var start = c.Get(since) is { } s ? Format.ParseTime(s, "--since") : Timestamp.FromDateTimeOffset(end.ToDateTimeOffset().AddDays(-c.Get(days)));
            var request = new GenerateAuditReportRequest
            {
                StartTime = start, EndTime = end, Format = fmt, Topic = c.Get(topic) ?? "", Claim = c.Get(claim) ?? "", AsOfTreeSize = c.Get(asOfCheckpoint),
            };
            var path = c.Get(output);
            var bytes = await c.Output.ProgressAsync("Generating the report…", () => SaveAsync(Client(c).GenerateAuditReport(request, cancellationToken: c.Cancel), path, c.Cancel));
            c.Output.Value(new { file = Path.GetFullPath(path), bytes }, () => c.Output.Line($"Wrote {bytes} bytes to {path}"));
            return ExitCodes.Success;
        });

        var reviewsOutput = new Option<string>("--output") { Required = true };
        var publisher = new Option<string>("--publisher") { Description = "Your organisation's name", Required = true };
        var publisherUrl = new Option<string>("--publisher-url") { Required = true };
        var reviewUrl = new Option<string>("--review-url") { Description = "Where reviews are published; {claim} is replaced by the claim id", Required = true };
        var reviewsTopic = new Option<string?>("--topic");
        var which = ReviewsOption();
        var reviews = new Command("claimreviews", """
            Write schema.org ClaimReview JSON-LD: your verdicts on verified claims and (--reviews all, the default) the
            other publishers' fact-checks you imported, each as its publisher published it.
            Example: claimledger report claimreviews --output reviews.jsonld --publisher "Example Checks" --publisher-url https://checks.example.org --review-url "https://checks.example.org/c/{claim}"
            """) { reviewsOutput, publisher, publisherUrl, reviewUrl, reviewsTopic, which };
        Cli.Handle(reviews, g, env, c =>
            ExportClaimReviewsAsync(c, c.Get(reviewsOutput), c.Get(publisher), c.Get(publisherUrl), c.Get(reviewUrl), c.Get(reviewsTopic) ?? "", IncludeOthers(c.Get(which))));

        report.Subcommands.Add(audit);
        report.Subcommands.Add(reviews);
        return report;
    }

    /// <summary>--reviews: which ClaimReviews to write.</summary>
    internal static Option<string> ReviewsOption() => new("--reviews")
    {
        Description = "claimreview: ours (your verdicts only, e.g. to publish on your site) or all (also other publishers' imported fact-checks)",
        DefaultValueFactory = _ => "all",
    };

    internal static bool IncludeOthers(string reviews) => reviews.ToLowerInvariant() switch
    {
        "all" => true,
        "ours" => false,
        _ => throw new UsageException($"--reviews must be ours or all; got \"{reviews}\"."),
    };

    internal static async Task<int> ExportClaimReviewsAsync(CliContext c, string path, string publisher, string publisherUrl, string reviewUrl, string topic,
        bool includeOthers)
    {
        var request = new ExportClaimReviewsRequest
        {
            PublisherName = publisher, PublisherUrl = publisherUrl, ReviewUrlTemplate = reviewUrl, Topic = topic, IncludeOtherPublishers = includeOthers,
        };
        var bytes = await c.Output.ProgressAsync("Exporting…", () => SaveAsync(Client(c).ExportClaimReviews(request, cancellationToken: c.Cancel), path, c.Cancel));
        c.Output.Value(new { file = Path.GetFullPath(path), bytes }, () => c.Output.Line($"Wrote {bytes} bytes to {path}"));
        return ExitCodes.Success;
    }

    /// <summary>Streams the chunks into a temporary file next to <paramref name="path"/> and renames it when complete.</summary>
    private static async Task<long> SaveAsync(AsyncServerStreamingCall<ReportChunk> call, string path, CancellationToken ct)
    {
        using (call)
        {
            var full = Path.GetFullPath(path);
            var temp = full + ".partial";
            long bytes = 0;
            try
            {
                await using (var file = File.Create(temp))
                {
                    await foreach (var chunk in call.ResponseStream.ReadAllAsync(ct))
                    {
                        await file.WriteAsync(chunk.Data.Memory, ct);
                        bytes += chunk.Data.Length;
                    }
                }

                File.Move(temp, full, overwrite: true);
                return bytes;
            }
            finally
            {
                File.Delete(temp);
            }
        }
    }
}
