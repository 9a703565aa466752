using System.Text;
using static System.Net.WebUtility;

namespace ClaimLedger.Server.Features.Reports;

/// <summary>Markdown: headings, tables (pipes escaped) and a list per claim timeline.</summary>
internal sealed class MarkdownAuditReportWriter(Stream output) : AuditReportWriter
{
    private readonly StreamWriter _w = new(output, new UTF8Encoding(false), 16 * 1024, leaveOpen: true);

    public override async Task BeginAsync(AuditSummary s, CancellationToken ct)
    {
        await _w.WriteLineAsync($"# ClaimLedger audit report");
        await _w.WriteLineAsync();
        await _w.WriteLineAsync($"Period {Time(s.Start)} to {Time(s.End)} (end exclusive){Filter(s)}. Generated {Time(s.GeneratedAt)}.");
        await _w.WriteLineAsync();
        await _w.WriteLineAsync("## Ledger");
        await _w.WriteLineAsync();
        await _w.WriteLineAsync($"- Verification: **{(s.Verification.Valid ? "valid" : "FAILED")}**, {s.Verification.EntriesChecked} entries and {s.Verification.ClaimsChecked} claims checked");
        if (s.Verification.FirstProblem is { } p)
        {
            await _w.WriteLineAsync($"- First problem: {p.Kind} at entry {p.Sequence} {Cell(p.Subject)}: {Cell(p.Description)}");
        }

        await _w.WriteLineAsync($"- Digest: head sequence {s.Digest.HeadSequence}, head hash `{s.Digest.HeadHash}`");
        if (s.Checkpoint is { } checkpoint)
        {
            await _w.WriteLineAsync($"- As of checkpoint: tree size {checkpoint.TreeSize}, root `{Convert.ToBase64String(checkpoint.RootHash.Span)}`, signed note:");
            await _w.WriteLineAsync();
            await _w.WriteLineAsync("```");
            await _w.WriteAsync(checkpoint.Note);
            await _w.WriteLineAsync("```");
        }

        await _w.WriteLineAsync();
        await _w.WriteLineAsync("## Summary");
        await _w.WriteLineAsync();
        await _w.WriteLineAsync("| Figure | Value |");
        await _w.WriteLineAsync("| --- | ---: |");
        foreach (var (key, label, value) in Figures(s))
        {
            await _w.WriteLineAsync(key == "median_seconds_to_first_verdict"
                ? $"| {label} | {value} ({Duration(s.MedianSecondsToFirstVerdict)}) |"
                : $"| {label} | {value} |");
        }

        await Table("Verdicts by rating", ["Rating", "Verdicts"], s.VerdictsByRating.Select(r => new[] { r.Rating, r.Count.ToString(Invariant) }));
        await Table("Retractions by reason", ["Reason", "Retractions"], s.RetractionsByReason.Select(r => new[] { r.Reason, r.Count.ToString(Invariant) }));
        await Table("Activity per actor", ["Actor", "Action", "Count"], s.ActivityByActor.Select(a => new[] { a.Actor, a.Action, a.Count.ToString(Invariant) }));
        await Table("Claims by status over the period", ["Time", .. s.StatusSeries.Statuses],
            s.StatusSeries.Points.Select(p => new[] { Time(p.Time) }.Concat(p.Counts.Select(c => c.ToString(Invariant))).ToArray()),
            $"Claims per status at the period's start and at the end of each {s.StatusSeries.Bucket.Words} (UTC).");
        await _w.WriteLineAsync("## Claim timelines");
        await _w.WriteLineAsync();
    }

