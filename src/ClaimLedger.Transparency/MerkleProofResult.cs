namespace ClaimLedger.Transparency;

/// <summary>Why a Merkle proof was rejected; <see cref="None"/> when it verified.</summary>
public enum MerkleProofFailure
{
    /// <summary>The proof verified.</summary>
    None = 0,

    /// <summary>A size or index is negative, or an inclusion proof was asked of an empty tree.</summary>
    InvalidTreeSize,

    /// <summary>The leaf index is not below the tree size.</summary>
    LeafIndexOutOfRange,

    /// <summary>A consistency proof from a larger tree to a smaller one.</summary>
    SizesOutOfOrder,

    /// <summary>A consistency proof from the empty tree (size 0): RFC 9162 defines none.</summary>
    EmptyFirstTree,

    /// <summary>The proof has more or fewer hashes than the sizes and index call for.</summary>
    WrongProofLength,

    /// <summary>A hash (leaf hash, root or proof element) is not 32 bytes.</summary>
    MalformedHash,

    /// <summary>The proof is well formed but the recomputed root differs from the one given.</summary>
    RootMismatch,

    /// <summary>Consistency proof: the recomputed first-tree root differs from the first root given.</summary>
    FirstRootMismatch,

    /// <summary>Consistency proof: the recomputed second-tree root differs from the second root given.</summary>
    SecondRootMismatch,
}

/// <summary>
/// The outcome of checking an inclusion or consistency proof: either valid, or the reason it failed with a sentence a
/// command-line user can act on ("the inclusion proof has 11 hashes; leaf 6 of a tree of 1000 needs 10").
/// </summary>
public sealed class MerkleProofResult
{
    private static readonly MerkleProofResult ValidResult = new(MerkleProofFailure.None, "The proof verifies.", null);

    private MerkleProofResult(MerkleProofFailure failure, string message, byte[]? root)
    {
        Failure = failure;
        Message = message;
        Root = root;
    }

    /// <summary>Whether the proof verified.</summary>
    public bool IsValid => Failure == MerkleProofFailure.None;

    /// <summary>Why it failed, or <see cref="MerkleProofFailure.None"/>.</summary>
    public MerkleProofFailure Failure { get; }

    /// <summary>One sentence saying what was wrong (or that the proof verifies).</summary>
    public string Message { get; }

    /// <summary>
    /// For <see cref="MerkleHashing.RootFromInclusionProof"/>: the root the proof leads to, when it is well formed;
    /// otherwise null.
    /// </summary>
    public byte[]? Root { get; }

    /// <summary>A valid result.</summary>
    public static MerkleProofResult Valid => ValidResult;

    internal static MerkleProofResult ValidWithRoot(byte[] root) => new(MerkleProofFailure.None, "The proof is well formed.", root);

    internal static MerkleProofResult Fail(MerkleProofFailure failure, string message) => new(failure, message, null);

    /// <inheritdoc />
    public override string ToString() => IsValid ? Message : $"{Failure}: {Message}";
}
