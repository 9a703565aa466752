using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace ClaimLedger.Transparency;

/// <summary>Why a signed checkpoint was rejected.</summary>
public enum CheckpointFailure
{
    /// <summary>The checkpoint verified.</summary>
    None = 0,

    /// <summary>Not a signed note (see <see cref="NoteFailure.Malformed"/>).</summary>
    MalformedNote,

    /// <summary>A signature line by the key does not verify.</summary>
    InvalidSignature,

    /// <summary>No signature line is by the key.</summary>
    NoSignatureByKey,

    /// <summary>The signed text is not a checkpoint: origin, decimal size, base64 root of 32 bytes, non-empty extension lines.</summary>
    MalformedCheckpoint,

    /// <summary>The checkpoint's origin is not the key's name.</summary>
    OriginMismatch,
}

/// <summary>The outcome of verifying a signed checkpoint with a verifier key.</summary>
public sealed class CheckpointVerification
{
    private CheckpointVerification(CheckpointFailure failure, string message, Checkpoint? checkpoint)
    {
        Failure = failure;
        Message = message;
        Checkpoint = checkpoint;
    }

    /// <summary>Whether the checkpoint is well formed and signed by the key.</summary>
    public bool IsValid => Failure == CheckpointFailure.None;

    /// <summary>Why it was rejected, or <see cref="CheckpointFailure.None"/>.</summary>
    public CheckpointFailure Failure { get; }

    /// <summary>One sentence saying what was wrong (or that it verifies).</summary>
    public string Message { get; }

    /// <summary>The verified checkpoint, or null.</summary>
    public Checkpoint? Checkpoint { get; }

    internal static CheckpointVerification Valid(Checkpoint checkpoint) =>
        new(CheckpointFailure.None, $"Checkpoint of {checkpoint.Origin} at size {checkpoint.Size} verified.", checkpoint);

    internal static CheckpointVerification Fail(CheckpointFailure failure, string message) => new(failure, message, null);

    /// <inheritdoc />
    public override string ToString() => IsValid ? Message : $"{Failure}: {Message}";
}

/// <summary>
/// A C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint): the note text "&lt;origin&gt;\n&lt;size&gt;\n&lt;base64
/// root&gt;\n" and optional non-empty extension lines (ClaimLedger writes none, but a parsed checkpoint keeps them).
/// </summary>
public sealed class Checkpoint
{
    private readonly byte[] _root;

    /// <summary>A checkpoint of the tree of <paramref name="size"/> leaves with root <paramref name="rootHash"/>.</summary>
    public Checkpoint(string origin, long size, ReadOnlySpan<byte> rootHash, IReadOnlyList<string>? extensions = null)
    {
        if (string.IsNullOrEmpty(origin) || LineProblem(origin) is not null)
        {
            throw new ArgumentException("The origin is one non-empty line without control characters.", nameof(origin));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(size);
        if (rootHash.Length != MerkleHashing.HashSize)
        {
            throw new ArgumentException("The root hash is 32 bytes.", nameof(rootHash));
        }

        extensions ??= [];
        if (extensions.Any(e => string.IsNullOrEmpty(e) || LineProblem(e) is not null))
        {
            throw new ArgumentException("Extension lines are non-empty lines without control characters.", nameof(extensions));
        }

        Origin = origin;
        Size = size;
        _root = rootHash.ToArray();
        Extensions = [.. extensions];
    }

    /// <summary>The log's origin line (for ClaimLedger, also its key name).</summary>
    public string Origin { get; }

    /// <summary>The tree size.</summary>
    public long Size { get; }

    /// <summary>The root hash of the tree of <see cref="Size"/> leaves, 32 bytes.</summary>
    public ReadOnlySpan<byte> RootHash => _root;

    /// <summary>Extension lines after the root, in order (none in ClaimLedger's checkpoints).</summary>
    public IReadOnlyList<string> Extensions { get; }

    /// <summary>The note text: origin, size, base64 root and extension lines, each ending in "\n".</summary>
    public string ToNoteText()
    {
        var text = $"{Origin}\n{Size.ToString(CultureInfo.InvariantCulture)}\n{Convert.ToBase64String(_root)}\n";
        return Extensions.Count == 0 ? text : text + string.Concat(Extensions.Select(e => e + "\n"));
    }

    /// <summary>The signed note: <see cref="ToNoteText"/>, a blank line, and <paramref name="signer"/>'s signature line.</summary>
    public string Sign(NoteSigner signer) => SignedNote.Sign(ToNoteText(), signer);

    /// <summary>Parses a checkpoint note text (not a signed note: the text only).</summary>
    /// <exception cref="FormatException">It is not exactly a checkpoint text; the message says why.</exception>
    public static Checkpoint ParseNoteText(string text) =>
        TryParseNoteText(text, out var checkpoint, out var error) ? checkpoint : throw new FormatException(error);

    /// <summary>
    /// Parses a checkpoint note text strictly: at least three lines, each ending in "\n" and non-empty; a non-empty
    /// origin; the size in decimal with no sign and no leading zero (0 itself is allowed); the root as canonical base64
    /// of exactly 32 bytes; extension lines kept as they are.
    /// </summary>
    public static bool TryParseNoteText(string? text, [NotNullWhen(true)] out Checkpoint? checkpoint, [NotNullWhen(false)] out string? error)
    {
        checkpoint = null;
        if (string.IsNullOrEmpty(text) || text[^1] != '\n')
        {
            error = "A checkpoint text ends in a newline.";
            return false;
        }

        var lines = text[..^1].Split('\n');
        if (lines.Length < 3)
        {
            error = $"A checkpoint has an origin, a size and a root hash: {lines.Length} line(s) found.";
            return false;
        }

        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Length == 0)
            {
                error = $"Line {i + 1} of the checkpoint is empty.";
                return false;
            }

            var problem = LineProblem(lines[i]);
            if (problem is not null)
            {
                error = $"Line {i + 1} of the checkpoint {problem}.";
                return false;
            }
        }

