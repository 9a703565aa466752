extern alias cli;

using ClaimLedger.Contracts.V1;
using cli::ClaimLedger.Cli.Import;

namespace ClaimLedger.UnitTests.Import;

/// <summary>
/// Labels as publishers write them (case, punctuation, entities, missing accents, "Rating: explanation"), and what a
/// fact-checker reads in them. Written by hand, not derived from claimreview-ratings.json: a change to the table that
/// changes one of these readings has to change this file too. Rating.Unspecified means the label must stay unmapped.
/// </summary>
public sealed class RatingMapLanguageTests
{
    private static readonly RatingMap Map = RatingMap.BuiltIn;

    [Theory]
    [InlineData("Pants on Fire!", Rating.False)]
    [InlineData("PANTS ON FIRE", Rating.False)]
    [InlineData("False", Rating.False)]
    [InlineData("false.", Rating.False)]
    [InlineData("Mostly False", Rating.MostlyFalse)]
    [InlineData("Half-True", Rating.Mixed)]
    [InlineData("Mostly True", Rating.MostlyTrue)]
    [InlineData("TRUE", Rating.True)]
    [InlineData("Four Pinocchios", Rating.False)]
    [InlineData("Three Pinocchios", Rating.MostlyFalse)]
    [InlineData("Two Pinocchios", Rating.Mixed)]
    [InlineData("One Pinocchio", Rating.MostlyTrue)]
    [InlineData("Geppetto Checkmark", Rating.True)]
    [InlineData("That's not correct.", Rating.False)]
    [InlineData("That’s not correct. Unemployment rose by 2% last year.", Rating.False)]
    [InlineData("This is wrong", Rating.False)]
    [InlineData("No, that's not correct.", Rating.False)]
    [InlineData("Correct.", Rating.True)]
    [InlineData("This is correct", Rating.True)]
    [InlineData("Incorrect", Rating.False)]
    [InlineData("Mostly correct", Rating.MostlyTrue)]
    [InlineData("Exaggerated", Rating.Misleading)]
    [InlineData("Unproven", Rating.Unproven)]
    [InlineData("Mixture", Rating.Mixed)]
    [InlineData("Miscaptioned", Rating.Misleading)]
    [InlineData("Outdated", Rating.Misleading)]
    [InlineData("Correct Attribution", Rating.True)]
    [InlineData("Misattributed", Rating.False)]
    [InlineData("Misleading", Rating.Misleading)]
    [InlineData("Missing context", Rating.Misleading)]
    [InlineData("Altered", Rating.False)]
    [InlineData("Partly false", Rating.Mixed)]
    [InlineData("Not true", Rating.False)]
    [InlineData("Inaccurate", Rating.False)]
    [InlineData("No evidence", Rating.Unproven)]
    [InlineData("Unsupported", Rating.Unproven)]
    [InlineData("Fake", Rating.False)]
    [InlineData("really_false", Rating.False)]
    [InlineData("Mostly False: Singh&#039;s figure leaves out half the budget", Rating.MostlyFalse)]
    [InlineData("False. The photo was taken in Chile in 2015.", Rating.False)]
    [InlineData("Misleading - the video is real but from 2019", Rating.Misleading)]
    [InlineData("The claim is false", Rating.False)]
    [InlineData("Labeled Satire", Rating.Unspecified)]
    [InlineData("Satire", Rating.Unspecified)]
    [InlineData("Opinion", Rating.Unspecified)]
    [InlineData("Explainer", Rating.Unspecified)]
    [InlineData("Research In Progress", Rating.Unspecified)]
    [InlineData("Not quite", Rating.Unspecified)]
    [InlineData("Not misleading", Rating.Unspecified)]
    [InlineData("It's not false", Rating.Unspecified)]
    [InlineData("The video shows a 2019 protest in Santiago", Rating.Unspecified)]
    public void FromLabel_English_ReadsTheLabelAsPublished(string label, Rating expected)
    {
        Map.FromLabel(label).Rating.ShouldBe(expected, label);
    }

