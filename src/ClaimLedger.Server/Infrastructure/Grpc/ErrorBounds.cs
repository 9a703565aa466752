using System.Text;
using ClaimLedger.Server.Domain;
using Google.Protobuf;
using Google.Rpc;

namespace ClaimLedger.Server.Infrastructure.Grpc;

/// <summary>
/// Size limits on every error reply, whatever the request (ADR 7). An error travels in HTTP/2 headers — grpc-message
/// and grpc-status-details-bin — and common clients refuse a header block of more than a few KiB: the call then never
/// completes and the other calls on the connection fail too. So a reply carries at most
/// <see cref="MaxFieldViolations"/> field violations and a last one saying how many more there were; every field path,
/// name and description is shortened; the message fits <see cref="MaxMessageBytes"/> as sent; and the serialized
/// google.rpc.Status fits <see cref="MaxStatusBytes"/>, details being dropped from the end if ever needed.
/// </summary>
public static class ErrorBounds
{
    /// <summary>Field violations reported in full; the rest are counted in one last violation.</summary>
    public const int MaxFieldViolations = 20;

    /// <summary>Field paths (AIP-193), shortened with "…".</summary>
    public const int MaxFieldLength = 128;

    /// <summary>Resource names, subjects, types and metadata values.</summary>
    public const int MaxNameLength = 128;

    /// <summary>Descriptions of violations and resources.</summary>
    public const int MaxDescriptionLength = 512;

    /// <summary>ErrorInfo metadata entries; keys are shortened to 64 characters.</summary>
    public const int MaxMetadataEntries = 16;

    /// <summary>ResourceInfo and PreconditionFailure entries.</summary>
    public const int MaxEntries = 20;

    /// <summary>grpc-message as sent: gRPC percent-encodes every byte outside printable ASCII (and '%') as three.</summary>
    public const int MaxMessageBytes = 1000;

    /// <summary>The serialized google.rpc.Status; base64 in grpc-status-details-bin makes it at most 8 KiB.</summary>
    public const int MaxStatusBytes = 6 * 1024;

    private const string Ellipsis = "…";

    /// <summary>A field path, cleaned and shortened.</summary>
    public static string Field(string? field) => ClientText.Clean(field, MaxFieldLength);

    /// <summary>A resource name, subject or metadata value, cleaned and shortened.</summary>
    public static string Name(string? name) => ClientText.Clean(name, MaxNameLength);

    /// <summary>A description, cleaned and shortened.</summary>
    public static string Description(string? description) => ClientText.Clean(description, MaxDescriptionLength);

    /// <summary>
    /// <paramref name="text"/> cleaned and cut (with "…") so that, followed by <paramref name="suffix"/>, it takes at
    /// most <see cref="MaxMessageBytes"/> bytes as grpc-message.
    /// </summary>
    public static string Message(string text, string suffix = "")
    {
        var budget = MaxMessageBytes - EncodedLength(suffix);
        var cleaned = ClientText.Clean(text, budget);
        if (EncodedLength(cleaned) <= budget)
        {
            return cleaned + suffix;
        }

        budget -= EncodedLength(Ellipsis);
        var cut = new StringBuilder();
        var used = 0;
        foreach (var rune in cleaned.EnumerateRunes())
        {
            var cost = EncodedLength(rune);
            if (used + cost > budget)
            {
                break;
            }

            cut.Append(rune.ToString());
            used += cost;
        }

        return cut.Append(Ellipsis).Append(suffix).ToString();
    }

    /// <summary>
    /// The violations a reply reports: the first <see cref="MaxFieldViolations"/> (fewer if their size calls for it),
    /// cleaned and shortened, and the number left out.
    /// </summary>
    public static (IReadOnlyList<BadRequest.Types.FieldViolation> Kept, int Omitted) Violations(IReadOnlyCollection<(string Field, string Description)> all)
    {
        // What the rest of the status may take: the message, the code, the ErrorInfo and the "and N more" violation.
        const int budget = MaxStatusBytes - MaxMessageBytes - 512;
        var kept = new List<BadRequest.Types.FieldViolation>();
        var size = 0;
        foreach (var (field, description) in all.Take(MaxFieldViolations))
        {
            var violation = new BadRequest.Types.FieldViolation { Field = Field(field), Description = Description(description) };
            var cost = CodedOutputStream.ComputeMessageSize(violation) + 1;
            if (size + cost > budget)
            {
                break;
            }

            kept.Add(violation);
            size += cost;
        }

        return (kept, all.Count - kept.Count);
    }

    /// <summary>The last violation of a reply that left <paramref name="omitted"/> out: it names no field.</summary>
    public static BadRequest.Types.FieldViolation Summary(int omitted) => new() { Field = "", Description = $"and {omitted} more" };

    /// <summary>
    /// The status with its message bounded and, should its details still exceed <see cref="MaxStatusBytes"/>, its
    /// details dropped from the last to the second (the first is the ErrorInfo, which is always kept).
    /// </summary>
    public static Google.Rpc.Status Fit(Google.Rpc.Status status)
    {
        status.Message = Message(status.Message);
        while (status.CalculateSize() > MaxStatusBytes && status.Details.Count > 1)
        {
            status.Details.RemoveAt(status.Details.Count - 1);
        }

        return status;
    }

    /// <summary>The ErrorInfo metadata, at most <see cref="MaxMetadataEntries"/> entries, keys and values shortened.</summary>
    public static IEnumerable<KeyValuePair<string, string>> Metadata(IReadOnlyDictionary<string, string> metadata) =>
        metadata.Take(MaxMetadataEntries).Select(m => KeyValuePair.Create(ClientText.Clean(m.Key, 64), Name(m.Value)))
            .DistinctBy(m => m.Key, StringComparer.Ordinal);

    /// <summary>Bytes of <paramref name="text"/> in grpc-message: UTF-8, each byte outside printable ASCII (and '%') as %XX.</summary>
    public static int EncodedLength(string text)
    {
        var length = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            length += EncodedLength(rune);
        }

        return length;
    }

    private static int EncodedLength(Rune rune) =>
        rune.Value is >= 0x20 and <= 0x7E and not '%' ? 1 : 3 * rune.Utf8SequenceLength;
}
