using System.Globalization;
using ClaimLedger.Server.Features.Reports;

namespace ClaimLedger.UnitTests.Reports;

/// <summary>The status chart's time axis: bucket per period length, UTC-aligned boundaries with partial ends, and labels.</summary>
public sealed class ChartTimeAxisTests
{
    private static readonly DateTimeOffset Monday = new(2026, 1, 5, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(0.25, ChartUnit.Minute, 1)]        // 15 minutes
    [InlineData(1, ChartUnit.Minute, 1)]
    [InlineData(5, ChartUnit.Minute, 5)]
    [InlineData(10, ChartUnit.Minute, 15)]
    [InlineData(24, ChartUnit.Hour, 1)]            // a day: hours
    [InlineData(48, ChartUnit.Hour, 1)]
    [InlineData(96, ChartUnit.Hour, 1)]
    [InlineData(24 * 7, ChartUnit.Day, 1)]
    [InlineData(24 * 31, ChartUnit.Day, 1)]        // a month: days
    [InlineData(24 * 92, ChartUnit.Day, 1)]
    [InlineData(24 * 93, ChartUnit.Week, 1)]
    [InlineData(24 * 366, ChartUnit.Week, 1)]      // a year: weeks
    public void BucketFor_ChoosesTheUnitFromThePeriodLength(double hours, ChartUnit unit, int count)
    {
        ChartTimeAxis.BucketFor(TimeSpan.FromHours(hours)).ShouldBe(new ChartBucket(unit, count));
    }

    [Fact]
    public void BucketFor_APeriodTooLongForWeeks_WidensTheBucketToStayUnderTheLimit()
    {
        var bucket = ChartTimeAxis.BucketFor(TimeSpan.FromDays(3650));

        bucket.Unit.ShouldBe(ChartUnit.Week);
        bucket.Count.ShouldBeGreaterThan(1);
        ChartTimeAxis.Boundaries(Monday, Monday.AddDays(3650), bucket).Count.ShouldBeLessThanOrEqualTo(ChartTimeAxis.MaxBuckets + 1);
    }

    [Fact]
    public void Boundaries_OfADayStartingOffTheHour_AreWholeUtcHours_WithPartialFirstAndLastBuckets()
    {
        var start = new DateTimeOffset(2026, 1, 5, 9, 17, 30, TimeSpan.Zero);
        var end = start.AddDays(1);

        var times = ChartTimeAxis.Boundaries(start, end, ChartTimeAxis.BucketFor(end - start));

        times[0].ShouldBe(start);
        times[1].ShouldBe(new DateTimeOffset(2026, 1, 5, 10, 0, 0, TimeSpan.Zero));
        times[^2].ShouldBe(new DateTimeOffset(2026, 1, 6, 9, 0, 0, TimeSpan.Zero));
        times[^1].ShouldBe(end);
        times.Count.ShouldBe(26); // start, 10:00 … 09:00 (24 boundaries), end
        times.Skip(1).SkipLast(1).ShouldAllBe(t => t.Minute == 0 && t.Second == 0);
    }

    [Fact]
    public void Boundaries_OfAnAlignedDay_HaveNoPartialBuckets()
    {
        var times = ChartTimeAxis.Boundaries(Monday, Monday.AddDays(1), new ChartBucket(ChartUnit.Hour, 1));

        times.Count.ShouldBe(25);
        times.Zip(times.Skip(1)).ShouldAllBe(p => p.Second - p.First == TimeSpan.FromHours(1));
    }

    [Fact]
    public void Boundaries_InATimeZoneOffset_AreStillUtcBoundaries()
    {
        var start = new DateTimeOffset(2026, 3, 1, 8, 30, 0, TimeSpan.FromHours(5.5));
        var end = start.AddDays(30);

        var times = ChartTimeAxis.Boundaries(start, end, ChartTimeAxis.BucketFor(end - start));

        times.Skip(1).SkipLast(1).ShouldAllBe(t => t.UtcDateTime.TimeOfDay == TimeSpan.Zero);
    }

    [Fact]
    public void Boundaries_OfAYear_AreMondays()
    {
        var start = new DateTimeOffset(2025, 3, 12, 15, 0, 0, TimeSpan.Zero);
        var end = start.AddDays(365);

        var times = ChartTimeAxis.Boundaries(start, end, ChartTimeAxis.BucketFor(end - start));

        times.Skip(1).SkipLast(1).ShouldAllBe(t => t.UtcDateTime.DayOfWeek == DayOfWeek.Monday && t.UtcDateTime.TimeOfDay == TimeSpan.Zero);
        times[1].ShouldBe(new DateTimeOffset(2025, 3, 17, 0, 0, 0, TimeSpan.Zero));
        times.Count.ShouldBe(54);
    }

    [Fact]
    public void Labels_OfADay_AreHoursWithTheDateWhereItChanges()
    {
        var start = new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);
        var end = start.AddDays(1);

        var labels = ChartTimeAxis.Labels(start, end, ChartTimeAxis.BucketFor(end - start));

