using ClaimLedger.Contracts.V1;
using ClaimLedger.IntegrationTests.Infrastructure;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Outcome = ClaimLedger.Contracts.V1.ImportResult.Types.Outcome;
using EventType = ClaimLedger.Contracts.V1.ClaimEvent.Types.Type;

namespace ClaimLedger.IntegrationTests;

public sealed class TransferTests(ClaimLedgerServer server) : IClassFixture<ClaimLedgerServer>
{
    private const string Importer = "importer";

    private readonly TransferService.TransferServiceClient _transfer = new(server.As(Importer, Role.Editor));
    private readonly ClaimService.ClaimServiceClient _claims = server.Claims("transfer-editor", Role.Editor);
    private readonly EvidenceService.EvidenceServiceClient _evidence = server.Evidence("transfer-editor", Role.Editor);

    // ---- mixed streams -------------------------------------------------------------------------------------------

    [Fact]
    public async Task ImportClaims_MixedStream_CreatesValidRecords_AndReportsEachBadRecordWithoutStoppingOrRollingBack()
    {
        var existing = await _claims.CreateClaimAsync(TestData.NewClaim());
        var sharedUrl = NewUrl();
        var rolledBackUrl = NewUrl();
        var firstText = TestData.UniqueText();
        var lastText = TestData.UniqueText();
        var before = Counts();

        var first = Record(firstText, [Src(sharedUrl)], Ev(sharedUrl, Stance.Origin, "he said it on air"), Ev(sharedUrl, Stance.Supports, "the table confirms it"));
        var emptyText = Record("   ", [Src(NewUrl())]);
        var unknownSource = Record(TestData.UniqueText(), [Src(NewUrl())], Ev("https://elsewhere.example.net/not-listed", Stance.Supports, "x"));
        var nearDuplicate = Record(existing.Text.ToUpperInvariant() + "!!");
        var badStance = Record(TestData.UniqueText(), [Src(sharedUrl)], Ev(sharedUrl, Stance.Unspecified, "no stance"));
        var verdictWithoutProbativeEvidence = Record(TestData.UniqueText(), [Src(rolledBackUrl)],
            Ev(rolledBackUrl, Stance.Origin, "the claimant's post"), Ev(rolledBackUrl, Stance.Context, "background"));
        verdictWithoutProbativeEvidence.Claim.Status = ClaimStatus.Verified;
        verdictWithoutProbativeEvidence.Claim.Verdict = new Verdict { Rating = Rating.True, Rationale = "Looks right." };
        verdictWithoutProbativeEvidence.VerdictEvidence.AddRange([0, 1]);
        var noClaim = new ClaimRecord();
        var last = Record(lastText);

        var response = await ImportAsync(_transfer, first, emptyText, unknownSource, nearDuplicate, badStance, verdictWithoutProbativeEvidence, noClaim, last);

        response.Results.Select(r => r.Index).ShouldBe([0L, 1, 2, 3, 4, 5, 6, 7]);
        response.Results.Select(r => r.Outcome).ShouldBe(
            [Outcome.Created, Outcome.Invalid, Outcome.Invalid, Outcome.Duplicate, Outcome.Invalid, Outcome.Invalid, Outcome.Invalid, Outcome.Created]);
        (response.Created, response.Duplicates, response.Invalid).ShouldBe((2L, 1L, 5L));

        response.Results[1].Reason.ShouldContain("record.claim.text");
        response.Results[1].Claim.ShouldBeEmpty();
        response.Results[2].Reason.ShouldContain("record.evidence");
        response.Results[2].Reason.ShouldContain("https://elsewhere.example.net/not-listed");
        response.Results[3].Claim.ShouldBe(existing.Name);
        response.Results[3].Reason.ShouldContain(existing.Name);
        response.Results[4].Reason.ShouldContain("record.evidence");
        response.Results[4].Reason.ShouldContain("stance");
        response.Results[5].Reason.ShouldContain("verdict_evidence");
        response.Results[6].Reason.ShouldContain("record.claim");

        var created = await GetAsync(response.Results[0].Claim);
        created.Text.ShouldBe(firstText);
        created.Claimant.ShouldBe("Import Desk");
        created.Status.ShouldBe(ClaimStatus.Unverified);
        var evidence = await EvidenceOfAsync(created.Name);
        evidence.Select(e => (e.Stance, e.Excerpt, e.AddedBy)).ShouldBe(
            [(Stance.Origin, "he said it on air", Importer), (Stance.Supports, "the table confirms it", Importer)]);
        (await HistoryAsync(created.Name)).Select(e => (e.Type, e.Actor)).ShouldBe(
            [(EventType.Created, Importer), (EventType.EvidenceAdded, Importer), (EventType.EvidenceAdded, Importer)]);
        (await GetAsync(response.Results[7].Claim)).Text.ShouldBe(lastText);

        // Only the two created records wrote anything: the invalid VERIFIED record's source and evidence were rolled back.
        var after = Counts();
        (after.Claims - before.Claims).ShouldBe(2);
        (after.Evidence - before.Evidence).ShouldBe(2);
        (after.Sources - before.Sources).ShouldBe(1);
        (after.Verdicts - before.Verdicts).ShouldBe(0);
        (after.Ledger - before.Ledger).ShouldBe(2);
        Db.Scalar(server.DatabasePath, $"SELECT count(*) FROM sources WHERE url = '{rolledBackUrl}'").ShouldBe(0);
        Db.Scalar(server.DatabasePath, $"SELECT count(*) FROM claims WHERE text = '{verdictWithoutProbativeEvidence.Claim.Text}'").ShouldBe(0);
    }