    [Theory]
    [InlineData("Falso", Rating.False)]
    [InlineData("FALSO", Rating.False)]
    [InlineData("Falso.", Rating.False)]
    [InlineData("Falso: el video es de 2019 y no muestra Caracas", Rating.False)]
    [InlineData("Es falso", Rating.False)]
    [InlineData("Engañoso", Rating.Misleading)]
    [InlineData("ENGAÑOSO", Rating.Misleading)]
    [InlineData("Enganoso", Rating.Misleading)]
    [InlineData("Verdad a medias", Rating.Mixed)]
    [InlineData("Verdadero", Rating.True)]
    [InlineData("Cierto", Rating.True)]
    [InlineData("Verdadero, pero…", Rating.MostlyTrue)]
    [InlineData("No es cierto", Rating.False)]
    [InlineData("Inexacto", Rating.False)]
    [InlineData("Impreciso", Rating.Mixed)]
    [InlineData("Sin evidencia", Rating.Unproven)]
    [InlineData("Exagerado", Rating.Misleading)]
    [InlineData("Falta contexto", Rating.Misleading)]
    [InlineData("Sacado de contexto", Rating.Misleading)]
    [InlineData("Bulo", Rating.False)]
    [InlineData("Insostenible", Rating.Unproven)]
    [InlineData("Apresurado", Rating.Unproven)]
    [InlineData("Sátira", Rating.Unspecified)]
    [InlineData("Opinión", Rating.Unspecified)]
    [InlineData("Discutible", Rating.Unspecified)]
    [InlineData("No es engañoso", Rating.Unspecified)]
    [InlineData("La foto fue tomada en Bogotá en 2015", Rating.Unspecified)]
    public void FromLabel_Spanish_ReadsTheLabelAsPublished(string label, Rating expected)
    {
        Map.FromLabel(label).Rating.ShouldBe(expected, label);
    }

    [Theory]
    [InlineData("Falso", Rating.False)]
    [InlineData("FALSO!", Rating.False)]
    [InlineData("É falso que a vacina altere o DNA", Rating.False)]
    [InlineData("Verdadeiro", Rating.True)]
    [InlineData("Enganoso", Rating.Misleading)]
    [InlineData("Exagerado", Rating.Misleading)]
    [InlineData("Insustentável", Rating.Unproven)]
    [InlineData("Insustentavel", Rating.Unproven)]
    [InlineData("Distorcido", Rating.Misleading)]
    [InlineData("Impreciso", Rating.Mixed)]
    [InlineData("Sem contexto", Rating.Misleading)]
    [InlineData("Fora de contexto", Rating.Misleading)]
    [InlineData("Verdadeiro, mas", Rating.MostlyTrue)]
    [InlineData("VERDADEIRO, MAS…", Rating.MostlyTrue)]
    [InlineData("Ainda é cedo para dizer", Rating.Unproven)]
    [InlineData("Não é verdade", Rating.False)]
    [InlineData("Nao e verdade", Rating.False)]
    [InlineData("Comprovado", Rating.True)]
    [InlineData("Contraditório", Rating.Unspecified)]
    [InlineData("Sátira", Rating.Unspecified)]
    [InlineData("Não é enganoso", Rating.Unspecified)]
    public void FromLabel_Portuguese_ReadsTheLabelAsPublished(string label, Rating expected)
    {
        Map.FromLabel(label).Rating.ShouldBe(expected, label);
    }

    [Theory]
    [InlineData("Faux", Rating.False)]
    [InlineData("FAUX", Rating.False)]
    [InlineData("Faux : la photo date de 2015", Rating.False)]
    [InlineData("Vrai", Rating.True)]
    [InlineData("Trompeur", Rating.Misleading)]
    [InlineData("Manque de contexte", Rating.Misleading)]
    [InlineData("Plutôt vrai", Rating.MostlyTrue)]
    [InlineData("Plutot faux", Rating.MostlyFalse)]
    [InlineData("C'est faux", Rating.False)]
    [InlineData("C’est faux.", Rating.False)]
    [InlineData("Pas vrai", Rating.False)]
    [InlineData("Ce n'est pas vrai", Rating.False)]
    [InlineData("Infondé", Rating.Unproven)]
    [InlineData("Inexact", Rating.False)]
    [InlineData("Exagéré", Rating.Misleading)]
    [InlineData("Détourné", Rating.Misleading)]
    [InlineData("Montage", Rating.False)]
    [InlineData("«Faux»", Rating.False)]
    [InlineData("Pas faux", Rating.Unspecified)]
    [InlineData("Ce n'est pas trompeur", Rating.Unspecified)]
    [InlineData("Satire", Rating.Unspecified)]
    public void FromLabel_French_ReadsTheLabelAsPublished(string label, Rating expected)
    {
        Map.FromLabel(label).Rating.ShouldBe(expected, label);
    }

