extern alias cli;

using System.Text;
using ClaimLedger.Contracts.V1;
using cli::ClaimLedger.Cli.Import;
using CsCheck;

namespace ClaimLedger.UnitTests.Import;

public sealed class RatingMapTests
{
    private static readonly RatingMap Map = RatingMap.BuiltIn;

    private static readonly string[] RequiredLanguages = ["en", "es", "pt", "fr", "de", "it", "hi", "bn", "ar", "zh", "ja"];

    public static TheoryData<string, string, Rating, bool> BuiltInEntries()
    {
        var data = new TheoryData<string, string, Rating, bool>();
        foreach (var (language, phrase, rating, exactOnly) in RatingMap.BuiltIn.Entries)
        {
            data.Add(language, phrase, rating, exactOnly);
        }

        return data;
    }

    private static RatingMap Load(string json) => RatingMap.Load(new MemoryStream(Encoding.UTF8.GetBytes(json)));

    // ---- The built-in table ----

    [Theory]
    [MemberData(nameof(BuiltInEntries))]
    public void FromLabel_EveryBuiltInPhrase_ReadsAsItsOwnRating(string language, string phrase, Rating rating, bool exactOnly)
    {
        // In its own language: a few Han phrases mean one rating in Chinese and another in Japanese (不正確).
        var reading = Map.FromLabel(phrase, language);

        reading.Rating.ShouldBe(rating, $"{language} \"{phrase}\" (exact-only: {exactOnly})");
        reading.Basis.ShouldBe(RatingBasis.Label);
    }

    [Theory]
    [MemberData(nameof(BuiltInEntries))]
    public void FromLabel_EveryScannedBuiltInPhrase_IsFoundInsideALongerLabel(string language, string phrase, Rating rating, bool exactOnly)
    {
        var label = $"«{phrase}» 2024";

        Map.FromLabel(label, language).Rating.ShouldBe(exactOnly ? Rating.Unspecified : rating, $"{language} {label}");
    }

    [Fact]
    public void BuiltIn_CoversTheRequiredLanguagesWithAtLeastFifteenPhrasesEach()
    {
        foreach (var language in RequiredLanguages)
        {
            Map.Languages.ShouldContain(language);
            Map.Entries.Count(e => e.Language == language).ShouldBeGreaterThanOrEqualTo(15, language);
        }
    }

    [Fact]
    public void BuiltIn_ListsNoPhraseTwiceWithinALanguage()
    {
        var duplicates = Map.Entries.GroupBy(e => (e.Language, Key: RatingMap.Normalize(e.Phrase)))
            .Where(g => g.Count() > 1).Select(g => $"{g.Key.Language}: {string.Join(" / ", g.Select(e => e.Phrase))}").ToList();

        duplicates.ShouldBeEmpty();
    }

    [Fact]
    public void BuiltIn_IsLoadedOnce()
    {
        RatingMap.BuiltIn.ShouldBeSameAs(RatingMap.BuiltIn);
    }

    // ---- FromLabel ----

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void FromLabel_Blank_IsUnmapped(string? label)
    {
        var reading = Map.FromLabel(label);

        reading.ShouldBe(new RatingReading(Rating.Unspecified, RatingBasis.None, null, "no rating label"));
    }

    [Fact]
    public void FromLabel_WholeLabel_NamesTheTablePhrase()
    {
        Map.FromLabel("PANTS ON FIRE!").ShouldBe(new RatingReading(Rating.False, RatingBasis.Label, "pants on fire", null));
    }

    [Fact]
    public void FromLabel_LongerPhrase_WinsOverThePhraseInsideIt()
    {
        var reading = Map.FromLabel("The claim is mostly false");

        reading.Rating.ShouldBe(Rating.MostlyFalse);
        reading.Phrase.ShouldBe("mostly false");
    }

    [Fact]
    public void FromLabel_ExactOnlyWordInsideAnExplanation_IsNotRead()
    {
        Map.FromLabel("The quote is real and was said in 2019").Rating.ShouldBe(Rating.Unspecified);
    }

