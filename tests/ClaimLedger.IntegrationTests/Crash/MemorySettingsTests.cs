using ClaimLedger.IntegrationTests.Infrastructure;

namespace ClaimLedger.IntegrationTests.Crash;

/// <summary>
/// The real server process's memory settings (ADR 27): the workstation garbage collector and at most two native heap
/// arenas by default, each changeable by the operator, and the start-up log says which are in force.
/// </summary>
public sealed class MemorySettingsTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "claimledger-tests", "memory-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task ByDefault_TheWorkstationCollector_AndTwoNativeHeapArenas()
    {
        var output = await StartupOutputAsync(_ => { });

        output.ShouldContain("Memory: workstation garbage collector; native heap arenas at most 2");
    }

    [Fact]
    public async Task TheOperator_CanTurnTheServerCollectorOn_AndLeaveTheArenasToTheCLibrary()
    {
        var output = await StartupOutputAsync(s =>
        {
            s.Environment["DOTNET_gcServer"] = "1";
            s.Environment["Server__NativeHeapArenas"] = "0";
        });

        output.ShouldContain("Memory: server garbage collector; native heap arenas the C library's default");
    }

    [Fact]
    public async Task TheStartUpLog_SaysWhichFirstGenerationBudgetIsInForce()
    {
        var unset = await StartupOutputAsync(s => s.Environment.Remove("DOTNET_GCgen0size"));
        var set = await StartupOutputAsync(s => s.Environment["DOTNET_GCgen0size"] = "0x2000000");

        unset.ShouldContain("first-generation budget the runtime's own");
        set.ShouldContain("first-generation budget 32 MiB (DOTNET_GCgen0size)");
    }

    [Fact]
    public async Task TheOperator_CanChooseTheArenaCap()
    {
        var output = await StartupOutputAsync(s => s.Environment["Server__NativeHeapArenas"] = "4");

        output.ShouldContain("native heap arenas at most 4");
    }

    private async Task<string> StartupOutputAsync(Action<System.Diagnostics.ProcessStartInfo> configure)
    {
        await using var server = await ServerProcess.StartAsync(_directory, s =>
        {
            s.Environment["Logging__LogLevel__ClaimLedger.Server"] = "Information";
            configure(s);
        });
        await StalenessDriver.EventuallyAsync(() => Task.FromResult(server.Output), o => o.Contains("Memory: ", StringComparison.Ordinal),
            TimeSpan.FromSeconds(20), "the start-up line on memory");
        return server.Output;
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
