using System.Globalization;
using System.Text;
using static System.Net.WebUtility;

namespace ClaimLedger.Server.Features.Reports;

/// <summary>The calendar unit a status-chart bucket is counted in.</summary>
public enum ChartUnit
{
    Minute,
    Hour,
    Day,
    Week,
}

/// <summary>
/// The width of one status-chart bucket: <see cref="Count"/> <see cref="Unit"/>s. Buckets start on UTC minute, hour,
/// midnight or Monday boundaries (see <see cref="ChartTimeAxis"/>), so the chart's points fall on times a reader expects.
/// </summary>
public sealed record ChartBucket(ChartUnit Unit, int Count)
{
    public TimeSpan Width => Unit switch
    {
        ChartUnit.Minute => TimeSpan.FromMinutes(Count),
        ChartUnit.Hour => TimeSpan.FromHours(Count),
        ChartUnit.Day => TimeSpan.FromDays(Count),
        _ => TimeSpan.FromDays(7 * Count),
    };

    /// <summary>The width as an ISO 8601 duration (PT5M, PT1H, P1D, P1W), for the machine-readable formats.</summary>
    public string Iso => Unit switch
    {
        ChartUnit.Minute => $"PT{Count}M",
        ChartUnit.Hour => $"PT{Count}H",
        ChartUnit.Day => $"P{Count}D",
        _ => $"P{Count}W",
    };

    /// <summary>The width in words ("hour", "5 minutes", "week"), for people.</summary>
    public string Words
    {
        get
        {
            var unit = Unit.ToString().ToLowerInvariant();
            return Count == 1 ? unit : $"{Count} {unit}s";
        }
    }
}

/// <summary>One time label under the chart: the text at the tick, and a second line (the date or the year) where it changes.</summary>
public sealed record AxisLabel(DateTimeOffset Time, string Text, string? Context);

/// <summary>
/// The status chart's time axis as pure functions of the period: which bucket (hours for a day, days for a month, weeks for
/// a year), where the buckets start and end, and which times get a label. Kept apart from the SVG so it can be tested alone
/// and used by the SQL that fills the buckets.
/// </summary>
public static class ChartTimeAxis
{
    /// <summary>Upper bound on buckets in a chart; the period's first and last bucket may be partial, so points ≤ this + 1.</summary>
    public const int MaxBuckets = 300;

    public const int MinLabels = 4;

    public const int MaxLabels = 10;

    private const string DateContext = "d MMM yyyy";

