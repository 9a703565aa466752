using System.CommandLine;
using ClaimLedger.Contracts.V1;
using Google.Protobuf.WellKnownTypes;

namespace ClaimLedger.Cli.Commands;

public static class SourceCommands
{
    internal static SourceService.SourceServiceClient Client(CliContext c) => new(c.Connection.Invoker);

    private sealed record SourceOptions(
        Option<string?> Title, Option<string?> Publisher, Option<string?> Author, Option<string?> Kind, Option<string?> Published,
        Option<string?> Sha256, Option<string?> Archive, Option<string?> Reliability)
    {
        public static SourceOptions Create() => new(
            new Option<string?>("--title"), new Option<string?>("--publisher"), new Option<string?>("--author"),
            new Option<string?>("--kind") { Description = "NEWS_ARTICLE, OFFICIAL_STATEMENT, PRIMARY_DOCUMENT, SOCIAL_POST, DATASET or OTHER" },
            new Option<string?>("--published") { Description = "Publication time (ISO 8601)" },
            new Option<string?>("--content-sha256") { Description = "SHA-256 of the content as retrieved (64 hex)" },
            new Option<string?>("--archive-url"),
            new Option<string?>("--reliability") { Description = "Admiralty grade A-F" });

        public void AddTo(Command command)
        {
            foreach (var option in new System.CommandLine.Option[] { Title, Publisher, Author, Kind, Published, Sha256, Archive, Reliability })
            {
                command.Options.Add(option);
            }
        }

        /// <summary>Sets the given fields on <paramref name="s"/>; returns the field-mask paths set.</summary>
        public List<string> Apply(CliContext c, Source s)
        {
            var paths = new List<string>();
            if (c.Get(Title) is { } t) { s.Title = t; paths.Add("title"); }
            if (c.Get(Publisher) is { } p) { s.Publisher = p; paths.Add("publisher"); }
            if (c.Get(Author) is { } a) { s.Author = a; paths.Add("author"); }
            if (c.Get(Kind) is { } k) { s.Kind = Format.ParseEnum<SourceKind>(k, "--kind"); paths.Add("kind"); }
            if (c.Get(Published) is { } pt) { s.PublishTime = Format.ParseTime(pt, "--published"); paths.Add("publish_time"); }
            if (c.Get(Sha256) is { } h) { s.ContentSha256 = h; paths.Add("content_sha256"); }
            if (c.Get(Archive) is { } ar) { s.ArchiveUrl = ar; paths.Add("archive_url"); }
            if (c.Get(Reliability) is { } r) { s.Reliability = Format.ParseEnum<Reliability>(ParseGrade(r), "--reliability", "RELIABILITY_"); paths.Add("reliability"); }
            return paths;
        }

        // "B" → "B_USUALLY_RELIABLE"
        private static string ParseGrade(string grade) => grade.Trim().ToUpperInvariant() switch
        {
            "A" => "A_COMPLETELY_RELIABLE", "B" => "B_USUALLY_RELIABLE", "C" => "C_FAIRLY_RELIABLE",
            "D" => "D_NOT_USUALLY_RELIABLE", "E" => "E_UNRELIABLE", "F" => "F_CANNOT_BE_JUDGED", var other => other,
        };
    }