    public override async Task TimelineAsync(ClaimTimelineReport t, CancellationToken ct)
    {
        await _w.WriteLineAsync($"### {t.Claim} ({t.Status})");
        await _w.WriteLineAsync();
        await _w.WriteLineAsync($"> {Cell(t.Text)}");
        await _w.WriteLineAsync();
        foreach (var e in t.Events)
        {
            var from = e.IsEvidenceWithSource ? $" from {Source(e.Sources[0].Source)}" : "";
            await _w.WriteLineAsync($"- {Time(e.Time)} #{e.Sequence} **{Cell(Describe(e))}**{from} by {Cell(e.Actor)}");
            if (!e.IsEvidenceWithSource)
            {
                foreach (var (role, source) in e.Sources)
                {
                    await _w.WriteLineAsync($"  - Source ({Cell(role)}): {Source(source)}");
                }
            }

            if (e.Verdict is { } v)
            {
                await _w.WriteLineAsync($"  - Rationale: {Cell(v.Rationale)}");
                foreach (var ev in v.Evidence)
                {
                    var excerpt = ev.Excerpt.Length > 0 ? $": “{Cell(ev.Excerpt)}”" : "";
                    await _w.WriteLineAsync($"  - Rests on {ev.Stance} {ev.Evidence} from {Source(ev.Source)}{excerpt}");
                }
            }
        }

        await _w.WriteLineAsync();
        await _w.FlushAsync(ct);
    }

    public override async Task EndAsync(long timelines, CancellationToken ct)
    {
        await _w.WriteLineAsync(timelines == 0 ? "No claim changed in the period." : $"{timelines} claims changed in the period.");
        await _w.FlushAsync(ct);
    }

    public override ValueTask DisposeAsync() => _w.DisposeAsync();

    private static string Filter(AuditSummary s) =>
        (s.Topic.Length > 0 ? $", topic \"{s.Topic}\"" : "") + (s.Claim.Length > 0 ? $", claim {s.Claim}" : "");

    /// <summary>
    /// User text on one line, inert: line breaks become spaces, and the characters that would start a table cell, an HTML
    /// tag, a link or code (| &lt; &gt; [ ] ` \) are backslash-escaped, so a claim text or source title stays text.
    /// </summary>
    internal static string Cell(string text)
    {
        var escaped = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            switch (c)
            {
                case '\r' or '\n':
                    escaped.Append(' ');
                    break;
                case '\\' or '|' or '<' or '>' or '[' or ']' or '`':
                    escaped.Append('\\').Append(c);
                    break;
                default:
                    escaped.Append(c);
                    break;
            }
        }

        return escaped.ToString();
    }

    /// <summary>
    /// A source as a Markdown link, its title as the text and its URL as the target, then its publisher and its name:
    /// "[Title](&lt;https://…&gt;) — Publisher · `sources/…`". A source without an http(s) URL is not linked.
    /// </summary>
    internal static string Source(SourceReport source)
    {
        var text = new StringBuilder();
        if (source.LinkUrl is { } url)
        {
            // Angle brackets allow any URL as the target, once the characters they cannot hold are percent-encoded.
            var target = url.Replace("<", "%3C").Replace(">", "%3E").Replace(" ", "%20").Replace("\r", "").Replace("\n", "");
            text.Append('[').Append(Cell(source.Label)).Append("](<").Append(target).Append(">)");
        }
        else
        {
            text.Append(Cell(source.Label));
        }

        if (source.Publisher.Length > 0)
        {
            text.Append(" — ").Append(Cell(source.Publisher));
        }

        return source.Label == source.Name ? text.ToString() : text.Append(" · `").Append(source.Name).Append('`').ToString();
    }

    private async Task Table(string title, string[] headers, IEnumerable<string[]> rows, string note = "")
    {
        await _w.WriteLineAsync();
        await _w.WriteLineAsync($"## {title}");
        await _w.WriteLineAsync();
        if (note.Length > 0)
        {
            await _w.WriteLineAsync(note);
            await _w.WriteLineAsync();
        }

        await _w.WriteLineAsync("| " + string.Join(" | ", headers) + " |");
        await _w.WriteLineAsync("|" + string.Concat(headers.Select(_ => " --- |")));
        var any = false;
        foreach (var row in rows)
        {
            any = true;
            await _w.WriteLineAsync("| " + string.Join(" | ", row.Select(Cell)) + " |");
        }

        if (!any)
        {
            await _w.WriteLineAsync("| " + string.Join(" | ", headers.Select((_, i) => i == 0 ? "(none)" : "")) + " |");
        }

        await _w.WriteLineAsync();
    }
}

