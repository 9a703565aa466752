using System.Globalization;
using System.Text;
using System.Text.Json;
using ClaimLedger.Contracts.V1;
using CsvHelper;

namespace ClaimLedger.Server.Features.Reports;

/// <summary>Writes an audit report in one format: the summary first, then one claim timeline at a time, then the end.</summary>
public abstract class AuditReportWriter : IAsyncDisposable
{
    protected static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static (string ContentType, string Extension) Describe(ReportFormat format) => format switch
    {
        ReportFormat.Json => ("application/json", "json"),
        ReportFormat.Csv => ("text/csv; charset=utf-8", "csv"),
        ReportFormat.Markdown => ("text/markdown; charset=utf-8", "md"),
        ReportFormat.Html => ("text/html; charset=utf-8", "html"),
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    public static AuditReportWriter Create(ReportFormat format, Stream output) => format switch
    {
        ReportFormat.Json => new JsonAuditReportWriter(output),
        ReportFormat.Csv => new CsvAuditReportWriter(output),
        ReportFormat.Markdown => new MarkdownAuditReportWriter(output),
        ReportFormat.Html => new HtmlAuditReportWriter(output),
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    public abstract Task BeginAsync(AuditSummary summary, CancellationToken ct);

    public abstract Task TimelineAsync(ClaimTimelineReport timeline, CancellationToken ct);

    public abstract Task EndAsync(long timelines, CancellationToken ct);

    public abstract ValueTask DisposeAsync();

    /// <summary>The headline figures, in the order every format shows them; keys are stable for machines.</summary>
    public static IReadOnlyList<(string Key, string Label, string Value)> Figures(AuditSummary s) =>
    [
        ("claims_recorded", "Claims recorded", s.ClaimsRecorded.ToString(Invariant)),
        ("verdicts", "Verdicts submitted", s.Verdicts.ToString(Invariant)),
        ("verdict_changes", "Verdicts that replaced an earlier verdict", s.VerdictChanges.ToString(Invariant)),
        ("overturned_verdicts", "Overturned verdicts (rating changed)", s.OverturnedVerdicts.ToString(Invariant)),
        ("retractions", "Retractions", s.Retractions.ToString(Invariant)),
        ("marked_stale", "Claims that went stale", s.MarkedStale.ToString(Invariant)),
        ("stale_reverified", "Stale claims re-verified", s.StaleReverified.ToString(Invariant)),
        ("claims_with_first_verdict", "Claims given their first verdict", s.ClaimsWithFirstVerdict.ToString(Invariant)),
        ("median_seconds_to_first_verdict", "Median time from creation to first verdict (seconds)",
            s.MedianSecondsToFirstVerdict is { } m ? Math.Round(m, 3).ToString(Invariant) : ""),
    ];

    public static string Duration(double? seconds) => seconds switch
    {
        null => "n/a",
        < 120 => $"{seconds:0.#} s",
        < 7200 => $"{seconds / 60:0.#} min",
        < 172800 => $"{seconds / 3600:0.#} h",
        _ => $"{seconds / 86400:0.#} days",
    };

    public static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", Invariant);

    public static string Describe(TimelineEvent e)
    {
        var text = new StringBuilder(e.Type);
        if (e.ToStatus is not null)
        {
            text.Append(": ").Append(e.FromStatus ?? "(new)").Append(" → ").Append(e.ToStatus);
        }

        if (e.Verdict is { } v)
        {
            text.Append(", rated ").Append(v.Rating);
            if (v.Overturns)
            {
                text.Append(" (overturns ").Append(v.PreviousRating).Append(')');
            }
        }

        if (e.IsEvidenceWithSource)
        {
            // The detail reads "SUPPORTS from sources/{id}"; the writers name the source themselves, by title.
            text.Append(" — ").Append(e.Sources[0].Role);
        }
        else if (e.Detail.Length > 0 && e.Verdict is null)
        {
            text.Append(" — ").Append(e.Detail);
        }

        return text.ToString();
    }

    /// <summary><see cref="Describe(TimelineEvent)"/> with an evidence event's source in words, for the plain-text formats.</summary>
    public static string DescribeWithSource(TimelineEvent e) =>
        e.IsEvidenceWithSource ? $"{Describe(e)} from {SourceText(e.Sources[0].Source)}" : Describe(e);

    /// <summary>A source in plain text: "Title — Publisher &lt;https://…&gt;" (the URL alone when there is no title).</summary>
    public static string SourceText(SourceReport source)
    {
        var text = new StringBuilder(source.Label);
        if (source.Publisher.Length > 0)
        {
            text.Append(" — ").Append(source.Publisher);
        }

        if (source.Url is { } url && source.Title.Length > 0)
        {
            text.Append(" <").Append(url).Append('>');
        }

        return text.ToString();
    }
}

internal sealed class JsonAuditReportWriter(Stream output) : AuditReportWriter
{
    private readonly Utf8JsonWriter _json = new(output, new JsonWriterOptions { Indented = true });

    public override async Task BeginAsync(AuditSummary s, CancellationToken ct)
    {
        _json.WriteStartObject();
        _json.WriteString("report", "claimledger.audit");
        _json.WriteString("generated_at", Time(s.GeneratedAt));
        _json.WriteStartObject("period");
        _json.WriteString("start", Time(s.Start));
        _json.WriteString("end", Time(s.End));
        _json.WriteEndObject();
        _json.WriteStartObject("filter");
        _json.WriteString("topic", s.Topic);
        _json.WriteString("claim", s.Claim);
        _json.WriteEndObject();

        _json.WriteStartObject("ledger");
        if (s.Checkpoint is { } checkpoint)
        {
            _json.WriteStartObject("checkpoint");
            _json.WriteNumber("tree_size", checkpoint.TreeSize);
            _json.WriteString("root_hash", Convert.ToBase64String(checkpoint.RootHash.Span));
            _json.WriteString("origin", checkpoint.Origin);
            _json.WriteString("note", checkpoint.Note);
            _json.WriteEndObject();
        }

        _json.WriteNumber("head_sequence", s.Digest.HeadSequence);
        _json.WriteString("head_hash", s.Digest.HeadHash);
        _json.WriteBoolean("valid", s.Verification.Valid);
        _json.WriteNumber("entries_checked", s.Verification.EntriesChecked);
        _json.WriteNumber("claims_checked", s.Verification.ClaimsChecked);
        if (s.Verification.FirstProblem is { } problem)
        {
            _json.WriteStartObject("first_problem");
            _json.WriteString("kind", problem.Kind.ToString());
            _json.WriteNumber("sequence", problem.Sequence);
            _json.WriteString("subject", problem.Subject);
            _json.WriteString("description", problem.Description);
            _json.WriteEndObject();
        }

        _json.WriteEndObject();

        _json.WriteStartObject("summary");
        _json.WriteNumber("claims_recorded", s.ClaimsRecorded);
        _json.WriteNumber("verdicts", s.Verdicts);
        _json.WriteStartObject("verdicts_by_rating");
        foreach (var (rating, count) in s.VerdictsByRating)
        {
            _json.WriteNumber(rating, count);
        }

        _json.WriteEndObject();
        _json.WriteNumber("verdict_changes", s.VerdictChanges);
        _json.WriteNumber("overturned_verdicts", s.OverturnedVerdicts);
        _json.WriteNumber("retractions", s.Retractions);
        _json.WriteStartObject("retractions_by_reason");
        foreach (var (reason, count) in s.RetractionsByReason)
        {
            _json.WriteNumber(reason, count);
        }

        _json.WriteEndObject();
        _json.WriteNumber("marked_stale", s.MarkedStale);
        _json.WriteNumber("stale_reverified", s.StaleReverified);
        _json.WriteNumber("claims_with_first_verdict", s.ClaimsWithFirstVerdict);
        if (s.MedianSecondsToFirstVerdict is { } median)
        {
            _json.WriteNumber("median_seconds_to_first_verdict", Math.Round(median, 3));
        }
        else
        {
            _json.WriteNull("median_seconds_to_first_verdict");
        }

        _json.WriteEndObject();

        _json.WriteStartArray("activity");
        foreach (var (actor, action, count) in s.ActivityByActor)
        {
            _json.WriteStartObject();
            _json.WriteString("actor", actor);
            _json.WriteString("action", action);
            _json.WriteNumber("count", count);
            _json.WriteEndObject();
        }

        _json.WriteEndArray();

        _json.WriteString("status_chart_bucket", s.StatusSeries.Bucket.Iso);
        _json.WriteStartArray("status_chart");
        foreach (var (time, counts) in s.StatusSeries.Points)
        {
            _json.WriteStartObject();
            _json.WriteString("time", Time(time));
            for (var i = 0; i < counts.Count; i++)
            {
                _json.WriteNumber(s.StatusSeries.Statuses[i], counts[i]);
            }

            _json.WriteEndObject();
        }

        _json.WriteEndArray();
        _json.WriteStartArray("timelines");
        await _json.FlushAsync(ct);
    }

    public override async Task TimelineAsync(ClaimTimelineReport t, CancellationToken ct)
    {
        _json.WriteStartObject();
        _json.WriteString("claim", t.Claim);
        _json.WriteString("text", t.Text);
        _json.WriteString("status", t.Status);
        _json.WriteStartArray("events");
        foreach (var e in t.Events)
        {
            _json.WriteStartObject();
            _json.WriteNumber("sequence", e.Sequence);
            _json.WriteString("time", Time(e.Time));
            _json.WriteString("actor", e.Actor);
            _json.WriteString("type", e.Type);
            _json.WriteString("from_status", e.FromStatus);
            _json.WriteString("to_status", e.ToStatus);
            _json.WriteString("detail", e.Detail);
            _json.WriteStartArray("sources");
            foreach (var source in e.Sources)
            {
                _json.WriteStartObject();
                _json.WriteString("role", source.Role);
                WriteSource(source.Source, "");
                _json.WriteEndObject();
            }

            _json.WriteEndArray();
            if (e.Verdict is { } v)
            {
                _json.WriteStartObject("verdict");
                _json.WriteString("name", v.Name);
                _json.WriteString("rating", v.Rating);
                _json.WriteString("score", v.Score);
                _json.WriteString("previous_rating", v.PreviousRating);
                _json.WriteBoolean("overturns", v.Overturns);
                _json.WriteString("rationale", v.Rationale);
                _json.WriteStartArray("evidence");
                foreach (var ev in v.Evidence)
                {
                    _json.WriteStartObject();
                    _json.WriteString("name", ev.Evidence);
                    _json.WriteString("stance", ev.Stance);
                    WriteSource(ev.Source, "source_");
                    _json.WriteString("excerpt", ev.Excerpt);
                    _json.WriteEndObject();
                }

                _json.WriteEndArray();
                _json.WriteEndObject();
            }

            _json.WriteEndObject();
        }

        _json.WriteEndArray();
        _json.WriteEndObject();
        if (_json.BytesPending > 32 * 1024)
        {
            await _json.FlushAsync(ct);
        }
    }

    public override async Task EndAsync(long timelines, CancellationToken ct)
    {
        _json.WriteEndArray();
        _json.WriteNumber("timeline_count", timelines);
        _json.WriteEndObject();
        await _json.FlushAsync(ct);
    }

    public override ValueTask DisposeAsync() => _json.DisposeAsync();

    /// <summary>A source: "source" (its name), then title, publisher and URL (null when it has none) under keys with <paramref name="prefix"/>.</summary>
    private void WriteSource(SourceReport source, string prefix)
    {
        _json.WriteString("source", source.Name);
        _json.WriteString(prefix + "title", source.Title);
        _json.WriteString(prefix + "publisher", source.Publisher);
        _json.WriteString(prefix + "url", source.Url);
    }
}

/// <summary>
/// One CSV table for the whole report, one row per fact: section, claim, time, actor, item, value, detail, then the
/// source the fact concerns (source, source_title, source_publisher, source_url; empty for most rows). Sections: report,
/// ledger, summary, verdicts_by_rating, retractions_by_reason, activity, status_chart, timeline, timeline_source (a source
/// an event concerns: evidence added or removed, or a stale finding), verdict_evidence (detail: the excerpt).
/// </summary>
internal sealed class CsvAuditReportWriter : AuditReportWriter
{
    public static readonly IReadOnlyList<string> Headers =
        ["section", "claim", "time", "actor", "item", "value", "detail", "source", "source_title", "source_publisher", "source_url"];

    private readonly StreamWriter _text;
    private readonly CsvWriter _csv;

    public CsvAuditReportWriter(Stream output)
    {
        _text = new StreamWriter(output, new UTF8Encoding(false), 16 * 1024, leaveOpen: true);
        _csv = new CsvWriter(_text, Invariant, leaveOpen: true);
    }

    public override async Task BeginAsync(AuditSummary s, CancellationToken ct)
    {
        foreach (var header in Headers)
        {
            _csv.WriteField(header);
        }

        await _csv.NextRecordAsync();
        await Row("report", "", Time(s.GeneratedAt), "", "generated_at", "", "");
        await Row("report", s.Claim, Time(s.Start), "", "period_start", "", "");
        await Row("report", s.Claim, Time(s.End), "", "period_end", "", "");
        await Row("report", "", "", "", "topic", s.Topic, "");
        await Row("report", "", "", "", "status_chart_bucket", s.StatusSeries.Bucket.Iso, s.StatusSeries.Bucket.Words);
        if (s.Checkpoint is { } checkpoint)
        {
            await Row("ledger", "", "", "", "checkpoint_tree_size", checkpoint.TreeSize.ToString(Invariant), checkpoint.Origin);
            await Row("ledger", "", "", "", "checkpoint_root_hash", Convert.ToBase64String(checkpoint.RootHash.Span), "");
            await Row("ledger", "", "", "", "checkpoint_note", checkpoint.Note, "");
        }

        await Row("ledger", "", "", "", "head_sequence", s.Digest.HeadSequence.ToString(Invariant), "");
        await Row("ledger", "", "", "", "head_hash", s.Digest.HeadHash, "");
        await Row("ledger", "", "", "", "valid", s.Verification.Valid ? "true" : "false", s.Verification.FirstProblem?.Description ?? "");
        await Row("ledger", "", "", "", "entries_checked", s.Verification.EntriesChecked.ToString(Invariant), "");
        foreach (var (key, label, value) in Figures(s))
        {
            await Row("summary", "", "", "", key, value, label);
        }

        foreach (var (rating, count) in s.VerdictsByRating)
        {
            await Row("verdicts_by_rating", "", "", "", rating, count.ToString(Invariant), "");
        }

        foreach (var (reason, count) in s.RetractionsByReason)
        {
            await Row("retractions_by_reason", "", "", "", reason, count.ToString(Invariant), "");
        }

        foreach (var (actor, action, count) in s.ActivityByActor)
        {
            await Row("activity", "", "", actor, action, count.ToString(Invariant), "");
        }

        foreach (var (time, counts) in s.StatusSeries.Points)
        {
            for (var i = 0; i < counts.Count; i++)
            {
                await Row("status_chart", "", Time(time), "", s.StatusSeries.Statuses[i], counts[i].ToString(Invariant), "");
            }
        }
    }

    public override async Task TimelineAsync(ClaimTimelineReport t, CancellationToken ct)
    {
        foreach (var e in t.Events)
        {
            await Row("timeline", t.Claim, Time(e.Time), e.Actor, e.Type, e.ToStatus ?? "", DescribeWithSource(e));
            foreach (var (role, source) in e.Sources)
            {
                await Row("timeline_source", t.Claim, Time(e.Time), e.Actor, e.Type, role, SourceText(source),
                    source.Name, source.Title, source.Publisher, source.Url ?? "");
            }

            foreach (var ev in e.Verdict?.Evidence ?? [])
            {
                await Row("verdict_evidence", t.Claim, Time(e.Time), e.Actor, ev.Evidence, ev.Stance, ev.Excerpt,
                    ev.Source.Name, ev.Source.Title, ev.Source.Publisher, ev.Source.Url ?? "");
            }
        }

        await _csv.FlushAsync();
    }

    public override async Task EndAsync(long timelines, CancellationToken ct)
    {
        await Row("report", "", "", "", "timeline_count", timelines.ToString(Invariant), "");
        await _csv.FlushAsync();
        await _text.FlushAsync(ct);
    }

    public override async ValueTask DisposeAsync()
    {
        await _csv.DisposeAsync();
        await _text.DisposeAsync();
    }

    /// <summary>One row; fields not given (the source columns of most rows) are empty.</summary>
    private async Task Row(params string[] fields)
    {
        for (var i = 0; i < Headers.Count; i++)
        {
            _csv.WriteField(i < fields.Length ? fields[i] : "");
        }

        await _csv.NextRecordAsync();
    }
}
