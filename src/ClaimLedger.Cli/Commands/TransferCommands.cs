using System.CommandLine;
using ClaimLedger.Contracts.V1;
using Google.Protobuf;
using ClaimLedger.Cli.Import;
using Grpc.Core;

namespace ClaimLedger.Cli.Commands;

public static class TransferCommands
{
    private static TransferService.TransferServiceClient Client(CliContext c) => new(c.Connection.Invoker);

    public static Command Import(Globals g, CliEnvironment env)
    {
        var paths = new Argument<string[]>("paths")
        {
            Description = "Files or folders (searched recursively) to import, or - for standard input: JSON Lines (.jsonl), CSV (.csv), " +
                          "ClaimReview JSON-LD (.json, .jsonld) or saved HTML pages (.html)",
            Arity = ArgumentArity.OneOrMore,
        };
        var format = new Option<string?>("--format") { Description = "jsonl, csv, json or html for every input (default: from each file's extension; stdin: sniffed)" };
        var ratingMap = new Option<string?>("--rating-map") { Description = "Your own rating table (JSON, as in docs/claimreview-ratings.md), on top of ours: its phrases win" };
        var language = new Option<string?>("--language") { Description = "Language for claims whose markup declares none and whose language cannot be detected (BCP-47, e.g. pt-BR)" };
        var publisherUrl = new Option<string?>("--publisher-url") { Description = "Your site: reviews by it (author, publisher or review URL on it) are your verdicts; all others are evidence" };
        var asOption = new Option<string>("--as") { Description = "auto (by --publisher-url), verdicts (every review is yours) or evidence (none is)", DefaultValueFactory = _ => "auto" };
        var baseUrl = new Option<string?>("--base-url") { Description = "Resolves relative review and appearance URLs when the file has no page URL of its own" };
        var detectAmong = new Option<string[]?>("--detect-languages")
        {
            Description = "Detect only among these languages (ISO 639-1, comma-separated or repeated): the languages your archive is in; more accurate (e.g. Hindi vs Marathi)",
        };
        var dryRun = new Option<bool>("--dry-run") { Description = "Read and report everything; send nothing" };
        var cmd = new Command("import", """
            Import claims with their sources, evidence and verdicts (editor). Reads fact-check archives as publishers
            publish them: ClaimReview JSON-LD in any shape (one object, arrays, @graph pages, DataFeeds, {"data": […]}
            listings, Fact Check Tools API responses, JSON Lines of these) and saved HTML pages. Other publishers'
            reviews become FACT_CHECK evidence with their rating; yours (--publisher-url or --as verdicts) become
            verdicts. A claim already held gets the new review ATTACHED; nothing new is a DUPLICATE, so importing the
            same archive twice creates nothing. Non-ClaimReview nodes are SKIPPED with their type. Each record is its
            own transaction. Exit code 1 if any record was INVALID, FAILED (a server fault: send it again) or not
            imported (the server stopped reading).
            Examples:
              claimledger import samples/seed-article.claims.jsonl
              claimledger import archive/ --publisher-url https://checks.example.org
              claimledger import page.html reviews.jsonld --language pt-BR --dry-run
              curl -s "$FACTCHECK_API_URL" | claimledger import - --format json
            """) { paths, format, ratingMap, language, publisherUrl, asOption, baseUrl, detectAmong, dryRun };
        Cli.Handle(cmd, g, env, async c =>
        {
            var options = Options(c.Get(ratingMap), c.Get(language), c.Get(publisherUrl), c.Get(asOption), c.Get(baseUrl), c.Get(detectAmong));
            var inputs = ArchiveReader.Expand(c.Get(paths));
            var rows = inputs.SelectMany(i => ArchiveReader.Read(i, c.Get(format), options, env.In)).ToList();
            var ready = rows.Where(r => r.Outcome == "READY").ToList();
            var response = c.Get(dryRun) ? new ImportClaimsResponse() : await c.Output.ProgressAsync($"Importing {ready.Count} records…", () => SendAsync(c, ready));
            foreach (var result in response.Results)
            {
                var row = ready[(int)result.Index];
                row.Outcome = Format.Enum(result.Outcome);
                row.Claim = result.Claim;
                row.Reason = result.Reason;
            }

            if (!c.Get(dryRun))
            {
                // The server stopped reading (shutting down): what it did not answer was not imported.
                foreach (var row in ready.Skip(response.Results.Count))
                {
                    row.Outcome = "NOT_IMPORTED";
                    row.Reason = response.StoppedReason.Length > 0 ? response.StoppedReason : "the server did not answer for this record; send it again";
                }
            }

            Report(c, inputs, rows, c.Get(dryRun));
            return rows.Any(r => r.Outcome is "INVALID" or "FAILED" or "NOT_IMPORTED") ? ExitCodes.Failure : ExitCodes.Success;
        });
        return cmd;
    }