/// <summary>One self-contained HTML file: inline CSS, an inline SVG chart of claim statuses, no external assets.</summary>
internal sealed class HtmlAuditReportWriter(Stream output) : AuditReportWriter
{
    private const string Style = """
        body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d232b;margin:2rem auto;max-width:72rem;padding:0 1rem}
        h1{font-size:1.6rem;margin-bottom:.2rem}h2{margin-top:2rem;border-bottom:1px solid #d9dee5;padding-bottom:.2rem}
        table{border-collapse:collapse;margin:.5rem 0 1rem}th,td{border:1px solid #d9dee5;padding:.3rem .6rem;text-align:left;vertical-align:top}
        th{background:#f3f5f8}td.num{text-align:right;font-variant-numeric:tabular-nums}.muted{color:#5b6573}
        .ok{color:#17733a;font-weight:600}.bad{color:#b3261e;font-weight:600}code{font-size:.85em;word-break:break-all}
        section.claim{border:1px solid #d9dee5;border-radius:6px;padding:.4rem 1rem;margin:.8rem 0}
        blockquote{margin:.3rem 0;padding-left:.8rem;border-left:3px solid #9aa5b1;color:#3b4450}
        ul.events li{margin:.25rem 0}ul.evidence,ul.sources{margin:.2rem 0 .4rem}
        .source a{color:#0b57d0}.source .url{color:#5b6573;font-size:.85em;overflow-wrap:anywhere}.stance{font-weight:600;font-size:.85em}
        figure.chart{margin:.5rem 0}details.chart-data{margin:.2rem 0 1rem}details.chart-data summary{cursor:pointer;color:#3b4450}
        """;

    private readonly StreamWriter _w = new(output, new UTF8Encoding(false), 16 * 1024, leaveOpen: true);

