using ClaimLedger.Server.Domain;

namespace ClaimLedger.UnitTests.Domain;

public sealed class MinHashBandsTests
{
    private static long[] Keys(string text) => MinHashBands.Default.Keys(TextSimilarity.Normalize(text));

    [Fact]
    public void Keys_AreTheStoredOnes_SameInEveryProcessAndVersion()
    {
        // claim_bands holds these: a change here needs a migration that indexes every claim again (ADR 21).
        var latin = Keys("The Kestrel dam holds back forty million cubic metres of water.");
        new[] { latin[0], latin[13], latin[14], latin[31] }.ShouldBe([51573283349563904L, 605804415497749773L, -1218891938921623026L, -5645931520776614625L]);
        var chinese = Keys("水库减少的政府的周安刘阳县徐东的，31.0拒绝税收。");
        new[] { chinese[0], chinese[13], chinese[14], chinese[31] }.ShouldBe([-557119189728765696L, 5932192272451564301L, 2968574582209279758L, -6522537279131944673L]);
    }

    [Fact]
    public void Keys_OfAText_AreOnePerBand_NumberedInTheLowByte()
    {
        var keys = Keys("Iran supplies drones to Russia");

        keys.Length.ShouldBe(MinHashBands.Default.Count);
        keys.Select(k => (int)(k & 0xFF)).ShouldBe(Enumerable.Range(0, MinHashBands.Default.Count));
    }

    [Theory]
    [InlineData("")]
    [InlineData("...!!!")]
    public void Keys_OfTheEmptyText_AreNone(string text) => Keys(text).ShouldBeEmpty();

    [Fact]
    public void Keys_OfTextsThatNormaliseAlike_AreEqual() =>
        Keys("«Iran's DRONES», café!").ShouldBe(Keys("iran s drones cafe"));

    [Fact]
    public void Default_FindsEveryPairAtTheDuplicateThreshold_WithProbabilityAtLeast099()
    {
        var bands = MinHashBands.Default;

        bands.WorstFoundProbability(TextSimilarity.DuplicateThreshold).ShouldBeGreaterThanOrEqualTo(0.99);
        // Whichever half carries the similarity: all on trigrams, all on word bigrams, evenly.
        bands.FoundProbability(1.0, 0.6).ShouldBe(1.0);
        bands.FoundProbability(0.6, 1.0).ShouldBe(1.0);
        bands.FoundProbability(0.8, 0.8).ShouldBeGreaterThan(0.99);
    }

    [Fact]
    public void FoundProbability_IsOneMinusTheMissOfEveryBandOfBothFamilies()
    {
        var bands = new MinHashBands(trigramRows: 2, trigramBands: 3, wordRows: 1, wordBands: 2);
        // Dice 2/3 is Jaccard 1/2; Dice 0 is Jaccard 0.
        bands.FoundProbability(2.0 / 3, 0).ShouldBe(1 - Math.Pow(1 - 0.25, 3), 1e-12);
        bands.FoundProbability(0, 2.0 / 3).ShouldBe(1 - Math.Pow(1 - 0.5, 2), 1e-12);
    }

    [Theory]
    // Chinese and Japanese, written without spaces: a figure changed in one clause of several.
    [InlineData("北京市政府周一宣布，2024年将在朝阳区新建三座污水处理厂，总投资约45亿元，预计2026年底前全部建成，每天可处理污水60万吨。",
        "北京市政府周一宣布，2024年将在朝阳区新建三座污水处理厂，总投资约46亿元，预计2026年底前全部建成，每天可处理污水60万吨。")]
    [InlineData("東京都は月曜日、2025年度に保育園を120か所増やすと発表した。総事業費は約300億円で、待機児童の解消を目指す。小池知事は記者会見で、保育士の確保も進めると述べた。",
        "東京都は月曜日、2025年度に保育園を120か所増やすと発表した。総事業費は約350億円で、待機児童の解消を目指す。小池知事は記者会見で、保育士の確保も進めると述べた。")]
    [InlineData("北京市政府宣布，2024年将在朝阳区新建三座污水处理厂，总投资约45亿元。", "北京市政府宣布，２０２４年将在朝阳区新建三座污水处理厂，总投资约４５亿元。")]
    // Arabic with and without short vowels; Hindi with a word added; accented Latin typed without accents.
    [InlineData("أعلنت وزارة الصحة أن عدد المستشفيات في عمان ارتفع إلى 42 مستشفى في عام 2023", "أَعلنت وزارةُ الصِّحة أنَّ عدد المستشفيات في عمّان ارتفع إلى 42 مستشفى في عام 2023.")]
    [InlineData("दिल्ली सरकार ने कहा कि 2023 में शहर में 1200 नई बसें चलाई गईं", "दिल्ली सरकार ने कहा है कि 2023 में शहर में 1200 नई बसें चलाई गईं।")]
    [InlineData("El Gobierno de España aprobó una subida del salario mínimo del 5 % en 2024.", "El gobierno de Espana aprobo una subida del salario minimo del 5% en 2024")]
    [InlineData("O governo português anunciou que o preço da eletricidade vai baixar 3,5 % em janeiro.", "O Governo portugues anunciou que o preco da electricidade vai baixar 3,5% em janeiro")]
    [InlineData("Le gouvernement français a annoncé la fermeture de trois centrales à charbon d'ici 2027.", "Le gouvernement francais a annonce la fermeture de 3 centrales a charbon d'ici 2027.")]
    [InlineData("Die Bundesregierung hat beschlossen, den Mindestlohn bis 2026 auf 14 Euro zu erhöhen.", "Die Bundesregierung hat beschlossen den Mindestlohn bis 2026 auf 14 Euro zu erhoehen")]
    public void TwinsInAnyScript_ShareABandKey(string original, string twin)
    {
        TextSimilarity.Similarity(TextSimilarity.Normalize(original), TextSimilarity.Normalize(twin)).ShouldBeGreaterThanOrEqualTo(TextSimilarity.DuplicateThreshold);

        Keys(original).Intersect(Keys(twin)).ShouldNotBeEmpty();
    }
}
