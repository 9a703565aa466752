namespace ClaimLedger.UnitTests.Benchmarks;

/// <summary>
/// How the benchmark grows its dataset: with allow_duplicate unless <c>--load-check-duplicates</c> asks for the server's
/// near-duplicate check on every loaded claim (the CreateClaim phase always checks). <c>--load-allow-duplicates</c> names
/// the default, so the commands of earlier runs still parse.
/// </summary>
public sealed class LoadDuplicatesOptionTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ByDefault_OrAskedByName_TheLoadAllowsDuplicates(bool named)
    {
        var (exit, options) = named
            ? await BenchmarkCommandLine.ParseAsync("--sizes", "20000", "--load-allow-duplicates")
            : await BenchmarkCommandLine.ParseAsync("--sizes", "20000");

        exit.ShouldBe(0);
        options!.LoadAllowDuplicates.ShouldBeTrue();
    }

    [Fact]
    public async Task AskedToCheck_TheLoadChecksEveryClaim()
    {
        var (exit, options) = await BenchmarkCommandLine.ParseAsync("--sizes", "20000", "--load-check-duplicates");

        exit.ShouldBe(0);
        options!.LoadAllowDuplicates.ShouldBeFalse();
    }

    [Fact]
    public async Task BothAskedFor_IsRefused()
    {
        var (exit, options) = await BenchmarkCommandLine.ParseAsync("--sizes", "20000", "--load-allow-duplicates", "--load-check-duplicates");

        exit.ShouldBe(2);
        options.ShouldBeNull();
    }
}
