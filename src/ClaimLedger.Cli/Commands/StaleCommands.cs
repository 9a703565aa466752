using System.CommandLine;
using ClaimLedger.Contracts.V1;

namespace ClaimLedger.Cli.Commands;

public static class StaleCommands
{
    private static StalenessService.StalenessServiceClient Client(CliContext c) => new(c.Connection.Invoker);

    public static Command Build(Globals g, CliEnvironment env)
    {
        var stale = new Command("stale", "Staleness checks: review policy, runs, and the claims they found stale.");

        var reason = new Option<string?>("--reason") { Description = "VERDICT_EXPIRED, SOURCE_BROKEN or SOURCE_CHANGED" };
        var (pageSize, pageToken) = ClaimCommands.Paging();
        var list = new Command("list", "STALE claims and why. Example: claimledger stale list --reason SOURCE_CHANGED") { reason, pageSize, pageToken };
        Cli.Handle(list, g, env, async c =>
        {
            var request = new ListStaleClaimsRequest { PageSize = c.Get(pageSize), PageToken = c.Get(pageToken) ?? "" };
            if (c.Get(reason) is { } r)
            {
                request.Reason = Format.ParseEnum<StaleReason>(r, "--reason");
            }

            var page = await Client(c).ListStaleClaimsAsync(request, cancellationToken: c.Cancel);
            c.Output.Message(page, () =>
            {
                c.Output.Table([new Column("Claim"), new Column("Reason"), new Column("Source"), new Column("Evidence", Optional: 1), new Column("Detail")],
                    page.StaleClaims.SelectMany(s => s.Findings.Select(f => (IReadOnlyList<string>)
                    [s.Claim.Name, Format.Enum(f.Reason), f.Source, f.Evidence, c.Output.Clip(f.Detail, 70)])), "No stale claims found.");
                ClaimCommands.NextPage(c.Output, page.NextPageToken);
            });
            return ExitCodes.Success;
        });

        var checks = new Option<string[]>("--check") { Description = "VERDICT_EXPIRY, SOURCE_HEALTH or UNSOURCED_CLAIMS (repeatable; default all)" };
        var noWait = new Option<bool>("--no-wait") { Description = "Return as soon as the run is queued" };
        var run = new Command("run", "Run the staleness checks now (admin) and wait for the result. Example: claimledger stale run --check VERDICT_EXPIRY")
            { checks, noWait };
        Cli.Handle(run, g, env, async c =>
        {
            var request = new RunStalenessCheckRequest();
            request.Checks.AddRange((c.Get(checks) ?? []).Select(x => Format.ParseEnum<StalenessCheck>(x, "--check")));
            var result = await Client(c).RunStalenessCheckAsync(request, cancellationToken: c.Cancel);
            if (!c.Get(noWait))
            {
                result = await c.Output.ProgressAsync($"Running {result.Name}…", async () =>
                {
                    while (result.State is StalenessRun.Types.State.Pending or StalenessRun.Types.State.Running)
                    {
                        await Task.Delay(250, c.Cancel);
                        result = await Client(c).GetStalenessRunAsync(new GetStalenessRunRequest { Name = result.Name }, cancellationToken: c.Cancel);
                    }

                    return result;
                });
            }

            c.Output.Message(result, () => ShowRun(c.Output, result));
            return result.State == StalenessRun.Types.State.Failed ? ExitCodes.Failure : ExitCodes.Success;
        });

        var (runsSize, runsToken) = ClaimCommands.Paging();
        var runs = new Command("runs", "Past runs, newest first. Example: claimledger stale runs --page-size 5") { runsSize, runsToken };
        Cli.Handle(runs, g, env, async c =>
        {
            var page = await Client(c).ListStalenessRunsAsync(new ListStalenessRunsRequest { PageSize = c.Get(runsSize), PageToken = c.Get(runsToken) ?? "" },
                cancellationToken: c.Cancel);
            c.Output.Message(page, () =>
            {
                c.Output.Table([new Column("Run"), new Column("State"), new Column("Trigger", Optional: 3), new Column("Started", Optional: 2), new Column("Examined", Optional: 4),
                        new Column("Stale"), new Column("Sources ok/moved/changed/broken/failing", Optional: 5), new Column("Errors", Optional: 1)],
                    page.Runs.Select(r => (IReadOnlyList<string>)
                    [
                        r.Name, Format.Enum(r.State), Format.Enum(r.Trigger), Format.Time(r.StartTime), r.ClaimsExamined.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        r.MarkedStale.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        $"{r.SourcesOk}/{r.SourcesMoved}/{r.SourcesChanged}/{r.SourcesBroken}/{r.SourcesFailing}", r.ErrorCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ]), "No staleness runs found.");
                ClaimCommands.NextPage(c.Output, page.NextPageToken);
            });
            return ExitCodes.Success;
        });

        var defaultDays = new Option<double?>("--default") { Description = "Default review interval, days" };
        var topic = new Option<string[]?>("--topic") { Description = "Per-topic interval TOPIC=DAYS (repeatable; replaces all topic intervals)" };
        var unsourced = new Option<double?>("--unsourced-after") { Description = "Days after which evidence-less UNVERIFIED claims are flagged" };
        var policy = new Command("policy", """
            Show the review policy, or change it (admin) with any of --default, --topic, --unsourced-after.
            Example: claimledger stale policy --default 30 --topic elections=7
            """) { defaultDays, topic, unsourced };
        Cli.Handle(policy, g, env, async c =>
        {
            var current = await Client(c).GetReviewPolicyAsync(new GetReviewPolicyRequest(), cancellationToken: c.Cancel);
            var topicsGiven = c.Parse.GetResult(topic) is not null;
            if (c.Get(defaultDays) is null && !topicsGiven && c.Get(unsourced) is null)
            {
                c.Output.Message(current, () => ShowPolicy(c.Output, current));
                return ExitCodes.Success;
            }

            var next = current.Clone();
            if (c.Get(defaultDays) is { } d)
            {
                next.DefaultReviewInterval = Format.ParseDays(d, "--default");
            }

            if (c.Get(unsourced) is { } u)
            {
                next.UnsourcedAfter = Format.ParseDays(u, "--unsourced-after");
            }

            if (topicsGiven && c.Get(topic) is { } topics)
            {
                next.TopicReviewIntervals.Clear();
                foreach (var t in topics)
                {
                    var parts = t.Split('=', 2);
                    if (parts.Length != 2 || !double.TryParse(parts[1], System.Globalization.CultureInfo.InvariantCulture, out var days))
                    {
                        throw new UsageException($"--topic must look like TOPIC=DAYS; got \"{t}\".");
                    }

                    next.TopicReviewIntervals[parts[0]] = Format.ParseDays(days, "--topic");
                }
            }

            var updated = await Client(c).SetReviewPolicyAsync(new SetReviewPolicyRequest { Policy = next }, cancellationToken: c.Cancel);
            c.Output.Message(updated, () => ShowPolicy(c.Output, updated));
            return ExitCodes.Success;
        });

        stale.Subcommands.Add(list);
        stale.Subcommands.Add(run);
        stale.Subcommands.Add(runs);
        stale.Subcommands.Add(policy);
        return stale;
    }

