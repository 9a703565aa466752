using System.Globalization;
using System.Text;
using static System.Net.WebUtility;

namespace ClaimLedger.Server.Features.Reports;

/// <summary>An inline SVG line chart of claims per status over the report period; no scripts, no external assets.</summary>
public static class StatusChart
{
    private static readonly string[] Colors = ["#6b7785", "#1f6feb", "#17733a", "#c27c0e", "#b3261e"];

    public static string Svg(StatusSeries series)
    {
        const int width = 860, height = 300, left = 56, right = 150, top = 16, bottom = 44;
        var plotW = width - left - right;
        var plotH = height - top - bottom;
        var highest = Math.Max(1, series.Points.SelectMany(p => p.Counts).DefaultIfEmpty(0).Max());
        var step = (long)Math.Ceiling(highest / 4.0);
        var max = step * 4;
        var n = Math.Max(1, series.Points.Count - 1);
        string X(int i) => (left + (double)plotW * i / n).ToString("0.#", CultureInfo.InvariantCulture);
        string Y(long v) => (top + plotH - (double)plotH * v / max).ToString("0.#", CultureInfo.InvariantCulture);

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg id=\"status-chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-labelledby=\"status-chart-title\">");
        svg.Append("<title id=\"status-chart-title\">Claims by status over the period</title>");
        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{left}\" y=\"{top}\" width=\"{plotW}\" height=\"{plotH}\" fill=\"#fbfcfd\" stroke=\"#d9dee5\"/>");
        for (var g = 0; g <= 4; g++)
        {
            var value = step * g;
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" x2=\"{left + plotW}\" y1=\"{Y(value)}\" y2=\"{Y(value)}\" stroke=\"#e6e9ee\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left - 8}\" y=\"{Y(value)}\" font-size=\"11\" text-anchor=\"end\" dominant-baseline=\"middle\" fill=\"#5b6573\">{value}</text>");
        }

        if (series.Points.Count > 0)
        {
            foreach (var i in new[] { 0, series.Points.Count - 1 })
            {
                var anchor = i == 0 ? "start" : "end";
                svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{X(i)}\" y=\"{height - 24}\" font-size=\"11\" text-anchor=\"{anchor}\" fill=\"#5b6573\">{series.Points[i].Time.UtcDateTime:yyyy-MM-dd HH:mm}</text>");
            }
        }

        for (var s = 0; s < series.Statuses.Count; s++)
        {
            var points = string.Join(' ', series.Points.Select((p, i) => $"{X(i)},{Y(p.Counts[s])}"));
            var color = Colors[s % Colors.Length];
            var status = HtmlEncode(series.Statuses[s]);
            svg.Append(CultureInfo.InvariantCulture, $"<polyline data-status=\"{status}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2.2\" points=\"{points}\"/>");
            var legendY = top + 14 + (s * 20);
            var last = series.Points.Count > 0 ? series.Points[^1].Counts[s] : 0;
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{left + plotW + 16}\" y=\"{legendY - 8}\" width=\"12\" height=\"12\" fill=\"{color}\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left + plotW + 34}\" y=\"{legendY + 2}\" font-size=\"12\" fill=\"#1d232b\">{status} ({last})</text>");
        }

        svg.Append("</svg>\n");
        return svg.ToString();
    }
}