    [Theory]
    [InlineData("Falsch", Rating.False)]
    [InlineData("FALSCH", Rating.False)]
    [InlineData("Falsch. Das Foto stammt aus dem Jahr 2015.", Rating.False)]
    [InlineData("Richtig", Rating.True)]
    [InlineData("Irreführend", Rating.Misleading)]
    [InlineData("Irrefuehrend", Rating.Misleading)]
    [InlineData("Fehlender Kontext", Rating.Misleading)]
    [InlineData("Größtenteils falsch", Rating.MostlyFalse)]
    [InlineData("GRÖSSTENTEILS FALSCH", Rating.MostlyFalse)]
    [InlineData("Teilweise falsch", Rating.Mixed)]
    [InlineData("Unbelegt", Rating.Unproven)]
    [InlineData("Frei erfunden", Rating.False)]
    [InlineData("Nicht wahr", Rating.False)]
    [InlineData("Stimmt nicht", Rating.False)]
    [InlineData("Manipuliert", Rating.False)]
    [InlineData("Übertrieben", Rating.Misleading)]
    [InlineData("Nicht falsch", Rating.Unspecified)]
    [InlineData("Nicht irreführend", Rating.Unspecified)]
    [InlineData("Satire", Rating.Unspecified)]
    public void FromLabel_German_ReadsTheLabelAsPublished(string label, Rating expected)
    {
        Map.FromLabel(label).Rating.ShouldBe(expected, label);
    }

    [Theory]
    [InlineData("Falso", Rating.False)]
    [InlineData("FALSO", Rating.False)]
    [InlineData("Vero", Rating.True)]
    [InlineData("Fuorviante", Rating.Misleading)]
    [InlineData("Notizia falsa", Rating.False)]
    [InlineData("Pinocchio andante", Rating.MostlyFalse)]
    [InlineData("Panzana pazzesca", Rating.False)]
    [InlineData("C'eri quasi", Rating.MostlyTrue)]
    [InlineData("C’eri quasi", Rating.MostlyTrue)]
    [InlineData("Nì", Rating.Mixed)]
    [InlineData("Impreciso", Rating.Mixed)]
    [InlineData("Non è vero", Rating.False)]
    [InlineData("Non e' vero", Rating.False)]
    [InlineData("Manca di contesto", Rating.Misleading)]
    [InlineData("Senza prove", Rating.Unproven)]
    [InlineData("Non è fuorviante", Rating.Unspecified)]
    [InlineData("Satira", Rating.Unspecified)]
    public void FromLabel_Italian_ReadsTheLabelAsPublished(string label, Rating expected)
    {
        Map.FromLabel(label).Rating.ShouldBe(expected, label);
    }

    [Theory]
    [InlineData("झूठ", Rating.False)]
    [InlineData("गलत", Rating.False)]
    [InlineData("ग़लत", Rating.False)]
    [InlineData("फर्जी", Rating.False)]
    [InlineData("फ़र्ज़ी", Rating.False)]
    [InlineData("भ्रामक", Rating.Misleading)]
    [InlineData("भ्रामक: वीडियो 2019 का है", Rating.Misleading)]
    [InlineData("सच", Rating.True)]
    [InlineData("सही", Rating.True)]
    [InlineData("आंशिक रूप से सच", Rating.Mixed)]
    [InlineData("मिसलीडिंग", Rating.Misleading)]
    [InlineData("फेक", Rating.False)]
    [InlineData("गुमराह करने वाला", Rating.Misleading)]
    [InlineData("संदर्भ से बाहर", Rating.Misleading)]
    [InlineData("सच नहीं है", Rating.False)]
    [InlineData("दावा गलत है।", Rating.False)]
    [InlineData("गलत संदर्भ में शेयर किया जा रहा वीडियो", Rating.Misleading)]
    [InlineData("भ्रामक नहीं है", Rating.Unspecified)]
    [InlineData("व्यंग्य", Rating.Unspecified)]
    public void FromLabel_Hindi_ReadsTheLabelAsPublished(string label, Rating expected)
    {
        Map.FromLabel(label).Rating.ShouldBe(expected, label);
    }

