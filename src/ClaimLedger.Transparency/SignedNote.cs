using System.Buffers.Binary;
using System.Text;

namespace ClaimLedger.Transparency;

/// <summary>Why a signed note was rejected.</summary>
public enum NoteFailure
{
    /// <summary>The note verified.</summary>
    None = 0,

    /// <summary>Not a signed note: bad UTF-8, control characters, no blank line before signatures, a malformed signature line, too many signatures.</summary>
    Malformed,

    /// <summary>A signature line names the key (name and key hash) but its signature does not verify: the whole note is rejected.</summary>
    InvalidSignature,

    /// <summary>No signature line is by the key.</summary>
    NoSignatureByKey,
}

/// <summary>One signature line of a note: "— name base64(key hash ‖ signature)".</summary>
/// <param name="Name">The key name.</param>
/// <param name="KeyHash">The key hash (first 4 bytes, big-endian).</param>
/// <param name="Signature">The signature bytes after the key hash.</param>
public sealed record NoteSignature(string Name, uint KeyHash, byte[] Signature);

/// <summary>The outcome of opening a signed note with a verifier key.</summary>
public sealed class NoteVerification
{
    private NoteVerification(NoteFailure failure, string message, string? text, IReadOnlyList<NoteSignature> signatures)
    {
        Failure = failure;
        Message = message;
        Text = text;
        Signatures = signatures;
    }

    /// <summary>Whether the note carries a valid signature by the key (and no invalid one by it).</summary>
    public bool IsValid => Failure == NoteFailure.None;

    /// <summary>Why it was rejected, or <see cref="NoteFailure.None"/>.</summary>
    public NoteFailure Failure { get; }

    /// <summary>One sentence saying what was wrong (or that the note verifies).</summary>
    public string Message { get; }

    /// <summary>The note text (up to and including its last newline before the blank line) when valid; null otherwise.</summary>
    public string? Text { get; }

    /// <summary>Every signature line of a well-formed note, by any key, in order; empty for a malformed one.</summary>
    public IReadOnlyList<NoteSignature> Signatures { get; }

    internal static NoteVerification Valid(string text, IReadOnlyList<NoteSignature> signatures) =>
        new(NoteFailure.None, "The note carries a valid signature by the key.", text, signatures);

    internal static NoteVerification Fail(NoteFailure failure, string message, IReadOnlyList<NoteSignature>? signatures = null) =>
        new(failure, message, null, signatures ?? []);

    /// <inheritdoc />
    public override string ToString() => IsValid ? Message : $"{Failure}: {Message}";
}

/// <summary>
/// C2SP signed notes (https://c2sp.org/signed-note) with Ed25519 keys: a text ending in a newline, a blank line, then
/// one or more lines "— &lt;key name&gt; &lt;base64(key hash ‖ signature)&gt;". The text is separated from the
/// signatures by the last blank line; a note must be valid UTF-8 without control characters other than newline.
/// Verifying against a key ignores signature lines of other keys (another name or another key hash), rejects the note if
/// a line by the key does not verify, and rejects it if no line by the key verifies.
/// </summary>
public static class SignedNote
{
    /// <summary>Signature lines accepted in one note (C2SP asks for at least 16; Go's note package allows 100).</summary>
    public const int MaxSignatures = 100;

    private const string SignaturePrefix = "\u2014 ";

    /// <summary>
    /// Signs <paramref name="text"/> (non-empty, ending in a newline, no control characters but newlines):
    /// returns text ‖ "\n" ‖ "— name base64(key hash ‖ Ed25519 signature of the text's UTF-8 bytes)\n".
    /// </summary>
    public static string Sign(string text, NoteSigner signer)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(signer);
        var problem = TextProblem(text);
        if (problem is not null)
        {
            throw new ArgumentException(problem, nameof(text));
        }

