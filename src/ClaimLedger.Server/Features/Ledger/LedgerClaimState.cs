using System.Text;
using System.Text.Json;

namespace ClaimLedger.Server.Features.Ledger;

/// <summary>
/// What a claim's ledger entry says its state is: the top-level "status" and "verdict": {"name", "rating"} of the
/// entry's changes, read with a forward-only reader (no tree) since VerifyLedger reads one per claim.
/// </summary>
internal readonly record struct LedgerClaimState(string? Status, string? VerdictName, string? Rating)
{
    public static LedgerClaimState Read(string changes)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(changes));
        string? status = null, verdictName = null, rating = null;
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return default;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("status"u8))
            {
                reader.Read();
                status = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }
            else if (reader.ValueTextEquals("verdict"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        var isName = reader.ValueTextEquals("name"u8);
                        var isRating = reader.ValueTextEquals("rating"u8);
                        reader.Read();
                        if (reader.TokenType == JsonTokenType.String && (isName || isRating))
                        {
                            (isName ? ref verdictName : ref rating) = reader.GetString();
                        }
                        else
                        {
                            reader.Skip();
                        }
                    }
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return new LedgerClaimState(status, verdictName, rating);
    }
}
