using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ClaimLedger.Transparency;

/// <summary>A ledger entry as its leaf states it, after the leaf was verified.</summary>
/// <param name="Sequence">The entry's sequence.</param>
/// <param name="Time">The entry's time, as written.</param>
/// <param name="Actor">Who made the change.</param>
/// <param name="Action">"resource.verb".</param>
/// <param name="Subject">The resource changed.</param>
/// <param name="Changes">The resource's state after the change.</param>
/// <param name="Text">The leaf text (canonical JSON).</param>
public sealed record LedgerLeaf(long Sequence, string Time, string Actor, string Action, string Subject, JsonObject Changes, string Text);

/// <summary>Why a claim proof bundle was rejected.</summary>
public enum ClaimProofFailure
{
    /// <summary>The bundle verified.</summary>
    None = 0,

    /// <summary>The bundle is not JSON, or not a claimledger.claim-proof.v1 bundle.</summary>
    MalformedBundle,

    /// <summary>The checkpoint does not verify with the key (see <see cref="ClaimProofVerification.CheckpointResult"/>).</summary>
    InvalidCheckpoint,

    /// <summary>A leaf is not a JSON object with exactly action, actor, changes, sequence, subject and time, of the right types.</summary>
    MalformedLeaf,

    /// <summary>A leaf is JSON but not its own canonical form (RFC 8785 as docs/ledger-format.md restricts it).</summary>
    NonCanonicalLeaf,

    /// <summary>A leaf's sequence is not the entry's sequence.</summary>
    SequenceMismatch,

    /// <summary>An entry's sequence is beyond the checkpoint's tree size.</summary>
    BeyondCheckpoint,

    /// <summary>An entry's subject is neither the claim, nor below it, nor a source its evidence cites.</summary>
    ForeignSubject,

    /// <summary>An entry's inclusion proof does not verify against the checkpoint (see <see cref="ClaimProofVerification.ProofResult"/>).</summary>
    InvalidInclusionProof,

    /// <summary>Sequences do not strictly increase.</summary>
    SequencesNotIncreasing,

    /// <summary>No entry is about the claim itself, so the bundle says nothing about it.</summary>
    NoClaimEntry,
}

/// <summary>The outcome of verifying a claim proof bundle: valid with its entries, or the first problem found.</summary>
public sealed class ClaimProofVerification
{
    private ClaimProofVerification(
        ClaimProofFailure failure,
        string message,
        long? sequence,
        Checkpoint? checkpoint,
        IReadOnlyList<LedgerLeaf> entries,
        CheckpointVerification? checkpointResult,
        MerkleProofResult? proofResult)
    {
        Failure = failure;
        Message = message;
        Sequence = sequence;
        Checkpoint = checkpoint;
        Entries = entries;
        CheckpointResult = checkpointResult;
        ProofResult = proofResult;
    }

    /// <summary>Whether every check passed.</summary>
    public bool IsValid => Failure == ClaimProofFailure.None;

    /// <summary>The first problem, or <see cref="ClaimProofFailure.None"/>.</summary>
    public ClaimProofFailure Failure { get; }

    /// <summary>One sentence naming the problem and the entry (or saying what was verified).</summary>
    public string Message { get; }

    /// <summary>The sequence of the entry at fault, when the problem is an entry's.</summary>
    public long? Sequence { get; }

    /// <summary>The verified checkpoint (set once its signature verified, even if an entry then failed).</summary>
    public Checkpoint? Checkpoint { get; }

    /// <summary>The verified entries, in sequence order, when valid; empty otherwise.</summary>
    public IReadOnlyList<LedgerLeaf> Entries { get; }

    /// <summary>The checkpoint's own verification, when it failed.</summary>
    public CheckpointVerification? CheckpointResult { get; }

    /// <summary>The failed inclusion proof's result, for <see cref="ClaimProofFailure.InvalidInclusionProof"/>.</summary>
    public MerkleProofResult? ProofResult { get; }

    internal static ClaimProofVerification Valid(Checkpoint checkpoint, IReadOnlyList<LedgerLeaf> entries, string claim) =>
        new(
            ClaimProofFailure.None,
            $"{entries.Count} entries about {claim} are in the log of {checkpoint.Origin} at size {checkpoint.Size}.",
            null,
            checkpoint,
            entries,
            null,
            null);

    internal static ClaimProofVerification Fail(
        ClaimProofFailure failure,
        string message,
        long? sequence = null,
        Checkpoint? checkpoint = null,
        CheckpointVerification? checkpointResult = null,
        MerkleProofResult? proofResult = null) =>
        new(failure, message, sequence, checkpoint, [], checkpointResult, proofResult);

    /// <inheritdoc />
    public override string ToString() => IsValid ? Message : $"{Failure}: {Message}";
}

