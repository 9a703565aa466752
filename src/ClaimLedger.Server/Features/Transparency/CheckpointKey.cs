using System.Security.Cryptography;
using ClaimLedger.Server.Infrastructure.Data;
using ClaimLedger.Transparency;
using Dapper;
using Microsoft.Extensions.Options;

namespace ClaimLedger.Server.Features.Transparency;

/// <summary>
/// The log's checkpoint signing key (ADR 20). One log, one key: the first instance to start registers its verifier key
/// in log_keys; every instance that holds the matching private key may become the integrator and sign checkpoints. The
/// private key comes from <c>Ledger:Checkpoints:SigningKey</c> (e.g. a secret store), else from the key file in the data
/// directory, which the first start creates (owner-only). An instance without a key still serves checkpoints and proofs;
/// one whose key does not match the registered one refuses to start.
/// </summary>
public sealed class CheckpointKey(IDbConnectionFactory factory, IOptions<DatabaseOptions> database, TransparencyOptions options,
    TimeProvider clock, ILogger<CheckpointKey> logger) : IDisposable
{
    /// <summary>The key that signs this instance's checkpoints; null when this instance has none (it never integrates).</summary>
    public NoteSigner? Signer { get; private set; }

    public string KeyFilePath => Path.IsPathRooted(options.SigningKeyFile)
        ? options.SigningKeyFile
        : Path.Combine(Path.GetFullPath(database.Value.DataDirectory), options.SigningKeyFile);

    /// <summary>The default origin: claimledger.local/ and the first 8 hex digits of SHA-256(public key).</summary>
    public static string DefaultOrigin(ReadOnlySpan<byte> publicKey) =>
        "claimledger.local/" + Convert.ToHexStringLower(SHA256.HashData(publicKey))[..8];

    /// <summary>Loads or creates the key and registers it; throws <see cref="InvalidOperationException"/> on a mismatch.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        var (local, created) = LoadOrCreate();
        await using var connection = await factory.OpenAsync(ct);
        var registered = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "SELECT verifier_key FROM log_keys WHERE id = 1", cancellationToken: ct));
        if (registered is null)
        {
            local ??= Create(out created);
            await connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO log_keys (id, key_name, verifier_key, create_time) VALUES (1, @Name, @Key, @Time)
                ON CONFLICT (id) DO NOTHING
                """, new { local.Name, Key = local.VerifierKey.ToString(), Time = DbTime.ToDb(clock.GetUtcNow()) }, cancellationToken: ct));
            registered = await connection.QuerySingleAsync<string>(new CommandDefinition("SELECT verifier_key FROM log_keys WHERE id = 1", cancellationToken: ct));
        }

        if (local is null)
        {
            logger.LogWarning(
                "This instance has no checkpoint signing key ({Path} does not exist, Ledger:Checkpoints:SigningKey is not set): it serves " +
                "checkpoints and proofs but never integrates the Merkle tree. Give it the private key of {VerifierKey} to let it take over.",
                KeyFilePath, registered);
            return;
        }

        if (registered != local.VerifierKey.ToString())
        {
            if (created)
            {
                // Another instance registered its key first, between our read and our insert: ours was never used.
                File.Delete(KeyFilePath);
                local.Dispose();
                logger.LogWarning("Another instance registered the log's signing key {VerifierKey} first; this one will not integrate.", registered);
                return;
            }

            var mine = local.VerifierKey.ToString();
            local.Dispose();
            throw new InvalidOperationException(
                $"The checkpoint signing key of this instance ({mine}) is not the log's ({registered}). One log has one key: configure " +
                "Ledger:Checkpoints:SigningKey (or the key file) with the log's private key, and Ledger:Checkpoints:Origin to match.");
        }

        Signer = local;
        logger.LogInformation("Checkpoints are signed with {VerifierKey}", registered);
    }

    private (NoteSigner? Signer, bool Created) LoadOrCreate()
    {
        string? text = options.SigningKey;
        if (string.IsNullOrWhiteSpace(text) && File.Exists(KeyFilePath))
        {
            text = File.ReadAllText(KeyFilePath);
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            return (null, false);
        }

        NoteSigner signer;
        try
        {
            signer = NoteSigner.ImportPrivateKey(text);
        }
        catch (FormatException e)
        {
            throw new InvalidOperationException($"The checkpoint signing key is not a private key line: {e.Message}", e);
        }

        if (options.Origin is { } origin && origin != signer.Name)
        {
            using (signer)
            {
                return (Rename(signer, origin), false);
            }
        }

        return (signer, false);
    }

    private NoteSigner Create(out bool created)
    {
        using var generated = NoteSigner.Generate("claimledger.local");
        var signer = Rename(generated, options.Origin ?? DefaultOrigin(generated.VerifierKey.PublicKey));
        var path = KeyFilePath;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using var writer = new StreamWriter(path, System.Text.Encoding.ASCII, fileOptions);
            writer.WriteLine(signer.ExportPrivateKey());
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another instance sharing this data directory created it a moment ago: use that one.
            signer.Dispose();
            created = false;
            return ReadWhenWritten(path);
        }

        created = true;
        logger.LogInformation("Created the checkpoint signing key {Path} (owner-only); its verifier key is {VerifierKey}", path, signer.VerifierKey);
        return signer;
    }

    private NoteSigner ReadWhenWritten(string path)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var signer = NoteSigner.ImportPrivateKey(File.ReadAllText(path));
                return options.Origin is { } origin && origin != signer.Name ? Rename(signer, origin) : signer;
            }
            catch (FormatException) when (attempt < 50)
            {
                Thread.Sleep(100); // still being written
            }
        }
    }

    private static NoteSigner Rename(NoteSigner signer, string name)
    {
        if (!NoteKeys.IsValidKeyName(name))
        {
            throw new InvalidOperationException($"Ledger:Checkpoints:Origin \"{name}\" is not a key name (no spaces or '+').");
        }

        return signer.WithName(name);
    }

    public void Dispose() => Signer?.Dispose();
}