    [Theory]
    [InlineData("মিথ্যা", Rating.False)]
    [InlineData("মিথ্যা: ছবিটি ২০১৯ সালের", Rating.False)]
    [InlineData("বিভ্রান্তিকর", Rating.Misleading)]
    [InlineData("সত্য", Rating.True)]
    [InlineData("আংশিক সত্য", Rating.Mixed)]
    [InlineData("আংশিক মিথ্যা", Rating.Mixed)]
    [InlineData("\u09AD\u09C1\u09AF\u09BC\u09BE", Rating.False)] // ভুয়া, য় typed as য + nukta
    [InlineData("\u09AD\u09C1\u09DF\u09BE", Rating.False)] // ভুয়া, য় as one code point
    [InlineData("ভুয়ো", Rating.False)]
    [InlineData("ভুল", Rating.False)]
    [InlineData("প্রেক্ষাপটহীন", Rating.Misleading)]
    [InlineData("সত্য নয়", Rating.False)]
    [InlineData("মিথ্যা নয়", Rating.Unspecified)]
    [InlineData("বিকৃত", Rating.Unspecified)]
    [InlineData("ব্যঙ্গাত্মক", Rating.Unspecified)]
    public void FromLabel_Bengali_ReadsTheLabelAsPublished(string label, Rating expected)
    {
        Map.FromLabel(label).Rating.ShouldBe(expected, label);
    }

    [Theory]
    [InlineData("زائف", Rating.False)]
    [InlineData("زائف: الصورة قديمة", Rating.False)]
    [InlineData("كاذب", Rating.False)]
    [InlineData("كـاذب", Rating.False)]
    [InlineData("خاطئ", Rating.False)]
    [InlineData("خطأ", Rating.False)]
    [InlineData("مضلل", Rating.Misleading)]
    [InlineData("مُضَلِّل", Rating.Misleading)]
    [InlineData("صحيح", Rating.True)]
    [InlineData("زائف جزئياً", Rating.Mixed)]
    [InlineData("صحيح جزئيًا", Rating.Mixed)]
    [InlineData("غير صحيح", Rating.False)]
    [InlineData("ادعاء كاذب", Rating.False)]
    [InlineData("إدعاء كاذب", Rating.False)]
    [InlineData("مفبرك", Rating.False)]
    [InlineData("خارج السياق", Rating.Misleading)]
    [InlineData("تضليل", Rating.Misleading)]
    [InlineData("غير مضلل", Rating.Unspecified)]
    [InlineData("ساخر", Rating.Unspecified)]
    [InlineData("رأي", Rating.Unspecified)]
    public void FromLabel_Arabic_ReadsTheLabelAsPublished(string label, Rating expected)
    {
        Map.FromLabel(label).Rating.ShouldBe(expected, label);
    }

    [Theory]
    [InlineData("錯誤", Rating.False)]
    [InlineData("错误", Rating.False)]
    [InlineData("錯誤：影片為2019年舊片", Rating.False)]
    [InlineData("【錯誤】網傳影片並非本次颱風", Rating.False)]
    [InlineData("部分錯誤", Rating.Mixed)]
    [InlineData("部分错误", Rating.Mixed)]
    [InlineData("大部分錯誤", Rating.MostlyFalse)]
    [InlineData("正確", Rating.True)]
    [InlineData("正确", Rating.True)]
    [InlineData("證據不足", Rating.Unproven)]
    [InlineData("证据不足", Rating.Unproven)]
    [InlineData("易生誤解", Rating.Misleading)]
    [InlineData("誤導", Rating.Misleading)]
    [InlineData("误导", Rating.Misleading)]
    [InlineData("謠言", Rating.False)]
    [InlineData("假", Rating.False)]
    [InlineData("缺乏背景", Rating.Misleading)]
    [InlineData("正確，但缺乏背景", Rating.Misleading)]
    [InlineData("不實", Rating.False)]
    [InlineData("事實釐清", Rating.Unspecified)]
    [InlineData("並非錯誤", Rating.Unspecified)]
    [InlineData("不是誤導", Rating.Unspecified)]
    [InlineData("諷刺", Rating.Unspecified)]
    public void FromLabel_Chinese_ReadsTheLabelAsPublished(string label, Rating expected)
    {
        Map.FromLabel(label).Rating.ShouldBe(expected, label);
    }

