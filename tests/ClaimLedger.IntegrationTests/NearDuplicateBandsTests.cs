using ClaimLedger.Contracts.V1;
using ClaimLedger.IntegrationTests.Infrastructure;
using ClaimLedger.Server.Domain;
using Google.Rpc;
using Grpc.Core;
using Microsoft.Data.Sqlite;

namespace ClaimLedger.IntegrationTests;

/// <summary>
/// Near-duplicate candidates by MinHash band keys (claim_bands, ADR 21), through the real API on both engines: twins
/// in any script are refused, a claim's keys follow its text, and a database from before migration 0010 gets the keys
/// of the claims it holds when the server starts on it — also when some of them are there already. Since migration 0011
/// (ADR 24) claims with exactly the same normalised text are found through the keys too, not through an index of the
/// text: a database at 0010 upgrades and still reads, searches, finds twins and verifies, and an exact twin is found
/// however many newer copies share its keys.
/// </summary>
public sealed class NearDuplicateBandsTests : IDisposable
{
    private const string Script0011 = "0011_leaner_storage.sql";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "claimledger-tests", "bands-" + Guid.NewGuid().ToString("N"));
    private readonly List<ClaimLedgerServer> _servers = [];

    private string DatabasePath => Path.Combine(_directory, "claimledger.db");

    /// <summary>Originals and twins (at least 0.8 similar) in ten languages and scripts.</summary>
    public static readonly TheoryData<string, string> Twins = new()
    {
        { "北京市政府周一宣布，2024年将在朝阳区新建三座污水处理厂，总投资约45亿元，预计2026年底前全部建成，每天可处理污水60万吨。",
          "北京市政府周一宣布，2024年将在朝阳区新建三座污水处理厂，总投资约46亿元，预计2026年底前全部建成，每天可处理污水60万吨。" },
        { "東京都は月曜日、2025年度に保育園を120か所増やすと発表した。総事業費は約300億円で、待機児童の解消を目指す。小池知事は記者会見で、保育士の確保も進めると述べた。",
          "東京都は月曜日、2025年度に保育園を120か所増やすと発表した。総事業費は約350億円で、待機児童の解消を目指す。小池知事は記者会見で、保育士の確保も進めると述べた。" },
        { "أعلنت وزارة الصحة أن عدد المستشفيات في عمان ارتفع إلى 42 مستشفى في عام 2023", "أَعلنت وزارةُ الصِّحة أنَّ عدد المستشفيات في عمّان ارتفع إلى 42 مستشفى في عام 2023." },
        { "दिल्ली सरकार ने कहा कि 2023 में शहर में 1200 नई बसें चलाई गईं", "दिल्ली सरकार ने कहा है कि 2023 में शहर में 1200 नई बसें चलाई गईं।" },
        { "El Gobierno de España aprobó una subida del salario mínimo del 5 % en 2024.", "El gobierno de Espana aprobo una subida del salario minimo del 5% en 2024" },
        { "O governo português anunciou que o preço da eletricidade vai baixar 3,5 % em janeiro.", "O Governo portugues anunciou que o preco da electricidade vai baixar 3,5% em janeiro" },
        { "Le gouvernement français a annoncé la fermeture de trois centrales à charbon d'ici 2027.", "Le gouvernement francais a annonce la fermeture de 3 centrales a charbon d'ici 2027." },
        { "Die Bundesregierung hat beschlossen, den Mindestlohn bis 2026 auf 14 Euro zu erhöhen.", "Die Bundesregierung hat beschlossen den Mindestlohn bis 2026 auf 14 Euro zu erhoehen" },
        { "Водохранилище в Твери в марте вмещало сорок один миллион кубометров воды", "Водохранилище в Твери в марте вмещало сорок один милион кубометров воды" },
        { "The Tarnow reservoir held 41 million cubic metres of water in March.", "the TARNÓW reservoir held 41 million cubic metres of water in March!" },
    };

    [Theory]
    [MemberData(nameof(Twins))]
    public async Task ATwinInAnyScript_IsRefused_AndFindSimilarClaimsFindsTheOriginal(string original, string twin)
    {
        using var server = Start();
        var claims = server.Claims();
        var first = await claims.CreateClaimAsync(TestData.NewClaim(original));

        var status = await RpcAssert.Fails(StatusCode.AlreadyExists, claims.CreateClaimAsync(TestData.NewClaim(twin)));
        var similar = await claims.FindSimilarClaimsAsync(new FindSimilarClaimsRequest { Text = twin });

        status.GetDetail<ErrorInfo>().Metadata["similar_claims"].ShouldBe(first.Name);
        similar.Claims.Select(c => c.Claim.Name).ShouldBe([first.Name]);
    }

    [Fact]
    public async Task AClaim_IsStoredUnderTheBandKeysOfItsNormalisedText_WhichFollowItsText()
    {
        using var server = Start();
        var claims = server.Claims();
        const string Before = "The Poznan tram depot will get 30 new low-floor trams by the end of 2027.";
        const string After = "The Gdynia ferry terminal will get 4 new electric ferries by the end of 2028.";
        var claim = await claims.CreateClaimAsync(TestData.NewClaim(Before));
        KeysOf(claim).ShouldBe(Expected(Before));

        var updated = await claims.UpdateClaimAsync(new UpdateClaimRequest
        {
            Claim = new Claim { Name = claim.Name, Text = After },
            UpdateMask = new Google.Protobuf.WellKnownTypes.FieldMask { Paths = { "text" } },
        });

        KeysOf(updated).ShouldBe(Expected(After));
        (await RpcAssert.Fails(StatusCode.AlreadyExists, claims.CreateClaimAsync(TestData.NewClaim(After + "!"))))
            .GetDetail<ErrorInfo>().Metadata["similar_claims"].ShouldBe(claim.Name);
        (await claims.CreateClaimAsync(TestData.NewClaim(Before))).Name.ShouldNotBe(claim.Name);
    }

    [Fact]
    public async Task ADatabaseFromBeforeMigration0010_GetsTheKeysOfItsClaimsAtStart_AndTheirTwinsAreRefused()
    {
        var originals = new List<(Claim Claim, string Twin)>();
        using (var old = Start())
        {
            var claims = old.Claims();
            foreach (var (original, twin) in Twins.Select(row => ((string)row[0], (string)row[1])))
            {
                originals.Add((await claims.CreateClaimAsync(TestData.NewClaim(original)), twin));
            }

            await claims.CreateClaimAsync(TestData.NewClaim("?!"));
        }

        // The schema as 0009 left it: no band keys, 0010 never applied.
        SqliteConnection.ClearAllPools();
        Db.Execute(DatabasePath, "DROP TABLE claim_bands");
        Db.Execute(DatabasePath, "DROP TABLE claim_bands_backfill");
        Db.Execute(DatabasePath, "DELETE FROM schema_migrations WHERE script_name = '0010_claim_bands.sql'");

        using var upgraded = Start();
        var upgradedClaims = upgraded.Claims();

        Db.Scalar(DatabasePath, "SELECT count(*) FROM claim_bands_backfill").ShouldBe(0);
        Db.Scalar(DatabasePath, "SELECT count(*) FROM claim_bands").ShouldBe(originals.Count * MinHashBands.Default.Count); // "?!" has none
        foreach (var (claim, twin) in originals)
        {
            KeysOf(claim).ShouldBe(Expected(claim.Text));
            (await RpcAssert.Fails(StatusCode.AlreadyExists, upgradedClaims.CreateClaimAsync(TestData.NewClaim(twin))))
                .GetDetail<ErrorInfo>().Metadata["similar_claims"].ShouldBe(claim.Name);
        }

        (await upgraded.Ledger().VerifyLedgerAsync(new VerifyLedgerRequest())).Valid.ShouldBeTrue();
    }

    [Fact]
    public async Task AScheduledIndexing_IsDoneAtTheNextStart_KeysAlreadyThereKept()
    {
        var recorded = new List<Claim>();
        using (var old = Start())
        {
            var claims = old.Claims();
            for (var i = 0; i < 6; i++)
            {
                recorded.Add(await claims.CreateClaimAsync(TestData.NewClaim()));
            }
        }

        // Scheduled again (as a migration that changes nothing of the keys could), with the first three claims' keys there.
        SqliteConnection.ClearAllPools();
        var third = Db.Scalar(DatabasePath, $"SELECT seq FROM claims WHERE id = '{Id(recorded[2])}'");
        var last = Db.Scalar(DatabasePath, "SELECT max(seq) FROM claims");
        Db.Execute(DatabasePath, $"DELETE FROM claim_bands WHERE claim_seq > {third}");
        Db.Execute(DatabasePath, $"INSERT INTO claim_bands_backfill (id, through_seq) VALUES (1, {last})");

        using var restarted = Start();

        Db.Scalar(DatabasePath, "SELECT count(*) FROM claim_bands_backfill").ShouldBe(0);
        foreach (var claim in recorded)
        {
            KeysOf(claim).ShouldBe(Expected(claim.Text));
        }
    }

    [Fact]
    public async Task ADatabaseAt0010_MigratesTo0011_AndStillReadsSearchesFindsTwinsAndVerifies()
    {
        Claim kestrel, punctuation, retracted, verified;
        using (var old = Start())
        {
            var claims = old.Claims();
            kestrel = await claims.CreateClaimAsync(TestData.NewClaim("The Kestrel dam holds back forty million cubic metres of water.", "energy"));
            punctuation = await claims.CreateClaimAsync(TestData.NewClaim("?!"));
            retracted = await claims.CreateClaimAsync(TestData.NewClaim("The Opole ferry carried 9000 passengers over the Easter weekend."));
            await claims.RetractClaimAsync(new RetractClaimRequest { Name = retracted.Name, Reason = RetractionReason.Withdrawn });
            var source = await old.Sources().CreateSourceAsync(TestData.NewSource());
            verified = await claims.CreateClaimAsync(TestData.NewClaim("The Gdynia ferry terminal will get 4 new electric ferries by the end of 2028."));
            verified = await claims.StartReviewAsync(new StartReviewRequest { Name = verified.Name });
            var supports = await old.Evidence().AddEvidenceAsync(new AddEvidenceRequest
            {
                Parent = verified.Name,
                Evidence = new Evidence { Source = source.Name, Stance = Stance.Supports, Excerpt = "four electric ferries ordered" },
            });
            verified = await claims.SubmitVerdictAsync(new SubmitVerdictRequest { Name = verified.Name, Rating = Rating.True, Rationale = "r", Evidence = { supports.Name } });
            for (var i = 0; i < 5; i++)
            {
                await claims.CreateClaimAsync(TestData.NewClaim());
            }
        }

        // The schema as 0010 left it: both indexes there, the partial one not, 0011 never applied.
        SqliteConnection.ClearAllPools();
        Db.Execute(DatabasePath, "DROP INDEX ix_claims_empty_text");
        Db.Execute(DatabasePath, "CREATE INDEX ix_claims_unverified ON claims (status, create_time) WHERE status = 'UNVERIFIED'");
        Db.Execute(DatabasePath, TestEngine.IsPostgreSql
            ? "CREATE INDEX ix_claims_normalized_text ON claims USING HASH (normalized_text)"
            : "CREATE INDEX ix_claims_normalized_text ON claims (normalized_text)");
        Db.Execute(DatabasePath, $"DELETE FROM schema_migrations WHERE script_name = '{Script0011}'");
        var claimsBefore = Db.Scalar(DatabasePath, "SELECT count(*) FROM claims");
        IndexesOfClaims().ShouldContain("ix_claims_normalized_text");

        using var upgraded = Start();
        var upgradedClaims = upgraded.Claims();

        Db.Scalar(DatabasePath, $"SELECT count(*) FROM schema_migrations WHERE script_name = '{Script0011}'").ShouldBe(1);
        Db.Scalar(DatabasePath, "SELECT count(*) FROM claims").ShouldBe(claimsBefore);
        var indexes = IndexesOfClaims();
        indexes.ShouldNotContain("ix_claims_normalized_text");
        indexes.ShouldNotContain("ix_claims_unverified");
        indexes.ShouldContain("ix_claims_empty_text");
        indexes.ShouldContain("ix_claims_status");

        // Reads, lists and searches as before.
        (await upgradedClaims.GetClaimAsync(new GetClaimRequest { Name = kestrel.Name })).Text.ShouldBe(kestrel.Text);
        (await upgradedClaims.GetClaimAsync(new GetClaimRequest { Name = verified.Name })).Status.ShouldBe(ClaimStatus.Verified);
        var unverified = await upgradedClaims.ListClaimsAsync(new ListClaimsRequest { Status = ClaimStatus.Unverified, PageSize = 100 });
        unverified.Claims.Select(c => c.Name).ShouldContain(kestrel.Name);
        unverified.Claims.Select(c => c.Name).ShouldNotContain(verified.Name);
        var found = await upgradedClaims.SearchClaimsAsync(new SearchClaimsRequest { Query = "\"kestrel dam\"" });
        found.Results.Select(r => r.Claim.Name).ShouldBe([kestrel.Name]);

        // Exact twins: a text with band keys, and the empty normalised text, which has none; retracted ones only when asked.
        (await RpcAssert.Fails(StatusCode.AlreadyExists, upgradedClaims.CreateClaimAsync(TestData.NewClaim("the KESTREL dam holds back forty million cubic metres of water"))))
            .GetDetail<ErrorInfo>().Metadata["similar_claims"].ShouldBe(kestrel.Name);
        (await RpcAssert.Fails(StatusCode.AlreadyExists, upgradedClaims.CreateClaimAsync(TestData.NewClaim("!!"))))
            .GetDetail<ErrorInfo>().Metadata["similar_claims"].ShouldBe(punctuation.Name);
        (await upgradedClaims.CreateClaimAsync(TestData.NewClaim(retracted.Text))).Name.ShouldNotBe(retracted.Name);

        var ledger = await upgraded.Ledger().VerifyLedgerAsync(new VerifyLedgerRequest());
        ledger.Valid.ShouldBeTrue();
    }

    [Fact]
    public async Task TheOldestOfManyExactTwins_IsFound_BeyondTheCapPerBandKey()
    {
        using var server = Start();
        var claims = server.Claims();
        const string Text = "The Tarnow reservoir held 41 million cubic metres of water in March.";
        var original = await claims.CreateClaimAsync(TestData.NewClaim(Text));
        for (var i = 0; i < Server.Infrastructure.Search.MinHashCandidates.PerKey + 5; i++)
        {
            var twin = TestData.NewClaim(Text);
            twin.AllowDuplicate = true;
            await claims.CreateClaimAsync(twin);
        }

        // Every twin shares every key, so the band candidates hold only the newest PerKey of them; the same-text look-up
        // holds them all, and equally similar claims are listed oldest first.
        var similar = await claims.FindSimilarClaimsAsync(new FindSimilarClaimsRequest { Text = Text });

        similar.Claims[0].Claim.Name.ShouldBe(original.Name);
        similar.Claims[0].Similarity.ShouldBe(1.0);
    }

    private List<string> IndexesOfClaims() =>
        Db.Rows(DatabasePath, TestEngine.IsPostgreSql
                ? "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'claims'"
                : "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'claims'")
            .Select(r => r[0]!)
            .ToList();

    private ClaimLedgerServer Start()
    {
        var server = new ClaimLedgerServer();
        server.Settings["Database:DataDirectory"] = _directory;
        _ = server.Services;
        File.Copy(Path.Combine(_directory, "admin-api-key"), Path.Combine(server.DataDirectory, "admin-api-key"), overwrite: true);
        _servers.Add(server);
        return server;
    }

    private static string Id(Claim claim) => claim.Name["claims/".Length..];

    private List<long> KeysOf(Claim claim) =>
        Db.Rows(DatabasePath, $"SELECT b.band_key FROM claim_bands b JOIN claims c ON c.seq = b.claim_seq WHERE c.id = '{Id(claim)}' ORDER BY b.band_key")
            .Select(r => long.Parse(r[0]!, System.Globalization.CultureInfo.InvariantCulture))
            .ToList();

    private static List<long> Expected(string text) => MinHashBands.Default.Keys(TextSimilarity.Normalize(text.Trim())).Order().ToList();

    public void Dispose()
    {
        foreach (var server in _servers)
        {
            server.Dispose();
        }

        SqliteConnection.ClearAllPools();
        TestEngine.Forget(_directory);
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
