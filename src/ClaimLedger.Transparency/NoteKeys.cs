using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using NSec.Cryptography;

namespace ClaimLedger.Transparency;

/// <summary>Key names and key hashes of C2SP signed notes (https://c2sp.org/signed-note), Ed25519 only.</summary>
public static class NoteKeys
{
    /// <summary>The signature type byte of Ed25519 in signed notes.</summary>
    public const byte Ed25519Type = 0x01;

    /// <summary>Ed25519 public keys and private key seeds are 32 bytes.</summary>
    public const int KeySize = 32;

    /// <summary>Ed25519 signatures are 64 bytes.</summary>
    public const int SignatureSize = 64;

    /// <summary>
    /// Whether <paramref name="name"/> can name a key: not empty, and no Unicode space, no '+', no control character,
    /// no lone surrogate (it must be valid UTF-8).
    /// </summary>
    public static bool IsValidKeyName([NotNullWhen(true)] string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return false;
        }

        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (c == '+' || char.IsWhiteSpace(c) || char.IsControl(c))
            {
                return false;
            }

            if (char.IsHighSurrogate(c) && i + 1 < name.Length && char.IsLowSurrogate(name[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Key hash = the first 4 bytes, big-endian, of SHA-256(UTF-8(name) ‖ 0x0A ‖ 0x01 ‖ public key).</summary>
    public static uint KeyHash(string name, ReadOnlySpan<byte> publicKey)
    {
        if (!IsValidKeyName(name))
        {
            throw new ArgumentException($"'{name}' is not a valid key name: it must be non-empty, without spaces or '+'.", nameof(name));
        }

        if (publicKey.Length != KeySize)
        {
            throw new ArgumentException("An Ed25519 public key is 32 bytes.", nameof(publicKey));
        }

        var nameBytes = Encoding.UTF8.GetBytes(name);
        var input = new byte[nameBytes.Length + 2 + KeySize];
        nameBytes.CopyTo(input, 0);
        input[nameBytes.Length] = 0x0A;
        input[nameBytes.Length + 1] = Ed25519Type;
        publicKey.CopyTo(input.AsSpan(nameBytes.Length + 2));
        return BinaryPrimitives.ReadUInt32BigEndian(SHA256.HashData(input));
    }

    /// <summary>A key hash as 8 lower-case hex digits.</summary>
    public static string FormatKeyHash(uint keyHash) => keyHash.ToString("x8", CultureInfo.InvariantCulture);

    internal static bool TryParseKeyHash(string text, out uint keyHash)
    {
        keyHash = 0;
        return text.Length == 8
            && text.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f')
            && uint.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out keyHash);
    }

    internal static SignatureAlgorithm Algorithm => SignatureAlgorithm.Ed25519;
}

/// <summary>
/// A signed-note verifier key, <c>&lt;name&gt;+&lt;key hash, 8 hex&gt;+&lt;base64(0x01 ‖ Ed25519 public key)&gt;</c>, as
/// <c>GetVerifierKey</c> serves it and an auditor keeps it (e.g.
/// <c>PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW</c>).
/// </summary>
public sealed class NoteVerifierKey
{
    private readonly PublicKey _key;
    private readonly byte[] _publicKey;

    private NoteVerifierKey(string name, uint keyHash, byte[] publicKey, PublicKey key)
    {
        Name = name;
        KeyHash = keyHash;
        _publicKey = publicKey;
        _key = key;
    }

    /// <summary>The key name (for a ClaimLedger log, its origin).</summary>
    public string Name { get; }

    /// <summary>The key hash that signature lines by this key carry.</summary>
    public uint KeyHash { get; }

    /// <summary>The 32-byte Ed25519 public key.</summary>
    public ReadOnlySpan<byte> PublicKey => _publicKey;

    /// <summary>The verifier key for an Ed25519 public key under <paramref name="name"/>.</summary>
    public static NoteVerifierKey FromPublicKey(string name, ReadOnlySpan<byte> publicKey)
    {
        var keyHash = NoteKeys.KeyHash(name, publicKey);
        if (!NSec.Cryptography.PublicKey.TryImport(NoteKeys.Algorithm, publicKey, KeyBlobFormat.RawPublicKey, out var key) || key is null)
        {
            throw new ArgumentException("Not a valid Ed25519 public key.", nameof(publicKey));
        }

        return new NoteVerifierKey(name, keyHash, publicKey.ToArray(), key);
    }

    /// <summary>Parses a verifier key string.</summary>
    /// <exception cref="FormatException">It is not exactly a valid Ed25519 verifier key; the message says why.</exception>
    public static NoteVerifierKey Parse(string text) =>
        TryParse(text, out var key, out var error) ? key : throw new FormatException(error);

    /// <summary>Parses a verifier key string; <paramref name="error"/> says why it is not one.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out NoteVerifierKey? key, [NotNullWhen(false)] out string? error)
    {
        key = null;
        if (string.IsNullOrEmpty(text))
        {
            error = "The verifier key is empty.";
            return false;
        }

        var first = text.IndexOf('+', StringComparison.Ordinal);
        var second = first < 0 ? -1 : text.IndexOf('+', first + 1);
        if (second < 0)
        {
            error = "A verifier key is <name>+<key hash>+<base64 key>.";
            return false;
        }

        var name = text[..first];
        var hashText = text[(first + 1)..second];
        var keyText = text[(second + 1)..];
        if (!NoteKeys.IsValidKeyName(name))
        {
            error = $"'{name}' is not a valid key name.";
            return false;
        }

        if (!NoteKeys.TryParseKeyHash(hashText, out var keyHash))
        {
            error = $"'{hashText}' is not a key hash (8 lower-case hex digits).";
            return false;
        }

        if (!StrictBase64.TryDecode(keyText, out var keyBytes) || keyBytes.Length == 0)
        {
            error = "The key is not valid base64.";
            return false;
        }

        if (keyBytes[0] != NoteKeys.Ed25519Type)
        {
            error = $"The key type {keyBytes[0]:x2} is not Ed25519 (01).";
            return false;
        }

        if (keyBytes.Length != 1 + NoteKeys.KeySize)
        {
            error = $"An Ed25519 key is {NoteKeys.KeySize} bytes, not {keyBytes.Length - 1}.";
            return false;
        }

        var publicKey = keyBytes[1..];
        if (NoteKeys.KeyHash(name, publicKey) != keyHash)
        {
            error = $"The key hash {hashText} does not match the name and key.";
            return false;
        }

        if (!NSec.Cryptography.PublicKey.TryImport(NoteKeys.Algorithm, publicKey, KeyBlobFormat.RawPublicKey, out var imported) || imported is null)
        {
            error = "The key is not a valid Ed25519 public key.";
            return false;
        }

        key = new NoteVerifierKey(name, keyHash, publicKey, imported);
        error = null;
        return true;
    }

    /// <summary>Whether <paramref name="signature"/> is this key's Ed25519 signature of <paramref name="message"/>.</summary>
    public bool VerifySignature(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature) =>
        signature.Length == NoteKeys.SignatureSize && NoteKeys.Algorithm.Verify(_key, message, signature);

    /// <summary>The verifier key string.</summary>
    public override string ToString()
    {
        var key = new byte[1 + NoteKeys.KeySize];
        key[0] = NoteKeys.Ed25519Type;
        _publicKey.CopyTo(key, 1);
        return $"{Name}+{NoteKeys.FormatKeyHash(KeyHash)}+{Convert.ToBase64String(key)}";
    }
}

/// <summary>
/// An Ed25519 signing key with its name: signs notes and checkpoints. Its private key is exported and imported as one
/// line of text in the format of Go's golang.org/x/mod/sumdb/note signer keys,
/// <c>PRIVATE+KEY+&lt;name&gt;+&lt;key hash, 8 hex&gt;+&lt;base64(0x01 ‖ 32-byte Ed25519 seed)&gt;</c>, fit for a file
/// readable only by its owner (the key hash lets an import check that name and key belong together). Dispose it to
/// free the key.
/// </summary>
public sealed class NoteSigner : IDisposable
{
    private const string PrivateKeyPrefix = "PRIVATE+KEY+";

    private readonly Key _key;

    private NoteSigner(string name, Key key)
    {
        _key = key;
        Name = name;
        var publicKey = key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        VerifierKey = NoteVerifierKey.FromPublicKey(name, publicKey);
    }

    /// <summary>The key name; the name on signature lines.</summary>
    public string Name { get; }

    /// <summary>The key hash on signature lines.</summary>
    public uint KeyHash => VerifierKey.KeyHash;

    /// <summary>The key an auditor verifies with.</summary>
    public NoteVerifierKey VerifierKey { get; }

    /// <summary>A new random key (from the operating system's generator, through libsodium) named <paramref name="name"/>.</summary>
    public static NoteSigner Generate(string name)
    {
        RequireName(name);
        return new NoteSigner(name, Key.Create(NoteKeys.Algorithm, Exportable));
    }

    /// <summary>The key whose 32-byte Ed25519 seed (RFC 8032 private key) is <paramref name="seed"/>.</summary>
    public static NoteSigner FromSeed(string name, ReadOnlySpan<byte> seed)
    {
        RequireName(name);
        if (seed.Length != NoteKeys.KeySize)
        {
            throw new ArgumentException("An Ed25519 seed is 32 bytes.", nameof(seed));
        }

        return new NoteSigner(name, Key.Import(NoteKeys.Algorithm, seed, KeyBlobFormat.RawPrivateKey, Exportable));
    }

    /// <summary>Imports a private key line written by <see cref="ExportPrivateKey"/> (surrounding whitespace is ignored).</summary>
    /// <exception cref="FormatException">It is not exactly such a line, or its key hash does not match.</exception>
    public static NoteSigner ImportPrivateKey(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        text = text.Trim();
        if (!text.StartsWith(PrivateKeyPrefix, StringComparison.Ordinal))
        {
            throw new FormatException("A private key line starts with PRIVATE+KEY+.");
        }

        var rest = text[PrivateKeyPrefix.Length..];
        var parts = rest.Split('+', 3);
        if (parts.Length != 3 || !NoteKeys.IsValidKeyName(parts[0]))
        {
            throw new FormatException("A private key line is PRIVATE+KEY+<name>+<key hash>+<base64 key>.");
        }

        if (!NoteKeys.TryParseKeyHash(parts[1], out var keyHash))
        {
            throw new FormatException($"'{parts[1]}' is not a key hash (8 lower-case hex digits).");
        }

        if (!StrictBase64.TryDecode(parts[2], out var keyBytes) || keyBytes.Length != 1 + NoteKeys.KeySize || keyBytes[0] != NoteKeys.Ed25519Type)
        {
            throw new FormatException("The private key is not base64 of 0x01 and a 32-byte Ed25519 seed.");
        }

        try
        {
            var signer = FromSeed(parts[0], keyBytes.AsSpan(1));
            if (signer.KeyHash != keyHash)
            {
                signer.Dispose();
                throw new FormatException($"The key hash {parts[1]} does not match the name and key.");
            }

            return signer;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(keyBytes);
        }
    }

    /// <summary>The private key as one line (no line break): keep it where only its owner can read it.</summary>
    public string ExportPrivateKey()
    {
        var seed = _key.Export(KeyBlobFormat.RawPrivateKey);
        var blob = new byte[1 + NoteKeys.KeySize];
        try
        {
            blob[0] = NoteKeys.Ed25519Type;
            seed.CopyTo(blob, 1);
            return $"{PrivateKeyPrefix}{Name}+{NoteKeys.FormatKeyHash(KeyHash)}+{Convert.ToBase64String(blob)}";
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
            CryptographicOperations.ZeroMemory(blob);
        }
    }

    /// <summary>The same key under another name (the key hash changes with the name).</summary>
    public NoteSigner WithName(string name)
    {
        var seed = _key.Export(KeyBlobFormat.RawPrivateKey);
        try
        {
            return FromSeed(name, seed);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    /// <summary>The 64-byte Ed25519 signature of <paramref name="message"/>.</summary>
    public byte[] Sign(ReadOnlySpan<byte> message) => NoteKeys.Algorithm.Sign(_key, message);

    /// <inheritdoc />
    public void Dispose() => _key.Dispose();

    private static KeyCreationParameters Exportable => new() { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };

    private static void RequireName(string name)
    {
        if (!NoteKeys.IsValidKeyName(name))
        {
            throw new ArgumentException($"'{name}' is not a valid key name: it must be non-empty, without spaces or '+'.", nameof(name));
        }
    }
}
