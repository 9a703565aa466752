using System.CommandLine;
using ClaimLedger.Contracts.V1;
using Google.Protobuf;
using Grpc.Core;

namespace ClaimLedger.Cli.Commands;

public static class TransferCommands
{
    private static TransferService.TransferServiceClient Client(CliContext c) => new(c.Connection.Invoker);

    public static Command Import(Globals g, CliEnvironment env)
    {
        var file = new Argument<string>("file") { Description = "JSON Lines (.jsonl), CSV (.csv) or ClaimReview JSON-LD (.json, .jsonld)" };
        var format = new Option<string?>("--format") { Description = "jsonl, csv or claimreview (default: from the file's extension)" };
        var cmd = new Command("import", """
            Import claims with their sources, evidence and verdicts (editor). Each record is its own transaction: bad
            records are reported and skipped, claims already recorded are reported as duplicates, so importing the same
            file twice creates nothing new. Exit code 1 if any record was invalid.
            Examples:
              claimledger import samples/seed-article.claims.jsonl
              claimledger import reviews.json --format claimreview
            """) { file, format };
        Cli.Handle(cmd, g, env, async c =>
        {
            var path = c.Get(file);
            if (!File.Exists(path))
            {
                throw new UsageException($"{path} does not exist.");
            }

            var records = RecordReaders.Read(path, RecordReaders.Detect(path, c.Get(format))).ToList();
            var readable = records.Where(r => r.Record is not null).ToList();
            var response = await c.Output.ProgressAsync($"Importing {readable.Count} records…", async () =>
            {
                using var call = Client(c).ImportClaims(cancellationToken: c.Cancel);
                try
                {
                    foreach (var r in readable)
                    {
                        await call.RequestStream.WriteAsync(new ImportClaimsRequest { Record = r.Record }, c.Cancel);
                    }

                    await call.RequestStream.CompleteAsync();
                }
                catch (Exception e) when (e is InvalidOperationException or RpcException)
                {
                    // The server ended the call early (e.g. permission); its status comes with the response.
                }

                return await call;
            });

            var rows = new List<(int Line, string Outcome, string Claim, string Reason)>();
            rows.AddRange(records.Where(r => r.Record is null).Select(r => (r.Line, "INVALID", "", r.Error ?? "")));
            rows.AddRange(response.Results.Select(r => (readable[(int)r.Index].Line, Format.Enum(r.Outcome), r.Claim, r.Reason)));
            rows.Sort((a, b) => a.Line.CompareTo(b.Line));
            var invalid = rows.Count(r => r.Outcome == "INVALID");
            c.Output.Value(new
            {
                file = Path.GetFullPath(path),
                created = response.Created,
                duplicates = response.Duplicates,
                invalid,
                results = rows.Select(r => new { line = r.Line, outcome = r.Outcome, claim = r.Claim, reason = r.Reason }),
            }, () =>
            {
                c.Output.Table(["Line", "Outcome", "Claim", "Reason"], rows.Select(r => (IReadOnlyList<string>)
                    [r.Line.ToString(System.Globalization.CultureInfo.InvariantCulture), r.Outcome, r.Claim, Format.Short(r.Reason, 100)]));
                c.Output.Line($"{response.Created} created, {response.Duplicates} duplicates, {invalid} invalid");
            });
            return invalid > 0 ? ExitCodes.Failure : ExitCodes.Success;
        });
        return cmd;
    }

    public static Command Export(Globals g, CliEnvironment env)
    {
        var output = new Option<string>("--output") { Description = "File to write", Required = true };
        var format = new Option<string>("--format") { Description = "jsonl (re-importable) or claimreview (schema.org JSON-LD)", DefaultValueFactory = _ => "jsonl" };
        var topic = new Option<string?>("--topic");
        var publisher = new Option<string?>("--publisher") { Description = "claimreview: your organisation's name" };
        var publisherUrl = new Option<string?>("--publisher-url") { Description = "claimreview: its web site" };
        var reviewUrl = new Option<string?>("--review-url") { Description = "claimreview: where reviews are published; {claim} is replaced by the claim id" };
        var cmd = new Command("export", """
            Export claims with their sources, evidence, verdict and history as JSON Lines (which `import` reads back), or
            verified claims as ClaimReview JSON-LD.
            Examples:
              claimledger export --output claims.jsonl
              claimledger export --format claimreview --output reviews.jsonld --publisher "Example Checks" --publisher-url https://checks.example.org --review-url "https://checks.example.org/c/{claim}"
            """) { output, format, topic, publisher, publisherUrl, reviewUrl };
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

                    return await ReportCommands.ExportClaimReviewsAsync(c, path, name, site, template, c.Get(topic) ?? "");
                case var other:
                    throw new UsageException($"--format must be jsonl or claimreview; got \"{other}\".");
            }
        });
        return cmd;
    }
}