    /// <summary>
    /// A Monday, midnight UTC. Every bucket and label step is a whole multiple of its width from here, so boundaries fall
    /// on whole UTC minutes, hours, midnights and Mondays whatever the period's start.
    /// </summary>
    private static readonly DateTimeOffset Origin = new(1970, 1, 5, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// The bucket for a period. Thresholds: ≤ 1 h minutes, ≤ 6 h 5 minutes, ≤ 12 h 15 minutes, ≤ 4 days hours, ≤ 92 days
    /// days, longer weeks (several weeks if a period is so long that weeks would exceed <see cref="MaxBuckets"/>). Hours run
    /// to 4 days rather than 2 so that a chart in days always spans at least four midnights to label.
    /// </summary>
    public static ChartBucket BucketFor(TimeSpan period)
    {
        if (period <= TimeSpan.FromHours(1))
        {
            return new ChartBucket(ChartUnit.Minute, 1);
        }

        if (period <= TimeSpan.FromHours(6))
        {
            return new ChartBucket(ChartUnit.Minute, 5);
        }

        if (period <= TimeSpan.FromHours(12))
        {
            return new ChartBucket(ChartUnit.Minute, 15);
        }

        if (period <= TimeSpan.FromDays(4))
        {
            return new ChartBucket(ChartUnit.Hour, 1);
        }

        if (period <= TimeSpan.FromDays(92))
        {
            return new ChartBucket(ChartUnit.Day, 1);
        }

        var weeks = period.TotalDays / 7;
        return new ChartBucket(ChartUnit.Week, Math.Max(1, (int)Math.Ceiling(weeks / (MaxBuckets - 2))));
    }

    /// <summary>
    /// The times at which the chart samples the counts: the period's start, every bucket boundary strictly inside the
    /// period, and its end. The first and last bucket are partial when the period does not start or end on a boundary.
    /// </summary>
    public static IReadOnlyList<DateTimeOffset> Boundaries(DateTimeOffset start, DateTimeOffset end, ChartBucket bucket)
    {
        var times = new List<DateTimeOffset> { start };
        var width = bucket.Width.Ticks;
        for (var t = Origin.AddTicks((FloorDiv((start - Origin).Ticks, width) + 1) * width); t < end; t = t.AddTicks(width))
        {
            times.Add(t);
        }

        if (end > start)
        {
            times.Add(end);
        }

        return times;
    }

    /// <summary>
    /// Labelled times on the axis: whole multiples of a step that suits the bucket (every 3 hours, every Monday, every 4th
    /// week...), the smallest step giving at most <see cref="MaxLabels"/> labels, and never fewer than
    /// <see cref="MinLabels"/>. Hours and minutes read HH:mm with the date under the first label of each day (the year only on the first); days and
    /// weeks read "5 Jan" with the year under the first label of each year. A period too short for whole steps gets four
    /// evenly spaced labels to the second.
    /// </summary>
    public static IReadOnlyList<AxisLabel> Labels(DateTimeOffset start, DateTimeOffset end, ChartBucket bucket)
    {
        long? chosen = null, previous = null;
        foreach (var step in LabelSteps(bucket))
        {
            var count = Count(start, end, step.Ticks);
            if (count <= MaxLabels)
            {
                chosen = count >= MinLabels || previous is null ? step.Ticks : previous;
                break;
            }

            previous = step.Ticks;
        }

        chosen ??= previous;
        var times = new List<DateTimeOffset>();
        if (chosen is { } s && Count(start, end, s) >= MinLabels)
        {
            for (var t = Origin.AddTicks(CeilDiv((start - Origin).Ticks, s) * s); t <= end; t = t.AddTicks(s))
            {
                times.Add(t);
            }
        }
        else
        {
            var span = end - start;
            for (var i = 0; i < MinLabels; i++)
            {
                times.Add(start + (span * i / (MinLabels - 1)));
            }

            return Format(times, "HH:mm:ss", DateContext, t => t.Date);
        }

        return bucket.Unit is ChartUnit.Minute or ChartUnit.Hour
            ? Format(times, "HH:mm", DateContext, t => t.Date)
            : Format(times, "d MMM", "yyyy", t => new DateTime(t.Year, 1, 1));
    }

    /// <summary>Label steps for a bucket, smallest first; each a whole number of buckets so that labels sit on boundaries.</summary>
    private static IEnumerable<TimeSpan> LabelSteps(ChartBucket bucket) => bucket switch
    {
        { Unit: ChartUnit.Minute, Count: 1 } => new[] { 1, 2, 5, 10, 15, 30, 60 }.Select(m => TimeSpan.FromMinutes(m)),
        { Unit: ChartUnit.Minute, Count: 5 } => new[] { 5, 10, 15, 30, 60, 120 }.Select(m => TimeSpan.FromMinutes(m)),
        { Unit: ChartUnit.Minute } => new[] { 1, 2, 4, 8, 16 }.Select(m => TimeSpan.FromMinutes(m * bucket.Count)),
        { Unit: ChartUnit.Hour } => new[] { 1, 2, 3, 6, 12, 24 }.Select(h => TimeSpan.FromHours(h * bucket.Count)),
        // 7 and 14 days from a Monday: weekly labels fall on Mondays.
        { Unit: ChartUnit.Day } => new[] { 1, 2, 3, 7, 14, 28 }.Select(d => TimeSpan.FromDays(d * bucket.Count)),
        _ => new[] { 1, 2, 4, 8, 13, 26, 52 }.Select(w => TimeSpan.FromDays(7 * w * bucket.Count)),
    };

    /// <summary>
    /// Labels in <paramref name="text"/> format; where the <paramref name="period"/> (day or year) changes, a second line in
    /// <paramref name="context"/> format. After the first, a date's second line leaves the year out unless it changed, so
    /// that neighbouring second lines stay short enough not to run into each other.
    /// </summary>
    private static List<AxisLabel> Format(List<DateTimeOffset> times, string text, string context, Func<DateTime, DateTime> period)
    {
        var labels = new List<AxisLabel>(times.Count);
        DateTime? shown = null;
        foreach (var time in times)
        {
            var utc = time.UtcDateTime;
            string? second = null;
            if (shown != period(utc))
            {
                var format = shown is { } before && before.Year == utc.Year && context == DateContext ? "d MMM" : context;
                second = utc.ToString(format, CultureInfo.InvariantCulture);
                shown = period(utc);
            }

            labels.Add(new AxisLabel(time, utc.ToString(text, CultureInfo.InvariantCulture), second));
        }

        return labels;
    }

    /// <summary>How many whole multiples of <paramref name="step"/> from the origin lie in [start, end].</summary>
    private static long Count(DateTimeOffset start, DateTimeOffset end, long step) =>
        Math.Max(0, FloorDiv((end - Origin).Ticks, step) - CeilDiv((start - Origin).Ticks, step) + 1);

    private static long FloorDiv(long a, long b) => a >= 0 ? a / b : -((-a + b - 1) / b);

    private static long CeilDiv(long a, long b) => -FloorDiv(-a, b);
}

/// <summary>
/// An inline SVG line chart of claims per status over the report period; no scripts, no external assets, nothing that
/// a browser would fetch.
/// </summary>
/// <remarks>
/// Lines rather than a stacked area: each status is read straight off the y axis, and a status with a handful of claims
/// next to one with thousands keeps its own line instead of becoming a band too thin to see. What lines risk is overlap,
/// so every series differs in three ways besides its colour (Okabe–Ito colours, told apart with the common colour-vision
/// deficiencies): a dash pattern, a marker shape, and — only where lines would cover each other — a lane: at a point where
/// several series fall within a few pixels (equal counts, several statuses at 0), they are drawn side by side, 3 px apart
/// around their place, instead of one on top of the other. Elsewhere every line is exactly at its value. The exact values
/// are in the legend (the latest) and in the data table that every format carries; a status that is 0 for the whole
/// period says "0 throughout" in the legend, and one held only between points says so with its peak.
/// </remarks>
public static class StatusChart
{
    public const int Width = 960;
    public const int Height = 340;

