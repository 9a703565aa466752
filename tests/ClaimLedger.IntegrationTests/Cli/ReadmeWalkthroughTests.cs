using ClaimLedger.IntegrationTests.Infrastructure;
using System.Text;
using System.Text.RegularExpressions;

namespace ClaimLedger.IntegrationTests.Cli;

/// <summary>
/// The README's "Walkthrough with the CLI alone", read from the README itself: its shell block is run line by line
/// against a real server (the CLI in-process, as on a 120-column terminal), and what each command prints is compared
/// with the transcript the README shows under it; then the error examples of "The `claimledger` CLI", which continue
/// in the walkthrough's shell. Editing the README or the CLI without the other fails here.
/// </summary>
/// <remarks>
/// The setup lines (start the server, wait for its key file, export the key, define <c>claimledger</c>) are checked for
/// their order and then done by the test: a fresh <see cref="CliServer"/>, and CLAIMLEDGER_URL/CLAIMLEDGER_API_KEY as the
/// export sets them. The other lines must be <c>claimledger …</c> or <c>NAME=$(claimledger … | cut -f1)</c>, with bash's
/// quoting and <c>$NAME</c>/<c>"$NAME"</c> expansion: anything else fails the test rather than going unchecked.
/// </remarks>
public sealed partial class ReadmeWalkthroughTests(CliServer server) : IClassFixture<CliServer>
{
    private const string Walkthrough = "## Walkthrough with the CLI alone";

    private const string CliSection = "## The `claimledger` CLI";

    [Fact]
    public void Setup_WaitsForTheAdminKeyFile_BeforeExportingTheKey_AndStartsTheServerFirst()
    {
        var (setup, _) = SplitSetup(Script());

        var start = setup.FindIndex(l => l.StartsWith("dotnet run --project src/ClaimLedger.Server", StringComparison.Ordinal) && l.EndsWith('&'));
        var wait = setup.FindIndex(l => l.StartsWith("until [ -s src/ClaimLedger.Server/data/admin-api-key ];", StringComparison.Ordinal));
        var export = setup.FindIndex(l => l == "export CLAIMLEDGER_API_KEY=$(cat src/ClaimLedger.Server/data/admin-api-key)");
        var define = setup.FindIndex(l => l.StartsWith("claimledger() {", StringComparison.Ordinal));

        start.ShouldBeGreaterThanOrEqualTo(0, string.Join('\n', setup));
        wait.ShouldBeGreaterThan(start, "the key file exists only once the server has started");
        export.ShouldBeGreaterThan(wait, "reading the key file before it exists exports an empty key");
        define.ShouldBeGreaterThanOrEqualTo(0);
    }

