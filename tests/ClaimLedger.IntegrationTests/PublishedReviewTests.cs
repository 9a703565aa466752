using System.Text.Json;
using ClaimLedger.Contracts.V1;
using ClaimLedger.IntegrationTests.Infrastructure;
using ClaimLedger.Server.Infrastructure.Data;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Outcome = ClaimLedger.Contracts.V1.ImportResult.Types.Outcome;

namespace ClaimLedger.IntegrationTests;

/// <summary>
/// Published fact-checks through the API: FACT_CHECK evidence carrying another publisher's review, verdicts resting on
/// it, records attached to a claim already held, structured claimants and language origins, what the ledger records,
/// and the migration that brought them to existing databases.
/// </summary>
public sealed class PublishedReviewTests(ClaimLedgerServer server) : IClassFixture<ClaimLedgerServer>
{
    private readonly TransferService.TransferServiceClient _transfer = new(server.As("review-importer", Role.Editor));
    private readonly ClaimService.ClaimServiceClient _claims = server.Claims("review-editor", Role.Editor);
    private readonly EvidenceService.EvidenceServiceClient _evidence = server.Evidence("review-editor", Role.Editor);

    private static PublishedReview AReview(string url, string label, Rating rating) => new()
    {
        Url = url,
        PublishTime = Timestamp.FromDateTimeOffset(new DateTimeOffset(2024, 3, 5, 13, 12, 44, TimeSpan.Zero)),
        Author = new Party { Name = "Maria Exemplo", Type = Party.Types.Type.Person, Url = "https://verifica.example.com.br/autora/maria" },
        Publisher = new Party { Name = "Verifica Exemplo", Type = Party.Types.Type.Organization, SameAs = { "https://social.example.net/verifica" } },
        LanguageCode = "pt-BR",
        Headline = "Vídeo de ponte é antigo",
        Rating = new PublishedRating { Label = label, Value = 4, Best = 6, Worst = 1, Rating = rating },
    };

    private static string NewUrl() => $"https://verifica.example.com.br/checagem/{Guid.NewGuid():N}";

    private static ClaimRecord Record(string text, string reviewUrl, PublishedReview review) => new()
    {
        Claim = new Claim { Text = text, LanguageCode = "pt-BR", LanguageOrigin = LanguageOrigin.Declared },
        Sources = { new Source { Url = reviewUrl, Title = review.Headline, Kind = SourceKind.NewsArticle } },
        Evidence = { new RecordEvidence { Source = reviewUrl, Stance = Stance.FactCheck, Review = review } },
    };

    private async Task<ImportClaimsResponse> ImportAsync(params ClaimRecord[] records)
    {
        using var call = _transfer.ImportClaims();
        foreach (var record in records)
        {
            await call.RequestStream.WriteAsync(new ImportClaimsRequest { Record = record });
        }

        await call.RequestStream.CompleteAsync();
        return await call;
    }

    private async Task<IReadOnlyList<LedgerEntry>> LedgerEntriesAsync(string subject) =>
        (await server.Ledger().ListLedgerEntriesAsync(new ListLedgerEntriesRequest { Subject = subject, PageSize = 100 })).Entries;

    [Fact]
    public async Task AddEvidence_FactCheckWithAReview_KeepsThePublishersFacts_AndTheLedgerRecordsThem()
    {
        var claim = await _claims.CreateClaimAsync(TestData.NewClaim());
        var url = NewUrl();
        var source = await server.Sources().CreateSourceAsync(TestData.NewSource(url));

        var added = await _evidence.AddEvidenceAsync(new AddEvidenceRequest
        {
            Parent = claim.Name, Evidence = new Evidence { Source = source.Name, Stance = Stance.FactCheck, Review = AReview("", "Falso", Rating.False) },
        });
        var listed = (await _evidence.ListEvidenceAsync(new ListEvidenceRequest { Parent = claim.Name })).Evidence.Single();

        listed.Review.ShouldBe(added.Review);
        added.Review.Url.ShouldBe(url, "an empty review url is the source's");
        added.Review.Rating.Label.ShouldBe("Falso");
        added.Review.Rating.Best.ShouldBe(6);
        added.Review.Publisher.SameAs.ShouldBe(["https://social.example.net/verifica"]);
        added.Review.PublishTime.ToDateTimeOffset().ShouldBe(new DateTimeOffset(2024, 3, 5, 13, 12, 44, TimeSpan.Zero));
        var entry = (await LedgerEntriesAsync(added.Name)).Single();
        using var changes = JsonDocument.Parse(entry.Changes);
        var review = changes.RootElement.GetProperty("review");
        review.GetProperty("rating").GetProperty("label").GetString().ShouldBe("Falso");
        review.GetProperty("rating").GetProperty("best").GetString().ShouldBe("6");
        review.GetProperty("author").GetProperty("type").GetString().ShouldBe("PERSON");
    }

