using System.CommandLine;
using ClaimLedger.Contracts.V1;
using Google.Protobuf.WellKnownTypes;

namespace ClaimLedger.Cli.Commands;

public static class ClaimCommands
{
    public static Command Build(Globals g, CliEnvironment env)
    {
        var claim = new Command("claim", "Record, find and verify claims.");
        claim.Subcommands.Add(Add(g, env));
        claim.Subcommands.Add(Show(g, env));
        claim.Subcommands.Add(List(g, env));
        claim.Subcommands.Add(Search(g, env));
        claim.Subcommands.Add(Similar(g, env));
        claim.Subcommands.Add(Update(g, env));
        claim.Subcommands.Add(Review(g, env));
        claim.Subcommands.Add(Verdict(g, env));
        claim.Subcommands.Add(Retract(g, env));
        claim.Subcommands.Add(History(g, env));
        return claim;
    }

    internal static ClaimService.ClaimServiceClient Client(CliContext c) => new(c.Connection.Invoker);

    private static Command Add(Globals g, CliEnvironment env)
    {
        var text = new Argument<string>("text") { Description = "The checkable statement" };
        var claimant = new Option<string>("--claimant") { Description = "Who asserted it", Required = true };
        var language = new Option<string>("--language") { Description = "BCP-47 language tag", DefaultValueFactory = _ => "en" };
        var topics = new Option<string[]>("--topic") { Description = "A topic (repeatable)", AllowMultipleArgumentsPerToken = false };
        var claimTime = new Option<string?>("--claim-time") { Description = "When it was asserted (ISO 8601)" };
        var interval = new Option<double?>("--review-interval") { Description = "Review interval override, in days" };
        var origin = new Option<string?>("--origin") { Description = "Where it appeared: a source name (sources/…) or an http(s) URL to register" };
        var excerpt = new Option<string?>("--excerpt") { Description = "The quoted passage at the origin" };
        var locator = new Option<string?>("--locator") { Description = "Where in the origin (paragraph, timestamp)" };
        var allowDuplicate = new Option<bool>("--allow-duplicate") { Description = "Record it even if a near-duplicate exists" };
        var requestId = new Option<string?>("--request-id") { Description = "Idempotency key: a retry with it returns the first result" };
        var cmd = new Command("add", """
            Record a claim (UNVERIFIED), optionally with where it appeared.
            Example: claimledger claim add "Russia opposes regime change in Iran" --claimant "Example Daily" --topic iran --origin https://news.example.org/a1
            """) { text, claimant, language, topics, claimTime, interval, origin, excerpt, locator, allowDuplicate, requestId };
        Cli.Handle(cmd, g, env, async c =>
        {
            var request = new CreateClaimRequest
            {
                Claim = new Claim { Text = c.Get(text), Claimant = c.Get(claimant), LanguageCode = c.Get(language) },
                AllowDuplicate = c.Get(allowDuplicate),
                RequestId = c.Get(requestId) ?? "",
            };
            request.Claim.Topics.AddRange(c.Get(topics) ?? []);
            if (c.Get(claimTime) is { } t)
            {
                request.Claim.ClaimTime = Format.ParseTime(t, "--claim-time");
            }

            if (c.Get(interval) is { } days)
            {
                request.Claim.ReviewInterval = Format.ParseDays(days, "--review-interval");
            }

            if (c.Get(origin) is { } o)
            {
                var source = o.StartsWith("sources/", StringComparison.Ordinal)
                    ? o
                    : (await SourceCommands.Client(c).CreateSourceAsync(new CreateSourceRequest { Source = new Source { Url = o, Kind = SourceKind.Other } },
                        cancellationToken: c.Cancel)).Name;
                request.Evidence.Add(new Evidence { Source = source, Stance = Stance.Origin, Excerpt = c.Get(excerpt) ?? "", Locator = c.Get(locator) ?? "" });
            }

            var created = await Client(c).CreateClaimAsync(request, cancellationToken: c.Cancel);
            c.Output.Message(created, () => ShowClaim(c.Output, created));
            return ExitCodes.Success;
        });
        return cmd;
    }