    [Fact]
    public async Task ImportClaims_DuplicateWithinTheSameStream_NamesTheClaimCreatedEarlierInTheStream()
    {
        var text = TestData.UniqueText();

        var response = await ImportAsync(_transfer, Record(text), Record(text + "."));

        response.Results.Select(r => r.Outcome).ShouldBe([Outcome.Created, Outcome.Duplicate]);
        response.Results[1].Claim.ShouldBe(response.Results[0].Claim);
        Db.Scalar(server.DatabasePath, $"SELECT count(*) FROM claims WHERE text = '{text}'").ShouldBe(1);
    }

    [Fact]
    public async Task ImportClaims_NonPositiveReviewInterval_IsInvalidForThatRecordOnly()
    {
        var bad = Record(TestData.UniqueText());
        bad.Claim.ReviewInterval = Duration.FromTimeSpan(TimeSpan.FromHours(-1));
        var good = Record(TestData.UniqueText());

        var response = await ImportAsync(_transfer, bad, good);

        response.Results.Select(r => r.Outcome).ShouldBe([Outcome.Invalid, Outcome.Created]);
        response.Results[0].Reason.ShouldContain("record.claim.review_interval");
        (await GetAsync(response.Results[1].Claim)).Text.ShouldBe(good.Claim.Text);
    }

    // ---- re-import -----------------------------------------------------------------------------------------------

    [Fact]
    public async Task ImportClaims_SameRecordsTwice_SecondImportIsAllDuplicate_AndWritesNothing()
    {
        var url = NewUrl();
        var verified = Record(TestData.UniqueText(), [Src(url)], Ev(url, Stance.Refutes, "the register shows otherwise"));
        verified.Claim.Status = ClaimStatus.Verified;
        verified.Claim.Verdict = new Verdict { Rating = Rating.MostlyFalse, Rationale = "The register contradicts it." };
        verified.VerdictEvidence.Add(0);
        var inReview = Record(TestData.UniqueText(), [Src(url)], Ev(url, Stance.Context, "background"));
        inReview.Claim.Status = ClaimStatus.InReview;
        var records = new[] { Record(TestData.UniqueText(), [Src(url)], Ev(url, Stance.Origin, "the speech")), verified, inReview };
        var first = await ImportAsync(_transfer, records);
        first.Created.ShouldBe(3);
        var snapshot = Db.Snapshot(server.DatabasePath);

        var second = await ImportAsync(_transfer, records);

        second.Results.Select(r => r.Outcome).ShouldBe([Outcome.Duplicate, Outcome.Duplicate, Outcome.Duplicate]);
        second.Results.Select(r => r.Claim).ShouldBe(first.Results.Select(r => r.Claim));
        (second.Created, second.Duplicates, second.Invalid).ShouldBe((0L, 3L, 0L));
        Db.Snapshot(server.DatabasePath).ShouldBe(snapshot);
    }

