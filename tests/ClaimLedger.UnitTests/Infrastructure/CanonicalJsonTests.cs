using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using ClaimLedger.Server.Infrastructure.Ledger;
using ClaimLedger.Transparency;

namespace ClaimLedger.UnitTests.Infrastructure;

/// <summary>RFC 8785 (JCS) for the subset the ledger writes. Every expected text is written out by hand from the RFC's rules.</summary>
public sealed class CanonicalJsonTests
{
    // ---- member order ------------------------------------------------------------------------------------------

    [Fact]
    public void ToText_SortsMembersByUtf16CodeUnits_AsInTheRfcExample()
    {
        // RFC 8785 §3.2.3: U+1F600 is the surrogate pair D83D DE00, which sorts BEFORE U+FB33 by UTF-16 code units
        // (although it comes after it by code point). U+0080 and U+00F6 come after ASCII, U+20AC after them.
        var node = new JsonObject
        {
            ["\u20ac"] = "Euro Sign",
            ["\r"] = "Carriage Return",
            ["\ufb33"] = "Hebrew Letter Dalet With Dagesh",
            ["1"] = "One",
            ["\ud83d\ude00"] = "Emoji: Grinning Face",
            ["\u0080"] = "Control",
            ["\u00f6"] = "Latin Small Letter O With Diaeresis",
        };

        CanonicalJson.ToText(node).ShouldBe(
            "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u0080\":\"Control\",\"\u00f6\":\"Latin Small Letter O With Diaeresis\"," +
            "\"\u20ac\":\"Euro Sign\",\"\ud83d\ude00\":\"Emoji: Grinning Face\",\"\ufb33\":\"Hebrew Letter Dalet With Dagesh\"}");
    }

    [Fact]
    public void ToText_SortsUppercaseBeforeUnderscoreBeforeLowercaseBeforeNonAscii_NotByCulture()
    {
        var node = new JsonObject { ["b"] = 1L, ["é"] = 2L, ["a"] = 3L, ["_"] = 4L, ["B"] = 5L, ["aa"] = 6L, ["A"] = 7L, ["€"] = 8L, ["😀"] = 9L, ["Z"] = 10L };

        // 'A'=0x41 'B'=0x42 'Z'=0x5A '_'=0x5F 'a'=0x61 "aa" (prefix first) 'b'=0x62 'é'=0xE9 '€'=0x20AC '😀'=0xD83D…
        CanonicalJson.ToText(node).ShouldBe("""{"A":7,"B":5,"Z":10,"_":4,"a":3,"aa":6,"b":1,"é":2,"€":8,"😀":9}""");
    }

    [Fact]
    public void ToText_SortsNestedObjects_KeepsArrayOrder_AndWritesNoWhitespace()
    {
        var node = JsonNode.Parse("""
            {
              "z" : [ 3, 1, { "y" : true, "x" : false }, [ ], null ],
              "m" : { "b" : "two", "a" : { "d" : null, "c" : "" } },
              "a" : { }
            }
            """);

        CanonicalJson.ToText(node).ShouldBe("""{"a":{},"m":{"a":{"c":"","d":null},"b":"two"},"z":[3,1,{"x":false,"y":true},[],null]}""");
    }

    [Fact]
    public void ToText_OfProgrammaticNodes_WritesLiteralsAndNulls()
    {
        var node = new JsonObject { ["t"] = true, ["f"] = false, ["n"] = null, ["arr"] = new JsonArray(null, "s", 7L) };

        CanonicalJson.ToText(node).ShouldBe("""{"arr":[null,"s",7],"f":false,"n":null,"t":true}""");
        CanonicalJson.ToText(null).ShouldBe("null");
    }

    [Fact]
    public void ToText_OfParsedText_ReordersAndUnescapes_ToTheSameCanonicalForm()
    {
        var node = JsonNode.Parse("""{"b":"\u0041\/\u00e9","a":"\ud83d\ude00"}""");

        CanonicalJson.ToText(node).ShouldBe("{\"a\":\"\ud83d\ude00\",\"b\":\"A/\u00e9\"}");
    }