    [Fact]
    public async Task AddEvidence_AReviewOnEvidenceThatIsNotAFactCheck_IsInvalid_AndWritesNothing()
    {
        var claim = await _claims.CreateClaimAsync(TestData.NewClaim());
        var source = await server.Sources().CreateSourceAsync(TestData.NewSource());
        var before = Db.Snapshot(server.DatabasePath);

        await RpcAssert.InvalidArgument(_evidence.AddEvidenceAsync(new AddEvidenceRequest
        {
            Parent = claim.Name, Evidence = new Evidence { Source = source.Name, Stance = Stance.Supports, Review = AReview("", "Falso", Rating.False) },
        }), "evidence.review");
        Db.Snapshot(server.DatabasePath).ShouldBe(before);
    }

    [Fact]
    public async Task SubmitVerdict_RestingOnAPriorFactCheckAlone_IsAccepted()
    {
        var claim = await _claims.CreateClaimAsync(TestData.NewClaim());
        var source = await server.Sources().CreateSourceAsync(TestData.NewSource());
        var factCheck = await _evidence.AddEvidenceAsync(new AddEvidenceRequest
        {
            Parent = claim.Name, Evidence = new Evidence { Source = source.Name, Stance = Stance.FactCheck, Review = AReview("", "Falso", Rating.False) },
        });
        await _claims.StartReviewAsync(new StartReviewRequest { Name = claim.Name });

        var verified = await _claims.SubmitVerdictAsync(new SubmitVerdictRequest
        {
            Name = claim.Name, Rating = Rating.False, Rationale = "The publisher's check holds up.", Evidence = { factCheck.Name },
        });

        verified.Status.ShouldBe(ClaimStatus.Verified);
        verified.Verdict.Evidence.ShouldBe([factCheck.Name]);
    }

    [Fact]
    public async Task ImportClaims_ASecondPublishersReviewOfAHeldClaim_IsAttached_WithOneLedgerEntry_AndTheLedgerStaysValid()
    {
        var text = $"Vídeo mostra a ponte de Vila Exemplo desabando durante as chuvas {Guid.NewGuid():N}";
        var firstUrl = NewUrl();
        var secondUrl = $"https://checagem.example.com.br/{Guid.NewGuid():N}";
        var created = await ImportAsync(Record(text, firstUrl, AReview(firstUrl, "Falso", Rating.False)));
        var ledgerBefore = Db.Scalar(server.DatabasePath, "SELECT count(*) FROM ledger_entries");

        var second = await ImportAsync(Record(text + ".", secondUrl, AReview(secondUrl, "Sem contexto", Rating.Misleading)));
        var again = await ImportAsync(Record(text + ".", secondUrl, AReview(secondUrl, "Sem contexto", Rating.Misleading)));

        var claimName = created.Results.Single().Claim;
        second.Results.Single().Outcome.ShouldBe(Outcome.Attached);
        second.Results.Single().Claim.ShouldBe(claimName);
        second.Attached.ShouldBe(1);
        again.Results.Single().Outcome.ShouldBe(Outcome.Duplicate);
        var reviews = (await _evidence.ListEvidenceAsync(new ListEvidenceRequest { Parent = claimName })).Evidence.Select(e => (e.Review.Url, e.Review.Rating.Label));
        reviews.ShouldBe([(firstUrl, "Falso"), (secondUrl, "Sem contexto")]);
        Db.Scalar(server.DatabasePath, "SELECT count(*) FROM ledger_entries").ShouldBe(ledgerBefore + 1);
        var attached = (await LedgerEntriesAsync(claimName)).Last();
        attached.Action.ShouldBe("claim.import_attached");
        attached.Changes.ShouldContain(secondUrl);
        (await server.Ledger().VerifyLedgerAsync(new VerifyLedgerRequest())).Valid.ShouldBeTrue();
    }