    public static Command Build(Globals g, CliEnvironment env)
    {
        var source = new Command("source", "Register and describe the sources claims and evidence come from.");

        var url = new Argument<string>("url") { Description = "http(s) URL (canonicalised; registering it again returns the same source)" };
        var addOptions = SourceOptions.Create();
        var add = new Command("add", "Register a source. Example: claimledger source add https://news.example.org/a1 --kind NEWS_ARTICLE --publisher \"Example News\" --reliability B")
            { url };
        addOptions.AddTo(add);
        Cli.Handle(add, g, env, async c =>
        {
            var s = new Source { Url = c.Get(url), Kind = SourceKind.Other };
            addOptions.Apply(c, s);
            var created = await Client(c).CreateSourceAsync(new CreateSourceRequest { Source = s }, cancellationToken: c.Cancel);
            c.Output.Message(created, () => ShowSource(c.Output, created));
            return ExitCodes.Success;
        });

        var name = new Argument<string>("name") { Description = "sources/<id>" };
        var show = new Command("show", "Show a source, including its last health check. Example: claimledger source show sources/<id>") { name };
        Cli.Handle(show, g, env, async c =>
        {
            var s = await Client(c).GetSourceAsync(new GetSourceRequest { Name = c.Get(name) }, cancellationToken: c.Cancel);
            c.Output.Message(s, () => ShowSource(c.Output, s));
            return ExitCodes.Success;
        });

        var kind = new Option<string?>("--kind");
        var publisher = new Option<string?>("--publisher");
        var (pageSize, pageToken) = ClaimCommands.Paging();
        var list = new Command("list", "List sources, newest first. Example: claimledger source list --kind NEWS_ARTICLE --publisher \"Example News\"") { kind, publisher, pageSize, pageToken };
        Cli.Handle(list, g, env, async c =>
        {
            var request = new ListSourcesRequest { Publisher = c.Get(publisher) ?? "", PageSize = c.Get(pageSize), PageToken = c.Get(pageToken) ?? "" };
            if (c.Get(kind) is { } k)
            {
                request.Kind = Format.ParseEnum<SourceKind>(k, "--kind");
            }

            var page = await Client(c).ListSourcesAsync(request, cancellationToken: c.Cancel);
            c.Output.Message(page, () =>
            {
                c.Output.Table([new Column("Source"), new Column("Kind"), new Column("Health", Optional: 1), new Column("Title", Optional: 2), new Column("URL")], page.Sources.Select(s => (IReadOnlyList<string>)
                    [s.Name, Format.Enum(s.Kind), Format.Enum(s.Health), c.Output.Clip(s.Title, 40), s.CanonicalUrl]), "No sources found.");
                ClaimCommands.NextPage(c.Output, page.NextPageToken);
            });
            return ExitCodes.Success;
        });

        var updateName = new Argument<string>("name");
        var etag = ClaimCommands.EtagOption();
        var updateOptions = SourceOptions.Create();
        var update = new Command("update", "Change a source's description. Example: claimledger source update sources/<id> --title \"…\" --reliability C")
            { updateName, etag };
        updateOptions.AddTo(update);
        Cli.Handle(update, g, env, async c =>
        {
            var s = new Source { Name = c.Get(updateName), Etag = Format.Etag(c.Get(etag)) };
            var paths = updateOptions.Apply(c, s);
            if (paths.Count == 0)
            {
                throw new UsageException("Name at least one field to change.");
            }

            var mask = new FieldMask();
            mask.Paths.AddRange(paths);
            var updated = await Client(c).UpdateSourceAsync(new UpdateSourceRequest { Source = s, UpdateMask = mask }, cancellationToken: c.Cancel);
            c.Output.Message(updated, () => ShowSource(c.Output, updated));
            return ExitCodes.Success;
        });

        source.Subcommands.Add(add);
        source.Subcommands.Add(show);
        source.Subcommands.Add(list);
        source.Subcommands.Add(update);
        return source;
    }

    private static void ShowSource(Output output, Source s) => output.Fields(
    [
        ("name", s.Name), ("url", s.Url), ("canonical url", s.CanonicalUrl), ("title", s.Title), ("publisher", s.Publisher), ("author", s.Author),
        ("kind", Format.Enum(s.Kind)), ("published", Format.Time(s.PublishTime)), ("content sha256", s.ContentSha256), ("archive url", s.ArchiveUrl),
        ("reliability", s.Reliability == Reliability.Unspecified ? "" : Format.Enum(s.Reliability)), ("health", Format.Enum(s.Health)),
        ("last check", Format.Time(s.LastCheckTime)), ("final url", s.FinalUrl), ("etag", s.Etag),
    ]);
}
