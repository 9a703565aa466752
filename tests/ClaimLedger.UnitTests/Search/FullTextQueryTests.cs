using ClaimLedger.Server.Infrastructure.Search;

namespace ClaimLedger.UnitTests.Search;

/// <summary>
/// <see cref="FullTextQuery"/>: the API's search syntax translated to tsquery text (for
/// <c>to_tsquery('simple', claimledger_unaccent(…))</c>), and the errors of malformed queries.
/// </summary>
public sealed class FullTextQueryTests
{
    [Theory]
    [InlineData("zanzibar", "'zanzibar'")]
    [InlineData("Zanzibar drones", "('Zanzibar' & 'drones')")]
    [InlineData("zanzibar AND drones", "('zanzibar' & 'drones')")]
    [InlineData("zanzibar OR drones", "('zanzibar' | 'drones')")]
    [InlineData("zanzibar NOT drones", "('zanzibar' & !'drones')")]
    [InlineData("\"rottnest island\"", "('rottnest' <-> 'island')")]
    [InlineData("\"rottnest island\" AND quok*", "(('rottnest' <-> 'island') & 'quok':*)")]
    [InlineData("quok *", "'quok':*")]
    [InlineData("\"rottnest isl\"*", "('rottnest' <-> 'isl':*)")]
    [InlineData("\"a b\"* c", "(('a' <-> 'b':*) & 'c')")]
    [InlineData("a + b*", "('a' <-> 'b':*)")]
    [InlineData("a + \"b c\" + d", "('a' <-> 'b' <-> 'c' <-> 'd')")]
    [InlineData("and or not near", "('and' & 'or' & 'not' & 'near')")]
    [InlineData("\"AND\" \"NEAR\"", "('AND' & 'NEAR')")]
    [InlineData("a_b", "'a\\_b'")]
    public void WordsPhrasesPrefixesAndOperators_BecomeTsQueryOperands(string query, string expected)
    {
        FullTextQuery.Parse(query).ToTsQuery().ShouldBe(expected);
    }

    [Theory]
    // NOT binds tightest, then AND (also implicit), then OR; all are left-associative.
    [InlineData("a OR b c", "('a' | ('b' & 'c'))")]
    [InlineData("a b OR c", "(('a' & 'b') | 'c')")]
    [InlineData("a OR b AND c", "('a' | ('b' & 'c'))")]
    [InlineData("a AND b OR c", "(('a' & 'b') | 'c')")]
    [InlineData("a AND b NOT c", "('a' & ('b' & !'c'))")]
    [InlineData("a NOT b AND c", "(('a' & !'b') & 'c')")]
    [InlineData("a NOT b NOT c", "(('a' & !'b') & !'c')")]
    [InlineData("a NOT b c", "('a' & !('b' & 'c'))")]
    [InlineData("(a OR b) AND c", "(('a' | 'b') & 'c')")]
    [InlineData("((a))", "'a'")]
    public void Precedence_IsFts5s(string query, string expected)
    {
        FullTextQuery.Parse(query).ToTsQuery().ShouldBe(expected);
    }

    [Fact]
    public void Near_IsEitherOrderAtEveryDistanceUpToNPlusOne()
    {
        FullTextQuery.Parse("NEAR(a b, 1)").ToTsQuery().ShouldBe(
            "('a' <0> 'b' | 'b' <0> 'a' | 'a' <1> 'b' | 'b' <1> 'a' | 'a' <2> 'b' | 'b' <2> 'a')");
    }

    [Fact]
    public void Near_MeasuresFromAPhrasesEnd_AndDefaultsToTen()
    {
        var tsQuery = FullTextQuery.Parse("NEAR(\"rottnest island\" quok*)").ToTsQuery()!;

        tsQuery.ShouldStartWith("(('rottnest' <-> 'island') <0> 'quok':* | 'quok':* <0> ('rottnest' <-> 'island') | ");
        tsQuery.ShouldEndWith(" | ('rottnest' <-> 'island') <11> 'quok':* | 'quok':* <11> ('rottnest' <-> 'island'))");
        tsQuery.Split(" | ").Length.ShouldBe(2 * 12);
    }