    private const int Left = 64, Right = 210, Top = 20, Bottom = 66;

    /// <summary>Inner padding of the plot, so that series spread apart above the top value or below zero stay inside it.</summary>
    private const double Pad = 10;

    /// <summary>Distance between series drawn side by side where they would cover each other.</summary>
    public const double LaneGap = 3;

    private const int MarkersPerSeries = 12;

    /// <summary>How one series is drawn. Index = the status's position in <see cref="StatusSeries.Statuses"/>.</summary>
    public sealed record SeriesStyle(string Color, string Dash, string Marker);

    /// <summary>
    /// Okabe–Ito colours; dotted, dashed, solid, dash-dot and dash-dot-dot lines; circle, square, triangle, diamond and
    /// cross markers. VERIFIED, the status most readers look for, is the solid line.
    /// </summary>
    public static readonly IReadOnlyList<SeriesStyle> Styles =
    [
        new("#5f5f5f", "1 4", "circle"),
        new("#0072b2", "7 4", "square"),
        new("#009e73", "", "triangle"),
        new("#d55e00", "10 3 2 3", "diamond"),
        new("#cc79a7", "12 3 2 3 2 3", "cross"),
    ];

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Round y-axis ticks: the smallest 1, 2 or 5 × 10ⁿ step that reaches <paramref name="highest"/> in at most 5 steps.</summary>
    public static (long Step, long Max) YScale(long highest)
    {
        if (highest <= 0)
        {
            return (1, 1);
        }

        for (long magnitude = 1; ; magnitude *= 10)
        {
            foreach (var m in new long[] { 1, 2, 5 })
            {
                var step = m * magnitude;
                var steps = (highest + step - 1) / step;
                if (steps <= 5)
                {
                    return (step, steps * step);
                }
            }
        }
    }

