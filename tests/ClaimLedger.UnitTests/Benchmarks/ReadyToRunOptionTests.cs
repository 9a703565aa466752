using ClaimLedger.Benchmarks;

namespace ClaimLedger.UnitTests.Benchmarks;

/// <summary>
/// <c>--ready-to-run</c>: the benchmark runs the server as published with ReadyToRun (code compiled ahead of time)
/// rather than the Release build whose code the JIT compiles on first use; off unless asked for.
/// </summary>
public sealed class ReadyToRunOptionTests
{
    private static async Task<(int Exit, BenchmarkOptions? Options)> ParseAsync(params string[] args)
    {
        BenchmarkOptions? parsed = null;
        var exit = await BenchmarkOptions.BuildCommand((options, _) =>
        {
            parsed = options;
            return Task.FromResult(0);
        }).Parse(args).InvokeAsync(new System.CommandLine.InvocationConfiguration { Error = TextWriter.Null, Output = TextWriter.Null });
        return (exit, parsed);
    }

    [Fact]
    public async Task WithoutTheOption_TheReleaseBuildRuns()
    {
        var (exit, options) = await ParseAsync("--sizes", "20000");

        exit.ShouldBe(0);
        options!.ReadyToRun.ShouldBeFalse();
    }

    [Fact]
    public async Task WithTheOption_ThePublishedServerRuns()
    {
        var (exit, options) = await ParseAsync("--sizes", "20000", "--ready-to-run");

        exit.ShouldBe(0);
        options!.ReadyToRun.ShouldBeTrue();
    }
}