    [Fact]
    public void FromLabel_ExactOnlyWordAsTheHead_IsRead()
    {
        Map.FromLabel("Correct: the figure comes from the 2021 census").Rating.ShouldBe(Rating.True);
    }

    [Theory]
    [InlineData("True, but misleading", Rating.Misleading)]
    [InlineData("Correct, but the figure is outdated", Rating.Misleading)]
    [InlineData("Cierto, pero sacado de contexto", Rating.Misleading)]
    [InlineData("True, however the numbers are from 2015", Rating.Unspecified)]
    public void FromLabel_HeadQualifiedByAContrastWord_IsNotReadAsTheHeadAlone(string label, Rating expected)
    {
        Map.FromLabel(label).Rating.ShouldBe(expected);
    }

    [Fact]
    public void FromLabel_LabelMixingRatings_IsUnmappedWithANoteNamingBoth()
    {
        var reading = Map.FromLabel("The photo is doctored and the caption is misleading");

        reading.Rating.ShouldBe(Rating.Unspecified);
        reading.Basis.ShouldBe(RatingBasis.None);
        reading.Note.ShouldBe("label mixes FALSE (\"doctored\") and MISLEADING (\"misleading\")");
    }

    [Fact]
    public void FromLabel_PhrasesThatAgree_AreRead()
    {
        Map.FromLabel("Fake news, a hoax shared since 2016").Rating.ShouldBe(Rating.False);
    }

    [Fact]
    public void FromLabel_NegationBeyondTwoWords_DoesNotNegate()
    {
        Map.FromLabel("Nobody said it, no one heard it: this is wrong").Rating.ShouldBe(Rating.False);
    }

    [Fact]
    public void FromLabel_NegationThatIsPartOfAnotherChosenPhrase_DoesNotNegate()
    {
        // "no" belongs to "no evidence"; the two phrases then disagree, which is its own reason to stay unmapped.
        var reading = Map.FromLabel("No evidence misleading");

        reading.Note.ShouldBe("label mixes UNPROVEN (\"no evidence\") and MISLEADING (\"misleading\")");
    }

    [Theory]
    [InlineData("No, that's not correct.")]
    [InlineData("No. It's false.")]
    [InlineData("Non, c'est faux")]
    [InlineData("No: falso")]
    public void FromLabel_NegationBeyondClausePunctuation_DoesNotNegate(string label)
    {
        Map.FromLabel(label).Rating.ShouldBe(Rating.False);
    }

    [Theory]
    [InlineData("Klopt niet helemaal", "\"klopt niet helemaal\"")]
    [InlineData("Stimmt nicht ganz", "\"stimmt nicht ganz\"")]
    [InlineData("No es cierto del todo", "\"no es cierto del todo\"")]
    [InlineData("पूरी तरह से सच नहीं", "\"तरह से सच नहीं\"")]
    [InlineData("পুরোপুরি সত্য নয়", "\"পুরোপুরি সত্য নয়\"")]
    [InlineData("ليس صحيحاً تماماً", "\"ليس صحيحا تماما\"")]
    [InlineData("Tamamen doğru değil", "\"tamamen dogru degil\"")]
    public void FromLabel_NegatedTrueWithAHedge_IsUnmappedWithANote(string label, string quoted)
    {
        var reading = Map.FromLabel(label);

        reading.Rating.ShouldBe(Rating.Unspecified);
        reading.Note.ShouldBe($"{quoted}: a qualified negation (not entirely, not quite) is not read as a rating");
    }

    [Theory]
    [InlineData("Completely false")]
    [InlineData("Totalmente falso")]
    [InlineData("This is entirely fabricated")]
    public void FromLabel_HedgeNextToAPhraseThatIsNoNegation_StillReads(string label)
    {
        Map.FromLabel(label).Rating.ShouldBe(Rating.False);
    }

    [Fact]
    public void FromLabel_NegationAfterThePhrase_Negates()
    {
        Map.FromLabel("भ्रामक नहीं").Rating.ShouldBe(Rating.Unspecified);
    }

