using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace ClaimLedger.Transparency;

/// <summary>One entry of a claim proof bundle: the leaf text and its inclusion proof in the checkpoint's tree.</summary>
/// <param name="Sequence">The entry's sequence (leaf index + 1).</param>
/// <param name="Leaf">The canonical entry, as text (its UTF-8 bytes are the leaf).</param>
/// <param name="InclusionProof">The inclusion proof of leaf Sequence − 1 in the tree of the checkpoint's size.</param>
public sealed record ClaimProofEntry(long Sequence, string Leaf, IReadOnlyList<byte[]> InclusionProof);

/// <summary>
/// A claim proof bundle, <c>claimledger.claim-proof.v1</c> (docs/ledger-format.md "Claim proof bundles"): a claim, a
/// signed checkpoint, and the claim's entries (and those of the sources its evidence cites) with inclusion proofs. The
/// CLI writes it with <see cref="ToJson"/> and reads it with <see cref="Parse(string)"/>; <see cref="ClaimProofVerifier"/>
/// checks it.
/// </summary>
public sealed class ClaimProofBundle
{
    /// <summary>The format name of this version.</summary>
    public const string FormatV1 = "claimledger.claim-proof.v1";

    private static readonly JsonDocumentOptions DocumentOptions = new() { AllowDuplicateProperties = false, MaxDepth = 64 };

    /// <summary>A bundle for <paramref name="claim"/> ("claims/{id}").</summary>
    public ClaimProofBundle(string claim, string checkpoint, IReadOnlyList<ClaimProofEntry> entries)
    {
        if (!IsClaimName(claim))
        {
            throw new ArgumentException($"'{claim}' is not a claim name (claims/{{id}}).", nameof(claim));
        }

        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(entries);
        Claim = claim;
        Checkpoint = checkpoint;
        Entries = [.. entries];
    }

    /// <summary>The claim's resource name, "claims/{id}".</summary>
    public string Claim { get; }

    /// <summary>The signed checkpoint, exactly as served.</summary>
    public string Checkpoint { get; }

    /// <summary>The entries, in sequence order.</summary>
    public IReadOnlyList<ClaimProofEntry> Entries { get; }

    /// <summary>Parses a bundle from JSON text.</summary>
    /// <exception cref="FormatException">Not JSON, or not a <see cref="FormatV1"/> bundle; the message says why.</exception>
    public static ClaimProofBundle Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return Parse(Encoding.UTF8.GetBytes(json));
    }

    /// <summary>Parses a bundle from UTF-8 JSON.</summary>
    /// <exception cref="FormatException">Not JSON, or not a <see cref="FormatV1"/> bundle; the message says why.</exception>
    public static ClaimProofBundle Parse(ReadOnlySpan<byte> utf8Json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8Json.ToArray(), DocumentOptions);
        }
        catch (JsonException e)
        {
            throw new FormatException($"The bundle is not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("The bundle is not a JSON object.");
            }

            var format = RequiredString(root, "format", "The bundle");
            if (format != FormatV1)
            {
                throw new FormatException($"The bundle's format is '{format}', not {FormatV1}.");
            }

            var claim = RequiredString(root, "claim", "The bundle");
            if (!IsClaimName(claim))
            {
                throw new FormatException($"'{claim}' is not a claim name (claims/{{id}}).");
            }

            var checkpoint = RequiredString(root, "checkpoint", "The bundle");
            var entriesElement = Required(root, "entries", JsonValueKind.Array, "The bundle");
            var entries = new List<ClaimProofEntry>(entriesElement.GetArrayLength());
            var position = 0;
            foreach (var item in entriesElement.EnumerateArray())
            {
                position++;
                var where = $"Entry {position} of the bundle";
                if (item.ValueKind != JsonValueKind.Object)
                {
                    throw new FormatException($"{where} is not a JSON object.");
                }

                var sequenceElement = Required(item, "sequence", JsonValueKind.Number, where);
                if (!sequenceElement.TryGetInt64(out var sequence) || sequence < 1)
                {
                    throw new FormatException($"{where} has sequence {sequenceElement.GetRawText()}, not a positive integer.");
                }

                var leaf = RequiredString(item, "leaf", where);
                var proofElement = Required(item, "inclusion_proof", JsonValueKind.Array, where);
                var proof = new List<byte[]>(proofElement.GetArrayLength());
                foreach (var hash in proofElement.EnumerateArray())
                {
                    if (hash.ValueKind != JsonValueKind.String || !StrictBase64.TryDecode(hash.GetString(), out var bytes))
                    {
                        throw new FormatException($"{where} (sequence {sequence}) has an inclusion proof hash that is not a base64 string.");
                    }

                    proof.Add(bytes);
                }

                entries.Add(new ClaimProofEntry(sequence, leaf, proof));
            }

            return new ClaimProofBundle(claim, checkpoint, entries);
        }
    }

    /// <summary>The bundle as indented JSON, members in the order of docs/ledger-format.md.</summary>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteString("format", FormatV1);
            writer.WriteString("claim", Claim);
            writer.WriteString("checkpoint", Checkpoint);
            writer.WriteStartArray("entries");
            foreach (var entry in Entries)
            {
                writer.WriteStartObject();
                writer.WriteNumber("sequence", entry.Sequence);
                writer.WriteString("leaf", entry.Leaf);
                writer.WriteStartArray("inclusion_proof");
                foreach (var hash in entry.InclusionProof)
                {
                    writer.WriteStringValue(Convert.ToBase64String(hash));
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    /// <summary>Whether <paramref name="name"/> is "claims/{id}" with a non-empty id without '/'.</summary>
    public static bool IsClaimName(string? name) =>
        name is not null
        && name.StartsWith("claims/", StringComparison.Ordinal)
        && name.Length > "claims/".Length
        && name.IndexOf('/', "claims/".Length) < 0
        && !name.Any(char.IsControl);

    private static JsonElement Required(JsonElement obj, string name, JsonValueKind kind, string where)
    {
        if (!obj.TryGetProperty(name, out var value))
        {
            throw new FormatException($"{where} has no '{name}'.");
        }

        if (value.ValueKind != kind)
        {
            throw new FormatException($"{where} has '{name}' of type {value.ValueKind}, not {kind}.");
        }

        return value;
    }

    private static string RequiredString(JsonElement obj, string name, string where) =>
        Required(obj, name, JsonValueKind.String, where).GetString()!;
}
