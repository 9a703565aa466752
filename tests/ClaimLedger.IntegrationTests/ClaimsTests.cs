using ClaimLedger.Contracts.V1;
using ClaimLedger.IntegrationTests.Infrastructure;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;

namespace ClaimLedger.IntegrationTests;

public sealed class ClaimsTests(ClaimLedgerServer server) : IClassFixture<ClaimLedgerServer>
{
    private readonly ClaimService.ClaimServiceClient _claims = server.Claims();

    [Fact]
    public async Task CreateClaim_WithAllFields_RoundTripsThroughGetClaim()
    {
        var request = TestData.NewClaim(null, "Nuclear", "Iran", "iran");
        request.Claim.ClaimTime = Timestamp.FromDateTimeOffset(new DateTimeOffset(2025, 6, 22, 10, 0, 0, TimeSpan.Zero));
        request.Claim.LanguageCode = "pt-br";
        request.Claim.ReviewInterval = Duration.FromTimeSpan(TimeSpan.FromDays(14));

        var created = await _claims.CreateClaimAsync(request);

        created.Text.ShouldBe(request.Claim.Text);
        created.Claimant.ShouldBe(request.Claim.Claimant);
        created.ClaimTime.ShouldBe(request.Claim.ClaimTime);
        created.LanguageCode.ShouldBe("pt-BR");
        created.Topics.ShouldBe(["iran", "nuclear"]);
        created.ReviewInterval.ShouldBe(Duration.FromTimeSpan(TimeSpan.FromDays(14)));
        created.Status.ShouldBe(ClaimStatus.Unverified);
        created.Verdict.ShouldBeNull();
        created.CreateTime.ShouldNotBeNull();
        created.Etag.ShouldNotBeNullOrEmpty();
        (await _claims.GetClaimAsync(new GetClaimRequest { Name = created.Name })).ShouldBe(created);
    }

    [Fact]
    public async Task CreateClaim_WithInvalidFields_ReturnsEveryFieldViolation_AndWritesNothing()
    {
        var before = Db.Snapshot(server.DatabasePath);
        var request = new CreateClaimRequest
        {
            Claim = new Claim { Text = new string('x', 2001), Claimant = "", LanguageCode = "english", Topics = { new string('t', 65) } },
            Evidence = { new Evidence { Source = "nope", Stance = Stance.Unspecified } },
        };

        var badRequest = await RpcAssert.InvalidArgument(_claims.CreateClaimAsync(request),
            "claim.text", "claim.claimant", "claim.language_code", "claim.topics", "evidence[0].source", "evidence[0].stance");

        badRequest.FieldViolations.ShouldAllBe(v => v.Description.Length > 0);
        Db.Snapshot(server.DatabasePath).ShouldBe(before);
    }

    [Fact]
    public async Task CreateClaim_WithoutClaim_IsInvalidArgument()
    {
        await RpcAssert.InvalidArgument(_claims.CreateClaimAsync(new CreateClaimRequest()), "claim.text", "claim.claimant", "claim.language_code");
    }

    [Fact]
    public async Task CreateClaim_WithUnknownEvidenceSource_IsNotFound_AndWritesNothing()
    {
        var before = Db.Snapshot(server.DatabasePath);
        var request = TestData.NewClaim();
        request.Evidence.Add(new Evidence { Source = "sources/" + new string('0', 32), Stance = Stance.Origin });

        var status = await RpcAssert.Fails(StatusCode.NotFound, _claims.CreateClaimAsync(request));

        status.GetDetail<ResourceInfo>().ResourceName.ShouldBe("sources/" + new string('0', 32));
        Db.Snapshot(server.DatabasePath).ShouldBe(before);
    }

    [Fact]
    public async Task CreateClaim_NearDuplicate_IsAlreadyExistsNamingTheExistingClaim_UnlessAllowed()
    {
        var original = await _claims.CreateClaimAsync(TestData.NewClaim("Russia has firmly opposed any regime change in Iran, officials said on Monday."));

        var twin = TestData.NewClaim("RUSSIA has firmly opposed any regime-change in Iran — officials said on Monday!");
        var status = await RpcAssert.Fails(StatusCode.AlreadyExists, _claims.CreateClaimAsync(twin));
        var info = status.GetDetail<ErrorInfo>();
        info.Reason.ShouldBe("NEAR_DUPLICATE_CLAIM");
        info.Metadata["similar_claims"].ShouldBe(original.Name);
        status.GetDetail<ResourceInfo>().ResourceName.ShouldBe(original.Name);

        twin.AllowDuplicate = true;
        var insisted = await _claims.CreateClaimAsync(twin);
        insisted.Name.ShouldNotBe(original.Name);
    }

