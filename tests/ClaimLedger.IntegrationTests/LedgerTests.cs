using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using ClaimLedger.Contracts.V1;
using ClaimLedger.IntegrationTests.Infrastructure;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace ClaimLedger.IntegrationTests;

/// <summary>
/// The ledger through the API: one entry per successful change and none otherwise, gap-free under concurrent writers,
/// digests, WatchLedger resumption, and ListLedgerEntries filters. Tests in this class share one server and only append.
/// </summary>
public sealed class LedgerTests(ClaimLedgerServer server) : IClassFixture<ClaimLedgerServer>
{
    // Created up front: a new API key is itself a ledger entry (api_key.created), which must not land inside a measurement.
    private readonly ClaimService.ClaimServiceClient _claims = server.Claims("erin");
    private readonly SourceService.SourceServiceClient _sources = server.Sources("erin");
    private readonly EvidenceService.EvidenceServiceClient _evidence = server.Evidence("erin");
    private readonly LedgerService.LedgerServiceClient _ledger = server.Ledger();

    // ---- ListLedgerEntries reads one subject's entries through its index ----------------------------------------

    [SqliteOnlyTheory("reads SQLite's own query plan of the statement")]
    [InlineData("subject", "ix_ledger_subject")]
    [InlineData("actor", "ix_ledger_actor")]
    [InlineData("action", "ix_ledger_action")]
    public async Task AFilteredListing_IsPlannedOnItsIndex_NotAsAWalkOfTheWholeLedger(string filter, string index)
    {
        await _claims.CreateClaimAsync(TestData.NewClaim());
        var query = new ClaimLedger.Server.Features.Ledger.ListLedgerEntries.Query(10, "",
            filter == "subject" ? "claims/x" : "", filter == "actor" ? "erin" : "", filter == "action" ? "claim.created" : "", null, null);
        var sql = ClaimLedger.Server.Features.Ledger.ListLedgerEntries.Handler.Sql(query, start: false, end: false);

        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={server.DatabasePath};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var explain = connection.CreateCommand();
        explain.CommandText = "EXPLAIN QUERY PLAN " + sql;
        foreach (var (name, value) in new (string, object)[] { ("@After", 0L), ("@Subject", query.Subject), ("@Actor", query.Actor), ("@Action", query.Action), ("@Limit", 11) })
        {
            explain.Parameters.AddWithValue(name, value);
        }

        var plan = new StringBuilder();
        await using (var reader = await explain.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                plan.AppendLine(reader.GetString(3));
            }
        }