    [Fact]
    public async Task Walkthrough_RunAsTheReadmeShowsIt_PrintsTheReadmesTranscript()
    {
        var (setup, steps) = SplitSetup(Script());
        setup.ShouldAllBe(l => SetupLine().IsMatch(l), "the test runs only the setup lines it knows how to stand in for");
        var transcript = Transcript(Block(Walkthrough, "text"));
        var cli = new CliRunner(server) { IsInteractive = true, Width = 120 };
        cli.Variables["CLAIMLEDGER_URL"] = server.Url;
        cli.Variables["CLAIMLEDGER_API_KEY"] = server.AdminKey;
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        var printed = new List<(string Line, string Output)>();

        using var workingDirectory = new WalkthroughFiles();
        foreach (var line in steps)
        {
            if (Capture().Match(line) is { Success: true } capture)
            {
                var result = await cli.RunRawAsync(Words(capture.Groups["command"].Value, variables));
                result.ExitCode.ShouldBe(0, $"{line}\n{result}");
                var value = string.Join('\n', result.Out.TrimEnd('\n').Split('\n').Select(l => l.Split('\t')[0]));
                value.ShouldNotBeEmpty($"{line} captured nothing");
                variables[capture.Groups["name"].Value] = value;
            }
            else if (line.StartsWith("claimledger ", StringComparison.Ordinal))
            {
                var result = await cli.RunRawAsync(Words(line["claimledger ".Length..], variables));
                result.ExitCode.ShouldBe(0, $"{line}\n{result}");
                printed.Add((line, result.Out + result.Error));
            }
            else
            {
                throw new ShouldAssertException($"The walkthrough has a line this test cannot run: {line}");
            }
        }

        transcript.ShouldNotBeEmpty();
        var next = 0;
        foreach (var (command, expected) in transcript)
        {
            next = printed.FindIndex(next, p => SameCommand(p.Line, command));
            next.ShouldBeGreaterThanOrEqualTo(0, $"The transcript shows `{command}`, which the walkthrough does not run (in this order).");
            ShouldMatch(printed[next].Output, expected, command);
            next++;
        }

        var errors = Transcript(Block(CliSection, "text", startingWith: "$ claimledger "));
        errors.ShouldNotBeEmpty();
        foreach (var (command, expected) in errors)
        {
            command.ShouldStartWith("claimledger ");
            var result = await cli.RunRawAsync(Words(command["claimledger ".Length..], variables));
            result.ExitCode.ShouldNotBe(0, $"{command} is shown failing\n{result}");
            ShouldMatch(result.Out + result.Error, expected, command);
        }
    }

    /// <summary>A transcript's "$ command" names a line of the script when they differ at most in runs of blanks.</summary>
    private static bool SameCommand(string line, string command) =>
        Regex.Replace(line, @"\s+", " ") == Regex.Replace(command, @"\s+", " ");

    /// <summary>
    /// Compares printed output with the README's lines: line by line after <see cref="Normalize"/>, where a README line
    /// "…" stands for any number of printed lines.
    /// </summary>
    private static void ShouldMatch(string output, IReadOnlyList<string> expected, string command)
    {
        // Relevance is each engine's own scale (SQLite's BM25, PostgreSQL's ts_rank_cd; the README shows SQLite's):
        // on PostgreSQL the order and snippets of a search are compared, not its scores.
        Func<string, string> normalize = TestEngine.IsPostgreSql && command.Contains("claim search", StringComparison.Ordinal)
            ? line => Score().Replace(Normalize(line), "<score>")
            : Normalize;
        var actual = Strip(output).Split('\n').Select(normalize).ToList();
        while (actual.Count > 0 && actual[^1].Length == 0)
        {
            actual.RemoveAt(actual.Count - 1);
        }

        var wanted = expected.Select(normalize).ToList();
        Matches(actual, 0, wanted, 0).ShouldBeTrue(
            $"`{command}` printed (normalised):\n{string.Join('\n', actual)}\n\nbut the README shows (normalised):\n{string.Join('\n', wanted)}");
    }

    private static bool Matches(List<string> actual, int a, List<string> wanted, int w)
    {
        if (w == wanted.Count)
        {
            return a == actual.Count;
        }

        if (wanted[w] == "…")
        {
            for (var skip = a; skip <= actual.Count; skip++)
            {
                if (Matches(actual, skip, wanted, w + 1))
                {
                    return true;
                }
            }

            return false;
        }

        return a < actual.Count && actual[a] == wanted[w] && Matches(actual, a + 1, wanted, w + 1);
    }

    /// <summary>What differs on every run: ids, hashes, times, page tokens and file sizes; and trailing blanks.</summary>
    private static string Normalize(string line)
    {
        line = Sha256().Replace(line.TrimEnd(), "<hash>");
        line = Id().Replace(line, "<id>");
        line = Time().Replace(line, "<time>");
        line = PageToken().Replace(line, "--page-token <token>");
        return Bytes().Replace(line, "Wrote <n> bytes");
    }

    private static string Strip(string output) => Ansi().Replace(output.Replace("\r", "", StringComparison.Ordinal), "");