    [Fact]
    public async Task CreateClaim_RewordedButDifferentClaim_IsNotADuplicate()
    {
        await _claims.CreateClaimAsync(TestData.NewClaim("Iran supplies Russia with military drones for use in Ukraine."));
        var different = await _claims.CreateClaimAsync(TestData.NewClaim("Russia supplies Iran with S-400 air defence systems."));
        different.Status.ShouldBe(ClaimStatus.Unverified);
    }

    [Fact]
    public async Task CreateClaim_RetriedWithSameRequestId_ReturnsFirstResult_AndWritesNothingNew()
    {
        var request = TestData.NewClaim();
        request.RequestId = Guid.NewGuid().ToString();
        var first = await _claims.CreateClaimAsync(request);
        var before = Db.Snapshot(server.DatabasePath);

        var retry = await _claims.CreateClaimAsync(request);

        retry.ShouldBe(first);
        Db.Snapshot(server.DatabasePath).ShouldBe(before);
    }

    [Fact]
    public async Task CreateClaim_SameRequestIdForDifferentRequest_IsInvalidArgument()
    {
        var id = Guid.NewGuid().ToString();
        var first = TestData.NewClaim();
        first.RequestId = id;
        await _claims.CreateClaimAsync(first);
        var other = TestData.NewClaim();
        other.RequestId = id;

        await RpcAssert.InvalidArgument(_claims.CreateClaimAsync(other), "request_id");
    }