        plan.ToString().ShouldContain($"USING INDEX {index}");
    }

    // ---- one entry per successful mutation -----------------------------------------------------------------------

    [Fact]
    public async Task EverySuccessfulMutation_AppendsExactlyOneEntry_WithItsAction_Subject_Actor_AndResultingState()
    {
        var url = $"https://news.example.org/ledger/{Guid.NewGuid():N}";
        var (source, sourceCreated) = await OneEntryAsync("source.created", () => _sources.CreateSourceAsync(TestData.NewSource(url)), s => s.Name);
        sourceCreated["url"]!.GetValue<string>().ShouldBe(url);
        sourceCreated["title"]!.GetValue<string>().ShouldBe("An example article");
        sourceCreated["reliability"]!.GetValue<string>().ShouldBe("RELIABILITY_B_USUALLY_RELIABLE");

        var (_, sourceUpdated) = await OneEntryAsync("source.updated", () => _sources.UpdateSourceAsync(new UpdateSourceRequest
        {
            Source = new Source { Name = source.Name, Title = "Corrected headline" },
            UpdateMask = new FieldMask { Paths = { "title" } },
        }), s => s.Name);
        sourceUpdated["title"]!.GetValue<string>().ShouldBe("Corrected headline");
        sourceUpdated["url"]!.GetValue<string>().ShouldBe(url);

        var create = TestData.NewClaim();
        create.Evidence.Add(new Evidence { Source = source.Name, Stance = Stance.Origin, Excerpt = "first said here" });
        var (claim, created) = await OneEntryAsync("claim.created", () => _claims.CreateClaimAsync(create), c => c.Name);
        created["status"]!.GetValue<string>().ShouldBe("UNVERIFIED");
        created["text"]!.GetValue<string>().ShouldBe(create.Claim.Text);
        created["verdict"].ShouldBeNull();
        var attached = created["evidence"]!.AsArray().ShouldHaveSingleItem()!.AsObject();
        attached["source"]!.GetValue<string>().ShouldBe(source.Name);
        attached["stance"]!.GetValue<string>().ShouldBe("ORIGIN");
        attached["excerpt"]!.GetValue<string>().ShouldBe("first said here");

        var (_, updated) = await OneEntryAsync("claim.updated", () => _claims.UpdateClaimAsync(new UpdateClaimRequest
        {
            Claim = new Claim { Name = claim.Name, Claimant = "Ministry of Revisions" },
            UpdateMask = new FieldMask { Paths = { "claimant" } },
        }), c => c.Name);
        updated["claimant"]!.GetValue<string>().ShouldBe("Ministry of Revisions");
        updated["updated_fields"]!.GetValue<string>().ShouldBe("claimant");
        updated["status"]!.GetValue<string>().ShouldBe("UNVERIFIED");

        var (_, reviewStarted) = await OneEntryAsync("claim.review_started",
            () => _claims.StartReviewAsync(new StartReviewRequest { Name = claim.Name, Note = "taking it" }), c => c.Name);
        reviewStarted["status"]!.GetValue<string>().ShouldBe("IN_REVIEW");
        reviewStarted["note"]!.GetValue<string>().ShouldBe("taking it");

        var (added, evidenceAdded) = await OneEntryAsync("evidence.added", () => _evidence.AddEvidenceAsync(new AddEvidenceRequest
        {
            Parent = claim.Name,
            Evidence = new Evidence { Source = source.Name, Stance = Stance.Supports },
        }), e => e.Name);
        added.Name.ShouldStartWith(claim.Name + "/evidence/");
        evidenceAdded["source"]!.GetValue<string>().ShouldBe(source.Name);
        evidenceAdded["stance"]!.GetValue<string>().ShouldBe("SUPPORTS");
        evidenceAdded["removed"]!.GetValue<bool>().ShouldBeFalse();

        var origin = (await _evidence.ListEvidenceAsync(new ListEvidenceRequest { Parent = claim.Name, Stance = Stance.Origin })).Evidence.ShouldHaveSingleItem();
        var (_, evidenceRemoved) = await OneEntryAsync("evidence.removed",
            () => _evidence.RemoveEvidenceAsync(new RemoveEvidenceRequest { Name = origin.Name }), e => e.Name);
        evidenceRemoved["removed"]!.GetValue<bool>().ShouldBeTrue();
        evidenceRemoved["stance"]!.GetValue<string>().ShouldBe("ORIGIN");

        var (verified, verdictSubmitted) = await OneEntryAsync("claim.verdict_submitted", () => _claims.SubmitVerdictAsync(new SubmitVerdictRequest
        {
            Name = claim.Name, Rating = Rating.True, Rationale = "Confirmed.", Evidence = { added.Name },
        }), c => c.Name);
        verdictSubmitted["status"]!.GetValue<string>().ShouldBe("VERIFIED");
        var verdict = verdictSubmitted["verdict"]!.AsObject();
        verdict["name"]!.GetValue<string>().ShouldBe(verified.Verdict.Name);
        verdict["rating"]!.GetValue<string>().ShouldBe("TRUE");
        verdict["reviewer"]!.GetValue<string>().ShouldBe("erin");
        verdict["evidence"]!.AsArray().Select(e => e!.GetValue<string>()).ShouldBe([added.Name]);

        var (_, retracted) = await OneEntryAsync("claim.retracted", () => _claims.RetractClaimAsync(new RetractClaimRequest
        {
            Name = claim.Name, Reason = RetractionReason.Withdrawn, Note = "claimant withdrew it",
        }), c => c.Name);
        retracted["status"]!.GetValue<string>().ShouldBe("RETRACTED");
        retracted["retraction"]!["reason"]!.GetValue<string>().ShouldBe("WITHDRAWN");
        retracted["retraction"]!["note"]!.GetValue<string>().ShouldBe("claimant withdrew it");

        var subjectEntries = await _ledger.ListLedgerEntriesAsync(new ListLedgerEntriesRequest { Subject = claim.Name });
        subjectEntries.Entries.Select(e => e.Action).ShouldBe(
            ["claim.created", "claim.updated", "claim.review_started", "claim.verdict_submitted", "claim.retracted"]);

        var verification = await _ledger.VerifyLedgerAsync(new VerifyLedgerRequest());
        verification.Valid.ShouldBeTrue(verification.FirstProblem?.Description);
    }

    [Fact]
    public async Task FailedMutations_AppendNothing()
    {
        var claim = await _claims.CreateClaimAsync(TestData.NewClaim());
        await _claims.UpdateClaimAsync(new UpdateClaimRequest { Claim = new Claim { Name = claim.Name, Claimant = "newer" }, UpdateMask = new FieldMask { Paths = { "claimant" } } });
        var source = await _sources.CreateSourceAsync(TestData.NewSource());
        var before = LedgerDb.Count(server.DatabasePath);
        var snapshot = Db.Snapshot(server.DatabasePath);

        // validation error
        await RpcAssert.InvalidArgument(_claims.CreateClaimAsync(TestData.NewClaim(text: "")), "claim.text");
        // not found
        await RpcAssert.Fails(StatusCode.NotFound, _claims.StartReviewAsync(new StartReviewRequest { Name = "claims/" + new string('c', 32) }));
        await RpcAssert.Fails(StatusCode.NotFound, _evidence.RemoveEvidenceAsync(new RemoveEvidenceRequest { Name = $"{claim.Name}/evidence/{new string('e', 32)}" }));
        // illegal transition (UNVERIFIED → VERIFIED)
        await RpcAssert.Fails(StatusCode.FailedPrecondition, _claims.SubmitVerdictAsync(new SubmitVerdictRequest { Name = claim.Name, Rating = Rating.Unproven, Rationale = "r" }));
        // stale etags
        await RpcAssert.Fails(StatusCode.Aborted, _claims.UpdateClaimAsync(new UpdateClaimRequest
        {
            Claim = new Claim { Name = claim.Name, Claimant = "lost update", Etag = claim.Etag },
            UpdateMask = new FieldMask { Paths = { "claimant" } },
        }));
        await RpcAssert.Fails(StatusCode.Aborted, _sources.UpdateSourceAsync(new UpdateSourceRequest
        {
            Source = new Source { Name = source.Name, Title = "lost update", Etag = "\"9\"" },
            UpdateMask = new FieldMask { Paths = { "title" } },
        }));

        LedgerDb.Count(server.DatabasePath).ShouldBe(before);
        Db.Snapshot(server.DatabasePath).ShouldBe(snapshot);
    }

    [Fact]
    public async Task RegisteringAnAlreadyRegisteredUrl_ReturnsTheExistingSource_AndAppendsNothing()
    {
        var request = TestData.NewSource();
        var first = await _sources.CreateSourceAsync(request);
        var before = LedgerDb.Count(server.DatabasePath);

        var again = await _sources.CreateSourceAsync(request);

        again.Name.ShouldBe(first.Name);
        LedgerDb.Count(server.DatabasePath).ShouldBe(before);
        (await _ledger.ListLedgerEntriesAsync(new ListLedgerEntriesRequest { Subject = first.Name })).Entries
            .Select(e => e.Action).ShouldBe(["source.created"]);
    }

    [Fact]
    public async Task RetriesWithTheSameRequestId_AppendOneEntryOnly()
    {
        var create = TestData.NewClaim();
        create.RequestId = Guid.NewGuid().ToString();
        var before = LedgerDb.Count(server.DatabasePath);

        var claim = await _claims.CreateClaimAsync(create);
        var replayedClaim = await _claims.CreateClaimAsync(create);
        var review = new StartReviewRequest { Name = claim.Name, RequestId = Guid.NewGuid().ToString() };
        await _claims.StartReviewAsync(review);
        await _claims.StartReviewAsync(review);

        replayedClaim.Name.ShouldBe(claim.Name);
        LedgerDb.Count(server.DatabasePath).ShouldBe(before + 2);
        (await _ledger.ListLedgerEntriesAsync(new ListLedgerEntriesRequest { Subject = claim.Name })).Entries
            .Select(e => e.Action).ShouldBe(["claim.created", "claim.review_started"]);
    }

    // ---- the chain itself ------------------------------------------------------------------------------------------

    [Fact]
    public async Task StoredEntries_HashAsTheFormatDocumentSays_RecomputedIndependently()
    {
        await _claims.CreateClaimAsync(TestData.NewClaim(text: $"Zoë said the café \"Le Mur\" closed early — 😀 / \\ in region Ω {Guid.NewGuid():N}"));
        var rows = LedgerDb.Rows(server.DatabasePath);

        rows.Count.ShouldBeGreaterThan(2);
        rows[0].Sequence.ShouldBe(1);
        rows[0].Action.ShouldBe("api_key.created");
        rows[0].Actor.ShouldBe("system:bootstrap");
        var previous = new string('0', 64);
        foreach (var row in rows)
        {
            row.PreviousHash.ShouldBe(previous, $"entry {row.Sequence}");
            row.EntryHash.ShouldBe(LedgerDb.IndependentHash(row), $"entry {row.Sequence}");
            previous = row.EntryHash;
        }
    }

    [Fact]
    public async Task ConcurrentWriters_GetGapFreeSequences_AndTheChainVerifies()
    {
        var writers = Enumerable.Range(1, 5).Select(i => server.Claims($"writer-{i}")).ToArray();
        var before = LedgerDb.Count(server.DatabasePath);

        var created = await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
        {
            var request = TestData.NewClaim();
            request.AllowDuplicate = true;
            return writers[i % writers.Length].CreateClaimAsync(request).ResponseAsync;
        }));

        created.Select(c => c.Name).Distinct().Count().ShouldBe(40);
        var n = LedgerDb.Count(server.DatabasePath);
        n.ShouldBe(before + 40);
        Db.Scalar(server.DatabasePath, "SELECT min(sequence) FROM ledger_entries").ShouldBe(1);
        Db.Scalar(server.DatabasePath, "SELECT max(sequence) FROM ledger_entries").ShouldBe(n);
        Db.Scalar(server.DatabasePath, "SELECT count(DISTINCT previous_hash) FROM ledger_entries").ShouldBe(n);
        foreach (var writer in Enumerable.Range(1, 5))
        {
            Db.Scalar(server.DatabasePath, $"SELECT count(*) FROM ledger_entries WHERE actor = 'writer-{writer}' AND action = 'claim.created'").ShouldBe(8);
        }

        var verification = await _ledger.VerifyLedgerAsync(new VerifyLedgerRequest());
        verification.Valid.ShouldBeTrue(verification.FirstProblem?.Description);
        verification.FirstProblem.ShouldBeNull();
        verification.EntriesChecked.ShouldBe(n);
        verification.HeadSequence.ShouldBe(n);
        verification.HeadHash.ShouldBe(LedgerDb.Rows(server.DatabasePath)[^1].EntryHash);
        verification.ClaimsChecked.ShouldBe(Db.Scalar(server.DatabasePath, "SELECT count(*) FROM claims"));
    }

    // ---- digests ---------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Digest_TakenEarlier_VerifiesAfterMoreWrites()
    {
        await _claims.CreateClaimAsync(TestData.NewClaim());
        var digest = await _ledger.GetLedgerDigestAsync(new GetLedgerDigestRequest());
        var head = LedgerDb.Rows(server.DatabasePath)[^1];
        digest.HeadSequence.ShouldBe(head.Sequence);
        digest.HeadHash.ShouldBe(head.EntryHash);

        await _claims.CreateClaimAsync(TestData.NewClaim());
        await _sources.CreateSourceAsync(TestData.NewSource());

        var verification = await _ledger.VerifyLedgerAsync(new VerifyLedgerRequest { Digest = digest });
        verification.Valid.ShouldBeTrue(verification.FirstProblem?.Description);
        verification.HeadSequence.ShouldBe(digest.HeadSequence + 2);
        verification.EntriesChecked.ShouldBe(digest.HeadSequence + 2);
    }

    [Fact]
    public async Task Digest_WithAWrongHash_IsDigestMismatchAtItsSequence()
    {
        await _claims.CreateClaimAsync(TestData.NewClaim());
        var digest = await _ledger.GetLedgerDigestAsync(new GetLedgerDigestRequest());
        await _claims.CreateClaimAsync(TestData.NewClaim());
        var wrong = digest.Clone();
        wrong.HeadHash = (digest.HeadHash[0] == '0' ? "1" : "0") + digest.HeadHash[1..];

        var verification = await _ledger.VerifyLedgerAsync(new VerifyLedgerRequest { Digest = wrong });

        verification.Valid.ShouldBeFalse();
        verification.FirstProblem.Kind.ShouldBe(LedgerProblem.Types.Kind.DigestMismatch);
        verification.FirstProblem.Sequence.ShouldBe(digest.HeadSequence);
    }

    [Fact]
    public async Task Digest_BeyondTheHead_IsDigestMismatch()
    {
        await _claims.CreateClaimAsync(TestData.NewClaim());
        var digest = await _ledger.GetLedgerDigestAsync(new GetLedgerDigestRequest());
        var beyond = new LedgerDigest { HeadSequence = digest.HeadSequence + 3, HeadHash = digest.HeadHash };

        var verification = await _ledger.VerifyLedgerAsync(new VerifyLedgerRequest { Digest = beyond });

        verification.Valid.ShouldBeFalse();
        verification.FirstProblem.Kind.ShouldBe(LedgerProblem.Types.Kind.DigestMismatch);
        verification.FirstProblem.Sequence.ShouldBe(digest.HeadSequence + 3);
        verification.EntriesChecked.ShouldBe(digest.HeadSequence);
    }

    // ---- WatchLedger -----------------------------------------------------------------------------------------------

    [Fact]
    public async Task WatchLedger_SendsBacklogThenLiveEntries_AndResumingAtLastPlusOneRepeatsAndMissesNothing()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        for (var i = 0; i < 3; i++)
        {
            await _claims.CreateClaimAsync(TestData.NewClaim());
        }

        var head = (await _ledger.GetLedgerDigestAsync(new GetLedgerDigestRequest())).HeadSequence;
        var start = head - 2;
        var received = new List<LedgerEntry>();

        Claim live;
        using (var stream = _ledger.WatchLedger(new WatchLedgerRequest { StartSequence = start }, cancellationToken: timeout.Token))
        {
            while (received.Count == 0 || received[^1].Sequence < head)
            {
                (await stream.ResponseStream.MoveNext(timeout.Token)).ShouldBeTrue();
                received.Add(stream.ResponseStream.Current);
            }

            received.Select(e => e.Sequence).ShouldBe([start, start + 1, start + 2]);

            live = await _claims.CreateClaimAsync(TestData.NewClaim());
            (await stream.ResponseStream.MoveNext(timeout.Token)).ShouldBeTrue();
            received.Add(stream.ResponseStream.Current);
            received[^1].Sequence.ShouldBe(head + 1);
            received[^1].Subject.ShouldBe(live.Name);
            received[^1].Action.ShouldBe("claim.created");
            received[^1].Actor.ShouldBe("erin");
        } // disposing the call cancels the stream

        var whileAway = await _claims.CreateClaimAsync(TestData.NewClaim());
        using (var resumed = _ledger.WatchLedger(new WatchLedgerRequest { StartSequence = received[^1].Sequence + 1 }, cancellationToken: timeout.Token))
        {
            (await resumed.ResponseStream.MoveNext(timeout.Token)).ShouldBeTrue();
            received.Add(resumed.ResponseStream.Current);
            received[^1].Subject.ShouldBe(whileAway.Name);

            var after = await _sources.CreateSourceAsync(TestData.NewSource());
            (await resumed.ResponseStream.MoveNext(timeout.Token)).ShouldBeTrue();
            received.Add(resumed.ResponseStream.Current);
            received[^1].Subject.ShouldBe(after.Name);
            received[^1].Action.ShouldBe("source.created");
        }

        received.Select(e => e.Sequence).ShouldBe([start, start + 1, start + 2, start + 3, start + 4, start + 5]);
        var stored = LedgerDb.Rows(server.DatabasePath).Where(r => r.Sequence >= start).ToList();
        received.Select(e => e.EntryHash).ShouldBe(stored.Select(r => r.EntryHash));
        received.Select(e => e.Changes).ShouldBe(stored.Select(r => r.Changes));
    }

    // ---- ListLedgerEntries -----------------------------------------------------------------------------------------

    [Fact]
    public async Task ListLedgerEntries_FiltersBySubjectActorAndAction_AllGivenMustMatch()
    {
        var frank = server.Claims("frank");
        var grace = server.Claims("grace");
        var a = await frank.CreateClaimAsync(TestData.NewClaim());
        await grace.StartReviewAsync(new StartReviewRequest { Name = a.Name });
        var b = await grace.CreateClaimAsync(TestData.NewClaim());
        await grace.StartReviewAsync(new StartReviewRequest { Name = b.Name });

        var bySubject = (await _ledger.ListLedgerEntriesAsync(new ListLedgerEntriesRequest { Subject = a.Name })).Entries;
        bySubject.Select(e => (e.Action, e.Actor)).ShouldBe([("claim.created", "frank"), ("claim.review_started", "grace")]);

        var byActor = (await _ledger.ListLedgerEntriesAsync(new ListLedgerEntriesRequest { Actor = "grace" })).Entries;
        byActor.Select(e => (e.Action, e.Subject)).ShouldBe([("claim.review_started", a.Name), ("claim.created", b.Name), ("claim.review_started", b.Name)]);

        var byActorAndAction = (await _ledger.ListLedgerEntriesAsync(new ListLedgerEntriesRequest { Actor = "grace", Action = "claim.review_started" })).Entries;
        byActorAndAction.Select(e => e.Subject).ShouldBe([a.Name, b.Name]);

        var allThree = (await _ledger.ListLedgerEntriesAsync(new ListLedgerEntriesRequest { Subject = b.Name, Actor = "grace", Action = "claim.created" })).Entries;
        allThree.ShouldHaveSingleItem().Subject.ShouldBe(b.Name);

        (await _ledger.ListLedgerEntriesAsync(new ListLedgerEntriesRequest { Subject = a.Name, Actor = "grace", Action = "claim.created" })).Entries.ShouldBeEmpty();

        var byAction = (await _ledger.ListLedgerEntriesAsync(new ListLedgerEntriesRequest { Action = "claim.review_started", PageSize = 1000 })).Entries;
        byAction.Count.ShouldBe((int)Db.Scalar(server.DatabasePath, "SELECT count(*) FROM ledger_entries WHERE action = 'claim.review_started'"));
        byAction.ShouldAllBe(e => e.Action == "claim.review_started");
    }

    [Fact]
    public async Task ListLedgerEntries_FiltersByTime_StartInclusive_EndExclusive()
    {
        server.Clock.Advance(TimeSpan.FromDays(30));
        var x = await _claims.CreateClaimAsync(TestData.NewClaim());
        server.Clock.Advance(TimeSpan.FromDays(1));
        var y = await _claims.CreateClaimAsync(TestData.NewClaim());
        server.Clock.Advance(TimeSpan.FromDays(1));
        var z = await _claims.CreateClaimAsync(TestData.NewClaim());
        var yTime = (await _ledger.ListLedgerEntriesAsync(new ListLedgerEntriesRequest { Subject = y.Name })).Entries.ShouldHaveSingleItem().Time;
        var zTime = (await _ledger.ListLedgerEntriesAsync(new ListLedgerEntriesRequest { Subject = z.Name })).Entries.ShouldHaveSingleItem().Time;

        var fromY = (await _ledger.ListLedgerEntriesAsync(new ListLedgerEntriesRequest { StartTime = yTime })).Entries;
        fromY.Select(e => e.Subject).ShouldBe([y.Name, z.Name]);

        var onlyY = (await _ledger.ListLedgerEntriesAsync(new ListLedgerEntriesRequest { StartTime = yTime, EndTime = zTime })).Entries;
        onlyY.Select(e => e.Subject).ShouldBe([y.Name]);
        onlyY[0].Time.ShouldBe(yTime);

        var beforeY = (await _ledger.ListLedgerEntriesAsync(new ListLedgerEntriesRequest
        {
            StartTime = Timestamp.FromDateTimeOffset(yTime.ToDateTimeOffset().AddDays(-2)), EndTime = yTime,
        })).Entries;
        beforeY.Select(e => e.Subject).ShouldBe([x.Name]);
    }

    [Fact]
    public async Task ListLedgerEntries_EndTimeNotAfterStartTime_IsInvalidArgumentOnEndTime()
    {
        var t = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero));
        await RpcAssert.InvalidArgument(_ledger.ListLedgerEntriesAsync(new ListLedgerEntriesRequest { StartTime = t, EndTime = t }), "end_time");
        await RpcAssert.InvalidArgument(_ledger.ListLedgerEntriesAsync(new ListLedgerEntriesRequest
        {
            StartTime = t, EndTime = Timestamp.FromDateTimeOffset(t.ToDateTimeOffset().AddSeconds(-1)),
        }), "end_time");
    }

    [Fact]
    public async Task ListLedgerEntries_PagesThroughEverythingInSequenceOrder_WithoutRepeatsOrGaps()
    {
        for (var i = 0; i < 4; i++)
        {
            await _claims.CreateClaimAsync(TestData.NewClaim());
        }

        var total = LedgerDb.Count(server.DatabasePath);
        var sequences = new List<long>();
        var pages = 0;
        var request = new ListLedgerEntriesRequest { PageSize = 3 };
        do
        {
            var page = await _ledger.ListLedgerEntriesAsync(request);
            pages++;
            page.Entries.Count.ShouldBeLessThanOrEqualTo(3);
            sequences.AddRange(page.Entries.Select(e => e.Sequence));
            request.PageToken = page.NextPageToken;
            pages.ShouldBeLessThan(1000);
        }
        while (request.PageToken.Length > 0);

        sequences.ShouldBe(Enumerable.Range(1, (int)total).Select(i => (long)i).ToList());
        pages.ShouldBe((int)((total + 2) / 3));
    }

    [Fact]
    public async Task ListLedgerEntries_PagesAFilteredList_WithoutRepeats()
    {
        var claim = await _claims.CreateClaimAsync(TestData.NewClaim());
        foreach (var claimant in new[] { "one", "two", "three", "four" })
        {
            await _claims.UpdateClaimAsync(new UpdateClaimRequest { Claim = new Claim { Name = claim.Name, Claimant = claimant }, UpdateMask = new FieldMask { Paths = { "claimant" } } });
        }

        var first = await _ledger.ListLedgerEntriesAsync(new ListLedgerEntriesRequest { Subject = claim.Name, PageSize = 2 });
        var second = await _ledger.ListLedgerEntriesAsync(new ListLedgerEntriesRequest { Subject = claim.Name, PageSize = 2, PageToken = first.NextPageToken });
        var third = await _ledger.ListLedgerEntriesAsync(new ListLedgerEntriesRequest { Subject = claim.Name, PageSize = 2, PageToken = second.NextPageToken });

        var all = first.Entries.Concat(second.Entries).Concat(third.Entries).ToList();
        all.Select(e => e.Action).ShouldBe(["claim.created", "claim.updated", "claim.updated", "claim.updated", "claim.updated"]);
        all.Select(e => JsonNode.Parse(e.Changes)!["claimant"]!.GetValue<string>()).ShouldBe(["Ministry of Examples", "one", "two", "three", "four"]);
        all.Select(e => e.Sequence).Distinct().Count().ShouldBe(5);
        all.Select(e => e.Sequence).ShouldBeInOrder(SortDirection.Ascending);
        third.Entries.Count.ShouldBe(1);
        third.NextPageToken.ShouldBeEmpty();
    }

    /// <summary>Runs <paramref name="call"/> and returns its result and the "changes" of the single entry it appended, after checking that entry.</summary>
    private async Task<(T Result, JsonObject Changes)> OneEntryAsync<T>(string action, Func<AsyncUnaryCall<T>> call, Func<T, string> subject)
    {
        var before = LedgerDb.Count(server.DatabasePath);
        var result = await call();

        var entry = LedgerDb.Rows(server.DatabasePath, after: before).ShouldHaveSingleItem($"{action} appends exactly one entry");
        entry.Sequence.ShouldBe(before + 1);
        entry.Action.ShouldBe(action);
        entry.Subject.ShouldBe(subject(result));
        entry.Actor.ShouldBe("erin");
        return (result, JsonNode.Parse(entry.Changes)!.AsObject());
    }
}

