namespace ClaimLedger.Transparency;

/// <summary>
/// Standard base64 with padding (RFC 4648 §4), accepted only in its one canonical spelling: no whitespace (which
/// <see cref="Convert.FromBase64String(string)"/> skips), no missing padding, no non-zero bits in the last character's
/// unused part. So a decoded value has exactly one text, and a changed character is always a changed value or an error.
/// </summary>
internal static class StrictBase64
{
    public static bool TryDecode(string? text, out byte[] bytes)
    {
        bytes = [];
        if (text is null || text.Length % 4 != 0)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!(c is >= 'A' and <= 'Z' or >= 'a' and <= 'z' or >= '0' and <= '9' or '+' or '/' or '='))
            {
                return false;
            }
        }

        var buffer = new byte[text.Length / 4 * 3];
        if (!Convert.TryFromBase64String(text, buffer, out var written))
        {
            return false;
        }

        var decoded = buffer[..written];
        if (!string.Equals(Convert.ToBase64String(decoded), text, StringComparison.Ordinal))
        {
            return false;
        }

        bytes = decoded;
        return true;
    }
}
