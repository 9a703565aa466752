using ClaimLedger.Benchmarks;

namespace ClaimLedger.UnitTests.Benchmarks;

/// <summary>Parses a benchmark command line as the benchmark does, without running anything.</summary>
internal static class BenchmarkCommandLine
{
    /// <summary>The exit code, and the options the run would have been given (null when parsing refused the line).</summary>
    public static async Task<(int Exit, BenchmarkOptions? Options)> ParseAsync(params string[] args)
    {
        BenchmarkOptions? parsed = null;
        var exit = await BenchmarkOptions.BuildCommand((options, _) =>
        {
            parsed = options;
            return Task.FromResult(0);
        }).Parse(args).InvokeAsync(new System.CommandLine.InvocationConfiguration { Error = TextWriter.Null, Output = TextWriter.Null });
        return (exit, parsed);
    }
}
