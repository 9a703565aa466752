using ClaimLedger.Server.Domain;

namespace ClaimLedger.Server.Infrastructure.Data;

/// <summary>
/// Etags are the row's revision, quoted as AIP-154 suggests: "\"7\"". A write that names an etag succeeds only when
/// it is current; an empty etag means "unconditional".
/// </summary>
public static class Etags
{
    public static string For(long revision) => $"\"{revision}\"";

    public static void EnsureCurrent(string resourceName, string? etagSent, long currentRevision)
    {
        if (!string.IsNullOrEmpty(etagSent) && !string.Equals(etagSent, For(currentRevision), StringComparison.Ordinal))
        {
            throw new EtagMismatchException(resourceName, For(currentRevision));
        }
    }
}
