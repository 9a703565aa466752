using System.Security.Cryptography;

namespace ClaimLedger.UnitTests.Transparency;

/// <summary>
/// The naive reference: RFC 9162 §2.1.1 MTH, §2.1.3.1 PATH and §2.1.4.1 PROOF/SUBPROOF written as the RFC's recursive
/// definitions over the full list of leaf hashes, with its own SHA-256 calls (nothing from the library under test).
/// MTH results are memoised by range, which changes no result and keeps large trees affordable.
/// </summary>
internal sealed class ReferenceMerkleTree
{
    private readonly List<byte[]> _leafHashes = [];
    private readonly Dictionary<(long, long), byte[]> _memo = [];

    public ReferenceMerkleTree(IEnumerable<byte[]>? leafHashes = null)
    {
        if (leafHashes is not null)
        {
            _leafHashes.AddRange(leafHashes);
        }
    }

    public long Size => _leafHashes.Count;

    public IReadOnlyList<byte[]> LeafHashes => _leafHashes;

    public void Add(byte[] leafHash) => _leafHashes.Add(leafHash);

    public static byte[] HashLeaf(byte[] leaf) => SHA256.HashData([0x00, .. leaf]);

    public static byte[] HashChildren(byte[] left, byte[] right) => SHA256.HashData([0x01, .. left, .. right]);

    /// <summary>MTH(D[start:end]).</summary>
    public byte[] Mth(long start, long end)
    {
        var n = end - start;
        if (n == 0)
        {
            return SHA256.HashData([]);
        }

        if (n == 1)
        {
            return _leafHashes[(int)start];
        }

        if (_memo.TryGetValue((start, end), out var cached))
        {
            return cached;
        }

        var k = LargestPowerOfTwoBelow(n);
        var hash = HashChildren(Mth(start, start + k), Mth(start + k, end));
        _memo[(start, end)] = hash;
        return hash;
    }

    public byte[] Root(long size) => Mth(0, size);

    /// <summary>PATH(m, D[0:n]).</summary>
    public List<byte[]> Path(long m, long n) => Path(m, 0, n);

    /// <summary>PROOF(m, D[0:n]) = SUBPROOF(m, D[0:n], true).</summary>
    public List<byte[]> Proof(long m, long n) => SubProof(m, 0, n, true);

    private List<byte[]> Path(long m, long start, long end)
    {
        var n = end - start;
        if (n == 1)
        {
            return [];
        }

        var k = LargestPowerOfTwoBelow(n);
        if (m < k)
        {
            return [.. Path(m, start, start + k), Mth(start + k, end)];
        }

        return [.. Path(m - k, start + k, end), Mth(start, start + k)];
    }

    private List<byte[]> SubProof(long m, long start, long end, bool b)
    {
        var n = end - start;
        if (m == n)
        {
            return b ? [] : [Mth(start, end)];
        }

        var k = LargestPowerOfTwoBelow(n);
        if (m <= k)
        {
            return [.. SubProof(m, start, start + k, b), Mth(start + k, end)];
        }

        return [.. SubProof(m - k, start + k, end, false), Mth(start, start + k)];
    }

    private static long LargestPowerOfTwoBelow(long n)
    {
        long k = 1;
        while (k * 2 < n)
        {
            k *= 2;
        }

        return k;
    }
}