    /// <summary>--as-of TIME and --as-of-sequence N: reads recomputed from the ledger's entries up to that point.</summary>
    private static (Option<string?> Time, Option<long> Sequence) AsOfOptions() =>
        (new Option<string?>("--as-of") { Description = "As the ledger says it was at this time (e.g. 2026-03-01 or 2026-03-01T12:00:00Z)" },
         new Option<long>("--as-of-sequence") { Description = "As the ledger says it was after this entry" });

    private static Command Show(Globals g, CliEnvironment env)
    {
        var name = new Argument<string>("name") { Description = "claims/<id>" };
        var (asOf, asOfSequence) = AsOfOptions();
        var cmd = new Command("show", "Show one claim; with --as-of, as the ledger says it was then. Example: claimledger claim show claims/<id> --as-of 2026-03-01")
            { name, asOf, asOfSequence };
        Cli.Handle(cmd, g, env, async c =>
        {
            var request = new GetClaimRequest { Name = c.Get(name), AsOfSequence = c.Get(asOfSequence) };
            if (c.Get(asOf) is { } time)
            {
                request.AsOfTime = Format.ParseTime(time, "--as-of");
            }

            var claim = await Client(c).GetClaimAsync(request, cancellationToken: c.Cancel);
            c.Output.Message(claim, () => ShowClaim(c.Output, claim));
            return ExitCodes.Success;
        });
        return cmd;
    }

    private static Command List(Globals g, CliEnvironment env)
    {
        var status = new Option<string?>("--status") { Description = "UNVERIFIED, IN_REVIEW, VERIFIED, STALE or RETRACTED" };
        var topic = new Option<string?>("--topic");
        var claimant = new Option<string?>("--claimant");
        var source = new Option<string?>("--source") { Description = "Only claims with evidence from this source (sources/<id>)" };
        var unsourced = new Option<bool>("--unsourced") { Description = "Only claims flagged as unsourced" };
        var orderBy = new Option<string?>("--order-by") { Description = "create_time or update_time, optionally with \" desc\"" };
        var (pageSize, pageToken) = Paging();
        var cmd = new Command("list", "List claims, newest first. Example: claimledger claim list --status IN_REVIEW --topic iran")
            { status, topic, claimant, source, unsourced, orderBy, pageSize, pageToken };
        Cli.Handle(cmd, g, env, async c =>
        {
            var request = new ListClaimsRequest
            {
                Topic = c.Get(topic) ?? "", Claimant = c.Get(claimant) ?? "", Source = c.Get(source) ?? "", Unsourced = c.Get(unsourced),
                OrderBy = c.Get(orderBy) ?? "", PageSize = c.Get(pageSize), PageToken = c.Get(pageToken) ?? "",
            };
            if (c.Get(status) is { } s)
            {
                request.Status = Format.ParseEnum<ClaimStatus>(s, "--status");
            }

            var page = await Client(c).ListClaimsAsync(request, cancellationToken: c.Cancel);
            c.Output.Message(page, () =>
            {
                ClaimTable(c.Output, page.Claims, "No claims found.");
                NextPage(c.Output, page.NextPageToken);
            });
            return ExitCodes.Success;
        });
        return cmd;
    }

