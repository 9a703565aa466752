using System.Globalization;
using System.Text;

namespace ClaimLedger.Server.Domain;

/// <summary>
/// An error caused by the request, mapped to a gRPC status in one place
/// (<see cref="Infrastructure.Grpc.ErrorMappingInterceptor"/>). Handlers throw these, never RpcException.
/// </summary>
public abstract class DomainException(string reason, string message) : Exception(message)
{
    /// <summary>UPPER_SNAKE_CASE reason for google.rpc.ErrorInfo.</summary>
    public string Reason { get; } = reason;

    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
}

/// <summary>NOT_FOUND.</summary>
public sealed class NotFoundException(string resourceName)
    : DomainException("RESOURCE_NOT_FOUND", $"{resourceName} does not exist.")
{
    public string ResourceName { get; } = resourceName;
}

/// <summary>ALREADY_EXISTS; <see cref="Resources"/> names the existing resources.</summary>
public sealed class AlreadyExistsException(string reason, string message, IReadOnlyList<string> resources)
    : DomainException(reason, message)
{
    public IReadOnlyList<string> Resources { get; } = resources;
}

/// <summary>FAILED_PRECONDITION: the resource is not in a state that allows the request.</summary>
public sealed class FailedPreconditionException(string reason, string message, string subject)
    : DomainException(reason, message)
{
    public string Subject { get; } = subject;
}

/// <summary>ABORTED: the etag sent is not the resource's current one.</summary>
public sealed class EtagMismatchException(string resourceName, string currentEtag)
    : DomainException("ETAG_MISMATCH", $"The etag given for {resourceName} is stale; read it again and retry.")
{
    public string ResourceName { get; } = resourceName;
    public string CurrentEtag { get; } = currentEtag;
}

/// <summary>INVALID_ARGUMENT for a problem found past validation (e.g. a bad page token or query syntax).</summary>
public sealed class InvalidFieldException(string field, string description)
    : DomainException("INVALID_ARGUMENT", $"{field}: {description}")
{
    public string Field { get; } = field;
    public string Description { get; } = description;
}

/// <summary>UNAUTHENTICATED: no, an unknown or a revoked API key.</summary>
public sealed class UnauthenticatedException(string reason, string message) : DomainException(reason, message);

/// <summary>PERMISSION_DENIED: the caller's role does not grant the request's permission.</summary>
public sealed class PermissionDeniedException(string message) : DomainException("PERMISSION_DENIED", message);

/// <summary>
/// How error messages repeat what a client sent: shortened, with invisible characters (controls, bidi and other format
/// marks, separators, noncharacters) escaped as <c>\uXXXX</c>. A reply stays small and readable, and a log line stays
/// one line, whatever arrived (ADR 7). Validators and handlers quote client input with <see cref="Quote"/>; the error
/// mapping cleans and bounds every text of a reply once more.
/// </summary>
public static class ClientText
{
    /// <summary>The most characters of a client's value an error message repeats.</summary>
    public const int MaxQuotedLength = 64;

    /// <summary>The most values of a list an error message repeats.</summary>
    public const int MaxQuotedValues = 5;

    /// <summary>The value in double quotes, cleaned and shortened to <see cref="MaxQuotedLength"/> characters.</summary>
    public static string Quote(string? value) => $"\"{Clean(value, MaxQuotedLength)}\"";

    /// <summary>The first <see cref="MaxQuotedValues"/> values, each quoted, then how many more there are.</summary>
    public static string QuoteList(IEnumerable<string> values)
    {
        var all = values.ToList();
        var quoted = string.Join(", ", all.Take(MaxQuotedValues).Select(Quote));
        return all.Count > MaxQuotedValues ? $"{quoted} and {all.Count - MaxQuotedValues} more" : quoted;
    }

    /// <summary>
    /// At most <paramref name="maxLength"/> characters of <paramref name="text"/>, invisible characters escaped, a cut
    /// marked with "…". Never splits a surrogate pair or an escape; a lone surrogate becomes U+FFFD, so the result always
    /// encodes as UTF-8 (protobuf strings and gRPC headers must).
    /// </summary>
    public static string Clean(string? text, int maxLength)
    {
        if (string.IsNullOrEmpty(text) || maxLength <= 0)
        {
            return "";
        }

        var result = new StringBuilder(Math.Min(text.Length, maxLength));
        var roomForEllipsis = 0; // the longest prefix (on a character boundary) that leaves room for "…"
        foreach (var rune in text.EnumerateRunes())
        {
            var invisible = IsInvisible(rune);
            var length = invisible ? (rune.IsBmp ? 6 : 10) : rune.Utf16SequenceLength;
            if (result.Length + length > maxLength)
            {
                result.Length = roomForEllipsis;
                return result.Append('…').ToString();
            }

            if (invisible)
            {
                result.Append(rune.IsBmp ? $"\\u{rune.Value:X4}" : $"\\U{rune.Value:X8}");
            }
            else if (rune.IsBmp)
            {
                result.Append((char)rune.Value);
            }
            else
            {
                result.Append(rune.ToString());
            }

            if (result.Length < maxLength)
            {
                roomForEllipsis = result.Length;
            }
        }

        return result.ToString();
    }

    private static bool IsInvisible(Rune rune) =>
        Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format
            or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
            or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
            or UnicodeCategory.OtherNotAssigned
        || (rune.Value & 0xFFFE) == 0xFFFE || rune.Value is >= 0xFDD0 and <= 0xFDEF;
}