/// <summary>
/// Someone with write access to the database (either engine) edits the ledger: the triggers stop the naive edit, the
/// chain catches the rest.
/// </summary>
public sealed class LedgerTamperTests
{
    [Fact]
    public async Task EditingAnEntry_IsRefusedByTrigger_AndWithTriggerDropped_IsHashMismatchAtThatEntry()
    {
        await using var server = new ClaimLedgerServer();
        var claims = server.Claims("erin");
        var ledger = server.Ledger();
        var victim = await claims.CreateClaimAsync(TestData.NewClaim());
        await claims.CreateClaimAsync(TestData.NewClaim());
        var sequence = LedgerDb.Rows(server.DatabasePath).Single(r => r.Subject == victim.Name).Sequence;
        const string Edit = "UPDATE ledger_entries SET changes = replace(changes, 'Ministry of Examples', 'Ministry of Forgeries') WHERE sequence = @S";

        var refused = Should.Throw<DbException>(() => LedgerDb.Execute(server.DatabasePath, Edit, sequence));
        refused.Message.ShouldContain("the ledger is append-only");
        (await ledger.VerifyLedgerAsync(new VerifyLedgerRequest())).Valid.ShouldBeTrue();

        Db.DropTrigger(server.DatabasePath, "ledger_entries", "ledger_entries_no_update");
        LedgerDb.Execute(server.DatabasePath, Edit, sequence).ShouldBe(1);

        var verification = await ledger.VerifyLedgerAsync(new VerifyLedgerRequest());
        verification.Valid.ShouldBeFalse();
        verification.FirstProblem.Kind.ShouldBe(LedgerProblem.Types.Kind.HashMismatch);
        verification.FirstProblem.Sequence.ShouldBe(sequence);
        verification.FirstProblem.Subject.ShouldBe(victim.Name);
        verification.EntriesChecked.ShouldBe(sequence - 1);
    }

