using ClaimLedger.Contracts.V1;
using ClaimLedger.IntegrationTests.Infrastructure;
using Grpc.Core;

namespace ClaimLedger.IntegrationTests;

/// <summary>The journey the README promises: record → source → evidence → review → verdict → history.</summary>
public sealed class WorkflowTests(ClaimLedgerServer server) : IClassFixture<ClaimLedgerServer>
{
    [Fact]
    public async Task Claim_GoesFromRecordedThroughReviewToVerdict_AndHistoryKeepsEveryStep()
    {
        var claims = server.Claims("alice");
        var sources = server.Sources("alice");
        var evidence = server.Evidence("alice");

        var origin = await sources.CreateSourceAsync(TestData.NewSource());
        var refuting = await sources.CreateSourceAsync(TestData.NewSource());
        var created = await claims.CreateClaimAsync(new CreateClaimRequest
        {
            Claim = new Claim { Text = "The Example City harbour supplied patrol drones to its neighbour Sampleton", Claimant = "Example Daily", LanguageCode = "en", Topics = { "Harbour", "drones" } },
            Evidence = { new Evidence { Source = origin.Name, Stance = Stance.Origin, Excerpt = "…supplying Russia with military drones…", Locator = "para 1" } },
        });
        created.Status.ShouldBe(ClaimStatus.Unverified);
        created.Topics.ShouldBe(["drones", "harbour"]);
        created.Name.ShouldStartWith("claims/");

        var reviewing = await claims.StartReviewAsync(new StartReviewRequest { Name = created.Name, Etag = created.Etag });
        reviewing.Status.ShouldBe(ClaimStatus.InReview);
        reviewing.Etag.ShouldNotBe(created.Etag);

        var refutes = await evidence.AddEvidenceAsync(new AddEvidenceRequest
        {
            Parent = created.Name,
            Evidence = new Evidence { Source = refuting.Name, Stance = Stance.Refutes, Excerpt = "No deliveries were recorded.", Credibility = Credibility._2ProbablyTrue },
        });
        refutes.AddedBy.ShouldBe("alice");

        var verified = await server.Claims("bob").SubmitVerdictAsync(new SubmitVerdictRequest
        {
            Name = created.Name,
            Rating = Rating.MostlyFalse,
            Rationale = "Test rationale: the refuting evidence outweighs the origin.",
            Evidence = { refutes.Name },
            Etag = reviewing.Etag,
        });
        verified.Status.ShouldBe(ClaimStatus.Verified);
        verified.Verdict.Rating.ShouldBe(Rating.MostlyFalse);
        verified.Verdict.Score.ShouldBe(0.25);
        verified.Verdict.Reviewer.ShouldBe("bob");
        verified.Verdict.Evidence.ShouldBe([refutes.Name]);

        var fetched = await claims.GetClaimAsync(new GetClaimRequest { Name = created.Name });
        fetched.ShouldBe(verified);

        var history = await claims.ListClaimHistoryAsync(new ListClaimHistoryRequest { Name = created.Name });
        history.Events.Select(e => e.Type).ShouldBe([
            ClaimEvent.Types.Type.Created,
            ClaimEvent.Types.Type.EvidenceAdded,
            ClaimEvent.Types.Type.ReviewStarted,
            ClaimEvent.Types.Type.EvidenceAdded,
            ClaimEvent.Types.Type.VerdictSubmitted,
        ]);
        history.Events.Select(e => e.Sequence).ShouldBe([1L, 2, 3, 4, 5]);
        var verdictEvent = history.Events[^1];
        verdictEvent.FromStatus.ShouldBe(ClaimStatus.InReview);
        verdictEvent.ToStatus.ShouldBe(ClaimStatus.Verified);
        verdictEvent.Actor.ShouldBe("bob");
        verdictEvent.Verdict.ShouldBe(verified.Verdict);
        history.Events[3].Evidence.ShouldBe(refutes.Name);
    }

    [Fact]
    public async Task StartReview_OnVerifiedClaim_FailsNamingTheAllowedStatuses()
    {
        // A verdict is re-opened through STALE (set by the scheduled checks), never by reviewing a VERIFIED claim directly.
        var claims = server.Claims();
        var source = await server.Sources().CreateSourceAsync(TestData.NewSource());
        var claim = await claims.CreateClaimAsync(TestData.NewClaim());
        claim = await claims.StartReviewAsync(new StartReviewRequest { Name = claim.Name });
        var e = await server.Evidence().AddEvidenceAsync(new AddEvidenceRequest { Parent = claim.Name, Evidence = new Evidence { Source = source.Name, Stance = Stance.Supports } });
        claim = await claims.SubmitVerdictAsync(new SubmitVerdictRequest { Name = claim.Name, Rating = Rating.True, Rationale = "r", Evidence = { e.Name } });

        var status = await RpcAssert.Fails(StatusCode.FailedPrecondition, claims.StartReviewAsync(new StartReviewRequest { Name = claim.Name }));
        status.Message.ShouldContain("STALE, RETRACTED");
    }
}