        var signature = signer.Sign(Encoding.UTF8.GetBytes(text));
        return text + "\n" + SignatureLine(signer.Name, signer.KeyHash, signature);
    }

    /// <summary>"— name base64(key hash ‖ signature)\n".</summary>
    public static string SignatureLine(string name, uint keyHash, ReadOnlySpan<byte> signature)
    {
        if (!NoteKeys.IsValidKeyName(name))
        {
            throw new ArgumentException($"'{name}' is not a valid key name.", nameof(name));
        }

        var blob = new byte[4 + signature.Length];
        BinaryPrimitives.WriteUInt32BigEndian(blob, keyHash);
        signature.CopyTo(blob.AsSpan(4));
        return $"{SignaturePrefix}{name} {Convert.ToBase64String(blob)}\n";
    }

    /// <summary>Opens a signed note given as UTF-8 bytes (invalid UTF-8 is <see cref="NoteFailure.Malformed"/>).</summary>
    public static NoteVerification Verify(ReadOnlySpan<byte> note, NoteVerifierKey key)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(note);
        }
        catch (DecoderFallbackException)
        {
            return NoteVerification.Fail(NoteFailure.Malformed, "The note is not valid UTF-8.");
        }

        return Verify(text, key);
    }

    /// <summary>Opens a signed note with <paramref name="key"/>: the text if a signature by the key verifies.</summary>
    public static NoteVerification Verify(string note, NoteVerifierKey key)
    {
        ArgumentNullException.ThrowIfNull(note);
        ArgumentNullException.ThrowIfNull(key);
        var characters = CharacterProblem(note, "note");
        if (characters is not null)
        {
            return NoteVerification.Fail(NoteFailure.Malformed, characters);
        }

        var split = note.LastIndexOf("\n\n", StringComparison.Ordinal);
        if (split < 0)
        {
            return NoteVerification.Fail(NoteFailure.Malformed, "The note has no blank line between its text and its signatures.");
        }

        var text = note[..(split + 1)];
        var block = note[(split + 2)..];
        if (block.Length == 0 || block[^1] != '\n')
        {
            return NoteVerification.Fail(NoteFailure.Malformed, "The note has no signature lines, or its last line does not end in a newline.");
        }

        var lines = block[..^1].Split('\n');
        if (lines.Length > MaxSignatures)
        {
            return NoteVerification.Fail(NoteFailure.Malformed, $"The note has {lines.Length} signature lines; at most {MaxSignatures} are accepted.");
        }

        var signatures = new List<NoteSignature>(lines.Length);
        foreach (var line in lines)
        {
            var signature = ParseSignatureLine(line, out var problem);
            if (signature is null)
            {
                return NoteVerification.Fail(NoteFailure.Malformed, problem!);
            }

            signatures.Add(signature);
        }

        var textBytes = Encoding.UTF8.GetBytes(text);
        var verified = false;
        foreach (var signature in signatures)
        {
            if (!string.Equals(signature.Name, key.Name, StringComparison.Ordinal) || signature.KeyHash != key.KeyHash)
            {
                continue;
            }

            if (!key.VerifySignature(textBytes, signature.Signature))
            {
                return NoteVerification.Fail(
                    NoteFailure.InvalidSignature,
                    $"The signature by {key.Name}+{NoteKeys.FormatKeyHash(key.KeyHash)} does not verify: the note was changed or not signed by this key.",
                    signatures);
            }

            verified = true;
        }

        if (!verified)
        {
            var present = string.Join(", ", signatures.Select(s => $"{s.Name}+{NoteKeys.FormatKeyHash(s.KeyHash)}"));
            return NoteVerification.Fail(
                NoteFailure.NoSignatureByKey,
                $"The note has no signature by {key.Name}+{NoteKeys.FormatKeyHash(key.KeyHash)} (it is signed by {present}).",
                signatures);
        }

        return NoteVerification.Valid(text, signatures);
    }

    /// <summary>Why <paramref name="text"/> cannot be a note text, or null.</summary>
    internal static string? TextProblem(string text)
    {
        if (text.Length == 0 || text[^1] != '\n')
        {
            return "A note text is not empty and ends in a newline.";
        }

        return CharacterProblem(text, "note text");
    }

    private static NoteSignature? ParseSignatureLine(string line, out string? problem)
    {
        problem = null;
        if (!line.StartsWith(SignaturePrefix, StringComparison.Ordinal))
        {
            problem = $"The signature line '{line}' does not start with an em dash (U+2014) and a space.";
            return null;
        }

        var rest = line[SignaturePrefix.Length..];
        var space = rest.IndexOf(' ', StringComparison.Ordinal);
        if (space < 0)
        {
            problem = $"The signature line '{line}' is not '— <name> <base64 signature>'.";
            return null;
        }

        var name = rest[..space];
        var encoded = rest[(space + 1)..];
        if (!NoteKeys.IsValidKeyName(name))
        {
            problem = $"'{name}' on a signature line is not a valid key name.";
            return null;
        }

        if (!StrictBase64.TryDecode(encoded, out var blob))
        {
            problem = $"The signature of {name} is not valid base64.";
            return null;
        }

        if (blob.Length < 5)
        {
            problem = $"The signature of {name} is {blob.Length} bytes: too short for a key hash and a signature.";
            return null;
        }

        return new NoteSignature(name, BinaryPrimitives.ReadUInt32BigEndian(blob), blob[4..]);
    }

    private static string? CharacterProblem(string text, string what)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c < 0x20 && c != '\n')
            {
                return $"The {what} contains the control character U+{(int)c:X4}.";
            }

            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return $"The {what} is not valid Unicode (a lone surrogate).";
            }
        }

        return null;
    }
}