    // ---- string escaping ---------------------------------------------------------------------------------------

    [Theory]
    [InlineData("\"", "\"\\\"\"")]
    [InlineData("\\", "\"\\\\\"")]
    [InlineData("\b", "\"\\b\"")]
    [InlineData("\f", "\"\\f\"")]
    [InlineData("\n", "\"\\n\"")]
    [InlineData("\r", "\"\\r\"")]
    [InlineData("\t", "\"\\t\"")]
    [InlineData("\u0000", "\"\\u0000\"")]
    [InlineData("\u0001", "\"\\u0001\"")]
    [InlineData("\u000b", "\"\\u000b\"")]
    [InlineData("\u001f", "\"\\u001f\"")]
    public void ToText_EscapesQuoteBackslashAndControls_Minimally(string value, string expected)
    {
        CanonicalJson.ToText(JsonValue.Create(value)).ShouldBe(expected);
    }

    [Theory]
    [InlineData("/")]
    [InlineData(" ")]
    [InlineData("'")]
    [InlineData("<>&")]
    [InlineData("\u007f")]
    [InlineData("\u0080")]
    [InlineData("é")]
    [InlineData("€")]
    [InlineData("\u2028\u2029")]
    [InlineData("\ufeff")]
    public void ToText_WritesSlashDelAndNonAsciiUnescaped(string value)
    {
        CanonicalJson.ToText(JsonValue.Create(value)).ShouldBe("\"" + value + "\"");
    }

    [Fact]
    public void ToText_WritesSurrogatePairAsTheCharacterItself()
    {
        CanonicalJson.ToText(JsonValue.Create("a\ud83d\ude00b")).ShouldBe("\"a\ud83d\ude00b\"");
    }

    [Fact]
    public void Serialize_EncodesNonAsciiAsUtf8Bytes()
    {
        var bytes = CanonicalJson.Serialize(new JsonObject { ["k"] = "é€😀\n" });

        // {"k":"  é=C3 A9  €=E2 82 AC  😀=F0 9F 98 80  \n  "}
        bytes.ShouldBe(new byte[]
        {
            0x7B, 0x22, 0x6B, 0x22, 0x3A, 0x22,
            0xC3, 0xA9, 0xE2, 0x82, 0xAC, 0xF0, 0x9F, 0x98, 0x80, 0x5C, 0x6E,
            0x22, 0x7D,
        });
    }

    [Fact]
    public void ToText_OfStringsMixingEveryKindOfCharacter_MatchesTheRfcsRulesCharacterByCharacter()
    {
        // Strings copied through in runs between the characters that need care must come out as if written one by one.
        char[] alphabet = ['a', 'Z', ' ', '"', '\\', '/', '\b', '\f', '\n', '\r', '\t', '\u0000', '\u0001', '\u001f', '\u007f', 'é', '€', '核', '\u2028', '\ufeff'];
        var random = new Random(20261201);
        for (var n = 0; n < 2000; n++)
        {
            var text = new StringBuilder();
            for (var i = random.Next(0, 40); i > 0; i--)
            {
                _ = random.Next(8) == 0 ? text.Append("\ud83d\ude00") : text.Append(alphabet[random.Next(alphabet.Length)]);
            }

            var value = text.ToString();
            var hex = Convert.ToHexString(Encoding.Unicode.GetBytes(value));
            CanonicalJson.ToText(JsonValue.Create(value)).ShouldBe(Reference(value), hex);
            // The measured literal written into a span (JsonRows) is the same text, of exactly the measured length.
            CanonicalJson.StringLength(value).ShouldBe(Reference(value).Length, hex);
            var span = new char[Reference(value).Length + 3];
            var written = CanonicalJson.WriteString(span, value);
            new string(span, 0, written).ShouldBe(Reference(value), hex);
        }

        static string Reference(string s)
        {
            var b = new StringBuilder("\"");
            foreach (var c in s)
            {
                _ = c switch
                {
                    '"' => b.Append("\\\""),
                    '\\' => b.Append("\\\\"),
                    '\b' => b.Append("\\b"),
                    '\f' => b.Append("\\f"),
                    '\n' => b.Append("\\n"),
                    '\r' => b.Append("\\r"),
                    '\t' => b.Append("\\t"),
                    < ' ' => b.Append($"\\u{(int)c:x4}"),
                    _ => b.Append(c),
                };
            }

            return b.Append('"').ToString();
        }
    }