    [Fact]
    public async Task CreateClaim_ConcurrentRetriesWithOneRequestId_CreateOneClaim()
    {
        var request = TestData.NewClaim();
        request.RequestId = Guid.NewGuid().ToString();

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => _claims.CreateClaimAsync(request).ResponseAsync));

        results.Select(r => r.Name).Distinct().Count().ShouldBe(1);
        Db.Scalar(server.DatabasePath, $"SELECT count(*) FROM claims WHERE text = '{request.Claim.Text}'").ShouldBe(1);
    }

    [Fact]
    public async Task GetClaim_UnknownOrMalformedName_IsNotFoundOrInvalidArgument()
    {
        var unknown = "claims/" + new string('a', 32);
        var status = await RpcAssert.Fails(StatusCode.NotFound, _claims.GetClaimAsync(new GetClaimRequest { Name = unknown }));
        status.Message.ShouldContain(unknown);
        await RpcAssert.InvalidArgument(_claims.GetClaimAsync(new GetClaimRequest { Name = "claims/123" }), "name");
        await RpcAssert.InvalidArgument(_claims.GetClaimAsync(new GetClaimRequest { Name = "sources/" + new string('a', 32) }), "name");
    }

    [Fact]
    public async Task ListClaims_PagesThroughEveryMatch_InStableOrder_WithoutRepeats()
    {
        var topic = "paging-" + Guid.NewGuid().ToString("N")[..8];
        var created = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            created.Add((await _claims.CreateClaimAsync(TestData.NewClaim(null, topic))).Name);
        }

        var seen = new List<string>();
        var token = "";
        var pages = 0;
        do
        {
            var page = await _claims.ListClaimsAsync(new ListClaimsRequest { Topic = topic, PageSize = 5, PageToken = token });
            page.Claims.Count.ShouldBeLessThanOrEqualTo(5);
            seen.AddRange(page.Claims.Select(c => c.Name));
            token = page.NextPageToken;
            pages++;
        }
        while (token.Length > 0);

        pages.ShouldBe(3);
        seen.ShouldBe(Enumerable.Reverse(created).ToList()); // default order: create_time desc

        var ascending = await _claims.ListClaimsAsync(new ListClaimsRequest { Topic = topic, PageSize = 100, OrderBy = "create_time" });
        ascending.Claims.Select(c => c.Name).ShouldBe(created);
        ascending.NextPageToken.ShouldBeEmpty();
    }

    [Fact]
    public async Task ListClaims_FiltersByStatusClaimantAndSource()
    {
        var claimant = "Claimant " + Guid.NewGuid().ToString("N")[..8];
        var source = await server.Sources().CreateSourceAsync(TestData.NewSource());
        var a = TestData.NewClaim();
        a.Claim.Claimant = claimant;
        a.Evidence.Add(new Evidence { Source = source.Name, Stance = Stance.Origin });
        var claimA = await _claims.CreateClaimAsync(a);
        var b = TestData.NewClaim();
        b.Claim.Claimant = claimant;
        var claimB = await _claims.CreateClaimAsync(b);
        await _claims.StartReviewAsync(new StartReviewRequest { Name = claimB.Name });

        (await _claims.ListClaimsAsync(new ListClaimsRequest { Claimant = claimant })).Claims.Select(c => c.Name).ShouldBe([claimB.Name, claimA.Name]);
        (await _claims.ListClaimsAsync(new ListClaimsRequest { Claimant = claimant, Status = ClaimStatus.InReview })).Claims.Select(c => c.Name).ShouldBe([claimB.Name]);
        (await _claims.ListClaimsAsync(new ListClaimsRequest { Source = source.Name })).Claims.Select(c => c.Name).ShouldBe([claimA.Name]);
    }

    [Fact]
    public async Task ListClaims_BadArguments_AreInvalidArgument()
    {
        await RpcAssert.InvalidArgument(_claims.ListClaimsAsync(new ListClaimsRequest { OrderBy = "text desc" }), "order_by");
        await RpcAssert.InvalidArgument(_claims.ListClaimsAsync(new ListClaimsRequest { PageSize = -1 }), "page_size");
        await RpcAssert.InvalidArgument(_claims.ListClaimsAsync(new ListClaimsRequest { Source = "http://x" }), "source");
        await RpcAssert.InvalidArgument(_claims.ListClaimsAsync(new ListClaimsRequest { PageToken = "garbage!" }), "page_token");

        var topic = "token-" + Guid.NewGuid().ToString("N")[..8];
        await _claims.CreateClaimAsync(TestData.NewClaim(null, topic));
        await _claims.CreateClaimAsync(TestData.NewClaim(null, topic));
        var first = await _claims.ListClaimsAsync(new ListClaimsRequest { Topic = topic, PageSize = 1 });
        first.NextPageToken.ShouldNotBeEmpty();
        await RpcAssert.InvalidArgument(_claims.ListClaimsAsync(new ListClaimsRequest { Topic = "other", PageSize = 1, PageToken = first.NextPageToken }), "page_token");
    }

    [Fact]
    public async Task ListClaims_PageSizeAboveMaximum_IsCappedAt100()
    {
        var page = await _claims.ListClaimsAsync(new ListClaimsRequest { PageSize = 5000 });
        page.Claims.Count.ShouldBeLessThanOrEqualTo(100);
    }

    [Fact]
    public async Task UpdateClaim_WithFieldMask_ChangesOnlyNamedFields_AndRecordsHistory()
    {
        var created = await _claims.CreateClaimAsync(TestData.NewClaim(null, "economy"));
        var update = new UpdateClaimRequest
        {
            Claim = new Claim { Name = created.Name, Etag = created.Etag, Claimant = "A different claimant", Text = "ignored because not in mask", Topics = { "Trade" } },
            UpdateMask = new FieldMask { Paths = { "claimant", "topics" } },
        };

        var updated = await _claims.UpdateClaimAsync(update);

        updated.Claimant.ShouldBe("A different claimant");
        updated.Topics.ShouldBe(["trade"]);
        updated.Text.ShouldBe(created.Text);
        updated.Etag.ShouldNotBe(created.Etag);
        var history = await _claims.ListClaimHistoryAsync(new ListClaimHistoryRequest { Name = created.Name });
        history.Events[^1].Type.ShouldBe(ClaimEvent.Types.Type.Updated);
        history.Events[^1].Detail.ShouldContain("claimant");
    }

    [Fact]
    public async Task UpdateClaim_WithStaleEtag_IsAborted_AndChangesNothing()
    {
        var created = await _claims.CreateClaimAsync(TestData.NewClaim());
        await _claims.UpdateClaimAsync(new UpdateClaimRequest
        {
            Claim = new Claim { Name = created.Name, Etag = created.Etag, Claimant = "First writer" },
            UpdateMask = new FieldMask { Paths = { "claimant" } },
        });
        var before = Db.Snapshot(server.DatabasePath);

        var status = await RpcAssert.Fails(StatusCode.Aborted, _claims.UpdateClaimAsync(new UpdateClaimRequest
        {
            Claim = new Claim { Name = created.Name, Etag = created.Etag, Claimant = "Second writer" },
            UpdateMask = new FieldMask { Paths = { "claimant" } },
        }));

        status.GetDetail<ErrorInfo>().Reason.ShouldBe("ETAG_MISMATCH");
        Db.Snapshot(server.DatabasePath).ShouldBe(before);
        (await _claims.GetClaimAsync(new GetClaimRequest { Name = created.Name })).Claimant.ShouldBe("First writer");
    }

    [Fact]
    public async Task UpdateClaim_BadMaskOrValues_AreInvalidArgument()
    {
        var created = await _claims.CreateClaimAsync(TestData.NewClaim());
        await RpcAssert.InvalidArgument(_claims.UpdateClaimAsync(new UpdateClaimRequest
        {
            Claim = new Claim { Name = created.Name },
            UpdateMask = new FieldMask { Paths = { "status" } },
        }), "update_mask");
        await RpcAssert.InvalidArgument(_claims.UpdateClaimAsync(new UpdateClaimRequest
        {
            Claim = new Claim { Name = created.Name, LanguageCode = "not a tag" },
            UpdateMask = new FieldMask { Paths = { "language_code" } },
        }), "claim.language_code");
        await RpcAssert.InvalidArgument(_claims.UpdateClaimAsync(new UpdateClaimRequest { Claim = new Claim { Name = created.Name } }), "update_mask");
    }

    [Fact]
    public async Task UpdateClaim_WithoutMask_UpdatesTheFieldsThatAreSet()
    {
        var created = await _claims.CreateClaimAsync(TestData.NewClaim());
        var updated = await _claims.UpdateClaimAsync(new UpdateClaimRequest { Claim = new Claim { Name = created.Name, Claimant = "Set without a mask" } });
        updated.Claimant.ShouldBe("Set without a mask");
        updated.Text.ShouldBe(created.Text);
        updated.LanguageCode.ShouldBe(created.LanguageCode);
    }

    [Fact]
    public async Task UpdateClaim_TextOfVerifiedClaim_IsFailedPrecondition()
    {
        var claim = await VerifiedClaimAsync();
        var status = await RpcAssert.Fails(StatusCode.FailedPrecondition, _claims.UpdateClaimAsync(new UpdateClaimRequest
        {
            Claim = new Claim { Name = claim.Name, Text = "A rewritten statement about something else entirely" },
            UpdateMask = new FieldMask { Paths = { "text" } },
        }));
        status.GetDetail<ErrorInfo>().Reason.ShouldBe("CLAIM_TEXT_FROZEN");
    }

    [Fact]
    public async Task UpdateClaim_UnknownClaim_IsNotFound()
    {
        await RpcAssert.Fails(StatusCode.NotFound, _claims.UpdateClaimAsync(new UpdateClaimRequest
        {
            Claim = new Claim { Name = "claims/" + new string('b', 32), Claimant = "x" },
            UpdateMask = new FieldMask { Paths = { "claimant" } },
        }));
    }

    private async Task<Claim> VerifiedClaimAsync()
    {
        var source = await server.Sources().CreateSourceAsync(TestData.NewSource());
        var claim = await _claims.CreateClaimAsync(TestData.NewClaim());
        await _claims.StartReviewAsync(new StartReviewRequest { Name = claim.Name });
        var evidence = await server.Evidence().AddEvidenceAsync(new AddEvidenceRequest { Parent = claim.Name, Evidence = new Evidence { Source = source.Name, Stance = Stance.Supports } });
        return await _claims.SubmitVerdictAsync(new SubmitVerdictRequest { Name = claim.Name, Rating = Rating.True, Rationale = "test", Evidence = { evidence.Name } });
    }
}
