using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ClaimLedger.Server.Domain;

namespace ClaimLedger.Server.Infrastructure.Data;

/// <summary>
/// AIP-158 pagination. A page token is opaque to clients: base64url JSON holding the keyset position (sort value and
/// row sequence of the last item) and a fingerprint of the request's filters and order, so a token cannot be replayed
/// against a different query (INVALID_ARGUMENT).
/// </summary>
public static class PageTokens
{
    public const int DefaultPageSize = 25;
    public const int MaxPageSize = 100;

    public sealed record Position(string? After, long Seq);

    public static int Size(int requested) => requested <= 0 ? DefaultPageSize : Math.Min(requested, MaxPageSize);

    public static string Fingerprint(params object?[] parts)
    {
        var joined = string.Join('\u001f', parts.Select(p => p?.ToString() ?? string.Empty));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(joined)))[..16];
    }

    public static string Encode(Position position, string fingerprint)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(new Token(position.After, position.Seq, fingerprint));
        return Convert.ToBase64String(json).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    /// <summary>Null for an empty token; throws INVALID_ARGUMENT (field page_token) for a malformed or foreign token.</summary>
    public static Position? Decode(string? token, string fingerprint)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }

        try
        {
            var base64 = token.Replace('-', '+').Replace('_', '/');
            base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
            var parsed = JsonSerializer.Deserialize<Token>(Convert.FromBase64String(base64));
            if (parsed is null || parsed.F != fingerprint)
            {
                throw new InvalidFieldException("page_token", "does not belong to this query; request the first page again");
            }

            return new Position(parsed.A, parsed.S);
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            throw new InvalidFieldException("page_token", "is not a page token issued by this server");
        }
    }

    private sealed record Token(string? A, long S, string F);
}
