using System.Globalization;
using System.Text.Json;
using AngleSharp.Html.Parser;
using ClaimLedger.Contracts.V1;
using ClaimLedger.IntegrationTests.Infrastructure;
using ClaimLedger.Server.Features.Verification;
using ClaimLedger.Server.Infrastructure.Security;
using CsvHelper;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using MediatR;
using Microsoft.Extensions.DependencyInjection;

namespace ClaimLedger.IntegrationTests;

/// <summary>
/// A known scenario, on a fake clock: three claims recorded; A verified TRUE after 1 h, marked stale (its lab source
/// broken), re-verified MOSTLY_FALSE (an overturn); B verified FALSE after 3 h; C retracted. Every format must report the
/// same figures, and name sources by title, publisher and URL. The lab source's title is hostile markup.
/// </summary>
public sealed class ReportsTests : IClassFixture<ReportsTests.Scenario>
{
    private readonly Scenario _s;

    public ReportsTests(Scenario scenario) => _s = scenario;

    public sealed class Scenario : IAsyncLifetime
    {
        public ClaimLedgerServer Server { get; } = new();
        public Timestamp Start { get; private set; } = null!;
        public Timestamp End { get; private set; } = null!;
        public Claim A { get; private set; } = null!;
        public Claim B { get; private set; } = null!;
        public Claim C { get; private set; } = null!;
        public string SupportsA { get; private set; } = "";
        public Source Origin { get; private set; } = null!;
        public Source Lab { get; private set; } = null!;

        public const string OriginTitle = "Harbour tariffs doubled, port records show";
        public const string OriginPublisher = "Example Harbour News";
        public const string LabTitle = "Tariff study <script>alert('lab')</script> [draft]";
        public const string LabPublisher = "Example Lab & Co.";

        public async Task InitializeAsync()
        {
            _ = Server.AdminKey;
            var editor = Server.Claims("editor-e", Role.Editor);
            var sources = Server.Sources("editor-e", Role.Editor);
            var evidence = Server.Evidence("editor-e", Role.Editor);
            Start = Timestamp.FromDateTimeOffset(Server.Clock.GetUtcNow());
            Server.Clock.Advance(TimeSpan.FromMinutes(1));

            var originRequest = TestData.NewSource("https://news.example.org/report-origin");
            (originRequest.Source.Title, originRequest.Source.Publisher) = (OriginTitle, OriginPublisher);
            var labRequest = TestData.NewSource("https://lab.example.org/findings?year=2026&page=2");
            (labRequest.Source.Title, labRequest.Source.Publisher) = (LabTitle, LabPublisher);
            var origin = Origin = await sources.CreateSourceAsync(originRequest);
            var lab = Lab = await sources.CreateSourceAsync(labRequest);
            var a = TestData.NewClaim("Audit scenario claim A: the harbour authority doubled its tariffs in March.", "economy");
            a.Evidence.Add(new Evidence { Source = origin.Name, Stance = Stance.Origin, Excerpt = "doubled its tariffs" });
            A = await editor.CreateClaimAsync(a);
            B = await editor.CreateClaimAsync(TestData.NewClaim("Audit scenario claim B: the clinic vaccinated nine thousand children in a week.", "health"));
            C = await editor.CreateClaimAsync(TestData.NewClaim("Audit scenario claim C: the mayor will resign before the summer recess.", "politics"));

            Server.Clock.Advance(TimeSpan.FromHours(1));
            await editor.StartReviewAsync(new StartReviewRequest { Name = A.Name });
            var supports = await evidence.AddEvidenceAsync(new AddEvidenceRequest { Parent = A.Name, Evidence = new Evidence { Source = lab.Name, Stance = Stance.Supports, Excerpt = "tariffs rose 100%" } });
            SupportsA = supports.Name;
            await editor.SubmitVerdictAsync(new SubmitVerdictRequest { Name = A.Name, Rating = Rating.True, Rationale = "Scenario rationale A1.", Evidence = { supports.Name } });

            Server.Clock.Advance(TimeSpan.FromHours(2));
            await editor.StartReviewAsync(new StartReviewRequest { Name = B.Name });
            var refutes = await evidence.AddEvidenceAsync(new AddEvidenceRequest { Parent = B.Name, Evidence = new Evidence { Source = lab.Name, Stance = Stance.Refutes } });
            await editor.SubmitVerdictAsync(new SubmitVerdictRequest { Name = B.Name, Rating = Rating.False, Rationale = "Scenario rationale B.", Evidence = { refutes.Name } });
            await editor.RetractClaimAsync(new RetractClaimRequest { Name = C.Name, Reason = RetractionReason.Withdrawn });

            Server.Clock.Advance(TimeSpan.FromHours(1));
            await using (var scope = Server.Services.CreateAsyncScope())
            {
                scope.ServiceProvider.GetRequiredService<ICurrentActor>().ActAsSystem("staleness");
                await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new MarkStale.Command(A.Name,
                [
                    new MarkStale.Finding(StaleReason.VerdictExpired, "", "", "review interval passed"),
                    new MarkStale.Finding(StaleReason.SourceBroken, lab.Name["sources/".Length..], supports.Name.Split('/')[^1], "the lab page failed 3 checks"),
                ]));
            }

