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
            s.StatusSeries.Points.Select(p => new[] { Time(p.Time) }.Concat(p.Counts.Select(c => c.ToString(Invariant))).ToArray()));
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
            await _w.WriteLineAsync($"- {Time(e.Time)} #{e.Sequence} **{Cell(Describe(e))}** by {Cell(e.Actor)}");
            if (e.Verdict is { } v)
            {
                await _w.WriteLineAsync($"  - Rationale: {Cell(v.Rationale)}");
                foreach (var ev in v.Evidence)
                {
                    await _w.WriteLineAsync($"  - Rests on {ev.Stance} {ev.Evidence} from {ev.Source} {Cell(ev.SourceTitle)}: “{Cell(ev.Excerpt)}”");
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

    private static string Cell(string text) => text.Replace("\r", " ").Replace("\n", " ").Replace("|", "\\|");

    private async Task Table(string title, string[] headers, IEnumerable<string[]> rows)
    {
        await _w.WriteLineAsync();
        await _w.WriteLineAsync($"## {title}");
        await _w.WriteLineAsync();
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
        ul.events li{margin:.25rem 0}ul.evidence{margin:.2rem 0 .4rem}
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
        await _w.WriteAsync(StatusChart.Svg(s.StatusSeries));
        await Table("activity", "Activity per actor", ["Actor", "Action", "Count"], s.ActivityByActor.Select(a => new[] { a.Actor, a.Action, a.Count.ToString(Invariant) }));
        await _w.WriteAsync("<h2 id=\"timelines\">Claim timelines</h2>\n");
    }

    public override async Task TimelineAsync(ClaimTimelineReport t, CancellationToken ct)
    {
        await _w.WriteAsync($"<section class=\"claim\" data-claim=\"{HtmlEncode(t.Claim)}\"><h3>{HtmlEncode(t.Claim)} <span class=\"muted\">{HtmlEncode(t.Status)}</span></h3>\n<blockquote>{HtmlEncode(t.Text)}</blockquote>\n<ul class=\"events\">\n");
        foreach (var e in t.Events)
        {
            await _w.WriteAsync($"<li data-type=\"{HtmlEncode(e.Type)}\"><time datetime=\"{Time(e.Time)}\">{Time(e.Time)}</time> #{e.Sequence} <strong>{HtmlEncode(Describe(e))}</strong> by {HtmlEncode(e.Actor)}");
            if (e.Verdict is { } v)
            {
                await _w.WriteAsync($"<div>Rationale: {HtmlEncode(v.Rationale)}</div><ul class=\"evidence\">");
                foreach (var ev in v.Evidence)
                {
                    await _w.WriteAsync($"<li data-evidence=\"{HtmlEncode(ev.Evidence)}\">{HtmlEncode(ev.Stance)} — {HtmlEncode(ev.SourceTitle)} <code>{HtmlEncode(ev.Source)}</code>: “{HtmlEncode(ev.Excerpt)}”</li>");
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
