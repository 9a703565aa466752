using System.Text;
using ClaimLedger.Server.Infrastructure.Search;
using Microsoft.Data.Sqlite;

namespace ClaimLedger.UnitTests.Search;

/// <summary>
/// <see cref="FullTextQuery.Parse"/> holds to SQLite's FTS5 itself: for every query, both accept it, or both reject it
/// with the same message. FTS5 is asked through a table with the columns and tokenizer of claims_fts.
/// </summary>
public sealed class FullTextQueryFts5AgreementTests : IDisposable
{
    private readonly SqliteConnection _connection = new("Data Source=:memory:");

    public FullTextQueryFts5AgreementTests()
    {
        _connection.Open();
        using var create = _connection.CreateCommand();
        create.CommandText = """
            CREATE VIRTUAL TABLE claims_fts USING fts5 (text, claimant, tokenize = 'unicode61 remove_diacritics 2');
            INSERT INTO claims_fts (text, claimant) VALUES ('Zanzibar drones: the ministry confirmed', 'Ministry of Zanzibar');
            """;
        create.ExecuteNonQuery();
    }

    public void Dispose() => _connection.Dispose();

    public static TheoryData<string> Curated() =>
    [
        "zanzibar", "Zanzibar drones", "\"rottnest island\" AND quok*", "\"unterminated", "AND OR", "nosuchcolumn: drones", "(drones",
        "(a OR b) c", "c (a OR b)", "(zanzibar) drones", "S-400", "S-400 drones", "\"S-400\"", "foo(a b) )", "foo(a b) \"x", "nosuch: \"x",
        "nosuch \"x", "NEAR(a b, 5x)", "NEAR(a b, \"5\")", "NEAR(a b, 2)", "NEAR(a b)", "NEAR(a b c, 0)", "NEAR(a, 3)", "text: zanzibar",
        "claimant: zanzibar", "{text claimant}: zanzibar", "-text: zanzibar", "-{text}: zanzibar", "^zanzibar", "zanzibar + drones",
        "zanzibar+drones*", "a AND", "AND a", "()", "zürich", "\"—\"", "zanzibar \"—\" AND x", "NEAR(drone drones)", "x NOT", "NOT x",
        "a.b", "don't", "a_b", "text:(zanzibar OR s)", "a:", "{text", "{nosuch text", "{text nosuch}", "-nosuch", "a -b c", "-{a",
        "a OR b c", "\"a\" \"b\"", "zanz *", "\"zanz\"*", "zanz**", "zanz* *", "NEAR(a b, 99999999999)", "NEAR(a b,)", "NEAR(a b, 5 6)",
        "NEAR()", "NEAR(, 5)", "NEAR (a b)", "\"NEAR\"(a b)", "NEAR", "NEAR a", "a NEAR", "near(a b)", "OR", "and", "a and b", "a\tb",
        "a\u001ab", "a\u000bb", "a\u000cb", "^", "^^a", "a^", "a ^b", "NEAR(^a b)", "a + ", "+ a", "a + + b", "a +b", "a:b", "text:",
        "\"text\": a", "\"te\"\"xt\": a", "TEXT: a", "Text: a", "{}: a", "{text}: (a)", "text: (a) b", "(a)(b)", "a (b)", "(a b)",
        "((a) OR (b))", "a OR (b c) NOT d", "a NOT NOT b", "a AND AND b", "a OR", "a ,", "a , b", "a)", "x\"y\"", "\"x\"y", "\"x\"\"y\"",
        "a*b", "[a]", "a|b", "a&b", "a!", "a#b", "a%b", "a@b", "a$b", "a~b", "a`b", "a=b", "a?b", "a/b", "a\\b", "a;b", "a<b", "a>b",
        "a'b", "a\u007fb", "€uro", "naïve", "日本語", "Дроны", "", " ", "a text:(b)", "text: NEAR(a b)", "text: ^a", "-text: ^a",
        "claimant:(a OR b) AND c", "\"\"", "\"\" a", "a \"\"", "\"a\"\"", "NEAR(a b, 1) c", "a NEAR(b c)", "NEAR(a b) NEAR(c d)",
        "NEAR(a + b c*)", "NEAR(a b, 3) OR (c NOT d)", "a\u00a0b", "a\u2003b", "x\0 y", "a (", "(a) OR (b) AND (c) NOT (d)",
        "{text claimant", "{text claimant} a", "- text: a", "-{text claimant}: NEAR(a b)", "text claimant: a", "text: claimant: a",
        "a OR -text: b", "NEAR(text: a)", "NEAR(a) b", "NEAR(a b, 2147483648)", "NEAR(a b, 4294967298)", "\"a b\"* c", "NEAR(\"a b\"* c)",
    ];