    private static void ShowRun(Output output, StalenessRun r) => output.Fields(
    [
        ("run", r.Name), ("state", Format.Enum(r.State)), ("trigger", Format.Enum(r.Trigger)), ("checks", string.Join(", ", r.Checks.Select(Format.Enum))),
        ("requested by", r.RequestedBy), ("started", Format.Time(r.StartTime)), ("ended", Format.Time(r.EndTime)),
        ("claims examined", r.ClaimsExamined.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ("marked stale", r.MarkedStale.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ("sources checked", r.SourcesChecked.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ("sources ok/moved/changed/broken/failing", $"{r.SourcesOk}/{r.SourcesMoved}/{r.SourcesChanged}/{r.SourcesBroken}/{r.SourcesFailing}"),
        ("unsourced flagged", r.UnsourcedFlagged.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ("errors", string.Join("\n", r.Errors)),
    ]);

    private static void ShowPolicy(Output output, ReviewPolicy p) => output.Fields(
        new (string, string)[] { ("default review interval", Format.Days(p.DefaultReviewInterval)), ("unsourced after", Format.Days(p.UnsourcedAfter)) }
            .Concat(p.TopicReviewIntervals.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => ($"topic {t.Key}", Format.Days(t.Value))))
            .Append(("etag", p.Etag)));
}
