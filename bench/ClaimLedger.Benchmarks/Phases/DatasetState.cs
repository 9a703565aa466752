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

    /// <summary>
    /// An independent copy (claims, next index, sources): each engine that starts from a carried dataset records its
    /// own claims on top of the state the dataset was kept with, not on another engine's.
    /// </summary>
    public DatasetState Copy()
    {
        var copy = new DatasetState(Generator, RunId) { SourceNames = SourceNames };
        lock (_claims)
        {
            copy._claims.AddRange(_claims);
        }

        copy._nextIndex = Interlocked.Read(ref _nextIndex);
        return copy;
    }

    public string[] SnapshotClaims()
    {
        lock (_claims)
        {
            return [.. _claims];
        }
    }
}
