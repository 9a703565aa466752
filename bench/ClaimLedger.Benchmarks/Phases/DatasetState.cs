using ClaimLedger.Benchmarks.Dataset;

namespace ClaimLedger.Benchmarks.Phases;

/// <summary>What the clients have recorded on the server so far: the source pool and every claim created.</summary>
public sealed class DatasetState(DatasetGenerator generator, string runId)
{
    private readonly List<string> _claims = [];
    private long _nextIndex = -1;

    public DatasetGenerator Generator { get; } = generator;

    /// <summary>Distinguishes this run's request ids from any other run's.</summary>
    public string RunId { get; } = runId;

    public IReadOnlyList<string> SourceNames { get; set; } = [];

    public long ClaimCount
    {
        get
        {
            lock (_claims)
            {
                return _claims.Count;
            }
        }
    }

    /// <summary>The next unused generator index (indexes of rejected or failed claims are not reused).</summary>
    public long NextClaimIndex() => Interlocked.Increment(ref _nextIndex);

    public void AddClaim(string name)
    {
        lock (_claims)
        {
            _claims.Add(name);
        }
    }

    public string[] SnapshotClaims()
    {
        lock (_claims)
        {
            return [.. _claims];
        }
    }
}
