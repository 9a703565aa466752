using System.Globalization;
using ClaimLedger.Contracts.V1;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;

namespace ClaimLedger.Cli;

/// <summary>Text forms used in tables, and parsing of enum and time arguments.</summary>
public static class Format
{
    public static string Time(Timestamp? t) => t is null ? "" : t.ToDateTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string Days(Duration? d) => d is null ? "" : $"{d.ToTimeSpan().TotalDays:0.###} days";

    public static string Enum<T>(T value) where T : struct, System.Enum =>
        typeof(T).GetField(value.ToString())?.GetCustomAttributes(typeof(OriginalNameAttribute), false).OfType<OriginalNameAttribute>().FirstOrDefault()?.Name
        ?? value.ToString();

    /// <summary>Parses a proto enum by its .proto name, case-insensitively, with or without the enum's prefix.</summary>
    public static T ParseEnum<T>(string text, string option, string prefix = "") where T : struct, System.Enum
    {
        var wanted = text.Trim().Replace('-', '_').ToUpperInvariant();
        foreach (var value in System.Enum.GetValues<T>())
        {
            var name = Enum(value);
            if (Convert.ToInt32(value, CultureInfo.InvariantCulture) != 0 && (name == wanted || name == prefix + wanted))
            {
                return value;
            }
        }

        var names = System.Enum.GetValues<T>().Where(v => Convert.ToInt32(v, CultureInfo.InvariantCulture) != 0)
            .Select(v => Enum(v).StartsWith(prefix, StringComparison.Ordinal) ? Enum(v)[prefix.Length..] : Enum(v));
        throw new UsageException($"{option} must be one of {string.Join(", ", names)}; got \"{text}\".");
    }

    public static Timestamp ParseTime(string text, string option) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t)
            ? Timestamp.FromDateTimeOffset(t)
            : throw new UsageException($"{option} must be a date or time such as 2026-01-31 or 2026-01-31T12:00:00Z; got \"{text}\".");

    public static Duration ParseDays(double days, string option) =>
        days > 0 ? Duration.FromTimeSpan(TimeSpan.FromDays(days)) : throw new UsageException($"{option} must be a positive number of days.");

    /// <summary>
    /// An --etag as the API wants it: quoted. `claim show` prints etag "3"; the shell drops the quotes from --etag "3", so
    /// 3, "3" and W/"3" are all accepted. Null or blank means no etag (no check).
    /// </summary>
    public static string Etag(string? text)
    {
        var etag = text?.Trim() ?? "";
        return etag.Length == 0 || etag.StartsWith('"') || etag.StartsWith("W/\"", StringComparison.Ordinal) ? etag : $"\"{etag}\"";
    }

    public static string Short(string text, int max = 80) => text.Length <= max ? text : text[..(max - 1)] + "…";

    public static string Verdict(Verdict? v) => v is null ? "" : $"{Enum(v.Rating)}{(v.HasScore ? $" ({v.Score:0.##})" : "")}";

    public static string Status(ClaimStatus s) => Enum(s);

    /// <summary>A published fact-check in one line: “Falso” (FALSE) by Verifica Exemplo, 2024-03-05, its URL.</summary>
    public static string Review(PublishedReview r)
    {
        var label = r.Rating is null ? "" : $"“{Short(r.Rating.Label, 40)}” ({(r.Rating.Rating == Rating.Unspecified ? "unmapped" : Enum(r.Rating.Rating))})";
        var by = (r.Publisher ?? r.Author)?.Name is { Length: > 0 } name ? $" by {name}" : "";
        var when = r.PublishTime is null ? "" : $", {r.PublishTime.ToDateTime():yyyy-MM-dd}";
        return $"{label}{by}{when} {r.Url}".Trim();
    }
}
