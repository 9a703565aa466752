using System.Text;
using AngleSharp.Html.Parser;
using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Features.Reports;

namespace ClaimLedger.UnitTests.Reports;

/// <summary>Sources shown by title, publisher and URL in every format, with user text kept inert.</summary>
public sealed class ReportSourcesTests
{
    private const string HostileTitle = "<script>alert('t')</script> Lab [findings] | \"quoted\" & `code`";
    private const string HostilePublisher = "<img src=x onerror=alert(1)> Lab & Co.";

    private static readonly SourceReport Lab = new("sources/0123456789abcdef0123456789abcdef", HostileTitle, HostilePublisher,
        "https://lab.example.org/findings?a=1&b=<2>");

    private static readonly DateTimeOffset Start = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);

    private static AuditSummary Summary()
    {
        var bucket = ChartTimeAxis.BucketFor(TimeSpan.FromDays(1));
        var points = ChartTimeAxis.Boundaries(Start, Start.AddDays(1), bucket).Select(t => (t, (IReadOnlyList<long>)[1, 0, 0, 0, 0])).ToList();
        return new AuditSummary(Start.AddDays(1), Start, Start.AddDays(1), "", "", 1, [], 0, 0, [], 0, 0, 0, null, [],
            new StatusSeries(["UNVERIFIED", "IN_REVIEW", "VERIFIED", "STALE", "RETRACTED"], points, bucket),
            new LedgerDigest { HeadSequence = 3, HeadHash = new string('a', 64) },
            new VerifyLedgerResponse { Valid = true, EntriesChecked = 3, ClaimsChecked = 1 });
    }

    private static ClaimTimelineReport Timeline()
    {
        var verdict = new VerdictReport("claims/c1/verdicts/v1", "FALSE", "0.00", null, "Because <b>reasons</b>.",
            [new VerdictEvidence("claims/c1/evidence/e1", "REFUTES", Lab, "published as “Falso”")]);
        return new ClaimTimelineReport("claims/c1", "<img src=x onerror=alert(2)> The mayor said so.", "VERIFIED",
        [
            new TimelineEvent(2, Start.AddHours(1), "editor-e", "EVIDENCE_ADDED", null, null, "REFUTES from sources/0123456789abcdef0123456789abcdef", null,
                [new EventSource("REFUTES", Lab)]),
            new TimelineEvent(3, Start.AddHours(2), "editor-e", "VERDICT_SUBMITTED", "IN_REVIEW", "VERIFIED", "", verdict, []),
            new TimelineEvent(4, Start.AddHours(3), "system:staleness", "MARKED_STALE", "VERIFIED", "STALE", "SOURCE_BROKEN: failed", null,
                [new EventSource("SOURCE_BROKEN", Lab with { Url = null, Title = "" })]),
        ]);
    }

    private static async Task<string> WriteAsync(ReportFormat format)
    {
        using var output = new MemoryStream();
        await using (var writer = AuditReportWriter.Create(format, output))
        {
            await writer.BeginAsync(Summary(), CancellationToken.None);
            await writer.TimelineAsync(Timeline(), CancellationToken.None);
            await writer.EndAsync(1, CancellationToken.None);
        }

        return Encoding.UTF8.GetString(output.ToArray());
    }

    [Fact]
    public async Task Html_LinksSourcesByTitle_ShowsPublisherAndUrl_AndKeepsTheName()
    {
        var html = await WriteAsync(ReportFormat.Html);
        var document = new HtmlParser().ParseDocument(html);

        var evidence = document.QuerySelector("li[data-evidence='claims/c1/evidence/e1'] span.source").ShouldNotBeNull();
        evidence.GetAttribute("data-source").ShouldBe(Lab.Name);
        var link = evidence.QuerySelector("a").ShouldNotBeNull();
        link.TextContent.ShouldBe(HostileTitle);
        link.GetAttribute("href").ShouldBe(Lab.Url);
        evidence.QuerySelector(".publisher")!.TextContent.ShouldBe(HostilePublisher);
        evidence.QuerySelector(".url")!.TextContent.ShouldBe(Lab.Url);

        var added = document.QuerySelector("li[data-type='EVIDENCE_ADDED']").ShouldNotBeNull();
        added.QuerySelector("strong")!.TextContent.ShouldBe("EVIDENCE_ADDED — REFUTES");
        added.QuerySelector("span.source a")!.TextContent.ShouldBe(HostileTitle);
        added.TextContent.ShouldNotContain("from sources/");

        var stale = document.QuerySelector("li[data-type='MARKED_STALE'] ul.sources li[data-role='SOURCE_BROKEN'] span.source").ShouldNotBeNull();
        stale.GetAttribute("data-source").ShouldBe(Lab.Name);
        stale.QuerySelector("a").ShouldBeNull(); // no URL, nothing to link
        stale.QuerySelector("cite")!.TextContent.ShouldBe(Lab.Name);

        // User text stays text: no element came from a title, publisher, claim text or rationale.
        document.QuerySelectorAll("script, img, b").Length.ShouldBe(0);
        document.QuerySelector("section.claim blockquote")!.TextContent.ShouldBe("<img src=x onerror=alert(2)> The mayor said so.");
    }

    [Fact]
    public void Html_OnlyLinksHttpUrls()
    {
        var html = HtmlAuditReportWriter.Source(Lab with { Url = "javascript:alert(1)" });
        var document = new HtmlParser().ParseDocument($"<p>{html}</p>");

        document.QuerySelector("a").ShouldBeNull();
        document.QuerySelector("cite")!.TextContent.ShouldBe(HostileTitle);
        document.QuerySelector(".url")!.TextContent.ShouldBe("javascript:alert(1)");
    }

    [Fact]
    public async Task Markdown_LinksSourcesByTitle_WithPublisherAndName_AndEscapesThem()
    {
        var md = await WriteAsync(ReportFormat.Markdown);

        var title = @"\<script\>alert('t')\</script\> Lab \[findings\] \| ""quoted"" & \`code\`";
        var link = $"[{title}](<https://lab.example.org/findings?a=1&b=%3C2%3E>) — \\<img src=x onerror=alert(1)\\> Lab & Co. · `{Lab.Name}`";
        md.ShouldContain($"**EVIDENCE_ADDED — REFUTES** from {link} by editor-e");
        md.ShouldContain($"  - Rests on REFUTES claims/c1/evidence/e1 from {link}: “published as “Falso””");
        md.ShouldContain($"  - Source (SOURCE_BROKEN): {Lab.Name} — \\<img src=x onerror=alert(1)\\> Lab & Co.\n");
        md.ShouldContain("> \\<img src=x onerror=alert(2)\\> The mayor said so.");
        md.ShouldNotContain("<script>");
    }

    [Fact]
    public async Task Csv_HasSourceColumns_AndTheExcerptAsDetail()
    {
        var csv = await WriteAsync(ReportFormat.Csv);
        using var reader = new CsvHelper.CsvReader(new StringReader(csv), System.Globalization.CultureInfo.InvariantCulture);
        var rows = new List<Dictionary<string, string>>();
        await reader.ReadAsync();
        reader.ReadHeader();
        reader.HeaderRecord.ShouldBe(CsvAuditReportWriter.Headers);
        while (await reader.ReadAsync())
        {
            rows.Add(reader.HeaderRecord!.ToDictionary(h => h, h => reader.GetField(h)!));
        }

        var evidence = rows.Single(r => r["section"] == "verdict_evidence");
        (evidence["source"], evidence["source_title"], evidence["source_publisher"], evidence["source_url"])
            .ShouldBe((Lab.Name, HostileTitle, HostilePublisher, Lab.Url!));
        evidence["detail"].ShouldBe("published as “Falso”");
        var sources = rows.Where(r => r["section"] == "timeline_source").ToList();
        sources.Select(r => (r["item"], r["value"], r["source"])).ShouldBe([("EVIDENCE_ADDED", "REFUTES", Lab.Name), ("MARKED_STALE", "SOURCE_BROKEN", Lab.Name)]);
        rows.Single(r => r["section"] == "timeline" && r["item"] == "EVIDENCE_ADDED")["detail"]
            .ShouldBe($"EVIDENCE_ADDED — REFUTES from {HostileTitle} — {HostilePublisher} <{Lab.Url}>");
        rows.Single(r => r["item"] == "status_chart_bucket")["value"].ShouldBe("PT1H");
    }

    [Fact]
    public async Task Json_HasSourceFields()
    {
        using var json = System.Text.Json.JsonDocument.Parse(await WriteAsync(ReportFormat.Json));
        var events = json.RootElement.GetProperty("timelines")[0].GetProperty("events");

        var added = events[0].GetProperty("sources")[0];
        added.GetProperty("role").GetString().ShouldBe("REFUTES");
        added.GetProperty("source").GetString().ShouldBe(Lab.Name);
        added.GetProperty("title").GetString().ShouldBe(HostileTitle);
        added.GetProperty("publisher").GetString().ShouldBe(HostilePublisher);
        added.GetProperty("url").GetString().ShouldBe(Lab.Url);
        var evidence = events[1].GetProperty("verdict").GetProperty("evidence")[0];
        evidence.GetProperty("source").GetString().ShouldBe(Lab.Name);
        evidence.GetProperty("source_title").GetString().ShouldBe(HostileTitle);
        evidence.GetProperty("source_publisher").GetString().ShouldBe(HostilePublisher);
        evidence.GetProperty("source_url").GetString().ShouldBe(Lab.Url);
        events[2].GetProperty("sources")[0].GetProperty("url").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
        json.RootElement.GetProperty("status_chart_bucket").GetString().ShouldBe("PT1H");
    }
}