    // ---- the README

    private static string ReadmeSection(string heading)
    {
        var readme = File.ReadAllText(RepositoryFiles.PathOf("README.md")).Replace("\r\n", "\n", StringComparison.Ordinal);
        var start = readme.IndexOf("\n" + heading + "\n", StringComparison.Ordinal);
        start.ShouldBeGreaterThanOrEqualTo(0, $"README.md has a section \"{heading}\"");
        var end = readme.IndexOf("\n## ", start + heading.Length, StringComparison.Ordinal);
        return end < 0 ? readme[start..] : readme[start..end];
    }

    /// <summary>The first ```<paramref name="language"/> block of the section whose text starts with <paramref name="startingWith"/>.</summary>
    private static string Block(string heading, string language, string startingWith = "")
    {
        var block = Regex.Matches(ReadmeSection(heading), $"\n```{language}\n(?<body>.*?)\n```", RegexOptions.Singleline)
            .FirstOrDefault(m => m.Groups["body"].Value.StartsWith(startingWith, StringComparison.Ordinal));
        block.ShouldNotBeNull($"the section \"{heading}\" has a ```{language} block starting with \"{startingWith}\"");
        return block.Groups["body"].Value;
    }

    /// <summary>The shell block as logical lines: continuations joined, comments and blank lines dropped.</summary>
    private static List<string> Script()
    {
        var lines = new List<string>();
        var pending = new StringBuilder();
        foreach (var raw in Block(Walkthrough, "sh").Split('\n'))
        {
            var line = WithoutComment(raw).TrimEnd();
            if (line.EndsWith('\\'))
            {
                pending.Append(line[..^1]); // bash drops the backslash and the line break
                continue;
            }

            pending.Append(line);
            var logical = pending.ToString().Trim();
            pending.Clear();
            if (logical.Length > 0)
            {
                lines.Add(logical);
            }
        }

        return lines;
    }

    /// <summary>A transcript: each "$ command" with the lines printed under it.</summary>
    private static List<(string Command, List<string> Output)> Transcript(string block)
    {
        var result = new List<(string, List<string>)>();
        foreach (var line in block.Split('\n'))
        {
            if (line.StartsWith("$ ", StringComparison.Ordinal))
            {
                result.Add((line[2..].Trim(), []));
            }
            else
            {
                result.ShouldNotBeEmpty("the transcript starts with a \"$ command\" line");
                result[^1].Item2.Add(line);
            }
        }

        return result;
    }

    /// <summary>The lines before the first claimledger command, and the rest.</summary>
    private static (List<string> Setup, List<string> Steps) SplitSetup(List<string> script)
    {
        var first = script.FindIndex(l => l.StartsWith("claimledger ", StringComparison.Ordinal) || Capture().IsMatch(l));
        first.ShouldBeGreaterThan(0, "the walkthrough sets up, then runs claimledger");
        return (script[..first], script[first..]);
    }

    // ---- a little of bash: comments, quoting, $NAME expansion

