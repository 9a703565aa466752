using System.Text.RegularExpressions;

namespace ClaimLedger.Server.Domain;

/// <summary>BCP-47 language tags: well-formedness check and canonical casing ("pt-br" → "pt-BR").</summary>
public static partial class LanguageTags
{
    public static bool IsWellFormed(string? tag) => tag is not null && tag.Length <= 35 && Pattern().IsMatch(tag);

    public static string Canonicalize(string tag)
    {
        var parts = tag.Split('-');
        parts[0] = parts[0].ToLowerInvariant();
        for (var i = 1; i < parts.Length; i++)
        {
            if (parts[i - 1].Length == 1)
            {
                // After a singleton (extension or private use) everything stays lower-case.
                for (var j = i; j < parts.Length; j++)
                {
                    parts[j] = parts[j].ToLowerInvariant();
                }

                break;
            }

            parts[i] = parts[i].Length switch
            {
                2 => parts[i].ToUpperInvariant(),                                       // region
                4 => char.ToUpperInvariant(parts[i][0]) + parts[i][1..].ToLowerInvariant(), // script
                _ => parts[i].ToLowerInvariant(),
            };
        }

        return string.Join('-', parts);
    }

    // language[-script][-region][-variant]*[-extension]*[-privateuse] (RFC 5646 §2.1, simplified; no grandfathered tags).
    [GeneratedRegex(@"^[A-Za-z]{2,3}(-[A-Za-z]{4})?(-([A-Za-z]{2}|[0-9]{3}))?(-([A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*(-[A-WYZa-wyz0-9](-[A-Za-z0-9]{2,8})+)*(-[Xx](-[A-Za-z0-9]{1,8})+)?\z")]
    private static partial Regex Pattern();
}
