using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace ClaimLedger.Server.Infrastructure.Security;

/// <summary>
/// API key format: "cl_" + id (32 hex) + "_" + secret (43 base64url characters = 256 random bits). The id finds the
/// row; only SHA-256 of the secret is stored and compared, in constant time.
/// </summary>
public static partial class ApiKeys
{
    public const string Prefix = "cl_";

    public sealed record Generated(string Id, string Key, string SecretSha256, string KeyPrefix);

    public static Generated Generate()
    {
        var id = Guid.CreateVersion7().ToString("N");
        var secret = Base64Url(RandomNumberGenerator.GetBytes(32));
        var key = $"{Prefix}{id}_{secret}";
        return new Generated(id, key, Sha256Hex(secret), key[..(Prefix.Length + 8)]);
    }

    public static bool TryParse(string? key, out string id, out string secret)
    {
        var match = key is null ? Match.Empty : Pattern().Match(key);
        id = match.Success ? match.Groups[1].Value : "";
        secret = match.Success ? match.Groups[2].Value : "";
        return match.Success;
    }

    public static bool SecretMatches(string secret, string storedSha256Hex) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(secret)), Convert.FromHexString(storedSha256Hex));

    /// <summary>The stored SHA-256 of a key's secret (hex), as the ledger records it; "" for a malformed key.</summary>
    public static string SecretSha256Of(string key) => TryParse(key, out _, out var secret) ? Sha256Hex(secret) : "";

    private static string Sha256Hex(string secret) => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(secret)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    [GeneratedRegex(@"^cl_([0-9a-f]{32})_([A-Za-z0-9_-]{43})\z")]
    private static partial Regex Pattern();
}
