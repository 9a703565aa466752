using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace ClaimLedger.Server.Infrastructure.Grpc;

/// <summary>Small conversions used by the gRPC services when they map requests to commands.</summary>
public static class ProtoConvert
{
    public static DateTimeOffset? ToDateTimeOffsetOrNull(this Timestamp? timestamp) => timestamp?.ToDateTimeOffset();

    /// <summary>Whole seconds of a duration (sub-second parts are dropped); null when unset.</summary>
    public static long? ToSeconds(this Duration? duration) => duration?.Seconds;

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
