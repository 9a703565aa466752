using System.Globalization;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using ClaimLedger.Server.Features.Reports;

namespace ClaimLedger.UnitTests.Reports;

/// <summary>The SVG status chart: every series visible and told apart, zero series shown, axes labelled.</summary>
public sealed class StatusChartTests
{
    private static readonly string[] Statuses = ["UNVERIFIED", "IN_REVIEW", "VERIFIED", "STALE", "RETRACTED"];

    private static readonly DateTimeOffset Start = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);

    /// <summary>A one-day series: IN_REVIEW and RETRACTED equal at every point, STALE 0 throughout.</summary>
    private static StatusSeries OneDay()
    {
        var bucket = ChartTimeAxis.BucketFor(TimeSpan.FromDays(1));
        var times = ChartTimeAxis.Boundaries(Start, Start.AddDays(1), bucket);
        var points = times.Select((t, i) => (t, (IReadOnlyList<long>)[10 - (i / 3), 2 + (i % 3), i, 0, 2 + (i % 3)])).ToList();
        return new StatusSeries(Statuses, points, bucket);
    }

    private static IElement Chart(StatusSeries series)
    {
        var document = new HtmlParser().ParseDocument($"<!DOCTYPE html><html><body>{StatusChart.Svg(series)}</body></html>");
        return document.QuerySelector("svg#status-chart").ShouldNotBeNull();
    }

    private static List<(double X, double Y)> Points(IElement polyline) =>
        polyline.GetAttribute("points")!.Split(' ')
            .Select(p => p.Split(','))
            .Select(p => (double.Parse(p[0], CultureInfo.InvariantCulture), double.Parse(p[1], CultureInfo.InvariantCulture)))
            .ToList();

    private static IElement Series(IElement chart, string status) => chart.QuerySelector($"g.series[data-status='{status}']").ShouldNotBeNull();

    [Fact]
    public void EverySeries_IsALine_InItsOwnColourDashAndMarker()
    {
        var chart = Chart(OneDay());

        var lines = chart.QuerySelectorAll("polyline").ToList();
        lines.Select(l => l.GetAttribute("data-status")).ShouldBe(Statuses);
        lines.Select(l => l.GetAttribute("stroke")).Distinct().Count().ShouldBe(5);
        lines.Select(l => l.GetAttribute("stroke-dasharray") ?? "solid").Distinct().Count().ShouldBe(5);
        Statuses.Select(s => Series(chart, s).QuerySelector("path.marker")!.GetAttribute("data-shape")).Distinct().Count().ShouldBe(5);
    }

    [Fact]
    public void EqualSeries_AreDrawnSideBySide_NotOnTopOfEachOther()
    {
        var chart = Chart(OneDay());

        var inReview = Points(Series(chart, "IN_REVIEW").QuerySelector("polyline")!);
        var retracted = Points(Series(chart, "RETRACTED").QuerySelector("polyline")!);

        inReview.Select(p => p.X).ShouldBe(retracted.Select(p => p.X));
        inReview.Zip(retracted).ShouldAllBe(p => Math.Abs(p.First.Y - p.Second.Y) >= StatusChart.LaneGap - 0.1);
        Series(chart, "IN_REVIEW").QuerySelector("polyline")!.GetAttribute("stroke-dasharray")
            .ShouldNotBe(Series(chart, "RETRACTED").QuerySelector("polyline")!.GetAttribute("stroke-dasharray"));
    }

    [Fact]
    public void Spread_MovesOnlySeriesThatWouldCoverEachOther()
    {
        StatusChart.Spread([100, 100, 50, 200]).ShouldBe([100 - (StatusChart.LaneGap / 2), 100 + (StatusChart.LaneGap / 2), 50, 200]);
        StatusChart.Spread([10, 40, 70]).ShouldBe([10, 40, 70]);

        var zeros = StatusChart.Spread([300, 300, 300, 300, 300]);
        zeros.Average().ShouldBe(300, tolerance: 0.001);
        zeros.Zip(zeros.Skip(1)).ShouldAllBe(p => Math.Abs(p.Second - p.First - StatusChart.LaneGap) < 0.001);
    }

    [Fact]
    public void ASeriesAtZeroThroughout_IsDrawnInsideThePlot_AndSaysSoInTheLegend()
    {
        var chart = Chart(OneDay());
        var plot = chart.QuerySelector("rect")!;
        var bottom = double.Parse(plot.GetAttribute("y")!, CultureInfo.InvariantCulture) + double.Parse(plot.GetAttribute("height")!, CultureInfo.InvariantCulture);
        var zeroLine = double.Parse(chart.QuerySelector("g.y-axis text.tick[data-value='0']")!.GetAttribute("y")!, CultureInfo.InvariantCulture);

        var stale = Series(chart, "STALE");
        stale.GetAttribute("data-zero").ShouldBe("true");
        var points = Points(stale.QuerySelector("polyline")!);
        points.ShouldAllBe(p => p.Y < bottom && Math.Abs(p.Y - zeroLine) <= 2 * StatusChart.LaneGap);
        stale.QuerySelectorAll("path.marker").Length.ShouldBeGreaterThan(0);
        chart.QuerySelector("g.legend-entry[data-status='STALE'] text.note")!.TextContent.ShouldBe("0 throughout");
        chart.QuerySelectorAll("g.legend-entry text.note").Length.ShouldBe(1);
    }

    [Fact]
    public void AStatusHeldOnlyBetweenPoints_IsNotCalledZeroThroughout()
    {
        var series = OneDay() with { Peaks = [10, 4, 24, 2, 4] };

        var chart = Chart(series);

        Series(chart, "STALE").GetAttribute("data-zero").ShouldBe("false");
        chart.QuerySelector("g.legend-entry[data-status='STALE'] text.note")!.TextContent.ShouldBe("peak 2 between points");
        chart.QuerySelectorAll("g.legend-entry text.note").Length.ShouldBe(1);
    }

    [Fact]
    public void AllSeriesAtZero_AreStillFiveDistinctLines()
    {
        var bucket = ChartTimeAxis.BucketFor(TimeSpan.FromDays(1));
        var series = new StatusSeries(Statuses,
            ChartTimeAxis.Boundaries(Start, Start.AddDays(1), bucket).Select(t => (t, (IReadOnlyList<long>)[0, 0, 0, 0, 0])).ToList(), bucket);

        var chart = Chart(series);

        chart.QuerySelectorAll("polyline").Select(l => Points(l)[0].Y).Distinct().Count().ShouldBe(5);
        chart.QuerySelectorAll("g.legend-entry text.note").Length.ShouldBe(5);
    }

    [Fact]
    public void TheLegend_NamesEverySeries_WithItsStyleAndLatestValue()
    {
        var series = OneDay();
        var chart = Chart(series);
        var last = series.Points[^1].Counts;

        var entries = chart.QuerySelectorAll("g.legend-entry").ToList();
        entries.Select(e => e.QuerySelector("text.name")!.TextContent).ShouldBe(Statuses);
        entries.Select(e => e.QuerySelector("text.value")!.TextContent).ShouldBe(last.Select(c => c.ToString(CultureInfo.InvariantCulture)));
        for (var s = 0; s < Statuses.Length; s++)
        {
            var line = chart.QuerySelectorAll("polyline")[s];
            var sample = entries[s].QuerySelector("line")!;
            sample.GetAttribute("stroke").ShouldBe(line.GetAttribute("stroke"));
            sample.GetAttribute("stroke-dasharray").ShouldBe(line.GetAttribute("stroke-dasharray"));
            entries[s].QuerySelector("path.marker")!.GetAttribute("data-shape").ShouldBe(Series(chart, Statuses[s]).QuerySelector("path.marker")!.GetAttribute("data-shape"));
        }
    }

    [Fact]
    public void TheAxes_HaveHourLabelsForADay_AndRoundYTicks()
    {
        var chart = Chart(OneDay());

        chart.GetAttribute("data-bucket").ShouldBe("PT1H");
        var labels = chart.QuerySelectorAll("g.x-axis g.tick text.label").Select(t => t.TextContent).ToList();
        labels.Count.ShouldBeGreaterThanOrEqualTo(4);
        labels.ShouldAllBe(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^\d\d:\d\d$"));
        chart.QuerySelector("g.x-axis g.tick text.context")!.TextContent.ShouldBe("5 Jan 2026");
        chart.QuerySelectorAll("g.y-axis text.tick").Select(t => long.Parse(t.GetAttribute("data-value")!, CultureInfo.InvariantCulture))
            .ShouldBe([0, 5, 10, 15, 20, 25]); // highest value 24: VERIFIED at the last of 25 points
    }

    [Fact]
    public void PointsSitAtTheirTimes_SoPartialBucketsAreNarrower()
    {
        var start = Start.AddMinutes(40);
        var bucket = ChartTimeAxis.BucketFor(TimeSpan.FromDays(1));
        var series = new StatusSeries(Statuses,
            ChartTimeAxis.Boundaries(start, start.AddDays(1), bucket).Select(t => (t, (IReadOnlyList<long>)[1, 1, 1, 1, 1])).ToList(), bucket);

        var xs = Points(Chart(series).QuerySelector("polyline")!).Select(p => p.X).ToList();

        var first = xs[1] - xs[0];
        var full = xs[2] - xs[1];
        (first / full).ShouldBe(20.0 / 60, tolerance: 0.02);
    }
}