        labels.Count.ShouldBeInRange(ChartTimeAxis.MinLabels, ChartTimeAxis.MaxLabels);
        labels.ShouldAllBe(l => System.Text.RegularExpressions.Regex.IsMatch(l.Text, @"^\d\d:\d\d$"));
        labels.Select(l => l.Text).ShouldBe(["09:00", "12:00", "15:00", "18:00", "21:00", "00:00", "03:00", "06:00", "09:00"]);
        labels.Where(l => l.Context is not null).Select(l => l.Context).ShouldBe(["5 Jan 2026", "6 Jan"]);
    }

    [Fact]
    public void Labels_OverNewYear_NameTheNewYear()
    {
        var start = new DateTimeOffset(2025, 12, 30, 12, 0, 0, TimeSpan.Zero);

        var labels = ChartTimeAxis.Labels(start, start.AddDays(3), ChartTimeAxis.BucketFor(TimeSpan.FromDays(3)));

        labels.Where(l => l.Context is not null).Select(l => l.Context).ShouldBe(["30 Dec 2025", "31 Dec", "1 Jan 2026", "2 Jan"]);
    }

    [Fact]
    public void Labels_OfAMonth_AreDates_WithTheYearOnce()
    {
        var start = new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);
        var end = start.AddDays(30);

        var labels = ChartTimeAxis.Labels(start, end, ChartTimeAxis.BucketFor(end - start));

        labels.Count.ShouldBeInRange(ChartTimeAxis.MinLabels, ChartTimeAxis.MaxLabels);
        labels.ShouldAllBe(l => l.Time.UtcDateTime.TimeOfDay == TimeSpan.Zero);
        labels[0].Text.ShouldBe(labels[0].Time.UtcDateTime.ToString("d MMM", CultureInfo.InvariantCulture));
        labels.Where(l => l.Context is not null).Select(l => l.Context).ShouldBe(["2026"]);
    }

    [Fact]
    public void Labels_OfAYear_AreWeekStarts()
    {
        var start = new DateTimeOffset(2025, 6, 1, 0, 0, 0, TimeSpan.Zero);
        var end = start.AddDays(365);

        var labels = ChartTimeAxis.Labels(start, end, ChartTimeAxis.BucketFor(end - start));

        labels.Count.ShouldBeInRange(ChartTimeAxis.MinLabels, ChartTimeAxis.MaxLabels);
        labels.ShouldAllBe(l => l.Time.UtcDateTime.DayOfWeek == DayOfWeek.Monday && l.Time.UtcDateTime.TimeOfDay == TimeSpan.Zero);
        labels.Where(l => l.Context is not null).Select(l => l.Context).ShouldBe(["2025", "2026"]);
    }

    /// <summary>Every period the report accepts, from minutes to 366 days, starting anywhere: 4 to 10 labels, inside it, in order, on boundaries.</summary>
    [Fact]
    public void Labels_ForAnyPeriod_AreBetweenFourAndTen_InsideThePeriod_OnBucketBoundaries()
    {
        var random = new Random(20260105);
        for (var i = 0; i < 2000; i++)
        {
            var start = Monday.AddMinutes(random.Next(0, 60 * 24 * 400)).AddSeconds(random.Next(0, 60));
            var period = TimeSpan.FromMinutes(Math.Exp(random.NextDouble() * Math.Log(60 * 24 * 366 / 4.0)) * 4); // 4 min … 366 days
            var end = start + period;
            var bucket = ChartTimeAxis.BucketFor(period);

            var labels = ChartTimeAxis.Labels(start, end, bucket);
            var boundaries = ChartTimeAxis.Boundaries(start, end, bucket);

            labels.Count.ShouldBeInRange(ChartTimeAxis.MinLabels, ChartTimeAxis.MaxLabels, $"{start:o} + {period}");
            labels.ShouldAllBe(l => l.Time >= start && l.Time <= end);
            labels.Zip(labels.Skip(1)).ShouldAllBe(p => p.First.Time < p.Second.Time);
            labels.ShouldAllBe(l => boundaries.Contains(l.Time));
            labels[0].Context.ShouldNotBeNull();
            boundaries.Count.ShouldBeLessThanOrEqualTo(ChartTimeAxis.MaxBuckets + 1);
        }
    }

    [Fact]
    public void Labels_ForAPeriodOfSeconds_AreFourTimesToTheSecond()
    {
        var start = new DateTimeOffset(2026, 1, 5, 9, 0, 10, TimeSpan.Zero);

        var labels = ChartTimeAxis.Labels(start, start.AddSeconds(90), ChartTimeAxis.BucketFor(TimeSpan.FromSeconds(90)));

        labels.Select(l => l.Text).ShouldBe(["09:00:10", "09:00:40", "09:01:10", "09:01:40"]);
    }

    [Theory]
    [InlineData(0, 1, 1)]
    [InlineData(1, 1, 1)]
    [InlineData(3, 1, 3)]
    [InlineData(7, 2, 8)]
    [InlineData(13, 5, 15)]
    [InlineData(999, 200, 1000)]
    [InlineData(1_000_000, 200_000, 1_000_000)]
    [InlineData(1_234_567, 500_000, 1_500_000)]
    public void YScale_UsesRoundSteps(long highest, long step, long max)
    {
        StatusChart.YScale(highest).ShouldBe((step, max));
    }

    [Theory]
    [InlineData(0, 1_000_000, "0")]
    [InlineData(400_000, 1_000_000, "400k")]
    [InlineData(2_500_000, 3_000_000, "2.5M")]
    [InlineData(1500, 2000, "1,500")]
    public void YLabel_IsCompactForLargeScales(long value, long max, string text)
    {
        StatusChart.YLabel(value, max).ShouldBe(text);
    }
}