    [Fact]
    public async Task ImportClaims_KeepsStructuredClaimantsAndTheLanguagesOrigin_AndNamesNoClaimantWhenThereIsNone()
    {
        var named = Record($"Prefeito de Vila Exemplo proibiu bicicletas na praça {Guid.NewGuid():N}", NewUrl(), AReview("", "Falso", Rating.False));
        named.Claim.Claimants.Add(new Party { Name = "Prefeitura de Vila Exemplo", Type = Party.Types.Type.Organization, SameAs = { "https://vila.example.gov.br" } });
        named.Claim.Claimants.Add(new Party { Name = "João Ficticio", Type = Party.Types.Type.Person });
        named.Evidence[0].Review.Url = named.Sources[0].Url;
        var nobody = Record($"Governo de Freedonia fechou todas as escolas em março {Guid.NewGuid():N}", NewUrl(), AReview("", "Falso", Rating.False));
        nobody.Evidence[0].Review.Url = nobody.Sources[0].Url;

        var response = await ImportAsync(named, nobody);

        var withClaimants = await _claims.GetClaimAsync(new GetClaimRequest { Name = response.Results[0].Claim });
        withClaimants.Claimant.ShouldBe("Prefeitura de Vila Exemplo; João Ficticio");
        withClaimants.Claimants.Select(p => (p.Name, p.Type)).ShouldBe([("Prefeitura de Vila Exemplo", Party.Types.Type.Organization), ("João Ficticio", Party.Types.Type.Person)]);
        withClaimants.LanguageOrigin.ShouldBe(LanguageOrigin.Declared);
        (await _claims.GetClaimAsync(new GetClaimRequest { Name = response.Results[1].Claim })).Claimant.ShouldBeEmpty();
    }

    [Fact]
    public async Task ImportClaims_ATimestampOutOfRange_IsInvalidForThatRecordOnly_NeverInternal()
    {
        var bad = Record($"Ponte de Freedonia caiu ontem à noite {Guid.NewGuid():N}", NewUrl(), AReview("", "Falso", Rating.False));
        bad.Claim.ClaimTime = new Timestamp { Seconds = 253402300800 };
        var badSource = Record($"Ponte de Freedonia caiu anteontem {Guid.NewGuid():N}", NewUrl(), AReview("", "Falso", Rating.False));
        badSource.Sources[0].PublishTime = new Timestamp { Nanos = -1 };
        var badReview = Record($"Ponte de Freedonia caiu na semana passada {Guid.NewGuid():N}", NewUrl(), AReview("", "Falso", Rating.False));
        badReview.Evidence[0].Review.PublishTime = new Timestamp { Seconds = -62135596801 };
        var good = Record($"Ponte de Freedonia foi reaberta hoje de manhã {Guid.NewGuid():N}", NewUrl(), AReview("", "Falso", Rating.False));

        var response = await ImportAsync(bad, badSource, badReview, good);

        response.Results.Select(r => r.Outcome).ShouldBe([Outcome.Invalid, Outcome.Invalid, Outcome.Invalid, Outcome.Created]);
        response.Results[0].Reason.ShouldContain("record.claim.claim_time");
        response.Results[1].Reason.ShouldContain("record.sources");
        response.Results[2].Reason.ShouldContain("review.publish_time");
    }

    [Fact]
    public async Task ExportClaimsThenImport_IntoAnotherServer_KeepsReviewsClaimantsLanguageOriginAndPublishedVerdicts()
    {
        var topic = $"reviews-{Guid.NewGuid():N}"[..20];
        var url = NewUrl();
        var ours = Record($"Vila Exemplo vai cobrar pedágio de pedestres {Guid.NewGuid():N}", url, AReview(url, "Falso", Rating.False));
        ours.Claim.Topics.Add(topic);
        ours.Claim.Claimants.Add(new Party { Name = "Blog Exemplo", Type = Party.Types.Type.Organization });
        ours.Claim.Status = ClaimStatus.Verified;
        ours.Claim.Verdict = new Verdict { Rating = Rating.False, Rationale = "Published as Falso.", OriginalRating = "Falso", PublishedReview = AReview(url, "Falso", Rating.False) };
        ours.VerdictEvidence.Add(0);
        await ImportAsync(ours);

        var exported = await ExportAsync(_transfer, topic);
        using var other = new ClaimLedgerServer();
        using var call = new TransferService.TransferServiceClient(other.As("importer", Role.Editor)).ImportClaims();
        await call.RequestStream.WriteAsync(new ImportClaimsRequest { Record = exported.Single() });
        await call.RequestStream.CompleteAsync();
        var imported = (await call).Results.Single();

        imported.Outcome.ShouldBe(Outcome.Created);
        var copy = await new ClaimService.ClaimServiceClient(other.As("reader", Role.Reader)).GetClaimAsync(new GetClaimRequest { Name = imported.Claim });
        var original = exported.Single().Claim;
        copy.Claimants.ShouldBe(original.Claimants);
        copy.LanguageOrigin.ShouldBe(LanguageOrigin.Declared);
        copy.Verdict.PublishedReview.ShouldBe(original.Verdict.PublishedReview);
        copy.Verdict.PublishedReview.Rating.Label.ShouldBe("Falso");
        var evidence = (await new EvidenceService.EvidenceServiceClient(other.As("reader", Role.Reader)).ListEvidenceAsync(new ListEvidenceRequest { Parent = copy.Name })).Evidence;
        evidence.Single().Review.ShouldBe(exported.Single().Evidence.Single().Review);
    }

