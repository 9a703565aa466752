using ClaimLedger.Contracts.V1;
using ClaimLedger.IntegrationTests.Infrastructure;
using Google.Rpc;
using Grpc.Core;

namespace ClaimLedger.IntegrationTests;

public sealed class VerificationTests(ClaimLedgerServer server) : IClassFixture<ClaimLedgerServer>
{
    private readonly ClaimService.ClaimServiceClient _claims = server.Claims("reviewer-1");

    [Fact]
    public async Task StartReview_WithStaleEtag_IsAborted_AndChangesNothing()
    {
        var claim = await _claims.CreateClaimAsync(TestData.NewClaim());
        await _claims.UpdateClaimAsync(new UpdateClaimRequest { Claim = new Claim { Name = claim.Name, Claimant = "changed" } });
        var before = Db.Snapshot(server.DatabasePath);

        await RpcAssert.Fails(StatusCode.Aborted, _claims.StartReviewAsync(new StartReviewRequest { Name = claim.Name, Etag = claim.Etag }));

        Db.Snapshot(server.DatabasePath).ShouldBe(before);
        (await _claims.GetClaimAsync(new GetClaimRequest { Name = claim.Name })).Status.ShouldBe(ClaimStatus.Unverified);
    }

    [Fact]
    public async Task StartReview_Twice_IsFailedPreconditionNamingAllowedStatuses()
    {
        var claim = await _claims.CreateClaimAsync(TestData.NewClaim());
        await _claims.StartReviewAsync(new StartReviewRequest { Name = claim.Name });

        var status = await RpcAssert.Fails(StatusCode.FailedPrecondition, _claims.StartReviewAsync(new StartReviewRequest { Name = claim.Name }));

        var info = status.GetDetail<ErrorInfo>();
        info.Reason.ShouldBe("ILLEGAL_TRANSITION");
        info.Metadata["from"].ShouldBe("IN_REVIEW");
        info.Metadata["allowed"].ShouldBe("VERIFIED,RETRACTED");
        status.GetDetail<PreconditionFailure>().Violations[0].Subject.ShouldBe(claim.Name);
    }

    [Fact]
    public async Task StartReview_RetriedWithSameRequestId_ReturnsFirstResult()
    {
        var claim = await _claims.CreateClaimAsync(TestData.NewClaim());
        var request = new StartReviewRequest { Name = claim.Name, RequestId = Guid.NewGuid().ToString(), Note = "taking it" };
        var first = await _claims.StartReviewAsync(request);

        var retry = await _claims.StartReviewAsync(request);

        retry.ShouldBe(first);
        (await _claims.ListClaimHistoryAsync(new ListClaimHistoryRequest { Name = claim.Name })).Events
            .Count(e => e.Type == ClaimEvent.Types.Type.ReviewStarted).ShouldBe(1);
    }

    [Fact]
    public async Task StartReview_UnknownClaim_IsNotFound_MalformedIsInvalid()
    {
        await RpcAssert.Fails(StatusCode.NotFound, _claims.StartReviewAsync(new StartReviewRequest { Name = "claims/" + new string('c', 32) }));
        await RpcAssert.InvalidArgument(_claims.StartReviewAsync(new StartReviewRequest { Name = "" }), "name");
    }

    [Fact]
    public async Task SubmitVerdict_OnUnverifiedClaim_IsFailedPrecondition()
    {
        var (claim, supports) = await ClaimWithEvidenceAsync(Stance.Supports, startReview: false);
        var status = await RpcAssert.Fails(StatusCode.FailedPrecondition, _claims.SubmitVerdictAsync(Verdict(claim, Rating.True, supports)));
        status.Message.ShouldContain("IN_REVIEW, RETRACTED");
    }

    [Theory]
    [InlineData(Stance.Origin)]
    [InlineData(Stance.Context)]
    public async Task SubmitVerdict_TrueRating_RestingOnlyOnNonProbativeEvidence_IsFailedPrecondition(Stance stance)
    {
        var (claim, evidence) = await ClaimWithEvidenceAsync(stance);
        var before = Db.Snapshot(server.DatabasePath);

        var status = await RpcAssert.Fails(StatusCode.FailedPrecondition, _claims.SubmitVerdictAsync(Verdict(claim, Rating.True, evidence)));

        status.GetDetail<ErrorInfo>().Reason.ShouldBe("VERDICT_NEEDS_EVIDENCE");
        Db.Snapshot(server.DatabasePath).ShouldBe(before);
    }

