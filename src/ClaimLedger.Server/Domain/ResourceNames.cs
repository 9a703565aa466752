using System.Text.RegularExpressions;

namespace ClaimLedger.Server.Domain;

/// <summary>AIP-122 resource names. Ids are server-generated, 32 lower-case hex characters (UUIDv7, time-ordered).</summary>
public static partial class ResourceNames
{
    public static string NewId() => Guid.CreateVersion7().ToString("N");

    public static string Claim(string id) => $"claims/{id}";
    public static string Source(string id) => $"sources/{id}";
    public static string Evidence(string claimId, string id) => $"claims/{claimId}/evidence/{id}";
    public static string Verdict(string claimId, string id) => $"claims/{claimId}/verdicts/{id}";

    public static bool TryParseClaim(string? name, out string id) => TryMatch(ClaimPattern(), name, out id);
    public static bool TryParseSource(string? name, out string id) => TryMatch(SourcePattern(), name, out id);

    public static bool TryParseEvidence(string? name, out string claimId, out string evidenceId)
    {
        var match = name is null ? Match.Empty : EvidencePattern().Match(name);
        claimId = match.Success ? match.Groups[1].Value : string.Empty;
        evidenceId = match.Success ? match.Groups[2].Value : string.Empty;
        return match.Success;
    }

    public static bool IsClaim(string? name) => TryParseClaim(name, out _);
    public static bool IsSource(string? name) => TryParseSource(name, out _);
    public static bool IsEvidence(string? name) => TryParseEvidence(name, out _, out _);

    private static bool TryMatch(Regex pattern, string? name, out string id)
    {
        var match = name is null ? Match.Empty : pattern.Match(name);
        id = match.Success ? match.Groups[1].Value : string.Empty;
        return match.Success;
    }

    [GeneratedRegex(@"^claims/([0-9a-f]{32})\z")]
    private static partial Regex ClaimPattern();

    [GeneratedRegex(@"^sources/([0-9a-f]{32})\z")]
    private static partial Regex SourcePattern();

    [GeneratedRegex(@"^claims/([0-9a-f]{32})/evidence/([0-9a-f]{32})\z")]
    private static partial Regex EvidencePattern();
}