    /// <summary><paramref name="line"/> up to an unquoted # that starts a word.</summary>
    private static string WithoutComment(string line)
    {
        char? quote = null;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quote is null && c == '\\')
            {
                i++;
            }
            else if (quote is null && c is '"' or '\'')
            {
                quote = c;
            }
            else if (c == quote)
            {
                quote = null;
            }
            else if (quote is null && c == '#' && (i == 0 || char.IsWhiteSpace(line[i - 1])))
            {
                return line[..i];
            }
        }

        return line;
    }

    /// <summary>The words bash would pass: split on blanks, quotes removed, $NAME and ${NAME} expanded (not inside '…').</summary>
    private static string[] Words(string text, IReadOnlyDictionary<string, string> variables)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        char? quote = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quote is null && char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }

                continue;
            }

            inWord = true;
            if (quote == '\'')
            {
                if (c == '\'') { quote = null; } else { word.Append(c); }
            }
            else if (c == '\\' && i + 1 < text.Length && (quote is null || text[i + 1] is '"' or '\\' or '$'))
            {
                word.Append(text[++i]);
            }
            else if (c == '$' && Variable().Match(text, i) is { Success: true } v && v.Index == i)
            {
                var name = v.Groups["braced"].Success ? v.Groups["braced"].Value : v.Groups["name"].Value;
                variables.ContainsKey(name).ShouldBeTrue($"${name} is set by an earlier line");
                word.Append(variables[name]);
                i += v.Length - 1;
            }
            else if (quote is null && c is '"' or '\'')
            {
                quote = c;
            }
            else if (quote == '"' && c == '"')
            {
                quote = null;
            }
            else
            {
                word.Append(c);
            }
        }

        quote.ShouldBeNull($"quotes are balanced in: {text}");
        if (inWord)
        {
            words.Add(word.ToString());
        }

        return [.. words];
    }

    /// <summary>
    /// The files the walkthrough names, relative to the repository root, placed relative to the test's working directory
    /// (the in-process CLI resolves paths there, and prints them as given); removed afterwards with what it wrote.
    /// </summary>
    private sealed class WalkthroughFiles : IDisposable
    {
        private readonly List<string> _created = [];

        public WalkthroughFiles()
        {
            var sample = Path.Combine(AppContext.BaseDirectory, "seed-article.claims.jsonl");
            var target = Path.GetFullPath(Path.Combine("samples", "seed-article.claims.jsonl"));
            if (!File.Exists(target))
            {
                if (!Directory.Exists(Path.GetDirectoryName(target)))
                {
                    _folder = Directory.CreateDirectory(Path.GetDirectoryName(target)!).FullName;
                }

                File.Copy(sample, target);
                _created.Add(target);
            }

            _created.Add(Path.GetFullPath("audit.html"));
        }

        private readonly string? _folder;

        public void Dispose()
        {
            foreach (var path in _created)
            {
                File.Delete(path);
            }

            if (_folder is not null)
            {
                Directory.Delete(_folder);
            }
        }
    }

    [GeneratedRegex(@"(?<=│ )\d+\.\d\d(?= +│)")]
    private static partial Regex Score();

    [GeneratedRegex(@"^(?<name>[A-Za-z_][A-Za-z0-9_]*)=\$\(claimledger (?<command>.+) \| cut -f1\)$")]
    private static partial Regex Capture();

    [GeneratedRegex(@"\$(\{(?<braced>[A-Za-z_][A-Za-z0-9_]*)\}|(?<name>[A-Za-z_][A-Za-z0-9_]*))")]
    private static partial Regex Variable();

    /// <summary>What the test stands in for: the server, waiting for its key, the key, building and defining the CLI.</summary>
    [GeneratedRegex(@"^(dotnet run --project src/ClaimLedger\.Server\b.*&|until \[ -s src/ClaimLedger\.Server/data/admin-api-key \]; do sleep 1; done|export CLAIMLEDGER_API_KEY=\$\(cat src/ClaimLedger\.Server/data/admin-api-key\)|dotnet build src/ClaimLedger\.Cli\b.*|claimledger\(\) \{ .+; \})$")]
    private static partial Regex SetupLine();

    [GeneratedRegex(@"\x1b(\[[0-9;?]*[A-Za-z]|[=>])")]
    private static partial Regex Ansi();

    [GeneratedRegex("[0-9a-f]{64}")]
    private static partial Regex Sha256();

    [GeneratedRegex("[0-9a-f]{32}")]
    private static partial Regex Id();

    [GeneratedRegex(@"\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ")]
    private static partial Regex Time();

    [GeneratedRegex(@"--page-token \S+")]
    private static partial Regex PageToken();

    [GeneratedRegex(@"Wrote \d+ bytes")]
    private static partial Regex Bytes();
}