        if (!TryParseSize(lines[1], out var size))
        {
            error = $"'{lines[1]}' is not a tree size (decimal digits, no sign, no leading zero).";
            return false;
        }

        if (!StrictBase64.TryDecode(lines[2], out var root) || root.Length != MerkleHashing.HashSize)
        {
            error = $"'{lines[2]}' is not a root hash (base64 of 32 bytes).";
            return false;
        }

        checkpoint = new Checkpoint(lines[0], size, root, lines[3..]);
        error = null;
        return true;
    }

    /// <summary>
    /// Verifies a signed checkpoint with <paramref name="verifierKey"/> (docs/ledger-format.md "Checkpoints"): a
    /// signature by the key verifies over the note text, the text is a checkpoint, and its origin is the key's name.
    /// </summary>
    public static CheckpointVerification Verify(string signedNote, NoteVerifierKey verifierKey)
    {
        ArgumentNullException.ThrowIfNull(signedNote);
        ArgumentNullException.ThrowIfNull(verifierKey);
        var note = SignedNote.Verify(signedNote, verifierKey);
        if (!note.IsValid)
        {
            var failure = note.Failure switch
            {
                NoteFailure.InvalidSignature => CheckpointFailure.InvalidSignature,
                NoteFailure.NoSignatureByKey => CheckpointFailure.NoSignatureByKey,
                _ => CheckpointFailure.MalformedNote,
            };
            return CheckpointVerification.Fail(failure, note.Message);
        }

        if (!TryParseNoteText(note.Text, out var checkpoint, out var error))
        {
            return CheckpointVerification.Fail(CheckpointFailure.MalformedCheckpoint, error);
        }

        if (!string.Equals(checkpoint.Origin, verifierKey.Name, StringComparison.Ordinal))
        {
            return CheckpointVerification.Fail(
                CheckpointFailure.OriginMismatch,
                $"The checkpoint's origin '{checkpoint.Origin}' is not the key's name '{verifierKey.Name}'.");
        }

        return CheckpointVerification.Valid(checkpoint);
    }

    private static bool TryParseSize(string text, out long size)
    {
        size = 0;
        if (text.Length == 0 || text.Length > 19 || (text.Length > 1 && text[0] == '0') || !text.All(char.IsAsciiDigit))
        {
            return false;
        }

        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out size);
    }

    private static string? LineProblem(string line)
    {
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (c < 0x20)
            {
                return "contains a control character";
            }

            if (char.IsHighSurrogate(c) && i + 1 < line.Length && char.IsLowSurrogate(line[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return "is not valid Unicode";
            }
        }

        return null;
    }
}