    /// <summary>A y-axis value as printed: 1,500 below ten thousand, then 250k, then 2.5M.</summary>
    public static string YLabel(long value, long max) =>
        max >= 2_000_000 && value != 0 ? (value / 1_000_000.0).ToString("0.##", Invariant) + "M"
        : max >= 10_000 && value != 0 ? (value / 1000.0).ToString("0.##", Invariant) + "k"
        : value.ToString("#,0", Invariant);

    /// <summary>
    /// Where to draw series that sit at <paramref name="ys"/> (px, one per series, at one point): series closer than
    /// <see cref="LaneGap"/> to a neighbour form a group, and a group is spread <see cref="LaneGap"/> apart around its
    /// middle, in order of value and then of series; a series alone keeps its place.
    /// </summary>
    public static double[] Spread(IReadOnlyList<double> ys)
    {
        var order = Enumerable.Range(0, ys.Count).OrderBy(i => ys[i]).ThenBy(i => i).ToList();
        var drawn = new double[ys.Count];
        for (var first = 0; first < order.Count;)
        {
            var last = first;
            while (last + 1 < order.Count && ys[order[last + 1]] - ys[order[last]] < LaneGap)
            {
                last++;
            }

            var middle = (ys[order[first]] + ys[order[last]]) / 2;
            for (var j = first; j <= last; j++)
            {
                drawn[order[j]] = middle + ((j - first - ((last - first) / 2.0)) * LaneGap);
            }

            first = last + 1;
        }

        return drawn;
    }