    [Fact]
    public async Task RewritingAnEntryAsEquivalentButNonCanonicalJson_IsHashMismatch()
    {
        await using var server = new ClaimLedgerServer();
        var claims = server.Claims("erin");
        var victim = await claims.CreateClaimAsync(TestData.NewClaim());
        await claims.CreateClaimAsync(TestData.NewClaim());
        var sequence = LedgerDb.Rows(server.DatabasePath).Single(r => r.Subject == victim.Name).Sequence;

        Db.DropTrigger(server.DatabasePath, "ledger_entries", "ledger_entries_no_update");
        LedgerDb.Execute(server.DatabasePath, "UPDATE ledger_entries SET changes = replace(changes, '\"status\":', '\"status\": ') WHERE sequence = @S", sequence).ShouldBe(1);

        var verification = await server.Ledger().VerifyLedgerAsync(new VerifyLedgerRequest());
        verification.Valid.ShouldBeFalse();
        verification.FirstProblem.Kind.ShouldBe(LedgerProblem.Types.Kind.HashMismatch);
        verification.FirstProblem.Sequence.ShouldBe(sequence);
    }

    [Theory]
    [InlineData("\"review_interval_seconds\":1.5")]
    [InlineData("\"review_interval_seconds\":9007199254740993")]
    [InlineData("\"review_interval_seconds\":\"\\ud800\"")]
    public async Task EditingAnEntryToContainUncanonicalisableJson_IsReportedAsHashMismatch_NotAnError(string replacement)
    {
        await using var server = new ClaimLedgerServer();
        var claims = server.Claims("erin");
        var victim = await claims.CreateClaimAsync(TestData.NewClaim());
        await claims.CreateClaimAsync(TestData.NewClaim());
        var sequence = LedgerDb.Rows(server.DatabasePath).Single(r => r.Subject == victim.Name).Sequence;

        Db.DropTrigger(server.DatabasePath, "ledger_entries", "ledger_entries_no_update");
        LedgerDb.Execute(server.DatabasePath,
            "UPDATE ledger_entries SET changes = replace(changes, '\"review_interval_seconds\":null', @R) WHERE sequence = @S", sequence, replacement).ShouldBe(1);
        LedgerDb.Rows(server.DatabasePath).Single(r => r.Sequence == sequence).Changes.ShouldContain(replacement);

        var verification = await server.Ledger().VerifyLedgerAsync(new VerifyLedgerRequest());
        verification.Valid.ShouldBeFalse();
        verification.FirstProblem.Kind.ShouldBe(LedgerProblem.Types.Kind.HashMismatch);
        verification.FirstProblem.Sequence.ShouldBe(sequence);
    }

