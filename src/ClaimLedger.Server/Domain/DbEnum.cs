using System.Collections.Concurrent;
using System.Reflection;
using Google.Protobuf.Reflection;

namespace ClaimLedger.Server.Domain;

/// <summary>
/// Contract enums are stored by their .proto value names ('IN_REVIEW'), so rows read the same in sqlite3,
/// in the API and in the docs.
/// </summary>
public static class DbEnum
{
    private static readonly ConcurrentDictionary<Type, (Dictionary<int, string> ToName, Dictionary<string, int> FromName)> Maps = new();

    public static string ToDb<T>(T value) where T : struct, Enum =>
        Map(typeof(T)).ToName.TryGetValue(Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture), out var name)
            ? name
            : throw new ArgumentOutOfRangeException(nameof(value), value, "Not a defined value.");

    public static string? ToDbOrNull<T>(T value) where T : struct, Enum =>
        Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture) == 0 ? null : ToDb(value);

    public static T Parse<T>(string? name) where T : struct, Enum =>
        name is not null && Map(typeof(T)).FromName.TryGetValue(name, out var v) ? (T)Enum.ToObject(typeof(T), v) : default;

    private static (Dictionary<int, string> ToName, Dictionary<string, int> FromName) Map(Type type) =>
        Maps.GetOrAdd(type, t =>
        {
            var toName = new Dictionary<int, string>();
            foreach (var field in t.GetFields(BindingFlags.Public | BindingFlags.Static))
            {
                var original = field.GetCustomAttribute<OriginalNameAttribute>()?.Name ?? field.Name;
                toName[Convert.ToInt32(field.GetValue(null), System.Globalization.CultureInfo.InvariantCulture)] = original;
            }

            return (toName, toName.ToDictionary(kv => kv.Value, kv => kv.Key, StringComparer.Ordinal));
        });
}