    // ---- recreated state -----------------------------------------------------------------------------------------

    [Fact]
    public async Task ImportClaims_VerifiedRecord_RecreatesItsVerdict_OnTheCitedEvidence_ByTheImporter()
    {
        var url = NewUrl();
        var record = Record(TestData.UniqueText(), [Src(url)],
            Ev(url, Stance.Origin, "the claim as broadcast"), Ev(url, Stance.Refutes, "the official count is half that"));
        record.Claim.Status = ClaimStatus.Verified;
        record.Claim.Verdict = new Verdict
        {
            Rating = Rating.False, OriginalRating = "Pants on Fire", Rationale = "The official count is half the claimed figure.",
            Reviewer = "someone-else", Name = "claims/ignored/verdicts/ignored",
        };
        record.VerdictEvidence.Add(1);

        var response = await ImportAsync(_transfer, record);

        response.Results.Single().Outcome.ShouldBe(Outcome.Created, response.Results.Single().Reason);
        var claim = await GetAsync(response.Results[0].Claim);
        var evidence = await EvidenceOfAsync(claim.Name);
        var refutes = evidence.Single(e => e.Stance == Stance.Refutes);
        claim.Status.ShouldBe(ClaimStatus.Verified);
        claim.Verdict.Rating.ShouldBe(Rating.False);
        claim.Verdict.HasScore.ShouldBeTrue();
        claim.Verdict.Score.ShouldBe(0.0);
        claim.Verdict.OriginalRating.ShouldBe("Pants on Fire");
        claim.Verdict.Rationale.ShouldBe("The official count is half the claimed figure.");
        claim.Verdict.Reviewer.ShouldBe(Importer);
        claim.Verdict.Evidence.ShouldBe([refutes.Name]);
        (await HistoryAsync(claim.Name)).Select(e => (e.Type, e.ToStatus, e.Actor)).ShouldBe(
        [
            (EventType.Created, ClaimStatus.Unverified, Importer),
            (EventType.EvidenceAdded, ClaimStatus.Unspecified, Importer),
            (EventType.EvidenceAdded, ClaimStatus.Unspecified, Importer),
            (EventType.ReviewStarted, ClaimStatus.InReview, Importer),
            (EventType.VerdictSubmitted, ClaimStatus.Verified, Importer),
        ]);
    }