            await editor.StartReviewAsync(new StartReviewRequest { Name = A.Name });
            await editor.SubmitVerdictAsync(new SubmitVerdictRequest { Name = A.Name, Rating = Rating.MostlyFalse, Rationale = "Scenario rationale A2.", Evidence = { supports.Name } });
            End = Timestamp.FromDateTimeOffset(Server.Clock.GetUtcNow().AddHours(1));
        }

        public Task DisposeAsync()
        {
            Server.Dispose();
            return Task.CompletedTask;
        }

        public AsyncServerStreamingCall<ReportChunk> Report(ReportFormat format, string topic = "", string claim = "") =>
            Report(format, Start, End, topic, claim);

        public AsyncServerStreamingCall<ReportChunk> Report(ReportFormat format, Timestamp start, Timestamp end, string topic = "", string claim = "") =>
            new ReportService.ReportServiceClient(Server.As("auditor-a", Role.Auditor))
                .GenerateAuditReport(new GenerateAuditReportRequest { StartTime = start, EndTime = end, Format = format, Topic = topic, Claim = claim });
    }

    [Fact]
    public async Task Json_HasTheScenarioFigures()
    {
        var ledger = _s.Server.Ledger("auditor-a", Role.Auditor);
        var digest = await ledger.GetLedgerDigestAsync(new GetLedgerDigestRequest());
        var (data, _, contentType, fileName) = await ReportClient.ReadAllAsync(_s.Report(ReportFormat.Json));
        using var doc = JsonDocument.Parse(data);
        var root = doc.RootElement;
        var summary = root.GetProperty("summary");

        contentType.ShouldBe("application/json");
        fileName.ShouldEndWith(".json");
        summary.GetProperty("claims_recorded").GetInt64().ShouldBe(3);
        summary.GetProperty("verdicts").GetInt64().ShouldBe(3);
        summary.GetProperty("verdicts_by_rating").GetProperty("TRUE").GetInt64().ShouldBe(1);
        summary.GetProperty("verdicts_by_rating").GetProperty("FALSE").GetInt64().ShouldBe(1);
        summary.GetProperty("verdicts_by_rating").GetProperty("MOSTLY_FALSE").GetInt64().ShouldBe(1);
        summary.GetProperty("verdict_changes").GetInt64().ShouldBe(1);
        summary.GetProperty("overturned_verdicts").GetInt64().ShouldBe(1);
        summary.GetProperty("retractions").GetInt64().ShouldBe(1);
        summary.GetProperty("retractions_by_reason").GetProperty("WITHDRAWN").GetInt64().ShouldBe(1);
        summary.GetProperty("marked_stale").GetInt64().ShouldBe(1);
        summary.GetProperty("stale_reverified").GetInt64().ShouldBe(1);
        summary.GetProperty("claims_with_first_verdict").GetInt64().ShouldBe(2);
        summary.GetProperty("median_seconds_to_first_verdict").GetDouble().ShouldBe(7200, tolerance: 5); // (1 h + 3 h) / 2

        root.GetProperty("ledger").GetProperty("valid").GetBoolean().ShouldBeTrue();
        root.GetProperty("ledger").GetProperty("head_hash").GetString().ShouldBe(digest.HeadHash);
        root.GetProperty("timeline_count").GetInt64().ShouldBe(3);

        var timelineA = root.GetProperty("timelines").EnumerateArray().Single(t => t.GetProperty("claim").GetString() == _s.A.Name);
        var verdicts = timelineA.GetProperty("events").EnumerateArray().Where(e => e.TryGetProperty("verdict", out _)).Select(e => e.GetProperty("verdict")).ToList();
        verdicts.Select(v => v.GetProperty("rating").GetString()).ShouldBe(["TRUE", "MOSTLY_FALSE"]);
        verdicts[1].GetProperty("overturns").GetBoolean().ShouldBeTrue();
        verdicts[1].GetProperty("evidence").EnumerateArray().Single().GetProperty("name").GetString().ShouldBe(_s.SupportsA);

        var activity = root.GetProperty("activity").EnumerateArray()
            .Where(a => a.GetProperty("actor").GetString() == "editor-e")
            .ToDictionary(a => a.GetProperty("action").GetString()!, a => a.GetProperty("count").GetInt64());
        activity["claim.created"].ShouldBe(3);
        activity["claim.verdict_submitted"].ShouldBe(3);
        activity["claim.retracted"].ShouldBe(1);
        root.GetProperty("activity").EnumerateArray().ShouldContain(a => a.GetProperty("actor").GetString() == "system:staleness");

        var lastPoint = root.GetProperty("status_chart").EnumerateArray().Last();
        lastPoint.GetProperty("VERIFIED").GetInt64().ShouldBe(2);
        lastPoint.GetProperty("RETRACTED").GetInt64().ShouldBe(1);
        root.GetProperty("status_chart").EnumerateArray().First().GetProperty("UNVERIFIED").GetInt64().ShouldBe(0);
    }

    [Fact]
    public async Task Csv_ParsesWithACsvReader_AndHasTheSameFigures()
    {
        var text = await ReportClient.TextAsync(_s.Report(ReportFormat.Csv));
        using var reader = new CsvReader(new StringReader(text), CultureInfo.InvariantCulture);
        var rows = new List<Dictionary<string, string>>();
        await reader.ReadAsync();
        reader.ReadHeader();
        reader.HeaderRecord.ShouldBe(["section", "claim", "time", "actor", "item", "value", "detail", "source", "source_title", "source_publisher", "source_url"]);
        while (await reader.ReadAsync())
        {
            rows.Add(reader.HeaderRecord!.ToDictionary(h => h, h => reader.GetField(h)!));
        }

        string Value(string section, string item) => rows.Single(r => r["section"] == section && r["item"] == item)["value"];
        Value("summary", "claims_recorded").ShouldBe("3");
        Value("summary", "overturned_verdicts").ShouldBe("1");
        Value("summary", "stale_reverified").ShouldBe("1");
        Value("verdicts_by_rating", "MOSTLY_FALSE").ShouldBe("1");
        Value("retractions_by_reason", "WITHDRAWN").ShouldBe("1");
        Value("ledger", "valid").ShouldBe("true");
        double.Parse(Value("summary", "median_seconds_to_first_verdict"), CultureInfo.InvariantCulture).ShouldBe(7200, tolerance: 5);
        rows.Count(r => r["section"] == "timeline" && r["claim"] == _s.A.Name && r["item"] == "VERDICT_SUBMITTED").ShouldBe(2);
        rows.ShouldContain(r => r["section"] == "verdict_evidence" && r["item"] == _s.SupportsA && r["value"] == "SUPPORTS");
    }

    [Fact]
    public async Task Html_IsOneSelfContainedDocument_WithTheFiguresAndAStatusChart()
    {
        var (data, _, contentType, _) = await ReportClient.ReadAllAsync(_s.Report(ReportFormat.Html));
        var html = System.Text.Encoding.UTF8.GetString(data);
        var document = await new HtmlParser().ParseDocumentAsync(html);

        contentType.ShouldBe("text/html; charset=utf-8");
        string Figure(string key) => document.QuerySelector($"td[data-key='{key}']")!.TextContent.Trim();
        Figure("claims_recorded").ShouldBe("3");
        Figure("verdicts").ShouldBe("3");
        Figure("overturned_verdicts").ShouldBe("1");
        Figure("retractions").ShouldBe("1");
        Figure("ledger_valid").ShouldBe("valid");
        document.QuerySelectorAll("section.claim").Length.ShouldBe(3);
        document.QuerySelector($"section.claim[data-claim='{_s.A.Name}'] li[data-evidence='{_s.SupportsA}']").ShouldNotBeNull();

        var chart = document.QuerySelector("svg#status-chart").ShouldNotBeNull();
        chart.QuerySelectorAll("polyline").Select(p => p.GetAttribute("data-status")).ShouldBe(["UNVERIFIED", "IN_REVIEW", "VERIFIED", "STALE", "RETRACTED"]);

        // Self-contained: no scripts, no stylesheets or images fetched from anywhere.
        document.QuerySelectorAll("script, link, img, iframe, object").Length.ShouldBe(0);
        document.QuerySelectorAll("[src]").Length.ShouldBe(0);
        html.ShouldNotContain("url(");
    }

    [Fact]
    public async Task Markdown_HasTheFiguresAndTimelines()
    {
        var md = await ReportClient.TextAsync(_s.Report(ReportFormat.Markdown));
        md.ShouldStartWith("# ClaimLedger audit report");
        md.ShouldContain("| Claims recorded | 3 |");
        md.ShouldContain("| Overturned verdicts (rating changed) | 1 |");
        md.ShouldContain("| WITHDRAWN | 1 |");
        md.ShouldContain($"### {_s.A.Name}");
        md.ShouldContain("overturns TRUE");
    }

    [Fact]
    public async Task Html_ShowsSourcesByTitleAndPublisher_LinkedToTheirUrl_WithTheirNameKept()
    {
        var document = await ReportClient.HtmlAsync(_s.Report(ReportFormat.Html));
        var timelineA = document.QuerySelector($"section.claim[data-claim='{_s.A.Name}']").ShouldNotBeNull();

        // The evidence both of A's verdicts rested on.
        var evidence = timelineA.QuerySelectorAll($"li[data-evidence='{_s.SupportsA}'] span.source").ToList();
        evidence.Count.ShouldBe(2);
        foreach (var source in evidence)
        {
            source.GetAttribute("data-source").ShouldBe(_s.Lab.Name);
            var link = source.QuerySelector("a").ShouldNotBeNull();
            link.TextContent.ShouldBe(Scenario.LabTitle);
            link.GetAttribute("href").ShouldBe(_s.Lab.Url);
            source.QuerySelector(".publisher")!.TextContent.ShouldBe(Scenario.LabPublisher);
            source.QuerySelector(".url")!.TextContent.ShouldBe(_s.Lab.Url);
        }

        // Evidence events name their source the same way, instead of "from sources/…".
        var added = timelineA.QuerySelectorAll("li[data-type='EVIDENCE_ADDED']").ToList();
        added.Select(e => e.QuerySelector("span.source a")!.TextContent).ShouldBe([Scenario.OriginTitle, Scenario.LabTitle]);
        added.Select(e => e.QuerySelector("span.source")!.GetAttribute("data-source")).ShouldBe([_s.Origin.Name, _s.Lab.Name]);
        added.ShouldAllBe(e => !e.TextContent.Contains("from sources/"));

        // The stale finding names the broken source.
        var stale = timelineA.QuerySelector("li[data-type='MARKED_STALE'] ul.sources li[data-role='SOURCE_BROKEN'] span.source a").ShouldNotBeNull();
        stale.TextContent.ShouldBe(Scenario.LabTitle);

        // The title is hostile markup, and stays text.
        document.QuerySelectorAll("script").Length.ShouldBe(0);
    }

    [Fact]
    public async Task Markdown_LinksSourcesByTitle()
    {
        var md = await ReportClient.TextAsync(_s.Report(ReportFormat.Markdown));

        var lab = $"[Tariff study \\<script\\>alert('lab')\\</script\\> \\[draft\\]](<{_s.Lab.Url}>) — {Scenario.LabPublisher} · `{_s.Lab.Name}`";
        md.ShouldContain($"  - Rests on SUPPORTS {_s.SupportsA} from {lab}: “tariffs rose 100%”");
        md.ShouldContain($"**EVIDENCE_ADDED — ORIGIN** from [{Scenario.OriginTitle}](<{_s.Origin.Url}>) — {Scenario.OriginPublisher} · `{_s.Origin.Name}` by editor-e");
        md.ShouldContain($"  - Source (SOURCE_BROKEN): {lab}");
        md.ShouldNotContain("<script>");
    }

    [Fact]
    public async Task CsvAndJson_HaveSourceTitlePublisherAndUrl()
    {
        var (_, rows) = await ReportClient.CsvAsync(_s.Report(ReportFormat.Csv));
        var evidence = rows.Where(r => r["section"] == "verdict_evidence" && r["item"] == _s.SupportsA).ToList();
        evidence.Count.ShouldBe(2);
        evidence.ShouldAllBe(r => r["source"] == _s.Lab.Name && r["source_title"] == Scenario.LabTitle
            && r["source_publisher"] == Scenario.LabPublisher && r["source_url"] == _s.Lab.Url && r["detail"] == "tariffs rose 100%");
        rows.Where(r => r["section"] == "timeline_source" && r["claim"] == _s.A.Name).Select(r => (r["item"], r["value"], r["source"]))
            .ShouldBe([("EVIDENCE_ADDED", "ORIGIN", _s.Origin.Name), ("EVIDENCE_ADDED", "SUPPORTS", _s.Lab.Name), ("MARKED_STALE", "SOURCE_BROKEN", _s.Lab.Name)]);

        using var json = JsonDocument.Parse((await ReportClient.ReadAllAsync(_s.Report(ReportFormat.Json))).Data);
        var events = json.RootElement.GetProperty("timelines").EnumerateArray().Single(t => t.GetProperty("claim").GetString() == _s.A.Name)
            .GetProperty("events").EnumerateArray().ToList();
        var origin = events.Single(e => e.GetProperty("type").GetString() == "EVIDENCE_ADDED" && e.GetProperty("sources")[0].GetProperty("role").GetString() == "ORIGIN")
            .GetProperty("sources")[0];
        (origin.GetProperty("source").GetString(), origin.GetProperty("title").GetString(), origin.GetProperty("publisher").GetString(), origin.GetProperty("url").GetString())
            .ShouldBe((_s.Origin.Name, Scenario.OriginTitle, Scenario.OriginPublisher, _s.Origin.Url));
        var rested = events.Last(e => e.TryGetProperty("verdict", out _)).GetProperty("verdict").GetProperty("evidence")[0];
        (rested.GetProperty("source").GetString(), rested.GetProperty("source_title").GetString(), rested.GetProperty("source_publisher").GetString(), rested.GetProperty("source_url").GetString())
            .ShouldBe((_s.Lab.Name, Scenario.LabTitle, Scenario.LabPublisher, _s.Lab.Url));
    }

    [Fact]
    public async Task OneDayReport_ChartsHourBuckets_WithAtLeastFourTimeLabels()
    {
        var first = _s.Start.ToDateTimeOffset();
        var start = new DateTimeOffset(first.Year, first.Month, first.Day, first.Hour, 0, 0, TimeSpan.Zero); // on the hour: 24 whole buckets
        var (from, to) = (Timestamp.FromDateTimeOffset(start), Timestamp.FromDateTimeOffset(start.AddDays(1)));

        var document = await ReportClient.HtmlAsync(_s.Report(ReportFormat.Html, from, to));

        var chart = document.QuerySelector("svg#status-chart").ShouldNotBeNull();
        chart.GetAttribute("data-bucket").ShouldBe("PT1H");
        var ticks = chart.QuerySelectorAll("g.x-axis g.tick").ToList();
        ticks.Count.ShouldBeGreaterThanOrEqualTo(4);
        ticks.Select(t => DateTimeOffset.Parse(t.GetAttribute("data-time")!, CultureInfo.InvariantCulture))
            .ShouldAllBe(t => t.Minute == 0 && t.Second == 0 && t >= start && t <= start.AddDays(1));
        ticks.Select(t => t.QuerySelector("text.label")!.TextContent).ShouldAllBe(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^\d\d:\d\d$"));
        ticks[0].QuerySelector("text.context")!.TextContent.ShouldBe(start.UtcDateTime.ToString("d MMM yyyy", CultureInfo.InvariantCulture));
        chart.QuerySelectorAll("polyline").ShouldAllBe(p => p.GetAttribute("points")!.Split(' ').Length == 25);
        chart.QuerySelectorAll("g.legend-entry").Select(e => e.GetAttribute("data-status")).ShouldBe(["UNVERIFIED", "IN_REVIEW", "VERIFIED", "STALE", "RETRACTED"]);
        chart.QuerySelector("g.legend-entry[data-status='VERIFIED'] text.value")!.TextContent.ShouldBe("2");
        // A was STALE only for the moment between being marked and its new review: at no bucket's end, yet not "0 throughout".
        chart.QuerySelector("g.legend-entry[data-status='STALE'] text.note")!.TextContent.ShouldBe("peak 1 between points");
        chart.QuerySelector("g.legend-entry[data-status='UNVERIFIED'] text.note").ShouldBeNull();
        chart.QuerySelector("g.legend-entry[data-status='RETRACTED'] text.note").ShouldBeNull();

        var table = document.QuerySelectorAll("#status-chart-table tbody tr").ToList();
        table.Count.ShouldBe(25);
        table[1].QuerySelector("time")!.GetAttribute("datetime").ShouldBe(start.AddHours(1).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task MonthReport_ChartsDayBuckets_LabelledWithDates()
    {
        var start = new DateTimeOffset(_s.Start.ToDateTimeOffset().UtcDateTime.Date, TimeSpan.Zero).AddDays(-20).AddHours(6);
        var end = start.AddDays(30);

        var document = await ReportClient.HtmlAsync(_s.Report(ReportFormat.Html, Timestamp.FromDateTimeOffset(start), Timestamp.FromDateTimeOffset(end)));
        using var json = JsonDocument.Parse((await ReportClient.ReadAllAsync(_s.Report(ReportFormat.Json, Timestamp.FromDateTimeOffset(start), Timestamp.FromDateTimeOffset(end)))).Data);

        var chart = document.QuerySelector("svg#status-chart").ShouldNotBeNull();
        chart.GetAttribute("data-bucket").ShouldBe("P1D");
        var labels = chart.QuerySelectorAll("g.x-axis g.tick text.label").Select(t => t.TextContent).ToList();
        labels.Count.ShouldBeInRange(4, 10);
        labels.ShouldAllBe(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^\d{1,2} [A-Z][a-z]{2}$"));
        json.RootElement.GetProperty("status_chart_bucket").GetString().ShouldBe("P1D");
        var times = json.RootElement.GetProperty("status_chart").EnumerateArray().Select(p => DateTimeOffset.Parse(p.GetProperty("time").GetString()!, CultureInfo.InvariantCulture)).ToList();
        times[0].ShouldBe(start);
        times[^1].ShouldBe(end);
        times.Skip(1).SkipLast(1).ShouldAllBe(t => t.UtcDateTime.TimeOfDay == TimeSpan.Zero);
    }

    [Fact]
    public async Task TopicAndClaimFilters_NarrowTheReport()
    {
        using var economy = JsonDocument.Parse((await ReportClient.ReadAllAsync(_s.Report(ReportFormat.Json, topic: "economy"))).Data);
        economy.RootElement.GetProperty("summary").GetProperty("claims_recorded").GetInt64().ShouldBe(1);
        economy.RootElement.GetProperty("timeline_count").GetInt64().ShouldBe(1);

        using var onlyB = JsonDocument.Parse((await ReportClient.ReadAllAsync(_s.Report(ReportFormat.Json, claim: _s.B.Name))).Data);
        onlyB.RootElement.GetProperty("summary").GetProperty("verdicts_by_rating").EnumerateObject().Select(p => p.Name).ShouldBe(["FALSE"]);
        onlyB.RootElement.GetProperty("timelines").EnumerateArray().Single().GetProperty("claim").GetString().ShouldBe(_s.B.Name);
    }

    [Fact]
    public async Task BadRequests_AreInvalidArgument_AndReadersCannotGenerateReports()
    {
        var client = new ReportService.ReportServiceClient(_s.Server.As("auditor-a", Role.Auditor));
        async Task<Google.Rpc.Status> Fails(StatusCode code, GenerateAuditReportRequest r) =>
            await RpcAssert.Fails(code, () => ReportClient.ReadAllAsync(client.GenerateAuditReport(r)));

        var bad = await Fails(StatusCode.InvalidArgument, new GenerateAuditReportRequest { Format = ReportFormat.Unspecified });
        bad.GetDetail<Google.Rpc.BadRequest>().FieldViolations.Select(v => v.Field).ShouldBe(["start_time", "end_time", "format"], ignoreOrder: true);
        await Fails(StatusCode.InvalidArgument, new GenerateAuditReportRequest { StartTime = _s.End, EndTime = _s.Start, Format = ReportFormat.Json });

        var reader = new ReportService.ReportServiceClient(_s.Server.As("reader-r", Role.Reader));
        await RpcAssert.Fails(StatusCode.PermissionDenied, () => ReportClient.ReadAllAsync(reader.GenerateAuditReport(
            new GenerateAuditReportRequest { StartTime = _s.Start, EndTime = _s.End, Format = ReportFormat.Json })));
    }

    [Fact]
    public async Task ExportClaimReviews_WritesSchemaOrgClaimReviews_ForVerifiedClaimsOnly()
    {
        var client = new ReportService.ReportServiceClient(_s.Server.As("reader-r", Role.Reader));
        var (data, _, contentType, _) = await ReportClient.ReadAllAsync(client.ExportClaimReviews(new ExportClaimReviewsRequest
        {
            PublisherName = "Example Fact Check",
            PublisherUrl = "https://factcheck.example.org",
            ReviewUrlTemplate = "https://factcheck.example.org/reviews/{claim}",
        }));
        using var doc = JsonDocument.Parse(data);
        var reviews = doc.RootElement.EnumerateArray().ToList();

        contentType.ShouldBe("application/ld+json");
        reviews.Count.ShouldBe(2); // A and B are VERIFIED, C is retracted
        var a = reviews.Single(r => r.GetProperty("claimReviewed").GetString() == _s.A.Text);
        a.GetProperty("@context").GetString().ShouldBe("https://schema.org");
        a.GetProperty("@type").GetString().ShouldBe("ClaimReview");
        a.GetProperty("url").GetString().ShouldBe($"https://factcheck.example.org/reviews/{_s.A.Name["claims/".Length..]}");
        a.GetProperty("author").GetProperty("name").GetString().ShouldBe("Example Fact Check");
        a.GetProperty("reviewRating").GetProperty("alternateName").GetString().ShouldBe("Mostly false");
        a.GetProperty("reviewRating").GetProperty("ratingValue").GetInt32().ShouldBe(2);
        a.GetProperty("reviewRating").GetProperty("bestRating").GetInt32().ShouldBe(5);
        a.GetProperty("reviewRating").GetProperty("worstRating").GetInt32().ShouldBe(1);
        var item = a.GetProperty("itemReviewed");
        item.GetProperty("@type").GetString().ShouldBe("Claim");
        item.GetProperty("author").GetProperty("name").GetString().ShouldBe(_s.A.Claimant);
        item.GetProperty("firstAppearance").GetProperty("url").GetString().ShouldBe("https://news.example.org/report-origin");
        item.GetProperty("appearance").GetArrayLength().ShouldBe(1);
        a.GetProperty("datePublished").GetString().ShouldBe("2026-01-05");

        await RpcAssert.Fails(StatusCode.InvalidArgument, () => ReportClient.ReadAllAsync(client.ExportClaimReviews(new ExportClaimReviewsRequest
        {
            PublisherName = "x", PublisherUrl = "ftp://x", ReviewUrlTemplate = "https://x/no-placeholder",
        })));
    }
}