    [Fact]
    public async Task DeletingAnEntry_IsRefusedByTrigger_AndWithTriggerDropped_IsSequenceGapAtThatSequence()
    {
        await using var server = new ClaimLedgerServer();
        var claims = server.Claims("erin");
        var victim = await claims.CreateClaimAsync(TestData.NewClaim());
        await claims.CreateClaimAsync(TestData.NewClaim());
        var sequence = LedgerDb.Rows(server.DatabasePath).Single(r => r.Subject == victim.Name).Sequence;
        const string Delete = "DELETE FROM ledger_entries WHERE sequence = @S";
        var before = LedgerDb.Count(server.DatabasePath);

        Should.Throw<DbException>(() => LedgerDb.Execute(server.DatabasePath, Delete, sequence)).Message.ShouldContain("the ledger is append-only");
        LedgerDb.Count(server.DatabasePath).ShouldBe(before, "the refused delete removed nothing");

        Db.DropTrigger(server.DatabasePath, "ledger_entries", "ledger_entries_no_delete");
        LedgerDb.Execute(server.DatabasePath, Delete, sequence).ShouldBe(1);

        var verification = await server.Ledger().VerifyLedgerAsync(new VerifyLedgerRequest());
        verification.Valid.ShouldBeFalse();
        verification.FirstProblem.Kind.ShouldBe(LedgerProblem.Types.Kind.SequenceGap);
        verification.FirstProblem.Sequence.ShouldBe(sequence);
        verification.EntriesChecked.ShouldBe(sequence - 1);
    }

