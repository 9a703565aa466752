namespace ClaimLedger.UnitTests.Benchmarks;

/// <summary>
/// <c>--sweep-claims</c>: the staleness sweep's due claims at every size, so the goal's 10,000-claim sweep can be
/// measured in quick mode; without it, 1% of the size and at least 100.
/// </summary>
public sealed class SweepClaimsOptionTests
{
    [Theory]
    [InlineData(1_000L, 100)]
    [InlineData(20_000L, 200)]
    [InlineData(1_000_000L, 10_000)]
    public async Task WithoutTheOption_TheSweepIsOnePercentOfTheSize_AtLeast100(long size, int expected)
    {
        var (exit, options) = await BenchmarkCommandLine.ParseAsync("--sizes", size.ToString(System.Globalization.CultureInfo.InvariantCulture));

        exit.ShouldBe(0);
        options!.DueClaims(size).ShouldBe(expected);
    }

    [Fact]
    public async Task WithTheOption_EverySizeSweepsThatMany()
    {
        var (exit, options) = await BenchmarkCommandLine.ParseAsync("--sizes", "20000,100000", "--sweep-claims", "10000");

        exit.ShouldBe(0);
        options!.DueClaims(20_000).ShouldBe(10_000);
        options.DueClaims(100_000).ShouldBe(10_000);
    }

    [Fact]
    public async Task ANegativeCount_IsRefusedBeforeAnythingRuns()
    {
        var (exit, options) = await BenchmarkCommandLine.ParseAsync("--sizes", "20000", "--sweep-claims", "-5");

        exit.ShouldBe(2);
        options.ShouldBeNull();
    }
}