    [Theory]
    [InlineData("不正確", Rating.False)]
    [InlineData("不正确", Rating.False)]
    [InlineData("不正確：範例市並未調漲", Rating.False)]
    public void FromLabel_ChineseInChinese_ReadsTheLabelsThatJapaneseReadsOtherwise(string label, Rating expected)
    {
        Map.FromLabel(label, "zh-TW").Rating.ShouldBe(expected, label);
    }

    // FIJ's guidelines (正確, ほぼ正確, 不正確, ミスリード, 根拠不明, 誤り, 虚偽), the Japan Fact-check Center, InFact.
    [Theory]
    [InlineData("誤り", Rating.False)]
    [InlineData("【誤り】例市長の発言とされる画像は加工されたもの", Rating.False)]
    [InlineData("誤り：例市はそのような発表をしていない", Rating.False)]
    [InlineData("判定：誤り", Rating.False)]
    [InlineData("虚偽", Rating.False)]
    [InlineData("事実ではない", Rating.False)]
    [InlineData("事実と異なる", Rating.False)]
    [InlineData("デマ", Rating.False)]
    [InlineData("ほぼ誤り", Rating.MostlyFalse)]
    [InlineData("不正確", Rating.Mixed)]
    [InlineData("一部誤り", Rating.Mixed)]
    [InlineData("誤りを含む", Rating.Mixed)]
    [InlineData("ほぼ正確", Rating.MostlyTrue)]
    [InlineData("おおむね正確", Rating.MostlyTrue)]
    [InlineData("正確", Rating.True)]
    [InlineData("正確。", Rating.True)]
    [InlineData("正確。ただし文脈不足", Rating.Misleading)]
    [InlineData("ミスリード", Rating.Misleading)]
    [InlineData("ミスリード：動画は2019年の別の水害のもの", Rating.Misleading)]
    [InlineData("誤解を招く", Rating.Misleading)]
    [InlineData("根拠不明", Rating.Unproven)]
    [InlineData("根拠なし", Rating.Unproven)]
    [InlineData("未確認", Rating.Unproven)]
    [InlineData("ＭＩＳＬＥＡＤＩＮＧ（ミスリード）", Rating.Misleading)]
    [InlineData("誤りではない", Rating.Unspecified)]
    [InlineData("正確とは言えない", Rating.Unspecified)]
    [InlineData("必ずしも事実ではない", Rating.Unspecified)]
    [InlineData("誤りとミスリード", Rating.Unspecified)]
    [InlineData("判定留保", Rating.Unspecified)]
    [InlineData("検証対象外", Rating.Unspecified)]
    [InlineData("風刺", Rating.Unspecified)]
    [InlineData("意見", Rating.Unspecified)]
    public void FromLabel_Japanese_ReadsTheLabelAsPublished(string label, Rating expected)
    {
        Map.FromLabel(label, "ja").Rating.ShouldBe(expected, label);
    }

    [Theory]
    [InlineData("[SALAH] Video banjir di Jakarta", Rating.False)]
    [InlineData("Hoaks", Rating.False)]
    [InlineData("Keliru", Rating.False)]
    [InlineData("Menyesatkan", Rating.Misleading)]
    [InlineData("[KONTEKS YANG SALAH] Foto lama", Rating.Misleading)]
    [InlineData("Sebagian Benar", Rating.Mixed)]
    [InlineData("Benar", Rating.True)]
    [InlineData("Tidak Terbukti", Rating.Unproven)]
    [InlineData("Bukan hoaks", Rating.Unspecified)]
    [InlineData("Satire", Rating.Unspecified)]
    public void FromLabel_Indonesian_ReadsTheLabelAsPublished(string label, Rating expected)
    {
        Map.FromLabel(label).Rating.ShouldBe(expected, label);
    }

    [Theory]
    [InlineData("Yanlış", Rating.False)]
    [InlineData("YANLIŞ", Rating.False)]
    [InlineData("Yanıltıcı", Rating.Misleading)]
    [InlineData("Doğru", Rating.True)]
    [InlineData("Çoğunlukla yanlış", Rating.MostlyFalse)]
    [InlineData("Yarı doğru", Rating.Mixed)]
    [InlineData("Doğru değil", Rating.False)]
    [InlineData("Yanlış değil", Rating.Unspecified)]
    public void FromLabel_Turkish_ReadsTheLabelAsPublished(string label, Rating expected)
    {
        Map.FromLabel(label).Rating.ShouldBe(expected, label);
    }

