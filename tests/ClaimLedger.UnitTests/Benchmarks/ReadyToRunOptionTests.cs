namespace ClaimLedger.UnitTests.Benchmarks;

/// <summary>
/// <c>--ready-to-run</c>: the benchmark runs the server as published with ReadyToRun (code compiled ahead of time)
/// rather than the Release build whose code the JIT compiles on first use; off unless asked for.
/// </summary>
public sealed class ReadyToRunOptionTests
{
    [Fact]
    public async Task WithoutTheOption_TheReleaseBuildRuns()
    {
        var (exit, options) = await BenchmarkCommandLine.ParseAsync("--sizes", "20000");

        exit.ShouldBe(0);
        options!.ReadyToRun.ShouldBeFalse();
    }

    [Fact]
    public async Task WithTheOption_ThePublishedServerRuns()
    {
        var (exit, options) = await BenchmarkCommandLine.ParseAsync("--sizes", "20000", "--ready-to-run");

        exit.ShouldBe(0);
        options!.ReadyToRun.ShouldBeTrue();
    }
}
