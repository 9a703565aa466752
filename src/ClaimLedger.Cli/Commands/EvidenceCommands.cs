using System.CommandLine;
using ClaimLedger.Contracts.V1;

namespace ClaimLedger.Cli.Commands;

public static class EvidenceCommands
{
    private static EvidenceService.EvidenceServiceClient Client(CliContext c) => new(c.Connection.Invoker);

    public static Command Build(Globals g, CliEnvironment env)
    {
        var evidence = new Command("evidence", "Link claims to sources: where they appeared, what supports or refutes them.");

        var claim = new Argument<string>("claim") { Description = "claims/<id>" };
        var source = new Option<string>("--source") { Description = "sources/<id>", Required = true };
        var stance = new Option<string>("--stance") { Description = "ORIGIN, SUPPORTS, REFUTES, CONTEXT or FACT_CHECK (a published fact-check)", Required = true };
        var excerpt = new Option<string?>("--excerpt");
        var locator = new Option<string?>("--locator");
        var credibility = new Option<int?>("--credibility") { Description = "Admiralty 1-6" };
        var add = new Command("add", "Attach evidence. Example: claimledger evidence add claims/<id> --source sources/<s> --stance REFUTES --excerpt \"…\"")
            { claim, source, stance, excerpt, locator, credibility };
        Cli.Handle(add, g, env, async c =>
        {
            var e = new Evidence
            {
                Source = c.Get(source), Stance = Format.ParseEnum<Stance>(c.Get(stance), "--stance"), Excerpt = c.Get(excerpt) ?? "", Locator = c.Get(locator) ?? "",
            };
            if (c.Get(credibility) is { } cr)
            {
                e.Credibility = cr is >= 1 and <= 6 ? (Credibility)cr : throw new UsageException("--credibility must be 1 to 6.");
            }

            var added = await Client(c).AddEvidenceAsync(new AddEvidenceRequest { Parent = c.Get(claim), Evidence = e }, cancellationToken: c.Cancel);
            c.Output.Message(added, () => Table(c.Output, [added], ""));
            return ExitCodes.Success;
        });

        var name = new Argument<string>("name") { Description = "claims/<id>/evidence/<e>" };
        var etag = ClaimCommands.EtagOption();
        var remove = new Command("remove", "Remove evidence (it stays in the history). Example: claimledger evidence remove claims/<id>/evidence/<e>") { name, etag };
        Cli.Handle(remove, g, env, async c =>
        {
            var removed = await Client(c).RemoveEvidenceAsync(new RemoveEvidenceRequest { Name = c.Get(name), Etag = Format.Etag(c.Get(etag)) }, cancellationToken: c.Cancel);
            c.Output.Message(removed, () => Table(c.Output, [removed], ""));
            return ExitCodes.Success;
        });

        var listClaim = new Argument<string>("claim");
        var listStance = new Option<string?>("--stance");
        var showRemoved = new Option<bool>("--show-removed");
        var (pageSize, pageToken) = ClaimCommands.Paging();
        var list = new Command("list", "A claim's evidence. Example: claimledger evidence list claims/<id>") { listClaim, listStance, showRemoved, pageSize, pageToken };
        Cli.Handle(list, g, env, async c =>
        {
            var request = new ListEvidenceRequest { Parent = c.Get(listClaim), ShowRemoved = c.Get(showRemoved), PageSize = c.Get(pageSize), PageToken = c.Get(pageToken) ?? "" };
            if (c.Get(listStance) is { } s)
            {
                request.Stance = Format.ParseEnum<Stance>(s, "--stance");
            }

            var page = await Client(c).ListEvidenceAsync(request, cancellationToken: c.Cancel);
            c.Output.Message(page, () =>
            {
                Table(c.Output, page.Evidence, c.Get(showRemoved) ? "No evidence found." : "No evidence found (--show-removed includes removed evidence).");
                ClaimCommands.NextPage(c.Output, page.NextPageToken);
            });
            return ExitCodes.Success;
        });

        evidence.Subcommands.Add(add);
        evidence.Subcommands.Add(remove);
        evidence.Subcommands.Add(list);
        return evidence;
    }

    /// <summary>Evidence as a table (on a narrow terminal the source, who added it and when it was removed give way first), or records with --plain.</summary>
    private static void Table(Output output, IEnumerable<Evidence> items, string empty) =>
        output.Table([new Column("Evidence"), new Column("Stance"), new Column("Source", Optional: 1), new Column("Excerpt"), new Column("Added by", Optional: 2), new Column("Removed", Optional: 3)],
            items.Select(e => (IReadOnlyList<string>)
            [e.Name, Format.Enum(e.Stance), e.Source, e.Review is null ? output.Clip(e.Excerpt, 50) : Format.Review(e.Review), e.AddedBy, Format.Time(e.RemoveTime)]), empty);
}
