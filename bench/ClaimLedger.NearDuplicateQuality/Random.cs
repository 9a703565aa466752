namespace ClaimLedger.NearDuplicateQuality;

/// <summary>A <see cref="Random"/> with a 64-bit seed (SplitMix64): the same sequence on every platform and runtime.</summary>
internal sealed class SplitMix(ulong seed) : Random
{
    private ulong _state = seed;

    public override int Next() => (int)(NextUInt64() >> 33);

    public override int Next(int maxValue) => (int)Below((ulong)maxValue);

    public override int Next(int minValue, int maxValue) => (int)(minValue + (long)Below((ulong)((long)maxValue - minValue)));

    public override double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    protected override double Sample() => NextDouble();

    private ulong Below(ulong bound) => bound == 0 ? 0 : (ulong)((UInt128)NextUInt64() * bound >> 64);

    private ulong NextUInt64()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}

/// <summary>Draws ranks 0..n-1 with probability proportional to 1 / (rank + 1)^exponent (Zipf's law).</summary>
internal sealed class Zipf
{
    private readonly double[] _cumulative;

    public Zipf(int n, double exponent)
    {
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

    public int Next(Random random)
    {
        var index = Array.BinarySearch(_cumulative, random.NextDouble());
        return Math.Min(index >= 0 ? index : ~index, _cumulative.Length - 1);
    }
}