    [Fact]
    public void ToText_EscapesControlsInMemberNamesToo()
    {
        CanonicalJson.ToText(new JsonObject { ["a\"b\u001f"] = 1L }).ShouldBe("{\"a\\\"b\\u001f\":1}");
    }

    [Fact]
    public void ToText_RefusesLoneSurrogates_InValuesAndNames()
    {
        foreach (var value in new[] { "\ud800", "\udc00", "x\ud83d", "\ud83dx", "\ude00\ud83d" })
        {
            Should.Throw<ArgumentException>(() => CanonicalJson.ToText(JsonValue.Create(value)), $"value {Convert.ToHexString(Encoding.Unicode.GetBytes(value))}");
            Should.Throw<ArgumentException>(() => CanonicalJson.ToText(new JsonObject { [value] = 1L }), $"name {Convert.ToHexString(Encoding.Unicode.GetBytes(value))}");
            Should.Throw<ArgumentException>(() => CanonicalJson.StringLength(value));
            Should.Throw<ArgumentException>(() => CanonicalJson.WriteString(new char[20], value));
        }
    }

    // ---- numbers -----------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(0L, "0")]
    [InlineData(1L, "1")]
    [InlineData(-1L, "-1")]
    [InlineData(1234567890L, "1234567890")]
    [InlineData(-42L, "-42")]
    [InlineData(9_007_199_254_740_991L, "9007199254740991")]
    [InlineData(-9_007_199_254_740_991L, "-9007199254740991")]
    public void ToText_WritesIntegersInPlainDecimal(long value, string expected)
    {
        CanonicalJson.ToText(JsonValue.Create(value)).ShouldBe(expected);
        CanonicalJson.ToText(JsonNode.Parse(expected)).ShouldBe(expected);
        CanonicalJson.ToText(new JsonArray(JsonValue.Create(value))).ShouldBe($"[{expected}]");
    }

    [Fact]
    public void ToText_WritesInt32ValuesAsIntegers()
    {
        // new JsonObject { ["a"] = 1 } stores an Int32: an integer within range, so RFC 8785 and the ledger format allow it.
        CanonicalJson.ToText(new JsonObject { ["a"] = 1, ["b"] = -7, ["c"] = int.MaxValue }).ShouldBe("""{"a":1,"b":-7,"c":2147483647}""");
    }

    [Fact]
    public void ToText_WritesNegativeZeroAsZero()
    {
        CanonicalJson.ToText(JsonNode.Parse("[-0]")).ShouldBe("[0]");
    }

    [Theory]
    [InlineData("1.5")]
    [InlineData("-0.25")]
    [InlineData("1e3")]
    [InlineData("1.0")]
    [InlineData("9007199254740992")]
    [InlineData("-9007199254740992")]
    [InlineData("12345678901234567890")]
    [InlineData("-9223372036854775808")]
    public void ToText_RefusesNonIntegersAndIntegersBeyond2Pow53Minus1_InParsedText(string number)
    {
        Should.Throw<ArgumentException>(() => CanonicalJson.ToText(JsonNode.Parse($$"""{"n":{{number}}}""")));
    }

    [Fact]
    public void ToText_RefusesProgrammaticNonIntegers()
    {
        Should.Throw<ArgumentException>(() => CanonicalJson.ToText(JsonValue.Create(1.5)));
        Should.Throw<ArgumentException>(() => CanonicalJson.ToText(JsonValue.Create(0.25m)));
        Should.Throw<ArgumentException>(() => CanonicalJson.ToText(new JsonObject { ["score"] = 0.5f }));
    }

    [Theory]
    [InlineData(9_007_199_254_740_992L)]
    [InlineData(-9_007_199_254_740_992L)]
    [InlineData(long.MaxValue)]
    [InlineData(long.MinValue)]
    public void ToText_RefusesProgrammaticIntegersBeyond2Pow53Minus1(long value)
    {
        Should.Throw<ArgumentException>(() => CanonicalJson.ToText(JsonValue.Create(value)));
    }