    [SqliteOnlyFact("migrates a SQLite file of its own through the SQLite scripts (sqlite_master, pragma_foreign_key_check, SqliteException)")]
    public async Task Migration0007_OnADatabaseWithEvidence_KeepsEveryRowAndReference_AndAdmitsFactChecks()
    {
        var directory = Path.Combine(server.DataDirectory, "migration-0007-" + Guid.NewGuid().ToString("N"));
        var database = new SqliteDatabase(Options.Create(new DatabaseOptions { DataDirectory = directory }));
        var migrator = new DatabaseMigrator(database, NullLogger<DatabaseMigrator>.Instance);
        var scripts = DatabaseMigrator.EmbeddedScripts();
        migrator.Migrate(scripts.TakeWhile(s => string.CompareOrdinal(s.Name, "0007") < 0).ToList());
        using (var connection = new SqliteConnection(database.ConnectionString))
        {
            connection.Open();
            using var insert = connection.CreateCommand();
            insert.CommandText = """
                INSERT INTO claims (id, text, normalized_text, claimant, language_code, status, create_time, update_time)
                VALUES ('c1', 'a claim', 'a claim', 'x', 'en', 'VERIFIED', '2024-01-01T00:00:00.000000Z', '2024-01-01T00:00:00.000000Z');
                INSERT INTO sources (id, url, canonical_url, kind, create_time, update_time)
                VALUES ('s1', 'https://a.example.org/', 'https://a.example.org/', 'OTHER', '2024-01-01T00:00:00.000000Z', '2024-01-01T00:00:00.000000Z');
                INSERT INTO evidence (id, claim_id, source_id, stance, excerpt, added_by, create_time)
                VALUES ('e1', 'c1', 's1', 'REFUTES', 'the excerpt', 'tester', '2024-01-01T00:00:00.000000Z');
                INSERT INTO verdicts (id, claim_id, rating, rationale, reviewer, create_time) VALUES ('v1', 'c1', 'FALSE', 'r', 'tester', '2024-01-01T00:00:00.000000Z');
                INSERT INTO verdict_evidence (verdict_id, evidence_id) VALUES ('v1', 'e1');
                """;
            insert.ExecuteNonQuery();
        }

        migrator.Migrate(scripts);

        Db.Scalar(database.DatabasePath, "SELECT count(*) FROM evidence WHERE id = 'e1' AND stance = 'REFUTES' AND excerpt = 'the excerpt' AND review_id IS NULL").ShouldBe(1);
        Db.Scalar(database.DatabasePath, "SELECT count(*) FROM verdict_evidence ve JOIN evidence e ON e.id = ve.evidence_id").ShouldBe(1);
        Db.Scalar(database.DatabasePath, "SELECT count(*) FROM pragma_foreign_key_check").ShouldBe(0);
        Db.Scalar(database.DatabasePath, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'evidence' AND name LIKE 'ix_%'").ShouldBe(2);
        using (var connection = new SqliteConnection(database.ConnectionString))
        {
            connection.Open();
            using var factCheck = connection.CreateCommand();
            factCheck.CommandText = "INSERT INTO evidence (id, claim_id, source_id, stance, added_by, create_time) VALUES ('e2', 'c1', 's1', 'FACT_CHECK', 't', 'now')";
            factCheck.ExecuteNonQuery().ShouldBe(1);
            using var dangling = connection.CreateCommand();
            dangling.CommandText = "INSERT INTO verdict_evidence (verdict_id, evidence_id) VALUES ('v1', 'missing')";
            Should.Throw<SqliteException>(() => dangling.ExecuteNonQuery()).Message.ShouldContain("FOREIGN KEY");
        }

        SqliteConnection.ClearAllPools();
    }

    private static async Task<List<ClaimRecord>> ExportAsync(TransferService.TransferServiceClient client, string topic)
    {
        using var call = client.ExportClaims(new ExportClaimsRequest { Topic = topic });
        var records = new List<ClaimRecord>();
        await foreach (var record in call.ResponseStream.ReadAllAsync())
        {
            records.Add(record);
        }

        return records;
    }
}
