#if POSTGRESQL
using System.Diagnostics;
using ClaimLedger.IntegrationTests.Crash;
using ClaimLedger.IntegrationTests.Infrastructure;

namespace ClaimLedger.IntegrationTests.Cluster;

/// <summary>N instances, each its own process and data directory, all on the database of the first.</summary>
public sealed class TestCluster : IAsyncDisposable
{
    private readonly List<string> _directories = [];

    public List<ServerProcess> Instances { get; } = [];

    public string SchedulerName { get; } = "cluster-" + Guid.NewGuid().ToString("N")[..8];

    public string Database => Path.Combine(_directories[0], "claimledger.db");

    public string FirstDirectory => _directories[0];

    public ServerProcess this[int i] => Instances[i];

    /// <summary>Starts instance 0 (which creates the admin key), then the others.</summary>
    public static async Task<TestCluster> StartAsync(int count, Action<ProcessStartInfo, int>? configure = null)
    {
        var cluster = new TestCluster();
        try
        {
            for (var i = 0; i < count; i++)
            {
                await cluster.AddAsync(configure);
            }

            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    public async Task<ServerProcess> AddAsync(Action<ProcessStartInfo, int>? configure = null)
    {
        var i = _directories.Count;
        var directory = Path.Combine(Path.GetTempPath(), "claimledger-tests", $"cluster-{i}-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        _directories.Add(directory);
        if (i > 0)
        {
            TestEngine.Adopt(directory, TestEngine.ConnectionStringFor(_directories[0]));
        }

        var instance = await ServerProcess.StartAsync(directory, start =>
        {
            start.Environment["Staleness__SchedulerName"] = SchedulerName; // one clustered scheduler
            start.Environment["Logging__LogLevel__ClaimLedger.Server.Features.Staleness"] = "Information";
            configure?.Invoke(start, i);
        }, adminKeyDirectory: _directories[0]);
        Instances.Add(instance);
        return instance;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var instance in Instances)
        {
            await instance.DisposeAsync();
        }

        foreach (var directory in _directories.Skip(1))
        {
            TestEngine.Release(directory);
        }

        if (_directories.Count > 0)
        {
            TestEngine.Forget(_directories[0]);
        }

        foreach (var directory in _directories.Where(Directory.Exists))
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
#endif