    // ---- LedgerChain -------------------------------------------------------------------------------------------

    private const string ExampleCanonical =
        """{"action":"claim.created","actor":"alice","changes":{"a":1},"sequence":1,"subject":"claims/x","time":"2026-01-01T00:00:00.000000Z"}""";

    private static byte[] ExampleEntry() =>
        LedgerChain.CanonicalEntry(1, "2026-01-01T00:00:00.000000Z", "alice", "claim.created", "claims/x", JsonNode.Parse("""{"a":1}"""));

    private static string Sha256Hex(byte[] previousHash, string canonical)
    {
        var data = previousHash.Concat(Encoding.UTF8.GetBytes(canonical)).ToArray();
        return string.Concat(SHA256.HashData(data).Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void GenesisHash_Is64Zeros()
    {
        LedgerChain.GenesisHash.ShouldBe("0000000000000000000000000000000000000000000000000000000000000000");
    }

    [Fact]
    public void CanonicalEntry_IsTheSortedCompactJsonOfTheSixFields()
    {
        Encoding.UTF8.GetString(ExampleEntry()).ShouldBe(ExampleCanonical);
    }

    [Fact]
    public void CanonicalEntry_EmbedsChangesAsAnObject_SortedAndUtf8()
    {
        var bytes = LedgerChain.CanonicalEntry(12, "2026-02-03T04:05:06.789012Z", "zoë", "source.updated", "sources/s",
            new JsonObject { ["title"] = "Café \"x\"", ["kind"] = "NEWS_ARTICLE", ["author"] = null });

        Encoding.UTF8.GetString(bytes).ShouldBe(
            """{"action":"source.updated","actor":"zoë","changes":{"author":null,"kind":"NEWS_ARTICLE","title":"Café \"x\""},"sequence":12,"subject":"sources/s","time":"2026-02-03T04:05:06.789012Z"}""");
    }

    [Fact]
    public void EntryHash_OfFirstEntry_IsSha256Of32ZeroBytesThenCanonicalBytes()
    {
        var expected = Sha256Hex(new byte[32], ExampleCanonical);

        var hash = LedgerChain.EntryHash(LedgerChain.GenesisHash, ExampleEntry());

        hash.ShouldBe(expected);
        hash.Length.ShouldBe(64);
        hash.ShouldBe(hash.ToLowerInvariant());
    }

    [Fact]
    public void EntryHash_UsesThePreviousHashAsRawBytes_NotAsHexText()
    {
        var first = Sha256Hex(new byte[32], ExampleCanonical);
        const string second = """{"action":"claim.updated","actor":"bob","changes":{"a":2},"sequence":2,"subject":"claims/x","time":"2026-01-01T00:00:01.000000Z"}""";
        var previousBytes = Enumerable.Range(0, 32).Select(i => Convert.ToByte(first.Substring(i * 2, 2), 16)).ToArray();

        var hash = LedgerChain.EntryHash(first, Encoding.UTF8.GetBytes(second));

        hash.ShouldBe(Sha256Hex(previousBytes, second));
        hash.ShouldNotBe(Sha256Hex(Encoding.ASCII.GetBytes(first), second));
    }

    [Fact]
    public void EntryHash_ChangesWhenAnyByteOfContentOrPreviousHashChanges()
    {
        var original = LedgerChain.EntryHash(LedgerChain.GenesisHash, ExampleEntry());
        var otherContent = LedgerChain.EntryHash(LedgerChain.GenesisHash,
            LedgerChain.CanonicalEntry(1, "2026-01-01T00:00:00.000000Z", "alice", "claim.created", "claims/x", JsonNode.Parse("""{"a":2}""")));
        var otherPrevious = LedgerChain.EntryHash(new string('0', 63) + "1", ExampleEntry());

        otherContent.ShouldNotBe(original);
        otherPrevious.ShouldNotBe(original);
        otherPrevious.ShouldNotBe(otherContent);
    }
}