    /// <summary>
    /// The chart as one &lt;svg&gt; element: plot, y ticks, x labels for the series' bucket, one line per status (with its
    /// markers, in a g.series) and the legend. Points are placed by time, so partial first and last buckets are narrower.
    /// </summary>
    public static string Svg(StatusSeries series)
    {
        var points = series.Points;
        var start = points.Count > 0 ? points[0].Time : default;
        var end = points.Count > 0 ? points[^1].Time : default;
        var plotW = Width - Left - Right;
        var plotH = Height - Top - Bottom;
        var highest = points.SelectMany(p => p.Counts).DefaultIfEmpty(0).Max();
        var (step, max) = YScale(highest);
        var span = Math.Max(1, (end - start).Ticks);
        double X(DateTimeOffset t) => Left + (plotW * (double)(t - start).Ticks / span);
        double Y(double v) => Top + Pad + ((plotH - (2 * Pad)) * (1 - (v / max)));
        var statuses = series.Statuses;
        var latest = statuses.Select((_, s) => points.Count > 0 ? points[^1].Counts[s] : 0).ToList();
        var peaks = statuses.Select((_, s) => series.Peak(s)).ToList();
        var zero = peaks.Select(p => p == 0).ToList();
        // A status at 0 at every point that did hold claims between them (for less than a bucket) says so in the legend.
        var notes = statuses.Select((_, s) => zero[s] ? "0 throughout"
            : points.All(p => p.Counts[s] == 0) ? $"peak {peaks[s].ToString("#,0", Invariant)} between points" : null).ToList();

        var svg = new StringBuilder();
        svg.Append(Invariant, $"<svg id=\"status-chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" ");
        svg.Append(Invariant, $"style=\"max-width:100%;height:auto\" role=\"img\" aria-labelledby=\"status-chart-title status-chart-desc\" data-bucket=\"{series.Bucket.Iso}\" font-family=\"system-ui,sans-serif\">");
        svg.Append("<title id=\"status-chart-title\">Claims by status over the period</title>");
        svg.Append(Invariant, $"<desc id=\"status-chart-desc\">Claims per status at the end of each {series.Bucket.Words} (UTC), {AuditReportWriter.Time(start)} to {AuditReportWriter.Time(end)}. At the end: ");
        svg.Append(string.Join(", ", statuses.Select((s, i) => $"{HtmlEncode(s)} {latest[i]}"))).Append(".</desc>");
        svg.Append(Invariant, $"<rect x=\"{Left}\" y=\"{Top}\" width=\"{plotW}\" height=\"{plotH}\" fill=\"#fbfcfd\" stroke=\"#d9dee5\"/>");

        svg.Append("<g class=\"y-axis\" font-size=\"11\" fill=\"#5b6573\">");
        for (var value = 0L; value <= max; value += step)
        {
            var y = N(Y(value));
            svg.Append(Invariant, $"<line x1=\"{Left}\" x2=\"{Left + plotW}\" y1=\"{y}\" y2=\"{y}\" stroke=\"{(value == 0 ? "#9aa5b1" : "#e6e9ee")}\"/>");
            svg.Append(Invariant, $"<text class=\"tick\" data-value=\"{value}\" x=\"{Left - 8}\" y=\"{y}\" text-anchor=\"end\" dominant-baseline=\"middle\">{YLabel(value, max)}</text>");
        }

        svg.Append("</g>");

        svg.Append("<g class=\"x-axis\" font-size=\"11\" fill=\"#5b6573\">");
        if (points.Count > 1)
        {
            foreach (var label in ChartTimeAxis.Labels(start, end, series.Bucket))
            {
                var x = N(X(label.Time));
                svg.Append(Invariant, $"<g class=\"tick\" data-time=\"{AuditReportWriter.Time(label.Time)}\">");
                svg.Append(Invariant, $"<line x1=\"{x}\" x2=\"{x}\" y1=\"{Top}\" y2=\"{Top + plotH}\" stroke=\"#eef0f3\"/>");
                svg.Append(Invariant, $"<line x1=\"{x}\" x2=\"{x}\" y1=\"{Top + plotH}\" y2=\"{Top + plotH + 5}\" stroke=\"#9aa5b1\"/>");
                svg.Append(Invariant, $"<text class=\"label\" x=\"{x}\" y=\"{Top + plotH + 18}\" text-anchor=\"middle\">{label.Text}</text>");
                if (label.Context is { } context)
                {
                    svg.Append(Invariant, $"<text class=\"context\" x=\"{x}\" y=\"{Top + plotH + 32}\" text-anchor=\"middle\" font-weight=\"600\">{context}</text>");
                }

                svg.Append("</g>");
            }
        }

        var weekNote = series.Bucket.Unit == ChartUnit.Week ? "; weeks start on Monday" : "";
        svg.Append(Invariant, $"<text class=\"caption\" x=\"{Left + (plotW / 2)}\" y=\"{Height - 8}\" text-anchor=\"middle\">Claims per status at the end of each {series.Bucket.Words}, UTC{weekNote}</text>");
        svg.Append("</g>");

        var drawn = points.Select(p => Spread(p.Counts.Select(c => Y(c)).ToList())).ToList();
        var every = points.Count <= MarkersPerSeries ? 1 : Math.Max(statuses.Count, (int)Math.Ceiling(points.Count / (double)MarkersPerSeries));
        for (var s = 0; s < statuses.Count; s++)
        {
            var style = Styles[s % Styles.Count];
            var status = HtmlEncode(statuses[s]);
            svg.Append(Invariant, $"<g class=\"series\" data-status=\"{status}\" data-latest=\"{latest[s]}\" data-zero=\"{(zero[s] ? "true" : "false")}\">");
            svg.Append(Invariant, $"<title>{status}: {latest[s]} at the end{(notes[s] is { } n ? $", {n}" : "")}</title>");
            var line = string.Join(' ', points.Select((p, i) => $"{N(X(p.Time))},{N(drawn[i][s])}"));
            svg.Append(Invariant, $"<polyline data-status=\"{status}\" fill=\"none\" stroke=\"{style.Color}\" stroke-width=\"2\" stroke-linejoin=\"round\" stroke-linecap=\"round\"{Dash(style)} points=\"{line}\"/>");
            // Markers staggered by series, so that series on the same value do not put their markers on one spot.
            var phase = every == 1 ? 0 : s * every / statuses.Count;
            for (var i = phase; i < points.Count; i += every)
            {
                svg.Append(Marker(style, X(points[i].Time), drawn[i][s], 3.5));
            }

            svg.Append("</g>");
        }

        var legendX = Left + plotW + 22;
        var valueX = Width - 8;
        svg.Append(Invariant, $"<g class=\"legend\" font-size=\"12\" fill=\"#1d232b\"><text x=\"{legendX}\" y=\"{Top + 4}\" font-size=\"11\" fill=\"#5b6573\">Status</text>");
        svg.Append(Invariant, $"<text x=\"{valueX}\" y=\"{Top + 4}\" font-size=\"11\" fill=\"#5b6573\" text-anchor=\"end\">at end</text>");
        for (var s = 0; s < statuses.Count; s++)
        {
            var style = Styles[s % Styles.Count];
            var y = Top + 26 + (s * 40);
            var status = HtmlEncode(statuses[s]);
            svg.Append(Invariant, $"<g class=\"legend-entry\" data-status=\"{status}\">");
            svg.Append(Invariant, $"<line x1=\"{legendX}\" x2=\"{legendX + 30}\" y1=\"{y}\" y2=\"{y}\" stroke=\"{style.Color}\" stroke-width=\"2\" stroke-linecap=\"round\"{Dash(style)}/>");
            svg.Append(Marker(style, legendX + 15, y, 4));
            svg.Append(Invariant, $"<text class=\"name\" x=\"{legendX + 38}\" y=\"{y}\" dominant-baseline=\"middle\">{status}</text>");
            svg.Append(Invariant, $"<text class=\"value\" x=\"{valueX}\" y=\"{y}\" dominant-baseline=\"middle\" text-anchor=\"end\" font-weight=\"600\">{latest[s].ToString("#,0", Invariant)}</text>");
            if (notes[s] is { } note)
            {
                svg.Append(Invariant, $"<text class=\"note\" x=\"{legendX + 38}\" y=\"{y + 15}\" dominant-baseline=\"middle\" font-size=\"11\" fill=\"#5b6573\">{note}</text>");
            }

            svg.Append("</g>");
        }

        svg.Append("</g></svg>\n");
        return svg.ToString();
    }

    private static string Dash(SeriesStyle style) => style.Dash.Length > 0 ? $" stroke-dasharray=\"{style.Dash}\"" : "";

    /// <summary>A marker as one path element, whatever its shape, filled in the series colour with a white rim.</summary>
    private static string Marker(SeriesStyle style, double x, double y, double r)
    {
        var d = style.Marker switch
        {
            "square" => $"M{N(x - r)},{N(y - r)}h{N(2 * r)}v{N(2 * r)}h{N(-2 * r)}z",
            "triangle" => $"M{N(x)},{N(y - (r * 1.25))}L{N(x + (r * 1.2))},{N(y + r)}L{N(x - (r * 1.2))},{N(y + r)}z",
            "diamond" => $"M{N(x)},{N(y - (r * 1.35))}L{N(x + (r * 1.35))},{N(y)}L{N(x)},{N(y + (r * 1.35))}L{N(x - (r * 1.35))},{N(y)}z",
            "cross" => $"M{N(x - r)},{N(y - r)}L{N(x + r)},{N(y + r)}M{N(x + r)},{N(y - r)}L{N(x - r)},{N(y + r)}",
            _ => $"M{N(x - r)},{N(y)}a{N(r)},{N(r)} 0 1,0 {N(2 * r)},0a{N(r)},{N(r)} 0 1,0 {N(-2 * r)},0z",
        };
        return style.Marker == "cross"
            ? $"<path class=\"marker\" data-shape=\"cross\" d=\"{d}\" fill=\"none\" stroke=\"{style.Color}\" stroke-width=\"2.2\"/>"
            : $"<path class=\"marker\" data-shape=\"{style.Marker}\" d=\"{d}\" fill=\"{style.Color}\" stroke=\"#fff\" stroke-width=\"1\"/>";
    }

    private static string N(double v) => v.ToString("0.#", Invariant);
}
