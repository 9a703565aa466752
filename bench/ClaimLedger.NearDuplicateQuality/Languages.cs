using System.Text;

namespace ClaimLedger.NearDuplicateQuality;

/// <summary>
/// The languages of the labelled set: their common words (function words, nouns, verbs), negation, attributions, how
/// names are made in their script, and how a claim is written (with spaces or, for Chinese and Japanese, without).
/// </summary>
public sealed class Language
{
    private Language(string code, int share, bool spaced, string function, string nouns, string verbs, string negation, string attributions,
        string[] onsets, string[] nuclei, string[] codas)
    {
        Code = code;
        Share = share;
        Spaced = spaced;
        Function = Split(function);
        Nouns = Split(nouns);
        Verbs = Split(verbs);
        Negation = negation;
        Attributions = attributions.Split('|', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        _onsets = onsets;
        _nuclei = nuclei;
        _codas = codas;
    }

    private readonly string[] _onsets;
    private readonly string[] _nuclei;
    private readonly string[] _codas;

    public string Code { get; }

    /// <summary>Relative share of the corpus's claims in this language.</summary>
    public int Share { get; }

    /// <summary>Whether words are separated by spaces (not in Chinese and Japanese).</summary>
    public bool Spaced { get; }

    public IReadOnlyList<string> Function { get; }

    public IReadOnlyList<string> Nouns { get; }

    public IReadOnlyList<string> Verbs { get; }

    /// <summary>The word that negates a verb ("not", "no", "nicht", "不"…), put before it.</summary>
    public string Negation { get; }

    /// <summary>Phrases a reworded claim adds ("according to the ministry").</summary>
    public IReadOnlyList<string> Attributions { get; }

    /// <summary>A name (person, place, organisation) in the language's script: rare words, as real claims carry.</summary>
    public string Name(Random random)
    {
        var name = new StringBuilder();
        var syllables = 2 + random.Next(2);
        for (var i = 0; i < syllables; i++)
        {
            name.Append(_onsets[random.Next(_onsets.Length)]).Append(_nuclei[random.Next(_nuclei.Length)]);
            if (random.Next(3) == 0)
            {
                name.Append(_codas[random.Next(_codas.Length)]);
            }
        }

        return Spaced && char.IsLower(name[0]) ? char.ToUpperInvariant(name[0]) + name.ToString(1, name.Length - 1) : name.ToString();
    }

    /// <summary>A number as the language writes figures ("12,000", "3.5", "43 %", "41万").</summary>
    public string Number(Random random) => random.Next(6) switch
    {
        0 => (1990 + random.Next(37)).ToString(System.Globalization.CultureInfo.InvariantCulture),
        1 => (random.Next(1, 100) * 1000).ToString("N0", System.Globalization.CultureInfo.InvariantCulture),
        2 => (random.Next(10, 999) / 10.0).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture),
        3 => random.Next(1, 100) + (Spaced ? " %" : "%"),
        4 => Spaced ? random.Next(2, 500).ToString(System.Globalization.CultureInfo.InvariantCulture) : random.Next(2, 500) + (Code == "zh" ? "万" : "万人"),
        _ => random.Next(2, 60).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>Tokens written as a claim: joined by spaces (capitalised, a full stop) or run together with the script's punctuation.</summary>
    public string Write(IReadOnlyList<string> tokens, int commaAfter)
    {
        var text = new StringBuilder();
        for (var i = 0; i < tokens.Count; i++)
        {
            if (i > 0 && Spaced)
            {
                text.Append(' ');
            }

            text.Append(tokens[i]);
            if (i == commaAfter && i < tokens.Count - 1)
            {
                text.Append(Spaced ? "," : "，");
            }
        }

        if (Spaced && text.Length > 0 && char.IsLower(text[0]))
        {
            text[0] = char.ToUpperInvariant(text[0]);
        }

        return text.Append(Code switch { "zh" or "ja" => "。", "hi" => "।", _ => "." }).ToString();
    }

    private static string[] Split(string words) => words.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private static readonly string[] LatinOnsets = ["b", "br", "c", "d", "dr", "f", "g", "gr", "k", "l", "m", "n", "p", "r", "s", "st", "t", "tr", "v", "z"];
    private static readonly string[] LatinNuclei = ["a", "e", "i", "o", "u", "ai", "ea", "ou"];
    private static readonly string[] LatinCodas = ["n", "r", "s", "l", "m", "t"];

    /// <summary>English, Spanish, Portuguese, French, German, Russian, Arabic, Hindi, Chinese and Japanese, with their shares of the corpus.</summary>
    public static readonly IReadOnlyList<Language> All =
    [
        new("en", 34, true,
            "the the the of of of and and to to in in a a is that for on was with by as at from has have are it be its this were will more than had after over about into their been per",
            "government minister president country city water school hospital police election vote tax budget price energy oil gas war army health vaccine children report study workers company bank court law border migrants farmers food crime rate unemployment inflation housing rent bridge road railway airport river dam forest fire flood drought climate emissions coal power plant factory jobs wages pension doctors nurses teachers students university museum stadium ministry council mayor parliament party leader protest strike union contract trade exports tariffs deficit debt growth economy market investors fund aid refugees troops missiles drones ceasefire talks treaty sanctions percent million billion people year month week",
            "supplies banned approved rejected increased fell rose doubled cut raised built closed opened announced claimed denied signed received spent lost won arrested caused reduced sold bought paid promised blocked funded",
            "not", "according to the ministry | officials said on Monday | the agency reported | a spokesman confirmed | local media reported | the report found"),
        new("es", 9, true,
            "el la los las de de del en en y y que un una por para con se es fue ha más millones sus su al",
            "gobierno ministro presidente país ciudad agua escuela hospital policía elecciones impuestos presupuesto precio energía guerra salud vacuna niños informe trabajadores empresa banco tribunal ley frontera migrantes agricultores alimentos delito tasa desempleo inflación vivienda alquiler puente carretera aeropuerto río presa bosque incendio inundación sequía clima emisiones carbón fábrica empleos salarios pensiones médicos maestros estudiantes universidad museo estadio",
            "aumentó cayó subió aprobó rechazó construyó cerró abrió anunció afirmó negó firmó recibió gastó perdió ganó redujo vendió compró pagó prometió bloqueó",
            "no", "según el ministerio | dijeron las autoridades el lunes | informó la agencia | confirmó un portavoz | según medios locales"),
        new("pt", 8, true,
            "o a os as de de do da em no na e e que um uma por para com se é foi mais milhões seus sua ao",
            "governo ministro presidente país cidade água escola hospital polícia eleições impostos orçamento preço energia guerra saúde vacina crianças relatório trabalhadores empresa banco tribunal lei fronteira migrantes agricultores alimentos crime taxa desemprego inflação habitação aluguel ponte estrada aeroporto rio barragem floresta incêndio enchente seca clima emissões carvão fábrica empregos salários pensões médicos professores estudantes universidade museu estádio",
            "aumentou caiu subiu aprovou rejeitou construiu fechou abriu anunciou afirmou negou assinou recebeu gastou perdeu ganhou reduziu vendeu comprou pagou prometeu bloqueou",
            "não", "segundo o ministério | disseram as autoridades na segunda-feira | informou a agência | confirmou um porta-voz | segundo a imprensa local"),
        new("fr", 8, true,
            "le la les de de des du en en et et que un une par pour avec se est a été plus millions ses sa au aux",
            "gouvernement ministre président pays ville eau école hôpital police élections impôts budget prix énergie guerre santé vaccin enfants rapport travailleurs entreprise banque tribunal loi frontière migrants agriculteurs alimentation crime taux chômage inflation logement loyer pont route aéroport rivière barrage forêt incendie inondation sécheresse climat émissions charbon usine emplois salaires retraites médecins enseignants étudiants université musée stade",
            "augmenté baissé approuvé rejeté construit fermé ouvert annoncé affirmé nié signé reçu dépensé perdu gagné réduit vendu acheté payé promis bloqué",
            "pas", "selon le ministère | ont déclaré les autorités lundi | a rapporté l'agence | a confirmé un porte-parole | selon les médias locaux"),
        new("de", 8, true,
            "der die das den dem des ein eine und und in im mit von für auf ist hat wurde mehr als Millionen seine ihre zum zur",
            "Regierung Minister Präsident Land Stadt Wasser Schule Krankenhaus Polizei Wahlen Steuern Haushalt Preis Energie Krieg Gesundheit Impfstoff Kinder Bericht Arbeiter Unternehmen Bank Gericht Gesetz Grenze Migranten Landwirte Lebensmittel Kriminalität Quote Arbeitslosigkeit Inflation Wohnungen Miete Brücke Straße Flughafen Fluss Talsperre Wald Brand Hochwasser Dürre Klima Emissionen Kohle Fabrik Arbeitsplätze Löhne Renten Ärzte Lehrer Studenten Universität Museum Stadion",
            "erhöht gesenkt genehmigt abgelehnt gebaut geschlossen eröffnet angekündigt behauptet bestritten unterzeichnet erhalten ausgegeben verloren gewonnen verkauft gekauft bezahlt versprochen blockiert",
            "nicht", "laut dem Ministerium | sagten Behörden am Montag | berichtete die Agentur | bestätigte ein Sprecher | berichteten lokale Medien"),
        new("ru", 5, true,
            "в в на и и не что с по за из от для до был была было млн его их",
            "правительство министр президент страна город вода школа больница полиция выборы налоги бюджет цена энергия война здоровье вакцина дети доклад рабочие компания банк суд закон граница мигранты фермеры продукты преступность уровень безработица инфляция жильё аренда мост дорога аэропорт река водохранилище лес пожар наводнение засуха климат выбросы уголь завод рабочих зарплаты пенсии врачи учителя студенты университет музей стадион",
            "вырос снизился одобрил отклонил построил закрыл открыл объявил заявил отрицал подписал получил потратил потерял выиграл продал купил заплатил обещал заблокировал",
            "не", "по данным министерства | заявили власти в понедельник | сообщило агентство | подтвердил представитель | сообщили местные СМИ",
            ["б", "в", "г", "д", "к", "л", "м", "н", "п", "р", "с", "т", "ш", "з"], ["а", "е", "и", "о", "у", "я", "ы"], ["н", "в", "к", "р", "й"]),
        new("ar", 7, true,
            "في في من من على إلى أن عن مع هذا هذه التي الذي كان قد لا ما بعد قبل مليون مليار",
            "الحكومة الوزير الرئيس البلاد المدينة المياه المدرسة المستشفى الشرطة الانتخابات الضرائب الميزانية الأسعار الطاقة الحرب الصحة اللقاح الأطفال التقرير العمال الشركة البنك المحكمة القانون الحدود المهاجرين المزارعين الغذاء الجريمة معدل البطالة التضخم السكن الإيجار الجسر الطريق المطار النهر السد الغابة الحريق الفيضان الجفاف المناخ الانبعاثات الفحم المصنع الوظائف الأجور المعاشات الأطباء المعلمين الطلاب الجامعة المتحف الملعب",
            "ارتفع انخفض وافق رفض بنى أغلق افتتح أعلن زعم نفى وقع تلقى أنفق خسر فاز خفض باع اشترى دفع وعد",
            "لم", "وفقا للوزارة | قال المسؤولون يوم الاثنين | ذكرت الوكالة | أكد متحدث | ذكرت وسائل الإعلام المحلية",
            ["ب", "ت", "ج", "ح", "د", "ر", "ز", "س", "ش", "ع", "ف", "ق", "ك", "ل", "م", "ن", "ه"], ["ا", "و", "ي", ""], ["ن", "ر", "م", "ل"]),
        new("hi", 7, true,
            "में में का की के के है हैं और से को पर ने यह था थी कि लिए एक करोड़ लाख",
            "सरकार मंत्री राष्ट्रपति देश शहर पानी स्कूल अस्पताल पुलिस चुनाव कर बजट कीमत ऊर्जा युद्ध स्वास्थ्य टीका बच्चे रिपोर्ट मजदूर कंपनी बैंक अदालत कानून सीमा प्रवासी किसान भोजन अपराध दर बेरोजगारी महंगाई आवास किराया पुल सड़क हवाईअड्डा नदी बांध जंगल आग बाढ़ सूखा जलवायु उत्सर्जन कोयला कारखाना नौकरियां वेतन पेंशन डॉक्टर शिक्षक छात्र विश्वविद्यालय संग्रहालय स्टेडियम",
            "बढ़ा घटा मंजूर खारिज बनाया बंद खोला घोषित दावा इनकार हस्ताक्षर प्राप्त खर्च हारा जीता बेचा खरीदा चुकाया वादा रोका",
            "नहीं", "मंत्रालय के अनुसार | अधिकारियों ने सोमवार को कहा | एजेंसी ने बताया | एक प्रवक्ता ने पुष्टि की | स्थानीय मीडिया के अनुसार",
            ["क", "ग", "च", "ज", "त", "द", "न", "प", "ब", "म", "र", "ल", "व", "स", "ह"], ["ा", "ि", "ी", "ु", "े", "ो", ""], ["न", "र", "म", "ल"]),
        new("zh", 7, false,
            "的 的 的 了 在 在 是 和 有 将 对 被 已 也 年 月",
            "政府 部长 总统 国家 城市 水 学校 医院 警察 选举 税收 预算 价格 能源 战争 健康 疫苗 儿童 报告 工人 公司 银行 法院 法律 边境 移民 农民 食品 犯罪 比例 失业 通胀 住房 租金 大桥 公路 机场 河流 水库 森林 火灾 洪水 干旱 气候 排放 煤炭 工厂 就业 工资 养老金 医生 教师 学生 大学 博物馆 体育场",
            "增加 减少 批准 拒绝 建造 关闭 开放 宣布 声称 否认 签署 收到 花费 失去 赢得 上涨 下降 出售 购买 支付 承诺 阻止",
            "不", "据该部称 | 官员周一表示 | 该机构报道 | 一名发言人证实 | 据当地媒体报道",
            ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "周", "吴", "徐", "孙", "马", "朱", "胡", "林", "郭", "何", "高", "罗"],
            ["华", "明", "国", "建", "平", "文", "海", "东", "山", "江", "安", "新", "德", "宁", "州", "阳", "城", "河", "峰", "龙"], ["市", "县", "镇", "区"]),
        new("ja", 7, false,
            "の の の は が を に に で と も した する された 年 月",
            "政府 大臣 大統領 国 市 水 学校 病院 警察 選挙 税金 予算 価格 エネルギー 戦争 健康 ワクチン 子供 報告書 労働者 会社 銀行 裁判所 法律 国境 移民 農家 食品 犯罪 割合 失業 インフレ 住宅 家賃 橋 道路 空港 川 ダム 森林 火災 洪水 干ばつ 気候 排出 石炭 工場 雇用 賃金 年金 医師 教師 学生 大学 博物館 競技場",
            "増加した 減少した 承認した 拒否した 建設した 閉鎖した 開始した 発表した 主張した 否定した 署名した 受け取った 支出した 失った 勝った 売却した 購入した 支払った 約束した 阻止した",
            "ない", "同省によると | 当局者が月曜日に述べた | 同機関が報じた | 広報担当者が確認した | 地元メディアが報じた",
            ["カ", "サ", "タ", "ナ", "ハ", "マ", "ヤ", "ラ", "ワ", "キ", "シ", "チ", "ニ", "ミ", "リ", "ク", "ス", "ツ", "ム", "ル"],
            ["ー", "ン", "ト", "ロ", "コ", "ソ", "ノ", "モ", "ヨ", "ホ", ""], ["ン", "ッ"]),
    ];

    private Language(string code, int share, bool spaced, string function, string nouns, string verbs, string negation, string attributions)
        : this(code, share, spaced, function, nouns, verbs, negation, attributions, LatinOnsets, LatinNuclei, LatinCodas)
    {
    }
}