    private static ImportOptions Options(string? ratingMap, string? language, string? publisherUrl, string asText, string? baseUrl, string[]? detectAmong)
    {
        RatingMap ratings;
        try
        {
            ratings = ratingMap is null ? RatingMap.BuiltIn : RatingMap.BuiltIn.With(RatingMap.LoadFile(ratingMap));
        }
        catch (RatingMapException e)
        {
            throw new UsageException($"--rating-map: {e.Message}");
        }

        var reviewsAs = asText.ToLowerInvariant() switch
        {
            "auto" => ReviewsAs.Auto,
            "verdicts" or "verdict" or "ours" => ReviewsAs.Verdicts,
            "evidence" => ReviewsAs.Evidence,
            _ => throw new UsageException($"--as must be auto, verdicts or evidence; got \"{asText}\"."),
        };
        return new ImportOptions(ratings, reviewsAs, HttpUrl(publisherUrl, "--publisher-url"), language is null ? null : LanguageNames.ToCode(language)
            ?? throw new UsageException($"--language must be a BCP-47 tag such as en or pt-BR; got \"{language}\"."), HttpUrl(baseUrl, "--base-url"),
            new LanguageDetection(detectAmong is { Length: > 0 } ? LanguageDetection.Parse(detectAmong) : null));
    }

    private static Uri? HttpUrl(string? text, string option) =>
        text is null ? null
        : Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri
        : throw new UsageException($"{option} must be an http(s) URL; got \"{text}\".");

    private static async Task<ImportClaimsResponse> SendAsync(CliContext c, IReadOnlyList<ImportRow> ready)
    {
        using var call = Client(c).ImportClaims(cancellationToken: c.Cancel);
        try
        {
            foreach (var row in ready)
            {
                await call.RequestStream.WriteAsync(new ImportClaimsRequest { Record = row.Record }, c.Cancel);
            }

            await call.RequestStream.CompleteAsync();
        }
        catch (Exception e) when (e is InvalidOperationException or RpcException)
        {
            // The server ended the call early (e.g. permission); its status comes with the response.
        }

        return await call;
    }

    private static void Report(CliContext c, IReadOnlyList<ImportInput> inputs, IReadOnlyList<ImportRow> rows, bool dryRun)
    {
        int Count(string outcome) => rows.Count(r => r.Outcome == outcome);
        var rated = rows.Where(r => r.Rating is not null && r.Outcome is not ("INVALID" or "SKIPPED")).ToList();
        var mapped = rated.Count(r => r.Rating!.Rating != Rating.Unspecified);
        var unmapped = rated.Count - mapped;
        var languages = rows.Where(r => r.Outcome is not ("INVALID" or "SKIPPED") && r.LanguageOrigin != LanguageOrigin.Unspecified)
            .GroupBy(r => Format.Enum(r.LanguageOrigin).ToLowerInvariant()).ToDictionary(g => g.Key, g => g.Count());
        var skippedTypes = rows.Where(r => r.Outcome == "SKIPPED").GroupBy(r => r.SkippedType ?? "").ToDictionary(g => g.Key, g => g.Count());
        c.Output.Value(new
        {
            inputs = inputs.Select(i => i.Display),
            dry_run = dryRun,
            ready = dryRun ? Count("READY") : 0,
            created = Count("CREATED"),
            attached = Count("ATTACHED"),
            duplicates = Count("DUPLICATE"),
            skipped = Count("SKIPPED"),
            invalid = Count("INVALID"),
            failed = Count("FAILED"),
            not_imported = Count("NOT_IMPORTED"),
            ratings = new { mapped, unmapped },
            languages,
            skipped_types = skippedTypes,
            results = rows.Select(r => new
            {
                file = r.File,
                line = r.Line,
                path = r.Path,
                outcome = r.Outcome,
                claim = r.Claim,
                reason = r.Reason,
                rating_label = r.RatingLabel,
                rating = r.Rating is null ? null : r.Rating.Rating == Rating.Unspecified ? "UNMAPPED" : Format.Enum(r.Rating.Rating),
                ours = r.Ours,
                language = r.Language,
                language_origin = r.LanguageOrigin == LanguageOrigin.Unspecified ? null : Format.Enum(r.LanguageOrigin),
                notes = r.Notes,
            }),
        }, () =>
        {
            c.Output.Table(["Location", "Outcome", "Claim", "Rating", "Language", "Note"], rows.Select(r => (IReadOnlyList<string>)
            [
                r.Location,
                r.Outcome,
                r.Claim,
                r.Rating is null ? "" : $"{(string.IsNullOrEmpty(r.RatingLabel) ? "(no label)" : Format.Short(r.RatingLabel, 30))} → {(r.Rating.Rating == Rating.Unspecified ? "unmapped" : Format.Enum(r.Rating.Rating))}",
                r.Language is null ? "" : r.LanguageOrigin == LanguageOrigin.Unspecified ? r.Language : $"{r.Language} ({Format.Enum(r.LanguageOrigin).ToLowerInvariant()})",
                Format.Short(string.Join("; ", new[] { r.Reason }.Concat(r.Notes).Where(n => n.Length > 0)), 160),
            ]));
            var outcomes = dryRun ? $"{Count("READY")} ready (dry run: nothing sent)" : $"{Count("CREATED")} created, {Count("ATTACHED")} attached, {Count("DUPLICATE")} duplicates";
            var faults = Count("FAILED") + Count("NOT_IMPORTED") > 0 ? $", {Count("FAILED")} failed, {Count("NOT_IMPORTED")} not imported (send them again)" : "";
            c.Output.Line($"{outcomes}, {Count("SKIPPED")} skipped, {Count("INVALID")} invalid{faults}");
            if (rated.Count > 0)
            {
                c.Output.Line($"ratings: {mapped} mapped, {unmapped} unmapped{(unmapped > 0 ? " (kept with their labels; see docs/claimreview-ratings.md or pass --rating-map)" : "")}");
            }

            if (languages.Count > 0)
            {
                c.Output.Line($"languages: {string.Join(", ", languages.Select(l => $"{l.Value} {l.Key}"))}");
            }
        });
    }