    [Fact]
    public async Task SubmitVerdict_Unproven_NeedsNoEvidence_AndHasNoScore()
    {
        var claim = await _claims.CreateClaimAsync(TestData.NewClaim());
        await _claims.StartReviewAsync(new StartReviewRequest { Name = claim.Name });

        var verified = await _claims.SubmitVerdictAsync(new SubmitVerdictRequest { Name = claim.Name, Rating = Rating.Unproven, Rationale = "Nothing found either way." });

        verified.Status.ShouldBe(ClaimStatus.Verified);
        verified.Verdict.HasScore.ShouldBeFalse();
        verified.Verdict.Evidence.ShouldBeEmpty();
    }

    [Fact]
    public async Task SubmitVerdict_BadInput_IsInvalidArgument()
    {
        var (claim, evidence) = await ClaimWithEvidenceAsync(Stance.Supports);
        await RpcAssert.InvalidArgument(_claims.SubmitVerdictAsync(new SubmitVerdictRequest { Name = claim.Name, Evidence = { evidence } }), "rating", "rationale");
        await RpcAssert.InvalidArgument(_claims.SubmitVerdictAsync(new SubmitVerdictRequest
        {
            Name = claim.Name, Rating = Rating.True, Rationale = "r", Evidence = { $"claims/{new string('d', 32)}/evidence/{new string('e', 32)}" },
        }), "evidence[0]");
        await RpcAssert.InvalidArgument(_claims.SubmitVerdictAsync(new SubmitVerdictRequest
        {
            Name = claim.Name, Rating = Rating.True, Rationale = new string('r', 10_001), Evidence = { evidence },
        }), "rationale");
    }

    [Fact]
    public async Task SubmitVerdict_UnknownEvidenceOfThisClaim_IsNotFound()
    {
        var (claim, _) = await ClaimWithEvidenceAsync(Stance.Supports);
        await RpcAssert.Fails(StatusCode.NotFound, _claims.SubmitVerdictAsync(Verdict(claim, Rating.True, $"{claim.Name}/evidence/{new string('f', 32)}")));
    }

    [Fact]
    public async Task SubmitVerdict_WithStaleEtag_IsAborted_AndWritesNoVerdict()
    {
        var (claim, evidence) = await ClaimWithEvidenceAsync(Stance.Refutes);
        var stale = claim.Etag;
        await _claims.UpdateClaimAsync(new UpdateClaimRequest { Claim = new Claim { Name = claim.Name, Claimant = "x" } });
        var before = Db.Snapshot(server.DatabasePath);

        var request = Verdict(claim, Rating.False, evidence);
        request.Etag = stale;
        await RpcAssert.Fails(StatusCode.Aborted, _claims.SubmitVerdictAsync(request));

        Db.Snapshot(server.DatabasePath).ShouldBe(before);
    }

    [Fact]
    public async Task RetractClaim_FromEveryLiveStatus_Succeeds_AndRetractedIsFinal()
    {
        var unverified = await _claims.CreateClaimAsync(TestData.NewClaim());
        var (inReview, _) = await ClaimWithEvidenceAsync(Stance.Supports);
        var (toVerify, evidence) = await ClaimWithEvidenceAsync(Stance.Supports);
        var verified = await _claims.SubmitVerdictAsync(Verdict(toVerify, Rating.MostlyTrue, evidence));

        foreach (var claim in new[] { unverified, inReview, verified })
        {
            var retracted = await _claims.RetractClaimAsync(new RetractClaimRequest { Name = claim.Name, Reason = RetractionReason.OutOfScope, Note = "not checkable" });
            retracted.Status.ShouldBe(ClaimStatus.Retracted);
            retracted.Retraction.Reason.ShouldBe(RetractionReason.OutOfScope);
            retracted.Retraction.Actor.ShouldBe("reviewer-1");
            retracted.Retraction.Note.ShouldBe("not checkable");
        }

        var status = await RpcAssert.Fails(StatusCode.FailedPrecondition, _claims.RetractClaimAsync(new RetractClaimRequest { Name = unverified.Name, Reason = RetractionReason.Withdrawn }));
        status.Message.ShouldContain("RETRACTED is final");
        await RpcAssert.Fails(StatusCode.FailedPrecondition, _claims.StartReviewAsync(new StartReviewRequest { Name = unverified.Name }));
        (await _claims.GetClaimAsync(new GetClaimRequest { Name = verified.Name })).Verdict.ShouldBe(verified.Verdict);
    }