    [Fact]
    public async Task ChangingAClaimsStatusInTheTable_IsStateMismatchNamingTheClaimAndItsLastEntry()
    {
        await using var server = new ClaimLedgerServer();
        var claims = server.Claims("erin");
        var victim = await claims.CreateClaimAsync(TestData.NewClaim());
        await claims.StartReviewAsync(new StartReviewRequest { Name = victim.Name });
        var other = await claims.CreateClaimAsync(TestData.NewClaim());
        await claims.UpdateClaimAsync(new UpdateClaimRequest { Claim = new Claim { Name = other.Name, Claimant = "later" }, UpdateMask = new FieldMask { Paths = { "claimant" } } });
        var lastOfVictim = LedgerDb.Rows(server.DatabasePath).Last(r => r.Subject == victim.Name);
        lastOfVictim.Action.ShouldBe("claim.review_started");
        (await server.Ledger().VerifyLedgerAsync(new VerifyLedgerRequest())).Valid.ShouldBeTrue();

        LedgerDb.Execute(server.DatabasePath, "UPDATE claims SET status = 'VERIFIED' WHERE id = @S", victim.Name["claims/".Length..]).ShouldBe(1);

        var verification = await server.Ledger().VerifyLedgerAsync(new VerifyLedgerRequest());
        verification.Valid.ShouldBeFalse();
        verification.FirstProblem.Kind.ShouldBe(LedgerProblem.Types.Kind.StateMismatch);
        verification.FirstProblem.Subject.ShouldBe(victim.Name);
        verification.FirstProblem.Sequence.ShouldBe(lastOfVictim.Sequence);
    }

