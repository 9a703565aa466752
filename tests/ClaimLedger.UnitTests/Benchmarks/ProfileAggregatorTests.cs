using ClaimLedger.Benchmarks.Reporting;
using ClaimLedger.Benchmarks.Server;

namespace ClaimLedger.UnitTests.Benchmarks;

/// <summary>
/// The benchmark's <c>--profile</c> summary (ADR 28) from <c>perf script -F comm,pid,tid,ip,sym,dso</c> output in the
/// shapes perf prints on this machine: a header per sample ("comm pid/tid", comm may hold spaces), then its call chain
/// innermost first, JIT-compiled frames named by the runtime's perf map, native frames by their library (a memfd the
/// JIT double-maps shows as "(deleted)").
/// </summary>
public sealed class ProfileAggregatorTests
{
    private const int Server = 4100;
    private const int Benchmark = 4000;

    private const string Script = """
        .NET TP Worker 4100/4117 
        	          8f1c2a sqlite3VdbeExec+0x1a2 (/app/libe_sqlite3.so)
        	          7f00aa instance class [System.Runtime]System.Threading.Tasks.Task`1<!0> [ClaimLedger.Server] ClaimLedger.Server.Infrastructure.Data.DbSession+<RunAsync>d__38`1[System.__Canon]::MoveNext()[OptimizedTier1] (/tmp/perf-4100.map)
        	          7f00bb instance void [ClaimLedger.Server] ClaimLedger.Server.Features.Claims.GetClaim+Handler::Handle(class ClaimLedger.Server.Features.Claims.GetClaim+Query)[OptimizedTier1] (/tmp/perf-4100.map)

        .NET TP Worker 4100/4118 
        	          7f00cc instance void [ClaimLedger.Server] ClaimLedger.Server.Features.Ledger.ClaimFold::Add(class ClaimLedger.Server.Features.Ledger.FoldEntry)[OptimizedTier1] (/tmp/perf-4100.map)
        	          7f00dd void [System.Private.CoreLib] System.Threading.ExecutionContext::RunInternal(class System.Threading.ExecutionContext)[OptimizedTier1] (/tmp/perf-4100.map)

        .NET TP Worker 4100/4119 
        	          3bdaba [unknown] (/usr/share/dotnet/shared/Microsoft.NETCore.App/10.0.12/libcoreclr.so)
        	          7f00ee instance void [System.Private.CoreLib] System.Threading.Tasks.Task::RunContinuations(object)[OptimizedTier1] (/tmp/perf-4100.map)

        .NET TP Worker 4100/4120 
        	          51aa00 [unknown] (/memfd:doublemapper (deleted))

        postgres 5100/5100 
        	          6d1000 hash_search_with_hash_value+0x30 (/usr/lib/postgresql/15/bin/postgres)
        	          6d2000 [unknown] (/usr/lib/postgresql/15/bin/postgres)

        .NET TP Worker 4000/4003 
        	          7f0100 instance void [Grpc.Net.Client] Grpc.Net.Client.Internal.GrpcCall`2[System.__Canon,System.__Canon]::RunCall()[OptimizedTier1] (/tmp/perf-4000.map)

        swapper     0/0 
        	          ffffffff8100 pv_native_safe_halt+0xb ([kernel.kallsyms])

        kworker/1:1 77/77 
        	          ffffffff8200 worker_thread+0x10 ([kernel.kallsyms])

        """;

    private static ProfileAggregator Aggregate()
    {
        var aggregator = new ProfileAggregator(new HashSet<int> { Server }, Benchmark);
        foreach (var line in Script.Split('\n'))
        {
            aggregator.Add(line.TrimEnd('\r'));
        }

        return aggregator;
    }

    private static double Share(IReadOnlyList<ProfileShare> shares, string name) =>
        shares.Single(s => s.Name == name).Percent;

    [Fact]
    public void SamplesAreCountedPerProcess_AsPercentsOfAllSamples()
    {
        var profile = Aggregate().ToProfile("GetClaim", 5);

        Assert.Equal(8, profile.Samples);
        Assert.Equal(50.0, Share(profile.Processes, ProfileAggregator.ServerName));
        Assert.Equal(12.5, Share(profile.Processes, ProfileAggregator.PostgresName));
        Assert.Equal(12.5, Share(profile.Processes, "benchmark clients"));
        Assert.Equal(12.5, Share(profile.Processes, "idle"));
        Assert.Equal(12.5, Share(profile.Processes, "other"));
        Assert.Equal(100.0, profile.Processes.Sum(p => p.Percent), 6);
    }