    [Fact]
    public async Task RetractClaim_AsDuplicate_NeedsAnExistingOriginal()
    {
        var original = await _claims.CreateClaimAsync(TestData.NewClaim());
        var copy = await _claims.CreateClaimAsync(TestData.NewClaim());

        await RpcAssert.InvalidArgument(_claims.RetractClaimAsync(new RetractClaimRequest { Name = copy.Name, Reason = RetractionReason.Duplicate }), "duplicate_of");
        await RpcAssert.InvalidArgument(_claims.RetractClaimAsync(new RetractClaimRequest { Name = copy.Name }), "reason");
        await RpcAssert.Fails(StatusCode.NotFound, _claims.RetractClaimAsync(new RetractClaimRequest
        {
            Name = copy.Name, Reason = RetractionReason.Duplicate, DuplicateOf = "claims/" + new string('9', 32),
        }));

        var retracted = await _claims.RetractClaimAsync(new RetractClaimRequest { Name = copy.Name, Reason = RetractionReason.Duplicate, DuplicateOf = original.Name });
        retracted.Retraction.DuplicateOf.ShouldBe(original.Name);
    }

    [Fact]
    public async Task ListClaimHistory_PagesInSequenceOrder()
    {
        var (claim, evidence) = await ClaimWithEvidenceAsync(Stance.Supports);
        await _claims.SubmitVerdictAsync(Verdict(claim, Rating.True, evidence));

        var first = await _claims.ListClaimHistoryAsync(new ListClaimHistoryRequest { Name = claim.Name, PageSize = 2 });
        var second = await _claims.ListClaimHistoryAsync(new ListClaimHistoryRequest { Name = claim.Name, PageSize = 2, PageToken = first.NextPageToken });

        first.Events.Select(e => e.Sequence).ShouldBe([1L, 2]);
        second.Events.Select(e => e.Sequence).ShouldBe([3L, 4]);
        second.NextPageToken.ShouldBeEmpty();
        await RpcAssert.Fails(StatusCode.NotFound, _claims.ListClaimHistoryAsync(new ListClaimHistoryRequest { Name = "claims/" + new string('1', 32) }));
    }

    [SqliteOnlyFact("tries the writes on a SQLite connection of its own and expects SqliteException")]
    public void HistoryTables_RejectUpdatesAndDeletes()
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={server.DatabasePath}");
        connection.Open();
        foreach (var sql in new[] { "UPDATE claim_events SET actor = 'mallory'", "DELETE FROM claim_events", "UPDATE verdicts SET rating = 'TRUE'", "DELETE FROM verdicts" })
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            var e = Should.Throw<Microsoft.Data.Sqlite.SqliteException>(() => command.ExecuteNonQuery());
            e.Message.ShouldContain("append-only");
        }
    }

    private async Task<(Claim Claim, string Evidence)> ClaimWithEvidenceAsync(Stance stance, bool startReview = true)
    {
        var source = await server.Sources().CreateSourceAsync(TestData.NewSource());
        var claim = await _claims.CreateClaimAsync(TestData.NewClaim());
        if (startReview)
        {
            claim = await _claims.StartReviewAsync(new StartReviewRequest { Name = claim.Name });
        }

        var evidence = await server.Evidence().AddEvidenceAsync(new AddEvidenceRequest { Parent = claim.Name, Evidence = new Evidence { Source = source.Name, Stance = stance } });
        return (claim, evidence.Name);
    }

    private static SubmitVerdictRequest Verdict(Claim claim, Rating rating, string evidence) =>
        new() { Name = claim.Name, Rating = rating, Rationale = "Test rationale.", Evidence = { evidence } };
}
