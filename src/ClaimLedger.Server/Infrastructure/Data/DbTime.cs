using System.Globalization;
using Google.Protobuf.WellKnownTypes;

namespace ClaimLedger.Server.Infrastructure.Data;

/// <summary>Timestamps are stored as fixed-width UTC ISO-8601 text with microseconds, which sorts as time does.</summary>
public static class DbTime
{
    private const string Format = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";

    public static string ToDb(DateTimeOffset time) => time.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture);

    public static string? ToDb(Timestamp? time) => time is null ? null : ToDb(time.ToDateTimeOffset());

    public static DateTimeOffset FromDb(string text) =>
        DateTimeOffset.ParseExact(text, Format, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    public static Timestamp? ToTimestamp(string? text) => text is null ? null : Timestamp.FromDateTimeOffset(FromDb(text));
}