    private static Command Search(Globals g, CliEnvironment env)
    {
        var query = new Argument<string>("query") { Description = "Words, \"phrases\", AND/OR/NOT, prefix*" };
        var status = new Option<string?>("--status");
        var (pageSize, pageToken) = Paging();
        var cmd = new Command("search", "Full-text search, best matches first. Example: claimledger claim search 'drones AND russia'")
            { query, status, pageSize, pageToken };
        Cli.Handle(cmd, g, env, async c =>
        {
            var request = new SearchClaimsRequest { Query = c.Get(query), PageSize = c.Get(pageSize), PageToken = c.Get(pageToken) ?? "" };
            if (c.Get(status) is { } s)
            {
                request.Status = Format.ParseEnum<ClaimStatus>(s, "--status");
            }

            var result = await Client(c).SearchClaimsAsync(request, cancellationToken: c.Cancel);
            c.Output.Message(result, () =>
            {
                c.Output.Table([new Column("Claim"), new Column("Status"), new Column("Relevance", Optional: 1), new Column("Match")], result.Results.Select(r => (IReadOnlyList<string>)
                    [r.Claim.Name, Format.Status(r.Claim.Status), r.Relevance.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture),
                     r.Snippet.Replace("<mark>", "[", StringComparison.Ordinal).Replace("</mark>", "]", StringComparison.Ordinal)]),
                    "No claims found.");
                NextPage(c.Output, result.NextPageToken);
            });
            return ExitCodes.Success;
        });
        return cmd;
    }

    private static Command Similar(Globals g, CliEnvironment env)
    {
        var text = new Argument<string>("text");
        var min = new Option<double>("--min-similarity") { Description = "0..1; default the duplicate threshold (0.8)" };
        var max = new Option<int>("--max") { Description = "At most this many (default 10)" };
        var cmd = new Command("similar", "Claims similar to a text. Example: claimledger claim similar \"Iran sends drones to Russia\" --min-similarity 0.5")
            { text, min, max };
        Cli.Handle(cmd, g, env, async c =>
        {
            var result = await Client(c).FindSimilarClaimsAsync(
                new FindSimilarClaimsRequest { Text = c.Get(text), MinSimilarity = c.Get(min), PageSize = c.Get(max) }, cancellationToken: c.Cancel);
            c.Output.Message(result, () => c.Output.Table(["Claim", "Similarity", "Status", "Text"], result.Claims.Select(s => (IReadOnlyList<string>)
                [s.Claim.Name, s.Similarity.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture), Format.Status(s.Claim.Status), c.Output.Clip(s.Claim.Text, 80)]),
                "No similar claims found."));
            return ExitCodes.Success;
        });
        return cmd;
    }

    private static Command Update(Globals g, CliEnvironment env)
    {
        var name = new Argument<string>("name");
        var text = new Option<string?>("--text");
        var claimant = new Option<string?>("--claimant");
        var language = new Option<string?>("--language");
        var topics = new Option<string[]?>("--topic") { Description = "Replaces the topics (repeatable)" };
        var claimTime = new Option<string?>("--claim-time");
        var interval = new Option<double?>("--review-interval") { Description = "Days" };
        var etag = EtagOption();
        var cmd = new Command("update", "Change a claim's fields. Example: claimledger claim update claims/<id> --topic iran --topic drones")
            { name, text, claimant, language, topics, claimTime, interval, etag };
        Cli.Handle(cmd, g, env, async c =>
        {
            var claim = new Claim { Name = c.Get(name), Etag = Format.Etag(c.Get(etag)) };
            var mask = new FieldMask();
            if (c.Get(text) is { } t) { claim.Text = t; mask.Paths.Add("text"); }
            if (c.Get(claimant) is { } cl) { claim.Claimant = cl; mask.Paths.Add("claimant"); }
            if (c.Get(language) is { } l) { claim.LanguageCode = l; mask.Paths.Add("language_code"); }
            // Given at all (an empty --topic list is not the same as no --topic).
            if (c.Parse.GetResult(topics) is not null) { claim.Topics.AddRange(c.Get(topics) ?? []); mask.Paths.Add("topics"); }
            if (c.Get(claimTime) is { } ct) { claim.ClaimTime = Format.ParseTime(ct, "--claim-time"); mask.Paths.Add("claim_time"); }
            if (c.Get(interval) is { } d) { claim.ReviewInterval = Format.ParseDays(d, "--review-interval"); mask.Paths.Add("review_interval"); }
            if (mask.Paths.Count == 0)
            {
                throw new UsageException("Name at least one field to change (--text, --claimant, --language, --topic, --claim-time, --review-interval).");
            }

            var updated = await Client(c).UpdateClaimAsync(new UpdateClaimRequest { Claim = claim, UpdateMask = mask }, cancellationToken: c.Cancel);
            c.Output.Message(updated, () => ShowClaim(c.Output, updated));
            return ExitCodes.Success;
        });
        return cmd;
    }

    private static Command Review(Globals g, CliEnvironment env)
    {
        var name = new Argument<string>("name");
        var note = new Option<string?>("--note");
        var etag = EtagOption();
        var cmd = new Command("review", "Start reviewing a claim (UNVERIFIED or STALE → IN_REVIEW). Example: claimledger claim review claims/<id>") { name, note, etag };
        Cli.Handle(cmd, g, env, async c =>
        {
            var claim = await Client(c).StartReviewAsync(new StartReviewRequest { Name = c.Get(name), Note = c.Get(note) ?? "", Etag = Format.Etag(c.Get(etag)) },
                cancellationToken: c.Cancel);
            c.Output.Message(claim, () => ShowClaim(c.Output, claim));
            return ExitCodes.Success;
        });
        return cmd;
    }

    private static Command Verdict(Globals g, CliEnvironment env)
    {
        var name = new Argument<string>("name");
        var rating = new Option<string>("--rating") { Description = "TRUE, MOSTLY_TRUE, MIXED, MOSTLY_FALSE, FALSE, MISLEADING or UNPROVEN", Required = true };
        var rationale = new Option<string>("--rationale") { Required = true };
        var evidence = new Option<string[]>("--evidence") { Description = "Evidence the verdict rests on (repeatable): claims/<id>/evidence/<e>" };
        var etag = EtagOption();
        var cmd = new Command("verdict", """
            Submit a verdict (IN_REVIEW → VERIFIED).
            Example: claimledger claim verdict claims/<id> --rating MOSTLY_FALSE --rationale "…" --evidence claims/<id>/evidence/<e>
            """) { name, rating, rationale, evidence, etag };
        Cli.Handle(cmd, g, env, async c =>
        {
            var request = new SubmitVerdictRequest
            {
                Name = c.Get(name), Rating = Format.ParseEnum<Rating>(c.Get(rating), "--rating"), Rationale = c.Get(rationale), Etag = Format.Etag(c.Get(etag)),
            };
            request.Evidence.AddRange(c.Get(evidence) ?? []);
            var claim = await Client(c).SubmitVerdictAsync(request, cancellationToken: c.Cancel);
            c.Output.Message(claim, () => ShowClaim(c.Output, claim));
            return ExitCodes.Success;
        });
        return cmd;
    }

    private static Command Retract(Globals g, CliEnvironment env)
    {
        var name = new Argument<string>("name");
        var reason = new Option<string>("--reason") { Description = "WITHDRAWN, DUPLICATE or OUT_OF_SCOPE", Required = true };
        var note = new Option<string?>("--note");
        var duplicateOf = new Option<string?>("--duplicate-of") { Description = "For DUPLICATE: the original claim" };
        var etag = EtagOption();
        var cmd = new Command("retract", "Retract a claim. Example: claimledger claim retract claims/<id> --reason DUPLICATE --duplicate-of claims/<other>")
            { name, reason, note, duplicateOf, etag };
        Cli.Handle(cmd, g, env, async c =>
        {
            var claim = await Client(c).RetractClaimAsync(new RetractClaimRequest
            {
                Name = c.Get(name), Reason = Format.ParseEnum<RetractionReason>(c.Get(reason), "--reason"), Note = c.Get(note) ?? "",
                DuplicateOf = c.Get(duplicateOf) ?? "", Etag = Format.Etag(c.Get(etag)),
            }, cancellationToken: c.Cancel);
            c.Output.Message(claim, () => ShowClaim(c.Output, claim));
            return ExitCodes.Success;
        });
        return cmd;
    }

    private static Command History(Globals g, CliEnvironment env)
    {
        var name = new Argument<string>("name");
        var (pageSize, pageToken) = Paging();
        var (asOf, asOfSequence) = AsOfOptions();
        var cmd = new Command("history", "A claim's timeline, oldest first; with --as-of, as the ledger recorded it up to then. Example: claimledger claim history claims/<id>")
            { name, pageSize, pageToken, asOf, asOfSequence };
        Cli.Handle(cmd, g, env, async c =>
        {
            var request = new ListClaimHistoryRequest { Name = c.Get(name), PageSize = c.Get(pageSize), PageToken = c.Get(pageToken) ?? "", AsOfSequence = c.Get(asOfSequence) };
            if (c.Get(asOf) is { } time)
            {
                request.AsOfTime = Format.ParseTime(time, "--as-of");
            }

            var history = await Client(c).ListClaimHistoryAsync(request, cancellationToken: c.Cancel);
            c.Output.Message(history, () =>
            {
                c.Output.Table([new Column("#"), new Column("Time", Optional: 2), new Column("Event"), new Column("Status"), new Column("Actor", Optional: 1), new Column("Detail")], history.Events.Select(e => (IReadOnlyList<string>)
                [
                    e.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture), Format.Time(e.Time), Format.Enum(e.Type),
                    e.ToStatus == ClaimStatus.Unspecified ? "" : $"{(e.FromStatus == ClaimStatus.Unspecified ? "" : Format.Status(e.FromStatus) + " → ")}{Format.Status(e.ToStatus)}",
                    e.Actor, e.Verdict is null ? c.Output.Clip(e.Detail, 60) : $"{Format.Verdict(e.Verdict)}: {c.Output.Clip(e.Verdict.Rationale, 50)}",
                ]), "No history events found.");
                NextPage(c.Output, history.NextPageToken);
            });
            return ExitCodes.Success;
        });
        return cmd;
    }

    /// <summary>--etag: change only if the resource still has this etag, given as `show` prints it (the quotes may be left out).</summary>
    internal static Option<string?> EtagOption() =>
        new("--etag") { Description = "Only if it still has this etag, as `show` prints it (\"3\" or 3); a stale one changes nothing (exit code 4)" };

    internal static (Option<int> PageSize, Option<string?> PageToken) Paging() =>
        (new Option<int>("--page-size") { Description = "Items per page (1-100, default 25)" },
         new Option<string?>("--page-token") { Description = "The next_page_token of a previous page" });

    /// <summary>Says how to get the next page (on stderr with --plain, so stdout holds records only).</summary>
    internal static void NextPage(Output output, string token)
    {
        if (token.Length > 0)
        {
            output.Note($"More: --page-token {token}");
        }
    }

    /// <summary>Claims as a table (Verdict and Claimant give way first on a narrow terminal), or one record each with --plain.</summary>
    internal static void ClaimTable(Output output, IEnumerable<Claim> claims, string empty) =>
        output.Table([new Column("Claim"), new Column("Status"), new Column("Verdict", Optional: 1), new Column("Claimant", Optional: 2), new Column("Text")], claims.Select(c => (IReadOnlyList<string>)
            [c.Name, Format.Status(c.Status), Format.Verdict(c.Verdict), output.Clip(c.Claimant, 30), output.Clip(c.Text, 70)]), empty);

    internal static void ShowClaim(Output output, Claim c) => output.Fields(
    [
        ("name", c.Name), ("status", Format.Status(c.Status)), ("text", c.Text), ("claimant", c.Claimant),
        ("claimants", string.Join("\n", c.Claimants.Select(p => $"{p.Name}{(p.Type == Party.Types.Type.Unspecified ? "" : $" ({Format.Enum(p.Type).ToLowerInvariant()})")}{(p.SameAs.Count > 0 ? $" {string.Join(" ", p.SameAs)}" : "")}"))),
        ("claim time", Format.Time(c.ClaimTime)),
        ("language", c.LanguageOrigin == LanguageOrigin.Unspecified ? c.LanguageCode : $"{c.LanguageCode} ({Format.Enum(c.LanguageOrigin).ToLowerInvariant()})"),
        ("topics", string.Join(", ", c.Topics)), ("verdict", Format.Verdict(c.Verdict)),
        ("original rating", c.Verdict?.OriginalRating ?? ""), ("published", c.Verdict?.PublishedReview is { } published ? Format.Review(published) : ""),
        ("rationale", c.Verdict?.Rationale ?? ""), ("reviewer", c.Verdict?.Reviewer ?? ""), ("evidence", string.Join("\n", c.Verdict?.Evidence ?? [])),
        ("review due", Format.Time(c.ReviewDueTime)), ("unsourced since", Format.Time(c.UnsourcedSince)),
        ("retraction", c.Retraction is null ? "" : $"{Format.Enum(c.Retraction.Reason)} {c.Retraction.Note} {c.Retraction.DuplicateOf}".Trim()),
        ("created", Format.Time(c.CreateTime)), ("updated", Format.Time(c.UpdateTime)), ("etag", c.Etag),
    ]);
}
