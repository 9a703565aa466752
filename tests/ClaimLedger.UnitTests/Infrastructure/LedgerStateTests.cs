using System.Text.Json.Nodes;
using ClaimLedger.Server.Features.Ledger;
using Shouldly;

namespace ClaimLedger.UnitTests.Infrastructure;

/// <summary>
/// VerifyLedger's comparison of a row with the ledger: the ledger's side is parsed from the stored entry, the row's is
/// rendered; strings are compared on the parsed UTF-8 without making a string of them, and must agree with
/// JsonNode.DeepEquals on every shape an entry can hold.
/// </summary>
public sealed class LedgerStateTests
{
    public static TheoryData<string, string, bool> Values => new()
    {
        { "\"Grain exports rose 12%\"", "Grain exports rose 12%", true },
        { "\"Grain exports rose 12%\"", "Grain exports rose 13%", false },
        { "\"caf\\u00e9 \\u2013 \\ud83d\\ude00\"", "café – 😀", true }, // escaped in the entry, plain in the row
        { "\"Экспорт зерна вырос\"", "Экспорт зерна вырос", true },
        { "\"伊朗外长访问莫斯科\"", "伊朗外长访问莫斯科", true },
        { "\"line\\nnext\"", "line\nnext", true },
        { "\"\"", "", true },
        { "\"a\"", "", false },
        { "12", "12", false }, // a number in the ledger is not the string "12"
        { "null", "null", false },
        { "true", "true", false },
        { "[\"a\"]", "a", false },
        { "{\"a\":\"b\"}", "b", false },
    };

    [Theory]
    [MemberData(nameof(Values))]
    public void AStringOfTheRow_AgainstTheLedgersParsedValue_IsEqualExactlyWhenDeepEqualsSaysSo(string ledgerJson, string stored, bool equal)
    {
        var ledger = (JsonObject)JsonNode.Parse($"{{\"m\":{ledgerJson}}}")!;
        var row = new JsonObject { ["m"] = stored };

        var difference = LedgerState.FirstDifference(ledger, row);

        JsonNode.DeepEquals(ledger["m"], row["m"]).ShouldBe(equal);
        (difference is null).ShouldBe(equal);
        if (!equal)
        {
            difference!.Value.Path.ShouldBe("m");
            difference.Value.Stored!.GetValue<string>().ShouldBe(stored);
        }
    }

    [Fact]
    public void NestedMembers_AreNamedByTheirPath_AndMembersTheLedgerNeverRecorded_AreNotCompared()
    {
        var ledger = (JsonObject)JsonNode.Parse("""{"text":"same","verdict":{"rating":"FALSE","score":1}}""")!;
        var row = new JsonObject
        {
            ["text"] = "same",
            ["added_later"] = "anything",
            ["verdict"] = new JsonObject { ["rating"] = "TRUE", ["score"] = 1 },
        };

        var difference = LedgerState.FirstDifference(ledger, row);

        difference.ShouldNotBeNull();
        difference.Value.Path.ShouldBe("verdict.rating");
        LedgerState.Text(difference.Value.Ledger).ShouldBe("FALSE");
        LedgerState.Text(difference.Value.Stored).ShouldBe("TRUE");
    }

    [Fact]
    public void ValuesTheFoldBuilt_NotParsed_AreComparedToo()
    {
        // The review policy's default state is built in code, not parsed: numbers and strings as .NET values.
        var ledger = new JsonObject { ["default_review_interval_seconds"] = 7776000L, ["name"] = "reviewPolicy" };

        LedgerState.FirstDifference(ledger, new JsonObject { ["default_review_interval_seconds"] = 7776000L, ["name"] = "reviewPolicy" }).ShouldBeNull();
        LedgerState.FirstDifference(ledger, new JsonObject { ["default_review_interval_seconds"] = 7776000L, ["name"] = "other" })!.Value.Path.ShouldBe("name");
        LedgerState.FirstDifference(ledger, new JsonObject { ["default_review_interval_seconds"] = 1L })!.Value.Path
            .ShouldBe("default_review_interval_seconds");
    }
}