    [Fact]
    public async Task ChangingAVerdictsRating_IsRefusedByTrigger_AndWithTriggerDropped_IsStateMismatch()
    {
        await using var server = new ClaimLedgerServer();
        var claims = server.Claims("erin");
        var source = await server.Sources("erin").CreateSourceAsync(TestData.NewSource());
        var victim = await claims.CreateClaimAsync(TestData.NewClaim());
        await claims.StartReviewAsync(new StartReviewRequest { Name = victim.Name });
        var evidence = await server.Evidence("erin").AddEvidenceAsync(new AddEvidenceRequest { Parent = victim.Name, Evidence = new Evidence { Source = source.Name, Stance = Stance.Supports } });
        await claims.SubmitVerdictAsync(new SubmitVerdictRequest { Name = victim.Name, Rating = Rating.True, Rationale = "Confirmed.", Evidence = { evidence.Name } });
        await claims.CreateClaimAsync(TestData.NewClaim());
        var lastOfVictim = LedgerDb.Rows(server.DatabasePath).Last(r => r.Subject == victim.Name);
        lastOfVictim.Action.ShouldBe("claim.verdict_submitted");
        const string Edit = "UPDATE verdicts SET rating = 'FALSE' WHERE claim_id = @S";
        var claimId = victim.Name["claims/".Length..];

        Should.Throw<DbException>(() => LedgerDb.Execute(server.DatabasePath, Edit, claimId)).Message.ShouldContain("verdicts are append-only");
        (await server.Ledger().VerifyLedgerAsync(new VerifyLedgerRequest())).Valid.ShouldBeTrue("the refused edit changed nothing");

        Db.DropTrigger(server.DatabasePath, "verdicts", "verdicts_no_update");
        LedgerDb.Execute(server.DatabasePath, Edit, claimId).ShouldBe(1);

        var verification = await server.Ledger().VerifyLedgerAsync(new VerifyLedgerRequest());
        verification.Valid.ShouldBeFalse();
        verification.FirstProblem.Kind.ShouldBe(LedgerProblem.Types.Kind.StateMismatch);
        verification.FirstProblem.Subject.ShouldBe(victim.Name);
        verification.FirstProblem.Sequence.ShouldBe(lastOfVictim.Sequence);
        verification.FirstProblem.Description.ShouldContain("FALSE");
    }