/// <summary>
/// Verifies a claim proof bundle (docs/ledger-format.md "Claim proof bundles"): the checkpoint's signature with the
/// verifier key; for each entry in order, that its leaf is a canonical JSON object of exactly action, actor, changes,
/// sequence, subject and time, with the entry's sequence, at most the checkpoint's size, a subject that belongs to the
/// claim, and an inclusion proof that verifies against the checkpoint's root; that sequences strictly increase; and
/// that at least one entry is the claim's own. Stops at the first problem. Recomputing the claim's state from the
/// entries is the caller's.
/// </summary>
/// <remarks>
/// A subject belongs to the claim when it is the claim's name, starts with the name followed by "/" (its evidence), or
/// is a source cited in the bundle: <c>changes.source</c> of an evidence entry, or <c>changes.evidence[].source</c> of a
/// claim entry.
/// </remarks>
public static class ClaimProofVerifier
{
    private static readonly string[] LeafMembers = ["action", "actor", "changes", "sequence", "subject", "time"];

    private static readonly JsonDocumentOptions LeafOptions = new() { AllowDuplicateProperties = false, MaxDepth = 64 };

    /// <summary>Parses and verifies a bundle; a bundle that does not parse is <see cref="ClaimProofFailure.MalformedBundle"/>.</summary>
    public static ClaimProofVerification Verify(string bundleJson, NoteVerifierKey verifierKey)
    {
        ArgumentNullException.ThrowIfNull(bundleJson);
        ClaimProofBundle bundle;
        try
        {
            bundle = ClaimProofBundle.Parse(bundleJson);
        }
        catch (FormatException e)
        {
            return ClaimProofVerification.Fail(ClaimProofFailure.MalformedBundle, e.Message);
        }

        return Verify(bundle, verifierKey);
    }

    /// <summary>Verifies a parsed bundle.</summary>
    public static ClaimProofVerification Verify(ClaimProofBundle bundle, NoteVerifierKey verifierKey)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        ArgumentNullException.ThrowIfNull(verifierKey);

        // 1. The checkpoint.
        var checkpointResult = Transparency.Checkpoint.Verify(bundle.Checkpoint, verifierKey);
        if (!checkpointResult.IsValid)
        {
            return ClaimProofVerification.Fail(
                ClaimProofFailure.InvalidCheckpoint,
                $"The bundle's checkpoint does not verify: {checkpointResult.Message}",
                checkpointResult: checkpointResult);
        }

        var checkpoint = checkpointResult.Checkpoint!;