    [Theory]
    [InlineData("誤りではない", "誤りではない")]
    [InlineData("ミスリードではありません", "ミスリードではありません")]
    [InlineData("根拠不明とは言えない", "根拠不明とは言えない")]
    [InlineData("誤り ではない", "誤り ではない")]
    public void FromLabel_JapaneseNegationAfterThePhrase_Negates(string label, string quoted)
    {
        var reading = Map.FromLabel(label, "ja");

        reading.Rating.ShouldBe(Rating.Unspecified, label);
        reading.Note.ShouldBe($"\"{quoted}\": a negated rating phrase is not read as its opposite");
    }

    [Theory]
    [InlineData("誤り。ではない話も")]
    [InlineData("誤り（ではない、と主張する投稿もある）")]
    public void FromLabel_JapaneseNegationBeyondClausePunctuation_DoesNotNegate(string label)
    {
        Map.FromLabel(label, "ja").Rating.ShouldBe(Rating.False);
    }

    [Fact]
    public void FromLabel_HedgeOfSeveralCharactersBeforeANegativePhrase_IsUnmapped()
    {
        var reading = Map.FromLabel("必ずしも事実ではない", "ja");

        reading.Rating.ShouldBe(Rating.Unspecified);
        reading.Note.ShouldBe("\"必ずしも事実ではない\": a qualified negation (not entirely, not quite) is not read as a rating");
        Map.FromLabel("事実ではない", "ja").Rating.ShouldBe(Rating.False);
    }

    [Theory]
    [InlineData("zh", Rating.False)]
    [InlineData("zh-TW", Rating.False)]
    [InlineData("zh-Hans-CN", Rating.False)]
    [InlineData("ja", Rating.Mixed)]
    [InlineData("JA-jp", Rating.Mixed)]
    public void FromLabel_HanPhraseChineseAndJapaneseReadDifferently_IsReadInTheReviewsLanguage(string language, Rating expected)
    {
        Map.FromLabel("不正確", language).Rating.ShouldBe(expected);
        Map.FromLabel("【不正確】網傳說法", language).Rating.ShouldBe(expected);
    }

    [Fact]
    public void FromLabel_HanPhraseChineseAndJapaneseReadDifferently_WithKanaIsJapanese_WhateverTheLanguageSays()
    {
        Map.FromLabel("不正確です", "zh").Rating.ShouldBe(Rating.Mixed);
        Map.FromLabel("判定：不正確。値上げは一部地域のみ", null).Rating.ShouldBe(Rating.Mixed);
    }

    [Theory]
    [InlineData(null, "\"不正確\" reads FALSE in zh and MIXED in ja, and the review's language is not known")]
    [InlineData("en-US", "\"不正確\" reads FALSE in zh and MIXED in ja, and the review's language (en) is neither")]
    public void FromLabel_HanPhraseChineseAndJapaneseReadDifferently_WithoutEitherLanguage_IsUnmappedSayingWhy(string? language, string note)
    {
        var reading = Map.FromLabel("不正確", language);

        reading.Rating.ShouldBe(Rating.Unspecified);
        reading.Basis.ShouldBe(RatingBasis.None);
        reading.Note.ShouldBe(note);
        Map.FromLabel("不正確：該說法缺乏依據", language).Note.ShouldBe(note);
        Map.FromLabel("【不正確】網傳說法", language).Note.ShouldBe(note); // found by the phrase scan, not as the head
    }

    [Fact]
    public void Resolve_LanguageDependentLabel_UsesTheLanguage_AndWithoutItNeverTheNumber()
    {
        Map.Resolve("不正確", 3, 5, 1, "ja").ShouldBe(new RatingReading(Rating.Mixed, RatingBasis.Label, "不正確", null));
        var chinese = Map.Resolve("不正確", 3, 5, 1, "zh-TW");
        chinese.Rating.ShouldBe(Rating.False);
        chinese.Note.ShouldBe("the numeric rating 3 on 1–5 reads MIXED; the label \"不正確\" wins");
        var unknown = Map.Resolve("不正確", 3, 5, 1);
        unknown.Rating.ShouldBe(Rating.Unspecified);
        unknown.Note.ShouldNotBeNull().ShouldContain("the numeric rating 3 on 1–5 was not used");
    }