    public override async Task BeginAsync(AuditSummary s, CancellationToken ct)
    {
        await _w.WriteAsync($"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>ClaimLedger audit report {Time(s.Start)} – {Time(s.End)}</title><style>{Style}</style></head><body>
            <h1>ClaimLedger audit report</h1>
            <p class="muted">Period <time datetime="{Time(s.Start)}">{Time(s.Start)}</time> to <time datetime="{Time(s.End)}">{Time(s.End)}</time> (end exclusive){HtmlEncode(Filter(s))}. Generated {Time(s.GeneratedAt)}.</p>
            <h2 id="ledger">Ledger</h2>
            <table id="ledger-table"><tbody>
            <tr><th>Verification</th><td data-key="ledger_valid" class="{(s.Verification.Valid ? "ok" : "bad")}">{(s.Verification.Valid ? "valid" : "FAILED")}</td></tr>
            <tr><th>Entries checked</th><td class="num" data-key="entries_checked">{s.Verification.EntriesChecked}</td></tr>
            <tr><th>Claims checked</th><td class="num" data-key="claims_checked">{s.Verification.ClaimsChecked}</td></tr>
            <tr><th>Head sequence</th><td class="num" data-key="head_sequence">{s.Digest.HeadSequence}</td></tr>
            <tr><th>Head hash</th><td data-key="head_hash"><code>{s.Digest.HeadHash}</code></td></tr>
            {(s.Checkpoint is { } checkpoint ? $"<tr><th>As of checkpoint</th><td data-key=\"checkpoint\"><pre>{HtmlEncode(checkpoint.Note)}</pre></td></tr>" : "")}

            """);
        if (s.Verification.FirstProblem is { } p)
        {
            await _w.WriteAsync($"<tr><th>First problem</th><td data-key=\"first_problem\">{p.Kind} at entry {p.Sequence} {HtmlEncode(p.Subject)}: {HtmlEncode(p.Description)}</td></tr>\n");
        }

        await _w.WriteAsync("</tbody></table>\n<h2 id=\"summary\">Summary</h2>\n<table id=\"summary-table\"><tbody>\n");
        foreach (var (key, label, value) in Figures(s))
        {
            var shown = key == "median_seconds_to_first_verdict" ? $"{value} <span class=\"muted\">({Duration(s.MedianSecondsToFirstVerdict)})</span>" : value;
            await _w.WriteAsync($"<tr><th>{HtmlEncode(label)}</th><td class=\"num\" data-key=\"{key}\">{shown}</td></tr>\n");
        }

        await _w.WriteAsync("</tbody></table>\n");
        await Table("verdicts-by-rating", "Verdicts by rating", ["Rating", "Verdicts"], s.VerdictsByRating.Select(r => new[] { r.Rating, r.Count.ToString(Invariant) }));
        await Table("retractions-by-reason", "Retractions by reason", ["Reason", "Retractions"], s.RetractionsByReason.Select(r => new[] { r.Reason, r.Count.ToString(Invariant) }));
        await _w.WriteAsync("<h2 id=\"statuses\">Claims by status over the period</h2>\n");
        await _w.WriteAsync("<figure class=\"chart\">");
        await _w.WriteAsync(StatusChart.Svg(s.StatusSeries));
        await _w.WriteAsync("</figure>\n");
        await ChartData(s.StatusSeries);
        await Table("activity", "Activity per actor", ["Actor", "Action", "Count"], s.ActivityByActor.Select(a => new[] { a.Actor, a.Action, a.Count.ToString(Invariant) }));
        await _w.WriteAsync("<h2 id=\"timelines\">Claim timelines</h2>\n");
    }

    public override async Task TimelineAsync(ClaimTimelineReport t, CancellationToken ct)
    {
        await _w.WriteAsync($"<section class=\"claim\" data-claim=\"{HtmlEncode(t.Claim)}\"><h3>{HtmlEncode(t.Claim)} <span class=\"muted\">{HtmlEncode(t.Status)}</span></h3>\n<blockquote>{HtmlEncode(t.Text)}</blockquote>\n<ul class=\"events\">\n");
        foreach (var e in t.Events)
        {
            var from = e.IsEvidenceWithSource ? $" from {Source(e.Sources[0].Source)}" : "";
            await _w.WriteAsync($"<li data-type=\"{HtmlEncode(e.Type)}\"><time datetime=\"{Time(e.Time)}\">{Time(e.Time)}</time> #{e.Sequence} <strong>{HtmlEncode(Describe(e))}</strong>{from} by {HtmlEncode(e.Actor)}");
            if (!e.IsEvidenceWithSource && e.Sources.Count > 0)
            {
                await _w.WriteAsync("<ul class=\"sources\">");
                foreach (var (role, source) in e.Sources)
                {
                    await _w.WriteAsync($"<li data-role=\"{HtmlEncode(role)}\"><span class=\"stance\">{HtmlEncode(role)}</span> {Source(source)}</li>");
                }

                await _w.WriteAsync("</ul>");
            }

            if (e.Verdict is { } v)
            {
                await _w.WriteAsync($"<div>Rationale: {HtmlEncode(v.Rationale)}</div><ul class=\"evidence\">");
                foreach (var ev in v.Evidence)
                {
                    var excerpt = ev.Excerpt.Length > 0 ? $": “{HtmlEncode(ev.Excerpt)}”" : "";
                    await _w.WriteAsync($"<li data-evidence=\"{HtmlEncode(ev.Evidence)}\"><span class=\"stance\">{HtmlEncode(ev.Stance)}</span> {Source(ev.Source)}{excerpt}</li>");
                }

                await _w.WriteAsync("</ul>");
            }

            await _w.WriteAsync("</li>\n");
        }

        await _w.WriteAsync("</ul></section>\n");
        await _w.FlushAsync(ct);
    }

    public override async Task EndAsync(long timelines, CancellationToken ct)
    {
        await _w.WriteAsync($"<p class=\"muted\" id=\"timeline-count\" data-count=\"{timelines}\">{(timelines == 0 ? "No claim changed in the period." : $"{timelines} claims changed in the period.")}</p>\n</body></html>\n");
        await _w.FlushAsync(ct);
    }

    public override ValueTask DisposeAsync() => _w.DisposeAsync();

    private static string Filter(AuditSummary s) =>
        (s.Topic.Length > 0 ? $", topic \"{s.Topic}\"" : "") + (s.Claim.Length > 0 ? $", claim {s.Claim}" : "");

    /// <summary>
    /// A source by its title, linked to its URL (http(s) only) with the URL shown beside it, then its publisher; its name
    /// (sources/{id}) in data-source and as the tooltip. Every part is user input and encoded.
    /// </summary>
    internal static string Source(SourceReport source)
    {
        var html = new StringBuilder();
        html.Append("<span class=\"source\" data-source=\"").Append(HtmlEncode(source.Name)).Append("\" title=\"").Append(HtmlEncode(source.Name)).Append("\">");
        if (source.LinkUrl is { } url)
        {
            html.Append("<a href=\"").Append(HtmlEncode(url)).Append("\" rel=\"noopener noreferrer nofollow\" referrerpolicy=\"no-referrer\">")
                .Append(HtmlEncode(source.Label)).Append("</a>");
        }
        else
        {
            html.Append("<cite>").Append(HtmlEncode(source.Label)).Append("</cite>");
        }

        if (source.Publisher.Length > 0)
        {
            html.Append(" — <span class=\"publisher\">").Append(HtmlEncode(source.Publisher)).Append("</span>");
        }

        if (source.Url is { } shown && source.Title.Length > 0)
        {
            html.Append(" <span class=\"url\">").Append(HtmlEncode(shown)).Append("</span>");
        }

        return html.Append("</span>").ToString();
    }

    /// <summary>The chart's figures as a table, folded away under the chart (no script needed to open it).</summary>
    private async Task ChartData(StatusSeries series)
    {
        await _w.WriteAsync($"<details class=\"chart-data\"><summary>Chart data: claims per status at the period's start and at the end of each {series.Bucket.Words} (UTC)</summary>\n");
        await _w.WriteAsync($"<table id=\"status-chart-table\"><thead><tr><th>Time</th>{string.Concat(series.Statuses.Select(h => $"<th>{HtmlEncode(h)}</th>"))}</tr></thead><tbody>\n");
        foreach (var (time, counts) in series.Points)
        {
            await _w.WriteAsync($"<tr><td><time datetime=\"{Time(time)}\">{Time(time)}</time></td>{string.Concat(counts.Select(c => $"<td class=\"num\">{c}</td>"))}</tr>\n");
        }

        await _w.WriteAsync("</tbody></table></details>\n");
    }

    private async Task Table(string id, string title, string[] headers, IEnumerable<string[]> rows)
    {
        await _w.WriteAsync($"<h2 id=\"{id}\">{HtmlEncode(title)}</h2>\n<table id=\"{id}-table\"><thead><tr>{string.Concat(headers.Select(h => $"<th>{HtmlEncode(h)}</th>"))}</tr></thead><tbody>\n");
        var any = false;
        foreach (var row in rows)
        {
            any = true;
            await _w.WriteAsync("<tr>" + string.Concat(row.Select((c, i) => i == row.Length - 1 ? $"<td class=\"num\">{HtmlEncode(c)}</td>" : $"<td>{HtmlEncode(c)}</td>")) + "</tr>\n");
        }

        if (!any)
        {
            await _w.WriteAsync($"<tr><td colspan=\"{headers.Length}\" class=\"muted\">none</td></tr>\n");
        }

        await _w.WriteAsync("</tbody></table>\n");
    }
}