    [Fact]
    public void ServerSamples_AreSplitByTheLibraryOfTheirInnermostFrame()
    {
        var profile = Aggregate().ToProfile("GetClaim", 5);

        Assert.Equal(12.5, Share(profile.ServerCode, "SQLite engine"));
        Assert.Equal(12.5, Share(profile.ServerCode, "runtime (GC, allocation, stubs)"));
        // One from the perf map, one from the JIT's double-mapped memfd.
        Assert.Equal(25.0, Share(profile.ServerCode, "JIT-compiled .NET code"));
        Assert.Contains(profile.ServerFunctions, f => f.Name == "sqlite3VdbeExec (libe_sqlite3.so)");
        Assert.Contains(profile.ServerFunctions, f => f.Name == "ClaimFold.Add");
    }

    [Fact]
    public void EachServerSample_IsAttributedToItsInnermostClaimLedgerMethodAndManagedAssembly()
    {
        var profile = Aggregate().ToProfile("GetClaim", 5);

        // The SQLite sample: its innermost ClaimLedger frame is the state machine of DbSession.RunAsync, not the handler
        // further out, and its return type's assembly ([System.Runtime]) is not the method's.
        Assert.Equal(12.5, Share(profile.ServerMethods, "DbSession.RunAsync"));
        Assert.DoesNotContain(profile.ServerMethods, m => m.Name.StartsWith("GetClaim", StringComparison.Ordinal));
        Assert.Equal(12.5, Share(profile.ServerMethods, "ClaimFold.Add"));
        Assert.Equal(25.0, Share(profile.ServerMethods, "(no ClaimLedger frame on the stack)"));
        Assert.Equal(25.0, Share(profile.ServerAssemblies!, "ClaimLedger.Server"));
        Assert.Equal(12.5, Share(profile.ServerAssemblies!, "System.Private.CoreLib"));
        Assert.DoesNotContain(profile.ServerAssemblies!, a => a.Name == "System.Runtime");
        // The benchmark's own .NET frames are not the server's.
        Assert.DoesNotContain(profile.ServerAssemblies!, a => a.Name == "Grpc.Net.Client");
    }

    [Fact]
    public void PostgresSamples_KeepTheirInnermostFunction()
    {
        var profile = Aggregate().ToProfile("SearchClaims", 5);

        Assert.Equal([new("hash_search_with_hash_value", 12.5)], profile.PostgresFunctions);
    }

    [Theory]
    [InlineData("instance void [ClaimLedger.Server] ClaimLedger.Server.Infrastructure.Behaviors.ValidationBehavior`2+<Handle>d__2[System.__Canon,System.__Canon]::MoveNext()[OptimizedTier1]",
        "ClaimLedger.Server", "ValidationBehavior.Handle")]
    [InlineData("instance class [System.Runtime]System.Threading.Tasks.Task`1<!0> [ClaimLedger.Server] ClaimLedger.Server.Infrastructure.Data.DbSession+<>c__DisplayClass37_0`1[System.__Canon]::<QueryAsync>b__0(class System.Data.Common.DbConnection)[OptimizedTier1]",
        "ClaimLedger.Server", "DbSession.QueryAsync (lambda)")]
    [InlineData("bool [System.Private.CoreLib] System.Threading.ThreadPoolWorkQueue::Dispatch()[OptimizedTier1]",
        "System.Private.CoreLib", "ThreadPoolWorkQueue.Dispatch")]
    [InlineData("int32 [ClaimLedger.Server] dynamicClass::IL_STUB_PInvoke(native int)[Optimized]", "ClaimLedger.Server", "dynamicClass.IL_STUB_PInvoke")]
    public void PerfMapNames_AreShortenedToTypeAndMethod(string symbol, string assembly, string shortName)
    {
        var frame = ManagedFrame.Parse(symbol);

        Assert.NotNull(frame);
        Assert.Equal(assembly, frame.Assembly);
        Assert.Equal(shortName, frame.ShortName);
    }

    [Theory]
    [InlineData("sqlite3VdbeExec")]
    [InlineData("[unknown]")]
    [InlineData("")]
    public void NativeSymbols_AreNotManagedFrames(string symbol) => Assert.Null(ManagedFrame.Parse(symbol));
}