    [Fact]
    public async Task ImportClaims_RecreatesInReviewRetractedAndStaleAsVerified()
    {
        var original = await _claims.CreateClaimAsync(TestData.NewClaim());
        var url = NewUrl();
        var inReview = Record(TestData.UniqueText());
        inReview.Claim.Status = ClaimStatus.InReview;
        var retractedDuplicate = Record(TestData.UniqueText());
        retractedDuplicate.Claim.Status = ClaimStatus.Retracted;
        retractedDuplicate.Claim.Retraction = new Retraction { Reason = RetractionReason.Duplicate, DuplicateOf = original.Name, Note = "same as the original" };
        var withdrawn = Record(TestData.UniqueText());
        withdrawn.Claim.Status = ClaimStatus.Retracted;
        withdrawn.Claim.Retraction = new Retraction { Reason = RetractionReason.Withdrawn, Note = "claimant withdrew it" };
        var stale = Record(TestData.UniqueText(), [Src(url)], Ev(url, Stance.Supports, "still holds"));
        stale.Claim.Status = ClaimStatus.Stale;
        stale.Claim.Verdict = new Verdict { Rating = Rating.MostlyTrue, Rationale = "Held when checked." };
        stale.VerdictEvidence.Add(0);
        var retractedWithoutRetraction = Record(TestData.UniqueText());
        retractedWithoutRetraction.Claim.Status = ClaimStatus.Retracted;
        var verifiedWithoutVerdict = Record(TestData.UniqueText());
        verifiedWithoutVerdict.Claim.Status = ClaimStatus.Verified;

        var response = await ImportAsync(_transfer, inReview, retractedDuplicate, withdrawn, stale, retractedWithoutRetraction, verifiedWithoutVerdict);

        response.Results.Select(r => r.Outcome).ShouldBe(
            [Outcome.Created, Outcome.Created, Outcome.Created, Outcome.Created, Outcome.Invalid, Outcome.Invalid]);
        response.Results[4].Reason.ShouldContain("record.claim.retraction");
        response.Results[5].Reason.ShouldContain("record.claim.verdict");

        (await GetAsync(response.Results[0].Claim)).Status.ShouldBe(ClaimStatus.InReview);

        var duplicate = await GetAsync(response.Results[1].Claim);
        duplicate.Status.ShouldBe(ClaimStatus.Retracted);
        duplicate.Retraction.Reason.ShouldBe(RetractionReason.Duplicate);
        duplicate.Retraction.DuplicateOf.ShouldBe(original.Name);
        duplicate.Retraction.Note.ShouldBe("same as the original");
        duplicate.Retraction.Actor.ShouldBe(Importer);

        var retracted = await GetAsync(response.Results[2].Claim);
        retracted.Status.ShouldBe(ClaimStatus.Retracted);
        retracted.Retraction.Reason.ShouldBe(RetractionReason.Withdrawn);
        retracted.Retraction.Note.ShouldBe("claimant withdrew it");
        (await HistoryAsync(retracted.Name)).Select(e => e.Type).ShouldBe([EventType.Created, EventType.Retracted]);

        var verified = await GetAsync(response.Results[3].Claim);
        verified.Status.ShouldBe(ClaimStatus.Verified);
        verified.Verdict.Rating.ShouldBe(Rating.MostlyTrue);
        verified.Verdict.Score.ShouldBe(0.75);
        verified.Verdict.Evidence.ShouldBe([(await EvidenceOfAsync(verified.Name)).Single().Name]);
    }

    // ---- sources -------------------------------------------------------------------------------------------------