    [Fact]
    public void Near_WithThreePhrases_RequiresEveryPairNear()
    {
        var tsQuery = FullTextQuery.Parse("NEAR(a b c, 0)").ToTsQuery();

        tsQuery.ShouldBe(
            "(('a' <0> 'b' | 'b' <0> 'a' | 'a' <1> 'b' | 'b' <1> 'a') & " +
            "('a' <0> 'c' | 'c' <0> 'a' | 'a' <1> 'c' | 'c' <1> 'a') & " +
            "('b' <0> 'c' | 'c' <0> 'b' | 'b' <1> 'c' | 'c' <1> 'b'))");
    }

    [Theory]
    [InlineData("NEAR(a b, 126)", false)]  // 2 × 128 alternatives: exactly the budget
    [InlineData("NEAR(a b, 127)", true)]
    [InlineData("NEAR(a b c d e)", false)] // 10 pairs × 24
    [InlineData("NEAR(a b c d e f)", true)] // 15 pairs × 24
    public void Near_BeyondTheBudget_IsTheAndOfItsPhrases(string query, bool and)
    {
        var tsQuery = FullTextQuery.Parse(query).ToTsQuery()!;

        tsQuery.Contains('<').ShouldBe(!and);
        if (and)
        {
            tsQuery.ShouldStartWith("('a' & 'b'");
        }
    }

    [Theory]
    [InlineData("NEAR(a)", "'a'")]
    [InlineData("NEAR(a, 0)", "'a'")]
    [InlineData("NEAR(a \"—\")", "'a'")]
    [InlineData("NEAR(a b, 4294967298)", "('a' <0> 'b' | 'b' <0> 'a' | 'a' <1> 'b' | 'b' <1> 'a' | 'a' <2> 'b' | 'b' <2> 'a' | 'a' <3> 'b' | 'b' <3> 'a')")]
    [InlineData("NEAR(a b, 2147483648)", null)]
    public void Near_EdgeCases_FollowFts5(string query, string? expected)
    {
        FullTextQuery.Parse(query).ToTsQuery().ShouldBe(expected);
    }

    [Theory]
    [InlineData("\"—\"", null)]
    [InlineData("(\"—\")", null)]
    [InlineData("zanzibar \"—\"", "'zanzibar'")]
    [InlineData("\"—\" zanzibar", "'zanzibar'")]
    [InlineData("zanzibar AND \"—\"", null)]
    [InlineData("\"—\" AND zanzibar", null)]
    [InlineData("zanzibar OR \"—\"", "'zanzibar'")]
    [InlineData("zanzibar NOT \"—\"", "'zanzibar'")]
    [InlineData("\"—\" NOT zanzibar", null)]
    [InlineData("zanzibar + \"—\"", "'zanzibar'")]
    [InlineData("zanzibar + \"—\"*", "'zanzibar':*")]
    [InlineData("\"zanzibar — drones\"", "('zanzibar' <-> 'drones')")]
    public void PhrasesWithoutTokenCharacters_MatchNothing_AsInFts5(string query, string? expected)
    {
        FullTextQuery.Parse(query).ToTsQuery().ShouldBe(expected);
    }

    [Theory]
    [InlineData("\"S-400\"", "'S\\-400'")]
    [InlineData("\"don't\"", "'don\\'t'")]
    [InlineData("\"don’t\"", "'don\\’t'")]
    [InlineData("\"a\\b\"", "'a\\\\b'")]
    [InlineData("café", "'caf\\é'")]
    [InlineData("\"«S-400»\"", "'\\«S\\-400\\»'")]
    [InlineData("\"say \"\"hi\"\"\"", "('say' <-> '\\\"hi\\\"')")]
    [InlineData("\"x & y | !z <-> w:*\"", "('x' <-> 'y' <-> '\\!z' <-> 'w\\:\\*')")]
    [InlineData("Дроны", "'\\Д\\р\\о\\н\\ы'")]
    [InlineData("\"e\u0301\"", "'e\u0301'")]
    public void Operands_AreQuotedAndEscaped_SoThatUnaccentCannotBreakThem(string query, string expected)
    {
        // Every character but an ASCII letter, digit or combining mark is escaped: claimledger_unaccent, which runs over
        // the whole tsquery text, may turn one into a quote (’ → ') or an operator (« → <<), never an escaped one.
        FullTextQuery.Parse(query).ToTsQuery().ShouldBe(expected);
    }