    public static Command Export(Globals g, CliEnvironment env)
    {
        var output = new Option<string>("--output") { Description = "File to write", Required = true };
        var format = new Option<string>("--format") { Description = "jsonl (re-importable) or claimreview (schema.org JSON-LD)", DefaultValueFactory = _ => "jsonl" };
        var topic = new Option<string?>("--topic");
        var publisher = new Option<string?>("--publisher") { Description = "claimreview: your organisation's name" };
        var publisherUrl = new Option<string?>("--publisher-url") { Description = "claimreview: its web site" };
        var reviewUrl = new Option<string?>("--review-url") { Description = "claimreview: where reviews are published; {claim} is replaced by the claim id" };
        var which = ReportCommands.ReviewsOption();
        var cmd = new Command("export", """
            Export claims with their sources, evidence, verdict and history as JSON Lines (which `import` reads back), or
            as ClaimReview JSON-LD (needs --publisher, --publisher-url and --review-url for your own verdicts; imported
            reviews keep their publishers' URL, author, date and rating).
            Examples:
              claimledger export --output claims.jsonl
              claimledger export --format claimreview --output reviews.jsonld --publisher "Example Checks" --publisher-url https://checks.example.org --review-url "https://checks.example.org/c/{claim}"
            """) { output, format, topic, publisher, publisherUrl, reviewUrl, which };
        Cli.Handle(cmd, g, env, async c =>
        {
            var path = c.Get(output);
            switch (c.Get(format).ToLowerInvariant())
            {
                case "jsonl":
                    var count = await c.Output.ProgressAsync("Exporting…", async () =>
                    {
                        var temp = Path.GetFullPath(path) + ".partial";
                        long n = 0;
                        try
                        {
                            await using (var writer = new StreamWriter(temp, append: false, new System.Text.UTF8Encoding(false)))
                            {
                                using var call = Client(c).ExportClaims(new ExportClaimsRequest { Topic = c.Get(topic) ?? "" }, cancellationToken: c.Cancel);
                                await foreach (var record in call.ResponseStream.ReadAllAsync(c.Cancel))
                                {
                                    await writer.WriteLineAsync(JsonFormatter.Default.Format(record));
                                    n++;
                                }
                            }

                            File.Move(temp, Path.GetFullPath(path), overwrite: true);
                            return n;
                        }
                        finally
                        {
                            File.Delete(temp);
                        }
                    });
                    c.Output.Value(new { file = Path.GetFullPath(path), records = count }, () => c.Output.Line($"Wrote {count} claims to {path}"));
                    return ExitCodes.Success;
                case "claimreview":
                    if (c.Get(publisher) is not { } name || c.Get(publisherUrl) is not { } site || c.Get(reviewUrl) is not { } template)
                    {
                        throw new UsageException("--format claimreview needs --publisher, --publisher-url and --review-url.");
                    }

                    return await ReportCommands.ExportClaimReviewsAsync(c, path, name, site, template, c.Get(topic) ?? "", ReportCommands.IncludeOthers(c.Get(which)));
                case var other:
                    throw new UsageException($"--format must be jsonl or claimreview; got \"{other}\".");
            }
        });
        return cmd;
    }
}