    [Fact]
    public async Task ImportClaims_FindsOrCreatesSources_ByUrlOrContentHash_AndReusesOneRowForASharedUrl()
    {
        var sharedUrl = NewUrl();
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Guid.NewGuid().ToByteArray()));
        var preexisting = await server.Sources().CreateSourceAsync(TestData.NewSource());
        var withHash = new Source { ContentSha256 = hash, Title = "Leaked memo (PDF)", Kind = SourceKind.PrimaryDocument };
        var first = Record(TestData.UniqueText(), [Src(sharedUrl), withHash],
            Ev(sharedUrl, Stance.Origin, "as reported"), Ev($"sha256:{hash}", Stance.Refutes, "page 3 says otherwise"));
        var trackedVariant = sharedUrl + "?fbclid=tracking123";
        var second = Record(TestData.UniqueText(), [Src(trackedVariant), Src(preexisting.Url)],
            Ev(trackedVariant, Stance.Supports, "confirmed"), Ev(preexisting.Url, Stance.Context, "background"));
        var before = Counts();

        var response = await ImportAsync(_transfer, first, second);

        response.Created.ShouldBe(2, string.Join("; ", response.Results.Select(r => r.Reason)));
        (Counts().Sources - before.Sources).ShouldBe(2);
        var firstEvidence = await EvidenceOfAsync(response.Results[0].Claim);
        var secondEvidence = await EvidenceOfAsync(response.Results[1].Claim);
        secondEvidence[0].Source.ShouldBe(firstEvidence[0].Source);
        secondEvidence[1].Source.ShouldBe(preexisting.Name);

        var hashed = await server.Sources().GetSourceAsync(new GetSourceRequest { Name = firstEvidence[1].Source });
        hashed.Url.ShouldBeEmpty();
        hashed.ContentSha256.ShouldBe(hash);
        hashed.Title.ShouldBe("Leaked memo (PDF)");
        firstEvidence[1].Stance.ShouldBe(Stance.Refutes);
        firstEvidence[1].SourceContentSha256.ShouldBe(hash);
        Db.Scalar(server.DatabasePath, $"SELECT count(*) FROM sources WHERE url IS NULL AND content_sha256 = '{hash}'").ShouldBe(1);
        Db.Scalar(server.DatabasePath, $"SELECT count(*) FROM sources WHERE canonical_url = (SELECT canonical_url FROM sources WHERE url = '{sharedUrl}')")
            .ShouldBe(1);
    }

    [Fact]
    public async Task ImportClaims_HashReference_NotMatchingAnyUrlLessSource_IsInvalid()
    {
        var hash = new string('a', 64);
        var record = Record(TestData.UniqueText(), [new Source { ContentSha256 = new string('b', 64), Title = "memo" }],
            Ev($"sha256:{hash}", Stance.Supports, "x"));

        var response = await ImportAsync(_transfer, record);

        response.Results.Single().Outcome.ShouldBe(Outcome.Invalid);
        response.Results[0].Reason.ShouldContain($"sha256:{hash[..40]}"); // quoted, shortened to 64 characters (ADR 7)
    }

    // ---- ledger --------------------------------------------------------------------------------------------------

    [Fact]
    public async Task ImportClaims_WritesExactlyOneClaimImportedLedgerEntryPerCreatedRecord_ByTheImporter()
    {
        var existing = await _claims.CreateClaimAsync(TestData.NewClaim());
        var url = NewUrl();
        var verified = Record(TestData.UniqueText(), [Src(url)], Ev(url, Stance.Supports, "confirmed"));
        verified.Claim.Status = ClaimStatus.Verified;
        verified.Claim.Verdict = new Verdict { Rating = Rating.True, Rationale = "Confirmed." };
        verified.VerdictEvidence.Add(0);
        var importedBefore = (await StalenessDriver.LedgerAsync(server, action: "claim.imported")).Count;
        var ledgerBefore = Counts().Ledger;

        var response = await ImportAsync(_transfer, Record(TestData.UniqueText()), verified, Record(""), Record(existing.Text));

        response.Results.Select(r => r.Outcome).ShouldBe([Outcome.Created, Outcome.Created, Outcome.Invalid, Outcome.Duplicate]);
        (await StalenessDriver.LedgerAsync(server, action: "claim.imported")).Count.ShouldBe(importedBefore + 2);
        (Counts().Ledger - ledgerBefore).ShouldBe(2);
        foreach (var name in response.Results.Take(2).Select(r => r.Claim))
        {
            var entries = await StalenessDriver.LedgerAsync(server, subject: name);
            var entry = entries.ShouldHaveSingleItem();
            entry.Action.ShouldBe("claim.imported");
            entry.Actor.ShouldBe(Importer);
        }

        var verifiedEntry = (await StalenessDriver.LedgerAsync(server, subject: response.Results[1].Claim)).Single();
        var changes = System.Text.Json.Nodes.JsonNode.Parse(verifiedEntry.Changes)!;
        changes["status"]!.GetValue<string>().ShouldBe("VERIFIED");
        changes["verdict"]!["rating"]!.GetValue<string>().ShouldBe("TRUE");
        changes["sources"]![0]!.GetValue<string>().ShouldBe(url);

        var verification = await server.Ledger().VerifyLedgerAsync(new VerifyLedgerRequest());
        verification.Valid.ShouldBeTrue(verification.FirstProblem?.Description);
    }

    // ---- export --------------------------------------------------------------------------------------------------

    [Fact]
    public async Task ExportThenImportIntoNewServer_RecreatesClaimsStatusesVerdictsAndEvidence()
    {
        var topic = NewTopic();
        var (unverified, verified, retracted) = await ClaimsInSeveralStatesAsync(topic);

        var exported = await ExportAsync(_transfer, topic);

        exported.Select(r => r.Claim.Name).ShouldBe([unverified.Name, verified.Name, retracted.Name]);
        exported[0].Evidence.Select(e => e.Stance).ShouldBe([Stance.Origin]);
        exported[1].History.Select(e => e.Type).ShouldBe(
            [EventType.Created, EventType.ReviewStarted, EventType.EvidenceAdded, EventType.EvidenceAdded, EventType.VerdictSubmitted]);
        exported[1].Evidence.Select(e => e.Stance).ShouldBe([Stance.Context, Stance.Supports]);
        exported[1].VerdictEvidence.ShouldBe([1]);
        exported[1].Sources.Select(s => s.Url).ShouldBe([exported[1].Evidence[0].Source]);
        exported[2].History.Select(e => e.Type).ShouldBe([EventType.Created, EventType.Retracted]);

        await using var b = new ClaimLedgerServer();
        var bTransfer = new TransferService.TransferServiceClient(b.As(Importer, Role.Editor));
        var imported = await ImportAsync(bTransfer, [.. exported]);

        imported.Results.Select(r => r.Outcome).ShouldBe([Outcome.Created, Outcome.Created, Outcome.Created],
            string.Join("; ", imported.Results.Select(r => r.Reason)));
        var reexported = await ExportAsync(bTransfer, topic);
        reexported.Select(r => r.Claim.Name).ShouldBe(imported.Results.Select(r => r.Claim));
        reexported.Select(Comparable).ShouldBe(exported.Select(Comparable));
        reexported[1].Claim.Verdict.Reviewer.ShouldBe(Importer);
        reexported[1].Claim.Verdict.Rationale.ShouldBe(verified.Verdict.Rationale);
        reexported[1].VerdictEvidence.ShouldBe([1]);
        reexported[2].Claim.Retraction.Reason.ShouldBe(RetractionReason.Withdrawn);
        reexported[2].Claim.Retraction.Note.ShouldBe("claimant withdrew it");
        Db.Scalar(b.DatabasePath, "SELECT count(*) FROM claims").ShouldBe(3);
        Db.Scalar(b.DatabasePath, "SELECT count(*) FROM sources").ShouldBe(2);
        Db.Scalar(b.DatabasePath, "SELECT count(*) FROM ledger_entries WHERE action = 'claim.imported'").ShouldBe(3);
    }

    [Fact]
    public async Task ExportThenImportIntoSameServer_IsAllDuplicate_AndWritesNothing()
    {
        var topic = NewTopic();
        var (unverified, verified, retracted) = await ClaimsInSeveralStatesAsync(topic);
        var exported = await ExportAsync(_transfer, topic);
        var snapshot = Db.Snapshot(server.DatabasePath);

        var response = await ImportAsync(_transfer, [.. exported]);

        response.Results.Select(r => (r.Outcome, r.Claim)).ShouldBe(
            [(Outcome.Duplicate, unverified.Name), (Outcome.Duplicate, verified.Name), (Outcome.Duplicate, retracted.Name)]);
        Db.Snapshot(server.DatabasePath).ShouldBe(snapshot);
    }

    [Fact]
    public async Task ExportClaims_FiltersByTopic_OldestFirst_AndReaderMayExport()
    {
        var topic = NewTopic();
        var other = NewTopic();
        var firstInTopic = await _claims.CreateClaimAsync(TestData.NewClaim(null, topic));
        var inOther = await _claims.CreateClaimAsync(TestData.NewClaim(null, other));
        var secondInTopic = await _claims.CreateClaimAsync(TestData.NewClaim(null, other, topic));
        var reader = new TransferService.TransferServiceClient(server.As("transfer-reader", Role.Reader));

        var records = await ExportAsync(reader, topic.ToUpperInvariant());

        records.Select(r => r.Claim.Name).ShouldBe([firstInTopic.Name, secondInTopic.Name]);
        records.Select(r => r.Claim.Text).ShouldBe([firstInTopic.Text, secondInTopic.Text]);
        records[1].Claim.Topics.OrderBy(t => t, StringComparer.Ordinal).ShouldBe(new[] { other, topic }.OrderBy(t => t, StringComparer.Ordinal));
        records[0].History.Select(e => e.Type).ShouldBe([EventType.Created]);
        (await ExportAsync(reader, other)).Select(r => r.Claim.Name).ShouldBe([inOther.Name, secondInTopic.Name]);
        (await ExportAsync(reader, NewTopic())).ShouldBeEmpty();
    }

    // ---- permissions ---------------------------------------------------------------------------------------------

    [Fact]
    public async Task ImportClaims_AsReader_IsPermissionDenied_EvenWithAnEmptyStream()
    {
        var reader = new TransferService.TransferServiceClient(server.As("transfer-reader", Role.Reader));
        using var call = reader.ImportClaims();
        try
        {
            await call.RequestStream.CompleteAsync();
        }
        catch (Exception e) when (e is InvalidOperationException or RpcException)
        {
            // The refusal may end the call before the upload does; its status comes with the response.
        }

        await RpcAssert.Fails(StatusCode.PermissionDenied, async () => await call);
    }

    [Fact]
    public async Task ImportClaims_AsContributor_IsPermissionDenied_AndWritesNothing()
    {
        var contributor = new TransferService.TransferServiceClient(server.As("transfer-contributor", Role.Contributor));
        var text = TestData.UniqueText();
        var snapshot = Db.Snapshot(server.DatabasePath);

        using var call = contributor.ImportClaims();
        try
        {
            await call.RequestStream.WriteAsync(new ImportClaimsRequest { Record = Record(text) });
            await call.RequestStream.CompleteAsync();
        }
        catch (Exception e) when (e is InvalidOperationException or RpcException)
        {
            // See above.
        }

        await RpcAssert.Fails(StatusCode.PermissionDenied, async () => await call);
        Db.Snapshot(server.DatabasePath).ShouldBe(snapshot);
        Db.Scalar(server.DatabasePath, $"SELECT count(*) FROM claims WHERE text = '{text}'").ShouldBe(0);
    }

    [SqliteOnlyFact("injects the fault with a SQLite trigger (CREATE TRIGGER … RAISE(ABORT))")]
    public async Task ImportClaims_AFaultOfOursOnOneRecord_IsThatRecordsResult_TheStreamGoesOn_AndTheSummaryMatchesWhatWasWritten()
    {
        // A fault the validators cannot foresee: the database refuses this one claim.
        var marker = $"fault{Guid.NewGuid():N}";
        Db.Execute(server.DatabasePath, $"""
            CREATE TRIGGER test_{marker} BEFORE INSERT ON claims WHEN new.text LIKE '%{marker}%'
            BEGIN SELECT RAISE(ABORT, 'injected fault'); END
            """);
        try
        {
            var before = Counts();

            var response = await ImportAsync(_transfer, Record(TestData.UniqueText()), Record($"{TestData.UniqueText()} {marker}"), Record(TestData.UniqueText()));

            response.Results.Select(r => r.Outcome).ShouldBe([Outcome.Created, Outcome.Failed, Outcome.Created]);
            response.Results[1].Reason.ShouldContain("send it again");
            response.Results[1].Reason.ShouldNotContain("injected");
            (response.Created, response.Failed, response.Invalid).ShouldBe((2L, 1L, 0L));
            var after = Counts();
            (after.Claims - before.Claims).ShouldBe(2);
            (after.Ledger - before.Ledger).ShouldBe(2);
            Db.Scalar(server.DatabasePath, $"SELECT count(*) FROM claims WHERE text LIKE '%{marker}%'").ShouldBe(0);
        }
        finally
        {
            Db.Execute(server.DatabasePath, $"DROP TRIGGER test_{marker}");
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    private static string NewUrl() => $"https://news.example.org/transfer/{Guid.NewGuid():N}";

    private static string NewTopic() => $"transfer-{Guid.NewGuid():N}"[..20];

    private static Source Src(string url) => new() { Url = url, Title = "An imported article", Publisher = "Example News", Kind = SourceKind.NewsArticle };

    private static RecordEvidence Ev(string source, Stance stance, string excerpt) => new() { Source = source, Stance = stance, Excerpt = excerpt };

    private static ClaimRecord Record(string text, Source[]? sources = null, params RecordEvidence[] evidence) => new()
    {
        Claim = new Claim { Text = text, Claimant = "Import Desk", LanguageCode = "en" },
        Sources = { sources ?? [] },
        Evidence = { evidence },
    };

    private static async Task<ImportClaimsResponse> ImportAsync(TransferService.TransferServiceClient client, params ClaimRecord[] records)
    {
        using var call = client.ImportClaims();
        foreach (var record in records)
        {
            await call.RequestStream.WriteAsync(new ImportClaimsRequest { Record = record });
        }

        await call.RequestStream.CompleteAsync();
        var response = await call;
        response.Results.Count.ShouldBe(records.Length);
        return response;
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

    /// <summary>What an export → import round trip must keep (names, times, actors and history are the new server's own).</summary>
    private static string Comparable(ClaimRecord r) => string.Join(" | ",
        r.Claim.Text, r.Claim.Claimant, r.Claim.LanguageCode, string.Join(",", r.Claim.Topics), r.Claim.Status,
        r.Claim.Verdict?.Rating.ToString() ?? "-", r.Claim.Verdict?.OriginalRating ?? "-", r.Claim.Retraction?.Reason.ToString() ?? "-",
        string.Join(",", r.Sources.Select(s => $"{s.Url}/{s.Title}/{s.Kind}")),
        string.Join(",", r.Evidence.Select(e => $"{e.Source}/{e.Stance}/{e.Excerpt}/{e.Locator}")),
        string.Join(",", r.VerdictEvidence));

    /// <summary>In <paramref name="topic"/>: UNVERIFIED with ORIGIN evidence; VERIFIED (TRUE) on SUPPORTS evidence; RETRACTED (WITHDRAWN).</summary>
    private async Task<(Claim Unverified, Claim Verified, Claim Retracted)> ClaimsInSeveralStatesAsync(string topic)
    {
        var origin = await server.Sources().CreateSourceAsync(TestData.NewSource());
        var report = await server.Sources().CreateSourceAsync(TestData.NewSource());

        var unverified = await _claims.CreateClaimAsync(TestData.NewClaim(null, topic));
        await _evidence.AddEvidenceAsync(new AddEvidenceRequest
        {
            Parent = unverified.Name, Evidence = new Evidence { Source = origin.Name, Stance = Stance.Origin, Excerpt = "said in the interview", Locator = "00:12:30" },
        });

        var verified = await _claims.CreateClaimAsync(TestData.NewClaim(null, topic));
        await _claims.StartReviewAsync(new StartReviewRequest { Name = verified.Name });
        await _evidence.AddEvidenceAsync(new AddEvidenceRequest
        {
            Parent = verified.Name, Evidence = new Evidence { Source = report.Name, Stance = Stance.Context, Excerpt = "the wider picture" },
        });
        var supports = await _evidence.AddEvidenceAsync(new AddEvidenceRequest
        {
            Parent = verified.Name, Evidence = new Evidence { Source = report.Name, Stance = Stance.Supports, Excerpt = "the figures match", Locator = "p. 4" },
        });
        verified = await _claims.SubmitVerdictAsync(new SubmitVerdictRequest
        {
            Name = verified.Name, Rating = Rating.True, Rationale = "The report's figures match the claim.", Evidence = { supports.Name },
        });

        var retracted = await _claims.CreateClaimAsync(TestData.NewClaim(null, topic));
        retracted = await _claims.RetractClaimAsync(new RetractClaimRequest { Name = retracted.Name, Reason = RetractionReason.Withdrawn, Note = "claimant withdrew it" });
        return (unverified, verified, retracted);
    }

    private async Task<Claim> GetAsync(string name) => await _claims.GetClaimAsync(new GetClaimRequest { Name = name });

    private async Task<IReadOnlyList<Evidence>> EvidenceOfAsync(string claim) =>
        (await _evidence.ListEvidenceAsync(new ListEvidenceRequest { Parent = claim })).Evidence;

    private async Task<IReadOnlyList<ClaimEvent>> HistoryAsync(string claim) =>
        (await _claims.ListClaimHistoryAsync(new ListClaimHistoryRequest { Name = claim, PageSize = 100 })).Events;

    private (long Claims, long Evidence, long Sources, long Verdicts, long Ledger) Counts() => (
        Db.Scalar(server.DatabasePath, "SELECT count(*) FROM claims"),
        Db.Scalar(server.DatabasePath, "SELECT count(*) FROM evidence"),
        Db.Scalar(server.DatabasePath, "SELECT count(*) FROM sources"),
        Db.Scalar(server.DatabasePath, "SELECT count(*) FROM verdicts"),
        Db.Scalar(server.DatabasePath, "SELECT count(*) FROM ledger_entries"));
}