        // The leaves first, so that a source entry can come before the evidence that cites it.
        var leaves = new (LedgerLeaf? Leaf, ClaimProofFailure Failure, string? Problem)[bundle.Entries.Count];
        var cited = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < bundle.Entries.Count; i++)
        {
            leaves[i] = ParseLeaf(bundle.Entries[i].Leaf);
            if (leaves[i].Leaf is { } leaf)
            {
                CollectCitedSources(bundle.Claim, leaf, cited);
            }
        }

        // 2. Each entry, in order; 3. sequences strictly increase.
        var verified = new List<LedgerLeaf>(bundle.Entries.Count);
        long previous = 0;
        var hasClaimEntry = false;
        for (var i = 0; i < bundle.Entries.Count; i++)
        {
            var entry = bundle.Entries[i];
            var (leaf, leafFailure, problem) = leaves[i];
            if (leaf is null)
            {
                return ClaimProofVerification.Fail(leafFailure, $"Entry {entry.Sequence}: {problem}", entry.Sequence, checkpoint);
            }

            if (leaf.Sequence != entry.Sequence)
            {
                return ClaimProofVerification.Fail(
                    ClaimProofFailure.SequenceMismatch,
                    $"Entry {entry.Sequence}: its leaf says sequence {leaf.Sequence}.",
                    entry.Sequence,
                    checkpoint);
            }

            if (entry.Sequence > checkpoint.Size)
            {
                return ClaimProofVerification.Fail(
                    ClaimProofFailure.BeyondCheckpoint,
                    $"Entry {entry.Sequence} is beyond the checkpoint's tree size {checkpoint.Size}.",
                    entry.Sequence,
                    checkpoint);
            }

            if (!BelongsToClaim(bundle.Claim, leaf.Subject, cited))
            {
                return ClaimProofVerification.Fail(
                    ClaimProofFailure.ForeignSubject,
                    $"Entry {entry.Sequence} is about {leaf.Subject}, which is neither {bundle.Claim}, nor below it, nor a source its evidence cites.",
                    entry.Sequence,
                    checkpoint);
            }

            var leafHash = MerkleHashing.LeafHash(Encoding.UTF8.GetBytes(entry.Leaf));
            var proof = MerkleHashing.VerifyInclusion(entry.Sequence - 1, checkpoint.Size, leafHash, entry.InclusionProof, checkpoint.RootHash);
            if (!proof.IsValid)
            {
                return ClaimProofVerification.Fail(
                    ClaimProofFailure.InvalidInclusionProof,
                    $"Entry {entry.Sequence}: the inclusion proof does not verify against the checkpoint: {proof.Message}",
                    entry.Sequence,
                    checkpoint,
                    proofResult: proof);
            }

            if (entry.Sequence <= previous)
            {
                return ClaimProofVerification.Fail(
                    ClaimProofFailure.SequencesNotIncreasing,
                    $"Entry {entry.Sequence} comes after entry {previous}: sequences must strictly increase.",
                    entry.Sequence,
                    checkpoint);
            }

            previous = entry.Sequence;
            hasClaimEntry |= string.Equals(leaf.Subject, bundle.Claim, StringComparison.Ordinal);
            verified.Add(leaf);
        }

        if (!hasClaimEntry)
        {
            return ClaimProofVerification.Fail(
                ClaimProofFailure.NoClaimEntry,
                $"No entry in the bundle is about {bundle.Claim} itself.",
                checkpoint: checkpoint);
        }

        return ClaimProofVerification.Valid(checkpoint, verified, bundle.Claim);
    }

    /// <summary>Parses a leaf text into an entry; a failure and its reason otherwise.</summary>
    internal static (LedgerLeaf? Leaf, ClaimProofFailure Failure, string? Problem) ParseLeaf(string text)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(text, documentOptions: LeafOptions);
        }
        catch (JsonException e)
        {
            return (null, ClaimProofFailure.MalformedLeaf, $"the leaf is not valid JSON ({e.Message})");
        }

        if (node is not JsonObject obj)
        {
            return (null, ClaimProofFailure.MalformedLeaf, "the leaf is not a JSON object");
        }

        var names = obj.Select(p => p.Key).Order(StringComparer.Ordinal).ToArray();
        if (!names.SequenceEqual(LeafMembers, StringComparer.Ordinal))
        {
            return (null, ClaimProofFailure.MalformedLeaf, $"the leaf has members {string.Join(", ", names)}; it must have exactly {string.Join(", ", LeafMembers)}");
        }

        if (!TryString(obj, "action", out var action) || !TryString(obj, "actor", out var actor)
            || !TryString(obj, "subject", out var subject) || !TryString(obj, "time", out var time))
        {
            return (null, ClaimProofFailure.MalformedLeaf, "the leaf's action, actor, subject and time must be strings");
        }

        if (obj["changes"] is not JsonObject changes)
        {
            return (null, ClaimProofFailure.MalformedLeaf, "the leaf's changes must be a JSON object");
        }

        if (obj["sequence"] is not JsonValue sequenceValue || sequenceValue.GetValueKind() != JsonValueKind.Number
            || !sequenceValue.TryGetValue<long>(out var sequence))
        {
            return (null, ClaimProofFailure.MalformedLeaf, "the leaf's sequence must be an integer");
        }

        string canonical;
        try
        {
            canonical = CanonicalJson.ToText(obj);
        }
        catch (ArgumentException e)
        {
            return (null, ClaimProofFailure.NonCanonicalLeaf, $"the leaf cannot be canonical JSON ({e.Message})");
        }

        if (!string.Equals(canonical, text, StringComparison.Ordinal))
        {
            return (null, ClaimProofFailure.NonCanonicalLeaf, "the leaf is not in canonical form (RFC 8785: sorted members, no whitespace, minimal escapes)");
        }

        return (new LedgerLeaf(sequence, time, actor, action, subject, changes, text), ClaimProofFailure.None, null);
    }

    private static void CollectCitedSources(string claim, LedgerLeaf leaf, HashSet<string> cited)
    {
        if (string.Equals(leaf.Subject, claim, StringComparison.Ordinal))
        {
            if (leaf.Changes["evidence"] is JsonArray evidence)
            {
                foreach (var item in evidence)
                {
                    if (item is JsonObject e && e["source"] is JsonValue source && source.TryGetValue<string>(out var name))
                    {
                        cited.Add(name);
                    }
                }
            }
        }
        else if (leaf.Subject.StartsWith(claim + "/", StringComparison.Ordinal)
            && leaf.Changes["source"] is JsonValue source && source.TryGetValue<string>(out var name))
        {
            cited.Add(name);
        }
    }

    private static bool BelongsToClaim(string claim, string subject, HashSet<string> cited) =>
        string.Equals(subject, claim, StringComparison.Ordinal)
        || subject.StartsWith(claim + "/", StringComparison.Ordinal)
        || cited.Contains(subject);

    private static bool TryString(JsonObject obj, string name, out string value)
    {
        value = "";
        return obj[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.TryGetValue(out value!);
    }
}
