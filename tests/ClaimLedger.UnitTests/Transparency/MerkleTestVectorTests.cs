using System.Text.Json;
using ClaimLedger.Transparency;

namespace ClaimLedger.UnitTests.Transparency;

/// <summary>
/// The public RFC 6962 proof vectors of transparency-dev/merkle (tests/TestVectors/merkle): every happy path must
/// verify and every damaged proof must be rejected, for inclusion and consistency.
/// </summary>
public sealed class MerkleTestVectorTests
{
    /// <summary>The eight leaves of the Certificate Transparency test set the vectors' trees are built from.</summary>
    private static readonly byte[][] CtLeaves =
    [
        [],
        [0x00],
        [0x10],
        [0x20, 0x21],
        [0x30, 0x31],
        [0x40, 0x41, 0x42, 0x43],
        [0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57],
        [0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f],
    ];

    private static string VectorRoot => Path.Combine(AppContext.BaseDirectory, "TestVectors", "merkle");

    public static TheoryData<string> InclusionVectors => Vectors("inclusion");

    public static TheoryData<string> ConsistencyVectors => Vectors("consistency");

    [Fact]
    public void TheVectorsAreAllThere()
    {
        // So that a missing copy step cannot turn the theories below into zero cases that pass.
        Directory.GetFiles(Path.Combine(VectorRoot, "inclusion"), "*.json", SearchOption.AllDirectories).Length.ShouldBe(98);
        Directory.GetFiles(Path.Combine(VectorRoot, "consistency"), "*.json", SearchOption.AllDirectories).Length.ShouldBe(98);
    }

    [Theory]
    [MemberData(nameof(InclusionVectors))]
    public void InclusionVector_IsAcceptedExactlyWhenValid(string file)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(VectorRoot, file)));
        var v = json.RootElement;
        var result = MerkleHashing.VerifyInclusion(
            Number(v.GetProperty("leafIdx")),
            Number(v.GetProperty("treeSize")),
            Bytes(v.GetProperty("leafHash")),
            Proof(v.GetProperty("proof")),
            Bytes(v.GetProperty("root")));

        result.IsValid.ShouldBe(!v.GetProperty("wantErr").GetBoolean(), $"{file} ({v.GetProperty("desc").GetString()}): {result}");
        (result.Failure == MerkleProofFailure.None).ShouldBe(result.IsValid);
    }

    [Theory]
    [MemberData(nameof(ConsistencyVectors))]
    public void ConsistencyVector_IsAcceptedExactlyWhenValid(string file)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(VectorRoot, file)));
        var v = json.RootElement;
        var result = MerkleHashing.VerifyConsistency(
            Number(v.GetProperty("size1")),
            Number(v.GetProperty("size2")),
            Bytes(v.GetProperty("root1")),
            Bytes(v.GetProperty("root2")),
            Proof(v.GetProperty("proof")));

        result.IsValid.ShouldBe(!v.GetProperty("wantErr").GetBoolean(), $"{file} ({v.GetProperty("desc").GetString()}): {result}");
    }

    [Fact]
    public void HappyPathVectors_AgreeWithTheReferenceTreeOfTheCtLeaves()
    {
        // Ties the reference implementation (used by every tile test) to public data: the vectors' roots and leaf
        // hashes are those of the CT leaves, and the reference's proofs are the vectors' proofs.
        var tree = new ReferenceMerkleTree(CtLeaves.Select(ReferenceMerkleTree.HashLeaf));
        var checkedRoots = 0;
        foreach (var file in Directory.GetFiles(Path.Combine(VectorRoot, "inclusion"), "happy-path.json", SearchOption.AllDirectories))
        {
            using var json = JsonDocument.Parse(File.ReadAllText(file));
            var v = json.RootElement;
            var index = Number(v.GetProperty("leafIdx"));
            var size = Number(v.GetProperty("treeSize"));
            tree.Root(size).ShouldBe(Bytes(v.GetProperty("root")));
            tree.LeafHashes[(int)index].ShouldBe(Bytes(v.GetProperty("leafHash")));
            MerkleHashing.LeafHash(CtLeaves[index]).ShouldBe(Bytes(v.GetProperty("leafHash")));
            tree.Path(index, size).ShouldBe(Proof(v.GetProperty("proof")));
            checkedRoots++;
        }

        foreach (var file in Directory.GetFiles(Path.Combine(VectorRoot, "consistency"), "happy-path.json", SearchOption.AllDirectories))
        {
            using var json = JsonDocument.Parse(File.ReadAllText(file));
            var v = json.RootElement;
            var size1 = Number(v.GetProperty("size1"));
            var size2 = Number(v.GetProperty("size2"));
            tree.Root(size1).ShouldBe(Bytes(v.GetProperty("root1")));
            tree.Root(size2).ShouldBe(Bytes(v.GetProperty("root2")));
            tree.Proof(size1, size2).ShouldBe(Proof(v.GetProperty("proof")));
            checkedRoots++;
        }

        checkedRoots.ShouldBe(10);
    }

    private static TheoryData<string> Vectors(string kind)
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(VectorRoot, kind), "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetRelativePath(VectorRoot, file));
        }

        return data;
    }

    /// <summary>
    /// The vectors' sizes and indexes are Go uint64s, and "sub @1" of index 0 wraps to 2^64 − 1; the library's are
    /// signed 64-bit, where the same bits are −1 (which must be refused just the same).
    /// </summary>
    private static long Number(JsonElement element) => unchecked((long)element.GetUInt64());

    private static byte[] Bytes(JsonElement element) =>
        element.ValueKind == JsonValueKind.Null ? [] : Convert.FromBase64String(element.GetString()!);

    private static List<byte[]> Proof(JsonElement element) =>
        element.ValueKind == JsonValueKind.Null ? [] : [.. element.EnumerateArray().Select(Bytes)];
}
