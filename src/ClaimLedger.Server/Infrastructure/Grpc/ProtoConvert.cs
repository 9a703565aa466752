using ClaimLedger.Server.Domain;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace ClaimLedger.Server.Infrastructure.Grpc;

/// <summary>
/// Conversions used by the gRPC services when they map requests to commands. Those that take a field path never throw
/// anything but <see cref="InvalidFieldException"/> (INVALID_ARGUMENT naming the field): a Timestamp or Duration out
/// of its well-known type's range is the client's mistake, reported like any other, never a conversion failure
/// (INTERNAL). Validators check what lies within range.
/// </summary>
public static class ProtoConvert
{
    /// <summary>google.protobuf.Duration limits: ±10,000 years, nanos within ±999,999,999 and of the seconds' sign.</summary>
    public const string DurationMessage = "must be a valid duration: at most 315,576,000,000 seconds, nanos within ±999,999,999 with the sign of the seconds";

    private const long MaxDurationSeconds = 315_576_000_000L;

    /// <summary>For values already validated (e.g. by <see cref="Features.Reviews.TimestampRules"/>): throws when out of range.</summary>
    public static DateTimeOffset? ToDateTimeOffsetOrNull(this Timestamp? timestamp) => timestamp?.ToDateTimeOffset();

    /// <summary>The time, null when unset; INVALID_ARGUMENT on <paramref name="field"/> when outside 0001-01-01..9999-12-31.</summary>
    public static DateTimeOffset? ToDateTimeOffsetOrNull(this Timestamp? timestamp, string field) =>
        Features.Reviews.TimestampRules.IsValidOrUnset(timestamp)
            ? timestamp?.ToDateTimeOffset()
            : throw new InvalidFieldException(field, Features.Reviews.TimestampRules.Message);

    /// <summary>Whole seconds of a duration (sub-second parts are dropped); null when unset. For values already validated.</summary>
    public static long? ToSeconds(this Duration? duration) => duration?.Seconds;

    /// <summary>
    /// Whole seconds of a duration (sub-second parts are dropped); null when unset; INVALID_ARGUMENT on
    /// <paramref name="field"/> when it is not a valid google.protobuf.Duration.
    /// </summary>
    public static long? ToSeconds(this Duration? duration, string field) =>
        IsValidOrUnset(duration) ? duration?.Seconds : throw new InvalidFieldException(field, DurationMessage);

    /// <summary>Unset, or within google.protobuf.Duration's range with nanos of the seconds' sign.</summary>
    public static bool IsValidOrUnset(Duration? duration) =>
        duration is null
        || (duration.Seconds is >= -MaxDurationSeconds and <= MaxDurationSeconds
            && duration.Nanos is > -Duration.NanosecondsPerSecond and < Duration.NanosecondsPerSecond
            && (duration.Seconds == 0 || duration.Nanos == 0 || (duration.Seconds < 0) == (duration.Nanos < 0)));

    /// <summary>
    /// AIP-134: the mask's paths; "*" means every updatable field; an empty mask means the updatable fields that are
    /// set (non-default) in <paramref name="resource"/>.
    /// </summary>
    public static IReadOnlyList<string> UpdatePaths(FieldMask? mask, IMessage? resource, IReadOnlySet<string> updatable)
    {
        if (mask is { Paths.Count: > 0 })
        {
            return mask.Paths.Contains("*") ? updatable.ToList() : mask.Paths.ToList();
        }

        if (resource is null)
        {
            return [];
        }

        return resource.Descriptor.Fields.InFieldNumberOrder()
            .Where(f => updatable.Contains(f.Name))
            .Where(f => f.IsRepeated
                ? ((System.Collections.IList)f.Accessor.GetValue(resource)).Count > 0
                : f.FieldType switch
                {
                    Google.Protobuf.Reflection.FieldType.Message => f.Accessor.GetValue(resource) is not null,
                    Google.Protobuf.Reflection.FieldType.Enum => Convert.ToInt32(f.Accessor.GetValue(resource), System.Globalization.CultureInfo.InvariantCulture) != 0,
                    _ => !Equals(f.Accessor.GetValue(resource), DefaultOf(f)),
                })
            .Select(f => f.Name)
            .ToList();
    }

    private static object? DefaultOf(Google.Protobuf.Reflection.FieldDescriptor field) => field.FieldType switch
    {
        Google.Protobuf.Reflection.FieldType.String => "",
        Google.Protobuf.Reflection.FieldType.Bool => false,
        Google.Protobuf.Reflection.FieldType.Double => 0d,
        Google.Protobuf.Reflection.FieldType.Int32 => 0,
        Google.Protobuf.Reflection.FieldType.Int64 => 0L,
        _ => null,
    };
}