    [Fact]
    public async Task RewrittenHistoryWithAllHashesRecomputed_IsCaughtByTheRows_AndARewriteOfBothByAnOldDigest()
    {
        await using var server = new ClaimLedgerServer();
        var claims = server.Claims("erin");
        var ledger = server.Ledger();
        var victim = await claims.CreateClaimAsync(TestData.NewClaim());
        await claims.CreateClaimAsync(TestData.NewClaim());
        var digest = await ledger.GetLedgerDigestAsync(new GetLedgerDigestRequest());
        await claims.CreateClaimAsync(TestData.NewClaim());
        await claims.CreateClaimAsync(TestData.NewClaim());
        var sequence = LedgerDb.Rows(server.DatabasePath).Single(r => r.Subject == victim.Name).Sequence;
        sequence.ShouldBeLessThan(digest.HeadSequence);

        Db.DropTrigger(server.DatabasePath, "ledger_entries", "ledger_entries_no_update");
        LedgerDb.Execute(server.DatabasePath, "UPDATE ledger_entries SET changes = replace(changes, 'Ministry of Examples', 'Ministry of Forgeries') WHERE sequence = @S", sequence).ShouldBe(1);
        var recomputed = LedgerDb.RecomputeChainFrom(server.DatabasePath, sequence);
        ((long)recomputed).ShouldBe(LedgerDb.Count(server.DatabasePath) - sequence + 1);

        // The chain is self-consistent again, but the claim's row no longer matches what its entry says.
        var rowsDisagree = await ledger.VerifyLedgerAsync(new VerifyLedgerRequest());
        rowsDisagree.Valid.ShouldBeFalse();
        rowsDisagree.FirstProblem.Kind.ShouldBe(LedgerProblem.Types.Kind.StateMismatch);
        rowsDisagree.FirstProblem.Subject.ShouldBe(victim.Name);
        rowsDisagree.FirstProblem.Description.ShouldContain("claimant");

        // Rewriting the row as well makes history and state agree: only an outside digest can tell.
        LedgerDb.Execute(server.DatabasePath, "UPDATE claims SET claimant = 'Ministry of Forgeries' WHERE id = @S", victim.Name["claims/".Length..]).ShouldBe(1);
        var alone = await ledger.VerifyLedgerAsync(new VerifyLedgerRequest());
        alone.Valid.ShouldBeTrue("a consistently recomputed chain is self-consistent; only an outside digest can tell");
        alone.HeadSequence.ShouldBe(digest.HeadSequence + 2);

        var verification = await ledger.VerifyLedgerAsync(new VerifyLedgerRequest { Digest = digest });
        verification.Valid.ShouldBeFalse();
        verification.FirstProblem.Kind.ShouldBe(LedgerProblem.Types.Kind.DigestMismatch);
        verification.FirstProblem.Sequence.ShouldBe(digest.HeadSequence);
    }
}

internal sealed record LedgerRow(long Sequence, string Time, string Actor, string Action, string Subject, string Changes, string PreviousHash, string EntryHash);

/// <summary>Reads and (for the tamper tests) writes ledger_entries directly, through <see cref="Db"/> (either engine).</summary>
internal static class LedgerDb
{
    public static long Count(string path) => Db.Scalar(path, "SELECT count(*) FROM ledger_entries");

    public static List<LedgerRow> Rows(string path, long after = 0) =>
        Db.Rows(path, """
            SELECT sequence, time, actor, action, subject, changes, previous_hash, entry_hash
            FROM ledger_entries WHERE sequence > @After ORDER BY sequence
            """, ("@After", after))
            .Select(r => new LedgerRow(long.Parse(r[0]!, CultureInfo.InvariantCulture), r[1]!, r[2]!, r[3]!, r[4]!, r[5]!, r[6]!, r[7]!))
            .ToList();

    /// <summary>Runs one statement with @S (and @R) bound; returns the rows changed.</summary>
    public static int Execute(string path, string sql, object? s = null, object? r = null)
    {
        var parameters = new List<(string, object)>();
        if (s is not null)
        {
            parameters.Add(("@S", s));
        }

        if (r is not null)
        {
            parameters.Add(("@R", r));
        }

        return Db.Execute(path, sql, [.. parameters]);
    }

    /// <summary>What a forger would do: rewrite previous_hash and entry_hash of every entry from <paramref name="from"/> on.</summary>
    public static int RecomputeChainFrom(string path, long from)
    {
        var rows = Rows(path);
        var previous = rows.Single(r => r.Sequence == from).PreviousHash;
        var changed = 0;
        foreach (var row in rows.Where(r => r.Sequence >= from))
        {
            var hash = IndependentHash(row with { PreviousHash = previous });
            changed += Db.Execute(path, "UPDATE ledger_entries SET previous_hash = @P, entry_hash = @H WHERE sequence = @S",
                ("@P", previous), ("@H", hash), ("@S", row.Sequence));
            previous = hash;
        }

        return changed;
    }

    /// <summary>
    /// docs/ledger-format.md, written from the document and not from the server's code: SHA-256 of the previous hash's
    /// 32 bytes followed by the UTF-8 of {"action","actor","changes","sequence","subject","time"} (already in key order;
    /// the stored changes text is canonical).
    /// </summary>
    public static string IndependentHash(LedgerRow row)
    {
        var canonical = new StringBuilder()
            .Append("{\"action\":").Append(Quote(row.Action))
            .Append(",\"actor\":").Append(Quote(row.Actor))
            .Append(",\"changes\":").Append(row.Changes)
            .Append(",\"sequence\":").Append(row.Sequence.ToString(CultureInfo.InvariantCulture))
            .Append(",\"subject\":").Append(Quote(row.Subject))
            .Append(",\"time\":").Append(Quote(row.Time))
            .Append('}')
            .ToString();
        var previous = Enumerable.Range(0, 32).Select(i => byte.Parse(row.PreviousHash.AsSpan(i * 2, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
        var digest = SHA256.HashData(previous.Concat(Encoding.UTF8.GetBytes(canonical)).ToArray());
        return string.Concat(digest.Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
    }

    private static string Quote(string s)
    {
        var b = new StringBuilder("\"");
        foreach (var c in s)
        {
            b.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\b' => "\\b",
                '\f' => "\\f",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                < ' ' => "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
                _ => c.ToString(),
            });
        }

        return b.Append('"').ToString();
    }
}