    [Fact]
    public void FromLabel_UnreadableLabel_QuotesIt()
    {
        Map.FromLabel("  Sátira ").Note.ShouldBe("unmapped rating \"Sátira\"");
    }

    // ---- FromScale ----

    [Theory]
    [InlineData(1, 1, 5, Rating.False)]
    [InlineData(2, 1, 5, Rating.MostlyFalse)]
    [InlineData(3, 1, 5, Rating.Mixed)]
    [InlineData(4, 1, 5, Rating.MostlyTrue)]
    [InlineData(5, 1, 5, Rating.True)]
    [InlineData(4, 1, 6, Rating.Mixed)]
    [InlineData(0.1, 0, 1, Rating.False)]
    [InlineData(0.125, 0, 1, Rating.MostlyFalse)]
    [InlineData(0.875, 0, 1, Rating.True)]
    public void FromScale_ReadsThePositionFromWorstToBest(double value, double worst, double best, Rating expected)
    {
        RatingMap.FromScale(value, worst, best).ShouldBe(expected);
    }

    [Theory]
    [InlineData(1, 5, 1, Rating.True)]
    [InlineData(2, 5, 1, Rating.MostlyTrue)]
    [InlineData(5, 5, 1, Rating.False)]
    public void FromScale_InvertedScale_StillReadsBestRatingAsBest(double value, double worst, double best, Rating expected)
    {
        RatingMap.FromScale(value, worst, best).ShouldBe(expected);
    }

    [Theory]
    [InlineData(0, 1, 5)]
    [InlineData(6, 1, 5)]
    [InlineData(6, 5, 1)]
    [InlineData(3, 3, 3)]
    [InlineData(double.NaN, 1, 5)]
    [InlineData(3, 1, double.PositiveInfinity)]
    public void FromScale_ValueOffTheScaleOrEmptyScale_IsUnspecified(double value, double worst, double best)
    {
        RatingMap.FromScale(value, worst, best).ShouldBe(Rating.Unspecified);
    }

    // ---- Resolve ----

    [Fact]
    public void Resolve_LabelAndDisagreeingScale_KeepsTheLabelWithANote()
    {
        var reading = Map.Resolve("Falso", 4, 6, 1);

        reading.Rating.ShouldBe(Rating.False);
        reading.Basis.ShouldBe(RatingBasis.Label);
        reading.Phrase.ShouldBe("falso");
        reading.Note.ShouldBe("the numeric rating 4 on 1–6 reads MIXED; the label \"Falso\" wins");
    }

    [Fact]
    public void Resolve_LabelAndAgreeingScale_HasNoNote()
    {
        Map.Resolve("False", 1, 5, 1).ShouldBe(new RatingReading(Rating.False, RatingBasis.Label, "false", null));
    }

    [Fact]
    public void Resolve_MisleadingLabelWithANumber_IsMisleading()
    {
        var reading = Map.Resolve("Engañoso", 2, 5, 1);

        reading.Rating.ShouldBe(Rating.Misleading);
        reading.Basis.ShouldBe(RatingBasis.Label);
    }

    [Fact]
    public void Resolve_LabelWithANumberButNoScale_IsTheLabelWithoutNote()
    {
        Map.Resolve("Mostly true", 1, null, null).ShouldBe(new RatingReading(Rating.MostlyTrue, RatingBasis.Label, "mostly true", null));
    }

    [Fact]
    public void Resolve_UnmappedLabel_NeverUsesTheNumber()
    {
        var reading = Map.Resolve("Sátira", 1, 5, 1);

        reading.Rating.ShouldBe(Rating.Unspecified);
        reading.Basis.ShouldBe(RatingBasis.None);
        reading.Note.ShouldNotBeNull();
        reading.Note.ShouldStartWith("unmapped rating \"Sátira\"; the numeric rating 1 on 1–5 was not used");
    }

