using ClaimLedger.Server.Domain;

namespace ClaimLedger.UnitTests.Domain;

public sealed class TextSimilarityTests
{
    private static double Similarity(string a, string b) =>
        TextSimilarity.Similarity(TextSimilarity.Normalize(a), TextSimilarity.Normalize(b));

    [Theory]
    [InlineData("Hello World", "hello world")]
    [InlineData("Café", "cafe")]
    [InlineData("São Paulo", "sao paulo")]
    [InlineData("naïve résumé", "naive resume")]
    [InlineData("Hello, World!", "hello world")]
    [InlineData("  many   spaces\there\n", "many spaces here")]
    [InlineData("Iran's drones", "iran s drones")]
    [InlineData("S-400 (missiles)", "s 400 missiles")]
    [InlineData("ＡＢＣ　１２３", "abc 123")]   // fullwidth letters, digits and ideographic space (NFKC)
    [InlineData("ﬁnance", "finance")]           // ligature (NFKC)
    [InlineData("...!!!", "")]
    [InlineData("", "")]
    public void Normalize_FoldsCaseDiacriticsPunctuationAndWhitespace(string text, string expected)
    {
        TextSimilarity.Normalize(text).ShouldBe(expected);
    }

    [Fact]
    public void Normalize_IsIdempotent()
    {
        var once = TextSimilarity.Normalize("  Ｔhe MINISTER said: «Iran's drones» — café!  ");

        TextSimilarity.Normalize(once).ShouldBe(once);
    }

    [Fact]
    public void Similarity_OfIdenticalTexts_IsOne()
    {
        Similarity("Iran supplies drones to Russia", "Iran supplies drones to Russia").ShouldBe(1.0);
    }

    [Fact]
    public void Similarity_OfTwoEmptyTexts_IsOne()
    {
        TextSimilarity.Similarity("", "").ShouldBe(1.0);
    }

    [Fact]
    public void Similarity_OfAnEmptyAndANonEmptyText_IsZero()
    {
        TextSimilarity.Similarity("", "iran").ShouldBe(0.0);
        TextSimilarity.Similarity("iran", "").ShouldBe(0.0);
    }

    [Fact]
    public void Similarity_IsTheMeanOfTrigramDiceAndWordBigramDice()
    {
        // Trigrams: " abc " → { " ab", "abc", "bc " }, " abd " → { " ab", "abd", "bd " }: 2·1/6 = 1/3.
        // Word bigrams: { "^ abc", "abc $" } vs { "^ abd", "abd $" }: 0. Mean: 1/6.
        TextSimilarity.Similarity("abc", "abd").ShouldBe(1.0 / 6.0, 1e-12);
        // Trigrams: { " a ", "a b", " b " } vs { " a ", "a c", " c " }: 1/3. Bigrams: { "^ a", "a b", "b $" } vs { "^ a", "a c", "c $" }: 1/3.
        TextSimilarity.Similarity("a b", "a c").ShouldBe(1.0 / 3.0, 1e-12);
    }

    [Fact]
    public void Similarity_IsSensitiveToWordOrder()
    {
        // Same trigrams but one (" x " and " y " shared: 2·2/6 = 2/3); no shared word bigram: 0. Mean: 1/3.
        TextSimilarity.Similarity("x y", "y x").ShouldBe(1.0 / 3.0, 1e-12);
    }

    [Theory]
    [InlineData("Iran supplies drones to Russia", "IRAN SUPPLIES DRONES TO RUSSIA!")]
    [InlineData("Iran supplies drones to Russia", "Iran supplies drones to Russia.")]
    [InlineData("The café in São Paulo closed", "the cafe in sao paulo closed")]
    [InlineData("Iran supplies drones to Russia", "\"Iran supplies drones, to Russia\"")]
    [InlineData("Iran supplies military drones to Russia", "Iran suplies military drones to Russia")] // small typo
    [InlineData("The minister said that Iran supplies military drones to Russia", "The minister said that Iran sends military drones to Russia")] // one word of ten
    public void Similarity_OfPunctuationCaseAccentAndTypoVariants_ReachesTheDuplicateThreshold(string a, string b)
    {
        Similarity(a, b).ShouldBeGreaterThanOrEqualTo(TextSimilarity.DuplicateThreshold);
    }

    [Theory]
    [InlineData("Iran supplies military drones to Russia", "Russia supplies Iran with fighter jets")]
    [InlineData("Iran supplies Russia with drones", "Russia supplies Iran with drones")] // same letters, opposite claim
    public void Similarity_OfARewordedOrDifferentClaim_StaysBelowTheDuplicateThreshold(string a, string b)
    {
        Similarity(a, b).ShouldBeLessThan(TextSimilarity.DuplicateThreshold);
    }

    [Fact]
    public void Similarity_OfTheRewordingDocumentedOnTextSimilarity_StaysBelowTheDuplicateThreshold()
    {
        // TextSimilarity's summary: rewordings such as these are reported only by FindSimilarClaims.
        Similarity("Iran supplies drones to Russia", "Iran supplies Russia with drones").ShouldBeLessThan(TextSimilarity.DuplicateThreshold);
    }

    [Fact]
    public void Similarity_OfUnrelatedTexts_IsLow()
    {
        Similarity("The moon landing was staged in a studio", "Unemployment fell to four percent in May").ShouldBeLessThan(0.2);
    }

    [Fact]
    public void Similarity_OfTextsSharingNoTrigram_IsZero()
    {
        TextSimilarity.Similarity("abc", "xyz").ShouldBe(0.0);
    }

    [Theory]
    [InlineData("Iran supplies military drones to Russia", "Russia supplies Iran with fighter jets")]
    [InlineData("abc", "abd")]
    [InlineData("vaccines cause autism", "vaccines do not cause autism")]
    public void Similarity_IsSymmetric(string a, string b)
    {
        Similarity(a, b).ShouldBe(Similarity(b, a));
    }

    [Fact]
    public void Similarity_IsBetweenZeroAndOne()
    {
        var value = Similarity("vaccines cause autism", "vaccines do not cause autism");

        value.ShouldBeGreaterThan(0.0);
        value.ShouldBeLessThan(1.0);
    }

    [Fact]
    public void Words_AreDistinctAndLongestFirst()
    {
        TextSimilarity.Words("to be or not to be drones", 10).ShouldBe(["drones", "not", "to", "be", "or"]);
    }

    [Fact]
    public void Words_AreCappedAtMax()
    {
        TextSimilarity.Words("iran supplies military drones to russia", 3).ShouldBe(["supplies", "military", "drones"]);
    }

    [Fact]
    public void Words_OfEmptyText_IsEmpty()
    {
        TextSimilarity.Words("", 5).ShouldBeEmpty();
    }

    [Fact]
    public void Words_IgnoresRepeatedSpaces()
    {
        TextSimilarity.Words("a  bb   a", 5).ShouldBe(["bb", "a"]);
    }
}