    [Theory]
    [MemberData(nameof(Curated))]
    public void CuratedQueries_AreAcceptedOrRejectedAsFts5Does(string query)
    {
        Ours(query).ShouldBe(Fts5(query), $"query: {Escape(query)}");
    }

    [Fact]
    public void DeeplyNestedQueries_OverflowWhereFts5Does()
    {
        foreach (var depth in Enumerable.Range(90, 15))
        {
            foreach (var query in new[]
            {
                new string('(', depth) + "a" + new string(')', depth),
                new string('(', depth) + "a",
                string.Concat(Enumerable.Repeat("(a OR ", depth / 3)) + "b" + new string(')', depth / 3),
                string.Concat(Enumerable.Repeat("(a AND b NOT ", depth / 4)) + "c" + new string(')', depth / 4),
                string.Concat(Enumerable.Repeat("text:(", depth / 3)) + "a" + new string(')', depth / 3),
                string.Concat(Enumerable.Repeat("(NEAR(a b) OR ", depth / 3)) + "c" + new string(')', depth / 3),
                new string('(', depth) + "NEAR(a b, 3)" + new string(')', depth),
                new string('(', depth) + "a + b* + c" + new string(')', depth),
                new string('(', depth - 2) + "-{text claimant}: a" + new string(')', depth - 2),
            })
            {
                Ours(query).ShouldBe(Fts5(query), $"query: {query}");
            }
        }
    }

    [Fact]
    public void RandomQueries_AreAcceptedOrRejectedAsFts5Does()
    {
        string[] fragments =
        [
            "a", "zanzibar", "Quok", "NEAR", "AND", "OR", "NOT", "and", "(", ")", "\"", "\"x y\"", "\"\"", "*", "+", ":", "-", "^", "{", "}",
            ",", "5", "12", "text", "claimant", "nosuch", "TEXT", ".", "'", "é", "日本", "\t", "_", "x1", "NEAR(", ", 2)", "\u00a0", "—",
        ];
        var random = new Random(20240611);
        var disagreements = new List<string>();
        for (var i = 0; i < 6000; i++)
        {
            var builder = new StringBuilder();
            for (var n = random.Next(1, 12); n > 0; n--)
            {
                builder.Append(fragments[random.Next(fragments.Length)]);
                if (random.Next(3) > 0)
                {
                    builder.Append(' ');
                }
            }

            var query = builder.ToString();
            if (query.StartsWith('*'))
            {
                continue;
            }

            var (ours, theirs) = (Ours(query), Fts5(query));
            if (ours != theirs)
            {
                disagreements.Add($"{Escape(query)}: ours {ours}, FTS5 {theirs}");
            }
        }

        disagreements.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("*reads")]
    [InlineData("*id")]
    [InlineData("* nonsense")]
    [InlineData("*")]
    public void SpecialQueries_AreRejected_FtsNamesThemUnknown(string query)
    {
        // FTS5 answers *reads and *id with statistics rather than matches (which SearchClaims cannot use); other names it
        // rejects as these are rejected here.
        Should.Throw<FullTextSyntaxException>(() => FullTextQuery.Parse(query)).Message.ShouldStartWith("unknown special query: ");
        if (query is not ("*reads" or "*id"))
        {
            Fts5(query).ShouldBe(Ours(query));
        }
    }

    private static string Ours(string query)
    {
        try
        {
            FullTextQuery.Parse(query);
            return "OK";
        }
        catch (FullTextSyntaxException e)
        {
            return "ERROR " + e.Message;
        }
    }

    private string Fts5(string query)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM claims_fts WHERE claims_fts MATCH @Query";
        command.Parameters.AddWithValue("@Query", query);
        try
        {
            command.ExecuteScalar();
            return "OK";
        }
        catch (SqliteException e)
        {
            // "SQLite Error 1: 'fts5: syntax error near "AND"'." → fts5: syntax error near "AND"
            var first = e.Message.IndexOf('\'');
            var last = e.Message.LastIndexOf('\'');
            return "ERROR " + (last > first + 1 ? e.Message[(first + 1)..last] : e.Message);
        }
    }

    private static string Escape(string query) =>
        string.Concat(query.Select(c => c < ' ' || c == '\u007f' ? $"\\u{(int)c:x4}" : c.ToString()));
}