    [Fact]
    public void Resolve_NegatedLabel_NeverUsesTheNumber()
    {
        var reading = Map.Resolve("Not misleading", 5, 5, 1);

        reading.Rating.ShouldBe(Rating.Unspecified);
        reading.Note.ShouldNotBeNull();
        reading.Note.ShouldStartWith("\"not misleading\": a negated rating phrase is not read as its opposite; the numeric rating 5 on 1–5 was not used");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" ")]
    public void Resolve_NoLabel_ReadsTheNumberOnItsScale(string? label)
    {
        Map.Resolve(label, 2, 5, 1).ShouldBe(new RatingReading(Rating.MostlyFalse, RatingBasis.Scale, null,
            "no rating label; the numeric rating 2 on 1–5 reads MOSTLY_FALSE"));
    }

    [Fact]
    public void Resolve_NoLabelAndAnInvertedScale_ReadsBestRatingAsBest()
    {
        var reading = Map.Resolve(null, 1, best: 1, worst: 5);

        reading.Rating.ShouldBe(Rating.True);
        reading.Basis.ShouldBe(RatingBasis.Scale);
    }

    [Theory]
    [InlineData(null, null, "no rating label, and the numeric rating 2 has no bestRating/worstRating scale")]
    [InlineData(null, 1.0, "no rating label, and the numeric rating 2 has no bestRating scale")]
    [InlineData(5.0, null, "no rating label, and the numeric rating 2 has no worstRating scale")]
    public void Resolve_NoLabelAndNoFullScale_IsUnmapped(double? best, double? worst, string note)
    {
        Map.Resolve(null, 2, best, worst).ShouldBe(new RatingReading(Rating.Unspecified, RatingBasis.None, null, note));
    }

    [Fact]
    public void Resolve_NoLabelAndAValueOffTheScale_IsUnmapped()
    {
        var reading = Map.Resolve(null, 7, 5, 1);

        reading.Rating.ShouldBe(Rating.Unspecified);
        reading.Basis.ShouldBe(RatingBasis.None);
        reading.Note.ShouldBe("no rating label, and the numeric rating 7 on 1–5 is not on its scale");
    }

    [Fact]
    public void Resolve_NothingAtAll_IsUnmapped()
    {
        Map.Resolve(null, null, 5, 1).ShouldBe(new RatingReading(Rating.Unspecified, RatingBasis.None, null, "no rating label and no numeric rating"));
    }

    // ---- Normalize ----

    [Theory]
    [InlineData("Engañoso", "enganoso")]
    [InlineData("Não é verdade", "nao e verdade")]
    [InlineData("Plutôt faux", "plutot faux")]
    [InlineData("Größtenteils falsch", "grosstenteils falsch")]
    [InlineData("YANLIŞ", "yanlis")]
    [InlineData("Yanlış", "yanlis")]
    [InlineData("İddia", "iddia")]
    [InlineData("Nì", "ni")]
    public void Normalize_LatinLetters_LoseTheirDiacritics(string label, string expected)
    {
        RatingMap.Normalize(label).ShouldBe(expected);
    }

    [Theory]
    [InlineData("सच नहीं है।", "सच नहीं है")]
    [InlineData("आंशिक रूप से सच", "आंशिक रूप से सच")]
    [InlineData("আংশিক সত্য", "আংশিক সত্য")]
    public void Normalize_IndicVowelSignsAndMarks_AreKept(string label, string expected)
    {
        RatingMap.Normalize(label).ShouldBe(expected);
    }

    [Fact]
    public void Normalize_BengaliYyaEitherWay_IsTheSame()
    {
        RatingMap.Normalize("\u09AD\u09C1\u09AF\u09BC\u09BE").ShouldBe(RatingMap.Normalize("\u09AD\u09C1\u09DF\u09BE"));
    }

    [Theory]
    [InlineData("مُضَلِّل", "مضلل")]
    [InlineData("زائف جزئياً", "زائف جزئيا")]
    [InlineData("كـاذب", "كاذب")]
    [InlineData("إدعاء", "ادعاء")]
    [InlineData("أخبار", "اخبار")]
    [InlineData("آخر", "اخر")]
    [InlineData("على", "علي")]
    [InlineData("خاطئ", "خاطئ")]
    [InlineData("\u200Fزائف\u200F", "زائف")]
    public void Normalize_Arabic_DropsHarakatAndTatweelAndUnifiesAlef(string label, string expected)
    {
        RatingMap.Normalize(label).ShouldBe(expected);
    }

    [Theory]
    [InlineData("That's not correct.", "thats not correct")]
    [InlineData("isn’t", "isnt")]
    [InlineData("isnʼt", "isnt")]
    [InlineData("isn´t", "isnt")]
    [InlineData("isn`t", "isnt")]
    [InlineData("Singh&#039;s", "singhs")]
    [InlineData("'False'", "false")]
    [InlineData("C’eri quasi", "ceri quasi")]
    [InlineData("Non e' vero", "non e vero")]
    public void Normalize_Apostrophes_VanishInsideWordsAndSeparateElsewhere(string label, string expected)
    {
        RatingMap.Normalize(label).ShouldBe(expected);
    }

    [Theory]
    [InlineData("really_false", "really false")]
    [InlineData("Half-True", "half true")]
    [InlineData("Pants on Fire! 🔥", "pants on fire")]
    [InlineData("«Faux»", "faux")]
    [InlineData("&quot;False&quot;", "false")]
    [InlineData("&amp;quot;False&amp;quot;", "false")]
    [InlineData("錯誤。", "錯誤")]
    [InlineData("錯誤：影片", "錯誤 影片")]
    [InlineData("ＦＡＬＳＥ", "false")]
    [InlineData("  Mostly\t\nFalse  ", "mostly false")]
    [InlineData("fal\u200Bse", "false")]
    [InlineData("4 Pinocchios", "4 pinocchios")]
    public void Normalize_PunctuationAndSymbols_BecomeSpaces(string label, string expected)
    {
        RatingMap.Normalize(label).ShouldBe(expected);
    }

    [Fact]
    public void Normalize_IsIdempotent()
    {
        // Any text, and text made of the characters the rules single out (accents, apostrophes, marks, harakat, entities).
        Gen.String.Sample(s => RatingMap.Normalize(RatingMap.Normalize(s)) == RatingMap.Normalize(s));
        Gen.String[Gen.Char["aeEÉéñ ' ’´`.:,-_İIıßẞअािंয়\u09BC\u09DFزأإىـًّ錯誤不&#;039amp"], 0, 24]
            .Sample(s => RatingMap.Normalize(RatingMap.Normalize(s)) == RatingMap.Normalize(s));
    }

    // ---- Load, LoadFile, With ----

    [Fact]
    public void Load_AMinimalMap_ReadsItsPhrasesAndNegations()
    {
        var map = Load("""{ "languages": { "xx": { "negations": ["nix"], "ratings": { "FALSE": ["blorf"], "TRUE": ["=yarp"] } } } }""");

        map.Languages.ShouldBe(["xx"]);
        map.Entries.ToList().ShouldBe([("xx", "blorf", Rating.False, false), ("xx", "yarp", Rating.True, true)]);
        map.FromLabel("Blorf!").Rating.ShouldBe(Rating.False);
        map.FromLabel("it is nix blorf").Rating.ShouldBe(Rating.Unspecified);
        map.FromLabel("yarp").Rating.ShouldBe(Rating.True);
        map.FromLabel("they say yarp").Rating.ShouldBe(Rating.Unspecified);
    }

    [Theory]
    [InlineData("""{ "languages": { "xx": { "ratings": { "FALSE": ["Blorf"], "TRUE": ["blorf!"] } } } }""", "\"blorf!\" (xx) is TRUE but \"Blorf\" (xx) is FALSE")]
    [InlineData("""{ "languages": { "xx": { "ratings": { "FALSE": ["blörf"] } }, "yy": { "ratings": { "MIXED": ["blorf"] } } } }""", "\"blorf\" (yy) is MIXED but \"blörf\" (xx) is FALSE")]
    [InlineData("""{ "languages": { "xx": { "ratings": { "FALSE": ["=blorf"] } }, "yy": { "ratings": { "FALSE": ["blorf"] } } } }""", "\"=blorf\" (xx) is exact-only but \"blorf\" (yy) is not")]
    [InlineData("""{ "languages": { "xx": { "ratings": { "FALSE": ["不好"], "MIXED": ["不好！"] } } } }""", "\"不好！\" (xx) is MIXED but \"不好\" (xx) is FALSE")]
    [InlineData("""{ "languages": { "xx": { "ratings": { "FALSE": ["不好ね"] } }, "yy": { "ratings": { "MIXED": ["不好ね"] } } } }""", "\"不好ね\" (yy) is MIXED but \"不好ね\" (xx) is FALSE")]
    [InlineData("""{ "languages": { "xx": { "suffix_negations": ["で ない"] } } }""", "languages.xx.suffix_negations[0]: \"で ない\" must be one word")]
    [InlineData("""{ "languages": { "xx": { "ratings": { "FALS": ["blorf"] } } } }""", "languages.xx.ratings.FALS: unknown rating \"FALS\"")]
    [InlineData("""{ "languages": { "xx": { "ratings": { "RATING_UNSPECIFIED": ["blorf"] } } } }""", "unknown rating \"RATING_UNSPECIFIED\"")]
    [InlineData("""{ "languages": { "xx": { "ratings": { "FALSE": ["!!"] } } } }""", "languages.xx.ratings.FALSE[0]: the phrase \"!!\" is empty once normalised")]
    [InlineData("""{ "languages": { "xx": { "ratings": { "FALSE": ["="] } } } }""", "is empty once normalised")]
    [InlineData("""{ "languages": { "xx": { "ratings": { "FALSE": [1] } } } }""", "languages.xx.ratings.FALSE[0]: must be a string")]
    [InlineData("""{ "languages": { "xx": { "rating": { "FALSE": ["blorf"] } } } }""", "languages.xx: unknown key \"rating\"")]
    [InlineData("""{ "languages": { "xx": { "negations": ["not at all"] } } }""", "languages.xx.negations[0]: \"not at all\" must be one word")]
    [InlineData("""{ "languages": { "xx": { "hedges": ["at all"] } } }""", "languages.xx.hedges[0]: \"at all\" must be one word")]
    [InlineData("""{ "languages": { "xx": { "contrasts": [""] } } }""", "languages.xx.contrasts[0]: \"\" must be one word")]
    [InlineData("""{ "languages": [] }""", "no \"languages\" object")]
    [InlineData("""[]""", "must be a JSON object")]
    [InlineData("""{ "languages": { "xx": { "ratings": { "FALSE": ["blorf"] } }""", "not valid JSON")]
    [InlineData("""{ "languages": { "xx": { "ratings": { "FALSE": ["blorf" "blarg"] } } } }""", "not valid JSON")]
    public void Load_BrokenMap_ThrowsSayingWhatAndWhere(string json, string message)
    {
        Should.Throw<RatingMapException>(() => Load(json)).Message.ShouldContain(message);
    }

    [Fact]
    public void Load_CommentsAndDollarKeys_AreIgnored()
    {
        var map = Load("""
            {
              "$comment": "a test map",
              // a comment
              "languages": { "xx": { "$comment": "x", "name": "X", "ratings": { "$comment": "y", "FALSE": ["blorf",], }, }, },
            }
            """);

        map.FromLabel("blorf").Rating.ShouldBe(Rating.False);
    }

    [Fact]
    public void LoadFile_BrokenMap_NamesTheFile()
    {
        var path = Path.Combine(Path.GetTempPath(), $"rating-map-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, """{ "languages": { "xx": { "ratings": { "FALS": ["blorf"] } } } }""");
        try
        {
            Should.Throw<RatingMapException>(() => RatingMap.LoadFile(path)).Message.ShouldStartWith($"{path}: languages.xx.ratings.FALS");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void LoadFile_MissingFile_NamesTheFile()
    {
        var path = Path.Combine(Path.GetTempPath(), $"rating-map-{Guid.NewGuid():N}.json");

        Should.Throw<RatingMapException>(() => RatingMap.LoadFile(path)).Message.ShouldStartWith($"{path}: cannot read the rating map");
    }

    [Fact]
    public void LoadFile_GoodMap_Loads()
    {
        var path = Path.Combine(Path.GetTempPath(), $"rating-map-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, """{ "languages": { "xx": { "ratings": { "FALSE": ["blorf"] } } } }""");
        try
        {
            RatingMap.LoadFile(path).FromLabel("blorf").Rating.ShouldBe(Rating.False);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void With_UsersPhrase_WinsOverOursInAnyLanguage()
    {
        var map = Map.With(Load("""{ "languages": { "xx": { "ratings": { "MOSTLY_FALSE": ["Exagerado"] } } } }"""));

        map.FromLabel("exagerado").ShouldBe(new RatingReading(Rating.MostlyFalse, RatingBasis.Label, "Exagerado", null));
        map.Entries.ShouldNotContain(e => e.Language == "es" && e.Phrase == "exagerado");
        map.FromLabel("Falso").Rating.ShouldBe(Rating.False);
        Map.FromLabel("exagerado").Rating.ShouldBe(Rating.Misleading);
    }

    [Fact]
    public void With_UsersMap_AddsLanguagesPhrasesAndNegations()
    {
        var map = Map.With(Load("""
            {
              "languages": {
                "xx": { "negations": ["nix"], "ratings": { "FALSE": ["blorf"] } },
                "es": { "ratings": { "UNPROVEN": ["sin confirmar"] } }
              }
            }
            """));

        map.Languages.ShouldBe([.. Map.Languages, "xx"]);
        map.FromLabel("blorf").Rating.ShouldBe(Rating.False);
        map.FromLabel("Sin confirmar").Rating.ShouldBe(Rating.Unproven);
        map.FromLabel("nix misleading").Rating.ShouldBe(Rating.Unspecified);
        Map.FromLabel("nix misleading").Rating.ShouldBe(Rating.Misleading);
    }

    [Fact]
    public void With_UsersMap_AddsContrastsAndHedges()
    {
        var map = Map.With(Load("""{ "languages": { "en": { "contrasts": ["albeit"], "hedges": ["wholesale"] } } }"""));

        map.FromLabel("Correct, albeit misleading").Rating.ShouldBe(Rating.Misleading);
        Map.FromLabel("Correct, albeit misleading").Rating.ShouldBe(Rating.True);
        map.FromLabel("The claim is not true wholesale").Rating.ShouldBe(Rating.Unspecified);
        Map.FromLabel("The claim is not true wholesale").Rating.ShouldBe(Rating.False);
    }

    [Fact]
    public void Load_AHanPhraseWithOneRatingPerLanguage_IsReadInEach()
    {
        var map = Load("""{ "languages": { "xx": { "ratings": { "FALSE": ["不好"] } }, "yy": { "ratings": { "MIXED": ["不好"] } } } }""");

        map.FromLabel("不好", "xx").Rating.ShouldBe(Rating.False);
        map.FromLabel("不好", "yy-ZZ").Rating.ShouldBe(Rating.Mixed);
        map.FromLabel("不好").Note.ShouldBe("\"不好\" reads FALSE in xx and MIXED in yy, and the review's language is not known");
    }

    [Fact]
    public void With_UsersMap_AddsSuffixNegations()
    {
        var map = Map.With(Load("""{ "languages": { "ja": { "suffix_negations": ["ではないです"] } } }"""));

        map.FromLabel("誤りではないです", "ja").Rating.ShouldBe(Rating.Unspecified);
        map.FromLabel("誤り", "ja").Rating.ShouldBe(Rating.False);
        Map.With(Load("""{ "languages": { "xx": { "suffix_negations": ["nai"], "ratings": { "FALSE": ["blorf"] } } } }""")).FromLabel("blorf nai")
            .Rating.ShouldBe(Rating.Unspecified);
    }

    [Fact]
    public void With_UsersMap_CanMapALabelWeLeaveOut()
    {
        var map = Map.With(Load("""{ "languages": { "bn": { "ratings": { "FALSE": ["বিকৃত"] } } } }"""));

        map.FromLabel("বিকৃত").Rating.ShouldBe(Rating.False);
    }
}
