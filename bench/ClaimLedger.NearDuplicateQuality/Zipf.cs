namespace ClaimLedger.NearDuplicateQuality;

/// <summary>Draws ranks 0..n-1 with probability proportional to 1 / (rank + 1)^exponent (Zipf's law).</summary>
public sealed class Zipf
{
    private readonly double[] _cumulative;

    public Zipf(int n, double exponent)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        _cumulative = new double[n];
        var sum = 0.0;
        for (var rank = 0; rank < n; rank++)
        {
            sum += 1.0 / Math.Pow(rank + 1, exponent);
            _cumulative[rank] = sum;
        }

        for (var rank = 0; rank < n; rank++)
        {
            _cumulative[rank] /= sum;
        }
    }

    public int Count => _cumulative.Length;

    /// <summary>The share of all draws that fall on ranks [0, rank].</summary>
    public double CumulativeShare(int rank) => _cumulative[rank];

    public int Next(Random random)
    {
        var index = Array.BinarySearch(_cumulative, random.NextDouble());
        return Math.Min(index >= 0 ? index : ~index, _cumulative.Length - 1);
    }
}
