using System.CommandLine;
using ClaimLedger.Contracts.V1;
using Grpc.Core;

namespace ClaimLedger.Cli.Commands;

public static class LedgerCommands
{
    private static LedgerService.LedgerServiceClient Client(CliContext c) => new(c.Connection.Invoker);

    public static Command Build(Globals g, CliEnvironment env)
    {
        var ledger = new Command("ledger", "The tamper-evident ledger (auditor or admin).");

        var subject = new Option<string?>("--subject") { Description = "e.g. claims/<id>" };
        var actor = new Option<string?>("--actor");
        var action = new Option<string?>("--action") { Description = "e.g. claim.verdict_submitted" };
        var since = new Option<string?>("--since") { Description = "From this time (inclusive)" };
        var until = new Option<string?>("--until") { Description = "Before this time" };
        var (pageSize, pageToken) = ClaimCommands.Paging();
        var list = new Command("list", "Ledger entries in order. Example: claimledger ledger list --subject claims/<id>")
            { subject, actor, action, since, until, pageSize, pageToken };
        Cli.Handle(list, g, env, async c =>
        {
            var request = new ListLedgerEntriesRequest
            {
                Subject = c.Get(subject) ?? "", Actor = c.Get(actor) ?? "", Action = c.Get(action) ?? "", PageSize = c.Get(pageSize), PageToken = c.Get(pageToken) ?? "",
            };
            if (c.Get(since) is { } s)
            {
                request.StartTime = Format.ParseTime(s, "--since");
            }

            if (c.Get(until) is { } u)
            {
                request.EndTime = Format.ParseTime(u, "--until");
            }

            var page = await Client(c).ListLedgerEntriesAsync(request, cancellationToken: c.Cancel);
            c.Output.Message(page, () =>
            {
                Entries(c.Output, page.Entries, "No ledger entries found.");
                ClaimCommands.NextPage(c.Output, page.NextPageToken);
            });
            return ExitCodes.Success;
        });

        var digest = new Command("digest", "The ledger's head, to keep outside the system. Example: claimledger ledger digest --json > digest.json");
        Cli.Handle(digest, g, env, async c =>
        {
            var d = await Client(c).GetLedgerDigestAsync(new GetLedgerDigestRequest(), cancellationToken: c.Cancel);
            c.Output.Message(d, () => c.Output.Fields([("head sequence", d.HeadSequence.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                ("head hash", d.HeadHash), ("time", Format.Time(d.Time))]));
            return ExitCodes.Success;
        });

        var digestFile = new Option<string?>("--digest") { Description = "A digest saved earlier with `ledger digest --json`" };
        var verify = new Command("verify", "Recompute the chain (and check claims against it); exit code 1 if it fails. Example: claimledger ledger verify --digest digest.json")
            { digestFile };
        Cli.Handle(verify, g, env, async c =>
        {
            var request = new VerifyLedgerRequest();
            if (c.Get(digestFile) is { } path)
            {
                try
                {
                    request.Digest = Google.Protobuf.JsonParser.Default.Parse<LedgerDigest>(await File.ReadAllTextAsync(path, c.Cancel));
                }
                catch (Exception e) when (e is Google.Protobuf.InvalidJsonException or Google.Protobuf.InvalidProtocolBufferException)
                {
                    throw new UsageException($"{path} is not a digest saved by `ledger digest --json`: {e.Message}");
                }
            }

            var result = await c.Output.ProgressAsync("Verifying the ledger…", async () => await Client(c).VerifyLedgerAsync(request, cancellationToken: c.Cancel));
            c.Output.Message(result, () =>
            {
                c.Output.Line(result.Valid
                    ? $"valid: {result.EntriesChecked} entries and {result.ClaimsChecked} claims checked; head {result.HeadSequence} {result.HeadHash}"
                    : $"INVALID: {Format.Enum(result.FirstProblem.Kind)} at entry {result.FirstProblem.Sequence} {result.FirstProblem.Subject}");
                if (!result.Valid)
                {
                    c.Output.Line(result.FirstProblem.Description);
                }
            });
            return result.Valid ? ExitCodes.Success : ExitCodes.Failure;
        });

        var from = new Option<long>("--from") { Description = "First sequence to show (default 1); to resume, the last seen + 1" };
        var watch = new Command("watch", "Stream entries as they commit (Ctrl-C to stop). Example: claimledger ledger watch --from 120") { from };
        Cli.Handle(watch, g, env, async c =>
        {
            using var call = Client(c).WatchLedger(new WatchLedgerRequest { StartSequence = c.Get(from) }, cancellationToken: c.Cancel);
            try
            {
                await foreach (var entry in call.ResponseStream.ReadAllAsync(c.Cancel))
                {
                    if (c.Output.Json)
                    {
                        // One entry per line, so scripts can read the stream as JSON Lines.
                        c.Output.Line(Google.Protobuf.JsonFormatter.Default.Format(entry));
                    }
                    else if (c.Output.Plain)
                    {
                        c.Output.Line(string.Join('\t', entry.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture), Format.Time(entry.Time), entry.Actor,
                            entry.Action, entry.Subject));
                    }
                    else
                    {
                        c.Output.Line($"#{entry.Sequence}  {Format.Time(entry.Time)}  {entry.Actor,-16} {entry.Action,-26} {entry.Subject}");
                    }
                }
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && c.Cancel.IsCancellationRequested)
            {
                // Ctrl-C.
            }
            catch (OperationCanceledException) when (c.Cancel.IsCancellationRequested)
            {
            }

            return ExitCodes.Success;
        });

        ledger.Subcommands.Add(list);
        ledger.Subcommands.Add(digest);
        ledger.Subcommands.Add(verify);
        ledger.Subcommands.Add(watch);
        foreach (var command in ProofCommands.LedgerSubcommands(g, env))
        {
            ledger.Subcommands.Add(command);
        }
        return ledger;
    }

    private static void Entries(Output output, IEnumerable<LedgerEntry> entries, string empty) =>
        output.Table([new Column("#"), new Column("Time", Optional: 2), new Column("Actor", Optional: 1), new Column("Action"), new Column("Subject")], entries.Select(e => (IReadOnlyList<string>)
            [e.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture), Format.Time(e.Time), e.Actor, e.Action, e.Subject]), empty);
}