    [Theory]
    [InlineData("Onwaar", Rating.False)]
    [InlineData("Niet waar", Rating.False)]
    [InlineData("Misleidend", Rating.Misleading)]
    [InlineData("Grotendeels onwaar", Rating.MostlyFalse)]
    [InlineData("Half waar", Rating.Mixed)]
    [InlineData("Waar", Rating.True)]
    [InlineData("Ontbrekende context", Rating.Misleading)]
    [InlineData("Niet misleidend", Rating.Unspecified)]
    public void FromLabel_Dutch_ReadsTheLabelAsPublished(string label, Rating expected)
    {
        Map.FromLabel(label).Rating.ShouldBe(expected, label);
    }

    [Theory]
    [InlineData("사실", Rating.True)]
    [InlineData("대체로 사실", Rating.MostlyTrue)]
    [InlineData("절반의 사실", Rating.Mixed)]
    [InlineData("대체로 사실 아님", Rating.MostlyFalse)]
    [InlineData("전혀 사실 아님", Rating.False)]
    [InlineData("거짓", Rating.False)]
    [InlineData("오해의 소지 없음", Rating.Unspecified)]
    [InlineData("판단 유보", Rating.Unspecified)]
    public void FromLabel_Korean_ReadsTheLabelAsPublished(string label, Rating expected)
    {
        Map.FromLabel(label).Rating.ShouldBe(expected, label);
    }

    /// <summary>The worst failure is publishing the opposite of the verdict: a negated positive word is a FALSE label.</summary>
    [Theory]
    [InlineData("Not true")]
    [InlineData("Inaccurate")]
    [InlineData("That's not correct.")]
    [InlineData("This isn't true")]
    [InlineData("No es cierto")]
    [InlineData("Não é verdade")]
    [InlineData("Pas vrai")]
    [InlineData("Nicht wahr")]
    [InlineData("Non è vero")]
    [InlineData("सच नहीं")]
    [InlineData("সঠিক নয়")]
    [InlineData("غير صحيح")]
    [InlineData("不實")]
    [InlineData("正確ではない")]
    [InlineData("事実ではない")]
    [InlineData("Tidak benar")]
    [InlineData("Doğru değil")]
    [InlineData("Klopt niet")]
    [InlineData("사실 아님")]
    public void FromLabel_NegatedTrue_IsFalse(string label)
    {
        var reading = Map.FromLabel(label);

        reading.Rating.ShouldBe(Rating.False, label);
        reading.Basis.ShouldBe(RatingBasis.Label);
    }

    [Theory]
    [InlineData("Not misleading", "\"not misleading\"")]
    [InlineData("It is not false", "\"not false\"")]
    [InlineData("No es engañoso", "\"no es enganoso\"")]
    [InlineData("Ce n'est pas trompeur", "\"pas trompeur\"")]
    [InlineData("भ्रामक नहीं है", "\"भ्रामक नहीं\"")]
    [InlineData("並非錯誤", "\"並非錯誤\"")]
    public void FromLabel_NegatedRatingPhrase_IsUnmappedWithANote(string label, string quoted)
    {
        var reading = Map.FromLabel(label);

        reading.Rating.ShouldBe(Rating.Unspecified);
        reading.Basis.ShouldBe(RatingBasis.None);
        reading.Note.ShouldBe($"{quoted}: a negated rating phrase is not read as its opposite");
    }

    [Theory]
    [InlineData("Satire")]
    [InlineData("Labeled Satire")]
    [InlineData("Opinion")]
    [InlineData("Explainer")]
    [InlineData("Scam")]
    [InlineData("Sátira")]
    [InlineData("Satira")]
    [InlineData("Contraditório")]
    [InlineData("व्यंग्य")]
    [InlineData("ساخر")]
    [InlineData("事實釐清")]
    public void FromLabel_LabelThatIsNotATruthRating_IsUnmapped(string label)
    {
        var reading = Map.FromLabel(label);

        reading.Rating.ShouldBe(Rating.Unspecified);
        reading.Note.ShouldBe($"unmapped rating \"{label}\"");
    }
}
