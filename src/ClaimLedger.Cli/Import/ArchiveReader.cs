using System.Globalization;
using System.Text;
using System.Text.Json;
using AngleSharp.Html.Parser;
using ClaimLedger.Contracts.V1;
using CsvHelper;
using Google.Protobuf;

namespace ClaimLedger.Cli.Import;

/// <summary>One thing to import: a file, or standard input ("-").</summary>
internal sealed record ImportInput(string Display, string? Path);

/// <summary>
/// Reads every input an import is pointed at — files, folders (recursively, in name order) and standard input — in
/// every format a fact-check archive comes in: JSON Lines of ClaimRecords (what `export` writes) or of JSON-LD
/// documents, CSV, JSON-LD documents (.json, .jsonld) and saved HTML pages (their application/ld+json scripts, read
/// with AngleSharp's HTML5 parser). Yields one <see cref="ImportRow"/> per record, skipped node or problem.
/// </summary>
internal static class ArchiveReader
{
    public static readonly string[] Extensions = [".json", ".jsonld", ".jsonl", ".ndjson", ".html", ".htm", ".csv"];

    /// <summary>The inputs behind the paths given: folders expand to their importable files; "-" is standard input.</summary>
    public static IReadOnlyList<ImportInput> Expand(IEnumerable<string> paths)
    {
        var inputs = new List<ImportInput>();
        foreach (var path in paths)
        {
            if (path == "-")
            {
                inputs.Add(new ImportInput("(stdin)", null));
            }
            else if (Directory.Exists(path))
            {
                var files = Directory.EnumerateFiles(path, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.Hidden })
                    .Where(f => Extensions.Contains(System.IO.Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
                    .Order(StringComparer.Ordinal)
                    .ToList();
                if (files.Count == 0)
                {
                    throw new UsageException($"{path} has no files to import ({string.Join(", ", Extensions)}).");
                }

                // Named by their path inside the folder: short enough to read in a table, and the same wherever the folder is.
                inputs.AddRange(files.Select(f => new ImportInput(System.IO.Path.GetRelativePath(path, f).Replace('\\', '/'), f)));
            }
            else if (File.Exists(path))
            {
                inputs.Add(new ImportInput(path, path));
            }
            else
            {
                throw new UsageException($"{path} does not exist.");
            }
        }

        return inputs;
    }

    /// <summary>The format of an input: --format if given, else its extension, else (standard input) its first character.</summary>
    public static string Format(ImportInput input, string? format, string content)
    {
        var name = (format ?? (input.Path is null ? "" : System.IO.Path.GetExtension(input.Path).TrimStart('.'))).ToLowerInvariant();
        return name switch
        {
            "jsonl" or "ndjson" => "jsonl",
            "csv" => "csv",
            "json" or "jsonld" or "claimreview" => "json",
            "html" or "htm" => "html",
            "" => Sniff(content),
            _ => throw new UsageException($"--format must be jsonl, csv, json (ClaimReview JSON-LD) or html; could not tell from \"{name}\"."),
        };
    }

    private static string Sniff(string content)
    {
        var start = content.TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
        if (start.StartsWith('<'))
        {
            return "html";
        }

        using var _ = TryParse(content, out var error);
        return error is null ? "json" : "jsonl";
    }

    public static IEnumerable<ImportRow> Read(ImportInput input, string? format, ImportOptions options, TextReader stdin)
    {
        var (content, note) = input.Path is null ? (stdin.ReadToEnd(), null) : ReadText(input.Path);
        var kind = Format(input, format, content);
        var rows = kind switch
        {
            "jsonl" => JsonLines(input.Display, content, options),
            "csv" => Csv(input.Display, content, options),
            "html" => Html(input.Display, content, options),
            _ => Json(input.Display, content, 0, options, null, null),
        };
        foreach (var row in rows)
        {
            if (note is not null && row.Outcome != "SKIPPED")
            {
                row.Notes.Insert(0, note);
            }

            yield return row;
        }
    }

    /// <summary>
    /// A file's text: UTF-8 (with or without BOM), UTF-16/32 by their BOM; a file that is not valid UTF-8 is read as
    /// Windows-1252/Latin-1, as old CMS exports are, with a note saying so.
    /// </summary>
    public static (string Text, string? Note) ReadText(string path)
    {
        var bytes = File.ReadAllBytes(path);
        using var probe = new StreamReader(new MemoryStream(bytes), new UTF8Encoding(false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: true);
        try
        {
            return (probe.ReadToEnd(), null);
        }
        catch (DecoderFallbackException)
        {
            return (Encoding.Latin1.GetString(bytes), "the file is not valid UTF-8; read as Latin-1");
        }
    }

    private static JsonDocument? TryParse(string json, out string? error)
    {
        try
        {
            error = null;
            return JsonDocument.Parse(json, JsonLd.ParseOptions);
        }
        catch (JsonException e)
        {
            error = $"not JSON: {Short(e.Message)}";
            return null;
        }
    }

    private static IEnumerable<ImportRow> Json(string file, string json, int line, ImportOptions options, Uri? pageUrl, string? pageLanguage)
    {
        using var doc = TryParse(json, out var error);
        if (doc is null)
        {
            return [new ImportRow { File = file, Line = line, Outcome = "INVALID", Reason = error! }];
        }

        var walked = ArchiveWalker.Walk(doc.RootElement);
        return Rows(file, line, [walked], options, pageUrl ?? options.BaseUrl, pageLanguage).ToList();
    }

    /// <summary>Rows for the documents of one file (one JSON document, or an HTML page's script blocks).</summary>
    private static IEnumerable<ImportRow> Rows(string file, int line, IReadOnlyList<WalkedDocument> documents, ImportOptions options, Uri? pageUrl, string? pageLanguage)
    {
        // A page's blocks are one document: a Yoast @graph in one script may declare what the ClaimReview in the next one is in.
        var ids = documents.Count == 1 ? documents[0].Ids : new NodeIndex(documents.Select(d => d.Root));
        var pageLanguages = documents.Select(d => d.InheritedLanguage).OfType<string>().Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        foreach (var (document, blockIndex) in documents.Select((d, i) => (d, i)))
        {
            var inherited = document.InheritedLanguage ?? (pageLanguages.Count == 1 ? pageLanguages[0] : null) ?? pageLanguage;
            var prefix = documents.Count > 1 ? $"script {blockIndex + 1} " : "";
            foreach (var found in document.Found)
            {
                var path = prefix + found.Path;
                switch (found)
                {
                    case FoundSkip skip:
                        yield return new ImportRow { File = file, Line = line, Path = path, Outcome = "SKIPPED", Reason = skip.Reason, SkippedType = skip.Type };
                        break;
                    case FoundInvalid invalid:
                        yield return new ImportRow { File = file, Line = line, Path = path, Outcome = "INVALID", Reason = invalid.Reason };
                        break;
                    case FoundReview review:
                        var item = ReviewReader.Read(review.Node, path, documents.Count == 1 ? document.Ids : ids, pageUrl);
                        Inherit(item, inherited, document.LanguageNote);
                        foreach (var row in ReviewRecords.Build(item, file, line, options))
                        {
                            yield return row;
                        }

                        break;
                    case FoundApiReview api:
                        var apiItem = ReviewReader.ReadApi(api.Claim, api.Review, path);
                        foreach (var row in ReviewRecords.Build(apiItem, file, line, options))
                        {
                            yield return row;
                        }

                        break;
                }
            }
        }
    }

    private static void Inherit(ReviewItem item, string? inherited, string? note)
    {
        item.InheritedLanguage = inherited;
        if (item.DeclaredLanguage is null && inherited is null && note is not null)
        {
            item.Notes.Add(note);
        }
    }

    /// <summary>Each line: a ClaimRecord as protobuf JSON (what `export` writes), or any JSON-LD shape.</summary>
    private static IEnumerable<ImportRow> JsonLines(string file, string content, ImportOptions options)
    {
        var parser = new JsonParser(JsonParser.Settings.Default.WithIgnoreUnknownFields(false));
        var line = 0;
        foreach (var text in content.Split('\n'))
        {
            line++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            if (!IsClaimRecord(text))
            {
                foreach (var row in Json(file, text, line, options, null, null))
                {
                    yield return row;
                }

                continue;
            }

            ImportRow read;
            try
            {
                var record = parser.Parse<ClaimRecord>(text);
                read = new ImportRow
                {
                    File = file, Line = line, Outcome = "READY", Record = record,
                    Language = record.Claim?.LanguageCode, LanguageOrigin = record.Claim?.LanguageOrigin ?? LanguageOrigin.Unspecified,
                };
            }
            catch (Exception e) when (e is InvalidJsonException or InvalidProtocolBufferException or FormatException)
            {
                read = new ImportRow { File = file, Line = line, Outcome = "INVALID", Reason = $"not a ClaimRecord: {Short(e.Message)}" };
            }

            yield return read;
        }
    }

    /// <summary>A ClaimRecord line has a "claim" object and none of JSON-LD's keywords; anything that is not JSON is read as one to report why.</summary>
    private static bool IsClaimRecord(string line)
    {
        using var doc = TryParse(line, out _);
        if (doc is null)
        {
            return true;
        }

        var root = doc.RootElement;
        return root.ValueKind == JsonValueKind.Object && root.TryGetProperty("claim", out var claim) && claim.ValueKind == JsonValueKind.Object
            && !root.TryGetProperty("@type", out _) && !root.TryGetProperty("@context", out _) && !root.TryGetProperty("@graph", out _);
    }

    /// <summary>A saved page: every application/ld+json script block; the page URL (canonical, og:url) resolves relative review URLs.</summary>
    private static IEnumerable<ImportRow> Html(string file, string content, ImportOptions options)
    {
        var page = new HtmlParser().ParseDocument(content);
        var pageUrl = new[]
            {
                page.QuerySelector("link[rel~='canonical']")?.GetAttribute("href"),
                page.QuerySelector("meta[property='og:url']")?.GetAttribute("content"),
            }
            .Where(u => !string.IsNullOrWhiteSpace(u))
            .Select(u => ReviewReader.ResolveUrl(u!, options.BaseUrl))
            .OfType<string>().Select(u => new Uri(u)).FirstOrDefault() ?? options.BaseUrl;
        var pageLanguage = LanguageNames.ToCode(page.DocumentElement.GetAttribute("lang"));
        var blocks = page.QuerySelectorAll("script")
            .Where(s => (s.GetAttribute("type") ?? "").Split(';')[0].Trim().Equals("application/ld+json", StringComparison.OrdinalIgnoreCase))
            .Select(s => StripWrappers(s.TextContent))
            .ToList();
        if (blocks.Count == 0)
        {
            return [new ImportRow { File = file, Outcome = "SKIPPED", Reason = "no application/ld+json script on the page", SkippedType = "page" }];
        }

        var documents = new List<JsonDocument>();
        var rows = new List<ImportRow>();
        var walked = new List<WalkedDocument>();
        foreach (var (block, i) in blocks.Select((b, i) => (b, i)))
        {
            var doc = TryParse(block, out var error);
            if (doc is null)
            {
                rows.Add(new ImportRow { File = file, Path = $"script {i + 1}", Outcome = "INVALID", Reason = error! });
                continue;
            }

            documents.Add(doc);
            walked.Add(ArchiveWalker.Walk(doc.RootElement));
        }

        try
        {
            rows.AddRange(Rows(file, 0, walked, options, pageUrl, pageLanguage));
            return rows;
        }
        finally
        {
            documents.ForEach(d => d.Dispose());
        }
    }

    /// <summary>Script text some CMSs wrap in HTML comments or CDATA markers.</summary>
    private static string StripWrappers(string script)
    {
        var s = script.Trim();
        foreach (var (open, close) in new[] { ("<!--", "-->"), ("/*<![CDATA[*/", "/*]]>*/"), ("//<![CDATA[", "//]]>"), ("<![CDATA[", "]]>") })
        {
            if (s.StartsWith(open, StringComparison.Ordinal) && s.EndsWith(close, StringComparison.Ordinal))
            {
                s = s[open.Length..^close.Length].Trim();
            }
        }

        return s;
    }

    /// <summary>Columns: text, claimant, language, topics (";"-separated), claim_time, origin_url, origin_title, excerpt, locator.</summary>
    private static IEnumerable<ImportRow> Csv(string file, string content, ImportOptions options)
    {
        using var reader = new CsvReader(new StringReader(content), CultureInfo.InvariantCulture);
        if (!reader.Read() || !reader.ReadHeader())
        {
            yield break;
        }

        var headers = reader.HeaderRecord!.Select(h => h.Trim().ToLowerInvariant()).ToArray();
        if (!headers.Contains("text") || !headers.Contains("claimant"))
        {
            yield return new ImportRow { File = file, Line = 1, Outcome = "INVALID", Reason = "the header must name at least the columns text and claimant" };
            yield break;
        }

        while (reader.Read())
        {
            var line = reader.Parser.RawRow;
            string Field(string name) => Array.IndexOf(headers, name) is var i and >= 0 && i < reader.Parser.Count ? reader.GetField(i)?.Trim() ?? "" : "";
            // The language column; else detected from the text; else --language; else the row says it needs one.
            var (language, origin) = Field("language") is { Length: > 0 } stated ? (stated, LanguageOrigin.Given)
                : options.Detection.Detect(Field("text")).Code is { } detected ? (detected, LanguageOrigin.Detected)
                : options.Language is { } given ? (given, LanguageOrigin.Given)
                : ("", LanguageOrigin.Unspecified);
            var claim = new Claim { Text = Field("text"), Claimant = Field("claimant"), LanguageCode = language, LanguageOrigin = origin };
            claim.Topics.AddRange(Field("topics").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            string? error = language.Length == 0
                ? $"needs a language: the language column is empty and detection is not confident enough; pass --language"
                : null;
            if (Field("claim_time") is { Length: > 0 } time)
            {
                if (DateTimeOffset.TryParse(time, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t))
                {
                    claim.ClaimTime = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(t);
                }
                else
                {
                    error = $"claim_time \"{ReviewReader.Bounded(time, 60)}\" is not a date";
                }
            }

            var record = new ClaimRecord { Claim = claim };
            if (Field("origin_url") is { Length: > 0 } url)
            {
                record.Sources.Add(new Source { Url = url, Title = Field("origin_title"), Kind = SourceKind.Other });
                record.Evidence.Add(new RecordEvidence { Source = url, Stance = Stance.Origin, Excerpt = Field("excerpt"), Locator = Field("locator") });
            }

            yield return error is null
                ? new ImportRow { File = file, Line = line, Outcome = "READY", Record = record, Language = claim.LanguageCode, LanguageOrigin = origin }
                : new ImportRow { File = file, Line = line, Outcome = "INVALID", Reason = error };
        }
    }

    private static string Short(string message) => ReviewReader.Bounded(message.ReplaceLineEndings(" "), 200);
}
