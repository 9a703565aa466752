using System.Collections;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace ClaimLedger.Server.Infrastructure.Grpc;

/// <summary>
/// The NUL character (U+0000) in a request's text. No claim, name, URL or filter legitimately holds one; PostgreSQL
/// cannot store or even compare it in text, and a C string would end at it. So it is refused at the boundary on both
/// engines alike: INVALID_ARGUMENT naming the field (ADR 7).
/// </summary>
public static class NulCharacters
{
    public const string Description = "must not contain the NUL character (U+0000)";

    /// <summary>The path of the first string field of <paramref name="message"/> (nested messages, lists and map keys and values included) holding U+0000, or null.</summary>
    public static string? Find(IMessage message) => Find(message, "", depth: 0);

    private static string? Find(IMessage message, string prefix, int depth)
    {
        if (depth > 32)
        {
            return null; // requests nest a few levels; the parser already bounds recursion
        }

        foreach (var field in message.Descriptor.Fields.InDeclarationOrder())
        {
            if (field.FieldType is not (FieldType.String or FieldType.Message))
            {
                continue;
            }

            var value = field.Accessor.GetValue(message);
            var path = prefix + field.Name;
            if (field.IsMap)
            {
                foreach (DictionaryEntry entry in (IDictionary)value)
                {
                    var key = entry.Key as string;
                    if (key is not null && key.Contains('\0'))
                    {
                        return path;
                    }

                    if (Item(entry.Value, $"{path}[\"{key?.Replace("\0", "", StringComparison.Ordinal) ?? entry.Key}\"]", depth) is { } found)
                    {
                        return found;
                    }
                }
            }
            else if (field.IsRepeated)
            {
                var i = 0;
                foreach (var item in (IList)value)
                {
                    if (Item(item, $"{path}[{i++}]", depth) is { } found)
                    {
                        return found;
                    }
                }
            }
            else if (Item(value, path, depth) is { } found)
            {
                return found;
            }
        }

        return null;
    }

    private static string? Item(object? value, string path, int depth) => value switch
    {
        string text when text.Contains('\0') => path,
        IMessage nested => Find(nested, path + ".", depth + 1),
        _ => null,
    };
}