    [Theory]
    [InlineData("\"a\tb\"", "('a' <-> 'b')")]
    [InlineData("\"a\u00a0b\"", "'a\\\u00a0b'")]
    public void Phrases_AreSplitAtAsciiWhitespaceOnly_TheRestIsPostgreSqlsToSplit(string query, string expected)
    {
        FullTextQuery.Parse(query).ToTsQuery().ShouldBe(expected);
    }

    [Theory]
    [InlineData("text: zanzibar", "column filters (such as text:) are not supported")]
    [InlineData("{text claimant}: zanzibar", "column filters (such as text:) are not supported")]
    [InlineData("-claimant: zanzibar", "column filters (such as text:) are not supported")]
    [InlineData("claimant:(a OR b)", "column filters (such as text:) are not supported")]
    [InlineData("^zanzibar", "^ (a match at the start of the text) is not supported")]
    public void ColumnFiltersAndInitialTokens_AreValidFts5_ButHaveNoTsQuery(string query, string message)
    {
        var parsed = FullTextQuery.Parse(query);

        Should.Throw<FullTextSyntaxException>(parsed.ToTsQuery).Message.ShouldBe(message);
    }

    [Theory]
    [InlineData("\"unterminated", "unterminated string")]
    [InlineData("AND OR", "fts5: syntax error near \"AND\"")]
    [InlineData("nosuchcolumn: drones", "no such column: nosuchcolumn")]
    [InlineData("(drones", "fts5: syntax error near \"\"")]
    [InlineData("drones)", "fts5: syntax error near \")\"")]
    [InlineData("NOT drones", "fts5: syntax error near \"NOT\"")]
    [InlineData("drones AND", "fts5: syntax error near \"\"")]
    [InlineData("S-400", "no such column: 400")]
    [InlineData("U.S.", "fts5: syntax error near \".\"")]
    [InlineData("Iran's", "fts5: syntax error near \"'\"")]
    [InlineData("(a OR b) c", "fts5: syntax error near \"c\"")]
    [InlineData("near(a b)", "fts5: syntax error near \"near\"")]
    [InlineData("NEAR(a b, 5x)", "expected integer, got \"5x\"")]
    [InlineData("NEAR(a b,)", "fts5: syntax error near \")\"")]
    [InlineData("NEAR()", "fts5: syntax error near \")\"")]
    [InlineData("a**", "fts5: syntax error near \"*\"")]
    [InlineData("*reads", "unknown special query: reads")]
    [InlineData("", "fts5: syntax error near \"\"")]
    [InlineData("\0drones", "fts5: syntax error near \"\"")]
    public void MalformedQueries_AreRejected_InFts5sWords(string query, string message)
    {
        Should.Throw<FullTextSyntaxException>(() => FullTextQuery.Parse(query)).Message.ShouldBe(message);
    }

    [Fact]
    public void ParserStackOverflow_AfterNinetySevenParentheses_AsInFts5()
    {
        FullTextQuery.Parse(new string('(', 97) + "a" + new string(')', 97)).ToTsQuery().ShouldBe("'a'");
        Should.Throw<FullTextSyntaxException>(() => FullTextQuery.Parse(new string('(', 98) + "a" + new string(')', 98)))
            .Message.ShouldBe("fts5: parser stack overflow");
    }

    [Fact]
    public void ANul_EndsTheQuery_AsInFts5()
    {
        FullTextQuery.Parse("drones\0 AND (").ToTsQuery().ShouldBe("'drones'");
    }

    [Theory]
    [InlineData("zanzibar", "'zanzibar'")]
    [InlineData("zanzibar NOT drones", "'zanzibar'")]
    [InlineData("(a OR b*) NOT (c d)", "'a' | 'b':*")]
    [InlineData("\"a b\" a NEAR(c a)", "'a' | 'b' | 'c'")]
    [InlineData("\"—\"", null)]
    public void HighlightTerms_AreTheWordsLookedFor_NotTheNegatedOnes(string query, string? expected)
    {
        FullTextQuery.Parse(query).HighlightTerms().ShouldBe(expected);
    }
}
