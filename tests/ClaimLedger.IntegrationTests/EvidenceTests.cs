using System.Security.Cryptography;
using ClaimLedger.Contracts.V1;
using ClaimLedger.IntegrationTests.Infrastructure;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;

namespace ClaimLedger.IntegrationTests;

/// <summary>EvidenceService through a real channel: attaching, listing, soft removal and the rules tying it to verdicts.</summary>
public sealed class EvidenceTests(ClaimLedgerServer server) : IClassFixture<ClaimLedgerServer>
{
    // ---- AddEvidence --------------------------------------------------------------------------------------------

    [Fact]
    public async Task AddEvidence_Valid_RecordsActorAndSourceHashAtAttachTime()
    {
        var sha1 = NewSha256();
        var sha2 = NewSha256();
        var sourceRequest = TestData.NewSource();
        sourceRequest.Source.ContentSha256 = sha1;
        var source = await server.Sources().CreateSourceAsync(sourceRequest);
        var claim = await server.Claims().CreateClaimAsync(TestData.NewClaim());
        var carol = server.Evidence("carol");

        var added = await carol.AddEvidenceAsync(new AddEvidenceRequest
        {
            Parent = claim.Name,
            Evidence = new Evidence
            {
                Source = source.Name,
                Stance = Stance.Refutes,
                Excerpt = "No such shipment left the port.",
                Locator = "para 4",
                Credibility = Credibility._3PossiblyTrue,
            },
        });

        added.Name.ShouldMatch($"^{claim.Name}/evidence/[0-9a-f]{{32}}$");
        added.Source.ShouldBe(source.Name);
        added.Stance.ShouldBe(Stance.Refutes);
        added.Excerpt.ShouldBe("No such shipment left the port.");
        added.Locator.ShouldBe("para 4");
        added.Credibility.ShouldBe(Credibility._3PossiblyTrue);
        added.AddedBy.ShouldBe("carol");
        added.SourceContentSha256.ShouldBe(sha1);
        added.CreateTime.ShouldNotBeNull();
        added.RemoveTime.ShouldBeNull();
        added.Etag.ShouldBe("\"1\"");

        // The source's hash changes later: evidence already attached keeps the hash it was attached with.
        await server.Sources().UpdateSourceAsync(new UpdateSourceRequest
        {
            Source = new Source { Name = source.Name, ContentSha256 = sha2 },
            UpdateMask = new FieldMask { Paths = { "content_sha256" } },
        });
        var later = await carol.AddEvidenceAsync(new AddEvidenceRequest
        {
            Parent = claim.Name,
            Evidence = new Evidence { Source = source.Name, Stance = Stance.Context },
        });

        later.SourceContentSha256.ShouldBe(sha2);
        var listed = await carol.ListEvidenceAsync(new ListEvidenceRequest { Parent = claim.Name });
        listed.Evidence.ShouldBe([added, later]);
        listed.Evidence[0].SourceContentSha256.ShouldBe(sha1);
    }

    [Fact]
    public async Task AddEvidence_FromSourceWithoutHash_HasEmptySourceContentSha256()
    {
        var source = await server.Sources().CreateSourceAsync(TestData.NewSource());
        var claim = await server.Claims().CreateClaimAsync(TestData.NewClaim());

        var added = await server.Evidence().AddEvidenceAsync(new AddEvidenceRequest
        {
            Parent = claim.Name,
            Evidence = new Evidence { Source = source.Name, Stance = Stance.Origin },
        });

        added.SourceContentSha256.ShouldBe("");
        added.AddedBy.ShouldBe("tester");
    }

    [Fact]
    public async Task AddEvidence_ToUnknownClaim_FailsNotFound()
    {
        var source = await server.Sources().CreateSourceAsync(TestData.NewSource());
        var unknown = $"claims/{Guid.NewGuid():N}";

        var status = await RpcAssert.Fails(StatusCode.NotFound, server.Evidence().AddEvidenceAsync(new AddEvidenceRequest
        {
            Parent = unknown,
            Evidence = new Evidence { Source = source.Name, Stance = Stance.Supports },
        }));

        status.GetDetail<ErrorInfo>().Reason.ShouldBe("RESOURCE_NOT_FOUND");
        status.GetDetail<ResourceInfo>().ShouldNotBeNull().ResourceName.ShouldBe(unknown);
        CountEvidence(unknown).ShouldBe(0);
    }

    [Fact]
    public async Task AddEvidence_FromUnknownSource_FailsNotFoundAndWritesNothing()
    {
        var claims = server.Claims();
        var claim = await claims.CreateClaimAsync(TestData.NewClaim());
        var unknown = $"sources/{Guid.NewGuid():N}";

        var status = await RpcAssert.Fails(StatusCode.NotFound, server.Evidence().AddEvidenceAsync(new AddEvidenceRequest
        {
            Parent = claim.Name,
            Evidence = new Evidence { Source = unknown, Stance = Stance.Supports },
        }));

        status.GetDetail<ResourceInfo>().ShouldNotBeNull().ResourceName.ShouldBe(unknown);
        CountEvidence(claim.Name).ShouldBe(0);
        var history = await claims.ListClaimHistoryAsync(new ListClaimHistoryRequest { Name = claim.Name });
        history.Events.Select(e => e.Type).ShouldBe([ClaimEvent.Types.Type.Created]);
    }

    [Fact]
    public async Task AddEvidence_UnspecifiedStance_FailsInvalidArgumentOnEvidenceStance()
    {
        var (claim, source) = await NewClaimAndSourceAsync();

        var badRequest = await RpcAssert.InvalidArgument(server.Evidence().AddEvidenceAsync(new AddEvidenceRequest
        {
            Parent = claim.Name,
            Evidence = new Evidence { Source = source.Name, Stance = Stance.Unspecified },
        }), "evidence.stance");

        badRequest.FieldViolations.Select(v => v.Field).ShouldBe(["evidence.stance"]);
        CountEvidence(claim.Name).ShouldBe(0);
    }

    [Fact]
    public async Task AddEvidence_UndefinedStanceValue_FailsInvalidArgumentOnEvidenceStance()
    {
        var (claim, source) = await NewClaimAndSourceAsync();

        await RpcAssert.InvalidArgument(server.Evidence().AddEvidenceAsync(new AddEvidenceRequest
        {
            Parent = claim.Name,
            Evidence = new Evidence { Source = source.Name, Stance = (Stance)42 },
        }), "evidence.stance");

        CountEvidence(claim.Name).ShouldBe(0);
    }

    [Theory]
    [InlineData("")]
    [InlineData("claims/abc")]
    [InlineData("sources/0123456789abcdef0123456789abcdef")]
    public async Task AddEvidence_MalformedParent_FailsInvalidArgumentOnParent(string parent)
    {
        var source = await server.Sources().CreateSourceAsync(TestData.NewSource());

        var badRequest = await RpcAssert.InvalidArgument(server.Evidence().AddEvidenceAsync(new AddEvidenceRequest
        {
            Parent = parent,
            Evidence = new Evidence { Source = source.Name, Stance = Stance.Supports },
        }), "parent");

        badRequest.FieldViolations.Select(v => v.Field).ShouldBe(["parent"]);
    }

    [Fact]
    public async Task AddEvidence_ExcerptOver5000Chars_FailsInvalidArgumentOnEvidenceExcerpt()
    {
        var (claim, source) = await NewClaimAndSourceAsync();

        var badRequest = await RpcAssert.InvalidArgument(server.Evidence().AddEvidenceAsync(new AddEvidenceRequest
        {
            Parent = claim.Name,
            Evidence = new Evidence { Source = source.Name, Stance = Stance.Supports, Excerpt = new string('x', 5001) },
        }), "evidence.excerpt");

        badRequest.FieldViolations.Select(v => v.Field).ShouldBe(["evidence.excerpt"]);
        CountEvidence(claim.Name).ShouldBe(0);
    }

    [Fact]
    public async Task AddEvidence_ExcerptOfExactly5000Chars_IsAccepted()
    {
        var (claim, source) = await NewClaimAndSourceAsync();

        var added = await server.Evidence().AddEvidenceAsync(new AddEvidenceRequest
        {
            Parent = claim.Name,
            Evidence = new Evidence { Source = source.Name, Stance = Stance.Supports, Excerpt = new string('x', 5000) },
        });

        added.Excerpt.Length.ShouldBe(5000);
    }

    [Fact]
    public async Task AddEvidence_ToRetractedClaim_FailsFailedPreconditionAndWritesNothing()
    {
        var claims = server.Claims();
        var (claim, source) = await NewClaimAndSourceAsync();
        await claims.RetractClaimAsync(new RetractClaimRequest { Name = claim.Name, Reason = RetractionReason.Withdrawn });

        var status = await RpcAssert.Fails(StatusCode.FailedPrecondition, server.Evidence().AddEvidenceAsync(new AddEvidenceRequest
        {
            Parent = claim.Name,
            Evidence = new Evidence { Source = source.Name, Stance = Stance.Supports },
        }));

        status.GetDetail<ErrorInfo>().Reason.ShouldBe("CLAIM_RETRACTED");
        CountEvidence(claim.Name).ShouldBe(0);
    }

    [Fact]
    public async Task AddEvidence_RetriedWithSameRequestId_CreatesOneRowAndReplaysResponse()
    {
        var (claim, source) = await NewClaimAndSourceAsync();
        var request = new AddEvidenceRequest
        {
            Parent = claim.Name,
            Evidence = new Evidence { Source = source.Name, Stance = Stance.Supports, Excerpt = "Retried once." },
            RequestId = Guid.NewGuid().ToString(),
        };

        var first = await server.Evidence().AddEvidenceAsync(request);
        var retry = await server.Evidence().AddEvidenceAsync(request);

        retry.ShouldBe(first);
        CountEvidence(claim.Name).ShouldBe(1);
        var history = await server.Claims().ListClaimHistoryAsync(new ListClaimHistoryRequest { Name = claim.Name });
        history.Events.Count(e => e.Type == ClaimEvent.Types.Type.EvidenceAdded).ShouldBe(1);
    }

    // ---- ListEvidence -------------------------------------------------------------------------------------------

    [Fact]
    public async Task ListEvidence_ReturnsEvidenceInOrderOfAddition()
    {
        var (claim, source) = await NewClaimAndSourceAsync();
        var stances = new[] { Stance.Refutes, Stance.Origin, Stance.Context, Stance.Supports };
        var added = new List<string>();
        foreach (var stance in stances)
        {
            added.Add((await AddAsync(claim.Name, source.Name, stance)).Name);
        }

        var listed = await server.Evidence().ListEvidenceAsync(new ListEvidenceRequest { Parent = claim.Name });

        listed.Evidence.Select(e => e.Name).ShouldBe(added);
        listed.Evidence.Select(e => e.Stance).ShouldBe(stances);
        listed.NextPageToken.ShouldBeEmpty();
    }

    [Fact]
    public async Task ListEvidence_WithPageSize_PagesAcrossAllItemsWithoutRepeats()
    {
        var (claim, source) = await NewClaimAndSourceAsync();
        var added = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            added.Add((await AddAsync(claim.Name, source.Name, Stance.Context, $"excerpt {i}")).Name);
        }

        var pages = new List<ListEvidenceResponse>();
        var token = "";
        do
        {
            var page = await server.Evidence().ListEvidenceAsync(new ListEvidenceRequest { Parent = claim.Name, PageSize = 2, PageToken = token });
            pages.Add(page);
            token = page.NextPageToken;
        }
        while (token.Length > 0 && pages.Count < 10);

        pages.Select(p => p.Evidence.Count).ShouldBe([2, 2, 1]);
        pages[^1].NextPageToken.ShouldBeEmpty();
        pages.SelectMany(p => p.Evidence).Select(e => e.Name).ShouldBe(added);
        pages.SelectMany(p => p.Evidence).Select(e => e.Excerpt).ShouldBe(Enumerable.Range(0, 5).Select(i => $"excerpt {i}"));
    }

    [Fact]
    public async Task ListEvidence_WithStanceFilter_ReturnsOnlyThatStance()
    {
        var (claim, source) = await NewClaimAndSourceAsync();
        var s1 = await AddAsync(claim.Name, source.Name, Stance.Supports);
        await AddAsync(claim.Name, source.Name, Stance.Refutes);
        var s2 = await AddAsync(claim.Name, source.Name, Stance.Supports);
        await AddAsync(claim.Name, source.Name, Stance.Origin);

        var supports = await server.Evidence().ListEvidenceAsync(new ListEvidenceRequest { Parent = claim.Name, Stance = Stance.Supports });
        var refutes = await server.Evidence().ListEvidenceAsync(new ListEvidenceRequest { Parent = claim.Name, Stance = Stance.Refutes });

        supports.Evidence.Select(e => e.Name).ShouldBe([s1.Name, s2.Name]);
        refutes.Evidence.Count.ShouldBe(1);
        refutes.Evidence[0].Stance.ShouldBe(Stance.Refutes);
    }

    [Fact]
    public async Task ListEvidence_RemovedItems_HiddenUnlessShowRemoved()
    {
        var (claim, source) = await NewClaimAndSourceAsync();
        var kept1 = await AddAsync(claim.Name, source.Name, Stance.Supports);
        var removed = await AddAsync(claim.Name, source.Name, Stance.Refutes);
        var kept2 = await AddAsync(claim.Name, source.Name, Stance.Context);
        var removedNow = await server.Evidence().RemoveEvidenceAsync(new RemoveEvidenceRequest { Name = removed.Name, Etag = removed.Etag });

        var visible = await server.Evidence().ListEvidenceAsync(new ListEvidenceRequest { Parent = claim.Name });
        var everything = await server.Evidence().ListEvidenceAsync(new ListEvidenceRequest { Parent = claim.Name, ShowRemoved = true });

        visible.Evidence.Select(e => e.Name).ShouldBe([kept1.Name, kept2.Name]);
        everything.Evidence.Select(e => e.Name).ShouldBe([kept1.Name, removed.Name, kept2.Name]);
        everything.Evidence[1].ShouldBe(removedNow);
        everything.Evidence[1].RemoveTime.ShouldNotBeNull();
    }

    [Fact]
    public async Task ListEvidence_UnknownClaim_FailsNotFound()
    {
        var unknown = $"claims/{Guid.NewGuid():N}";

        var status = await RpcAssert.Fails(StatusCode.NotFound, server.Evidence().ListEvidenceAsync(new ListEvidenceRequest { Parent = unknown }));

        status.GetDetail<ResourceInfo>().ShouldNotBeNull().ResourceName.ShouldBe(unknown);
    }

    // ---- RemoveEvidence -----------------------------------------------------------------------------------------

    [Fact]
    public async Task RemoveEvidence_Active_SetsRemoveTimeAndRecordsEvidenceRemovedInHistory()
    {
        var (claim, source) = await NewClaimAndSourceAsync();
        var added = await AddAsync(claim.Name, source.Name, Stance.Supports);

        var removed = await server.Evidence("dave").RemoveEvidenceAsync(new RemoveEvidenceRequest { Name = added.Name, Etag = added.Etag });

        removed.Name.ShouldBe(added.Name);
        removed.RemoveTime.ShouldNotBeNull();
        removed.RemoveTime.ToDateTimeOffset().ShouldBeGreaterThan(added.CreateTime.ToDateTimeOffset());
        removed.Etag.ShouldBe("\"2\"");
        removed.Stance.ShouldBe(Stance.Supports);
        removed.AddedBy.ShouldBe(added.AddedBy);

        var history = await server.Claims().ListClaimHistoryAsync(new ListClaimHistoryRequest { Name = claim.Name });
        history.Events.Select(e => e.Type).ShouldBe([
            ClaimEvent.Types.Type.Created,
            ClaimEvent.Types.Type.EvidenceAdded,
            ClaimEvent.Types.Type.EvidenceRemoved,
        ]);
        var removal = history.Events[^1];
        removal.Evidence.ShouldBe(added.Name);
        removal.Actor.ShouldBe("dave");
        removal.Time.ShouldBe(removed.RemoveTime);
    }

    [Fact]
    public async Task RemoveEvidence_AlreadyRemoved_FailsFailedPrecondition()
    {
        var (claim, source) = await NewClaimAndSourceAsync();
        var added = await AddAsync(claim.Name, source.Name, Stance.Supports);
        var removed = await server.Evidence().RemoveEvidenceAsync(new RemoveEvidenceRequest { Name = added.Name });

        var status = await RpcAssert.Fails(StatusCode.FailedPrecondition,
            server.Evidence().RemoveEvidenceAsync(new RemoveEvidenceRequest { Name = added.Name, Etag = removed.Etag }));

        status.GetDetail<ErrorInfo>().Reason.ShouldBe("EVIDENCE_ALREADY_REMOVED");
        var listed = await server.Evidence().ListEvidenceAsync(new ListEvidenceRequest { Parent = claim.Name, ShowRemoved = true });
        listed.Evidence.ShouldBe([removed], "the second removal changes nothing");
        var history = await server.Claims().ListClaimHistoryAsync(new ListClaimHistoryRequest { Name = claim.Name });
        history.Events.Count(e => e.Type == ClaimEvent.Types.Type.EvidenceRemoved).ShouldBe(1);
    }

    [Fact]
    public async Task RemoveEvidence_WithStaleEtag_FailsAbortedAndKeepsEvidence()
    {
        var (claim, source) = await NewClaimAndSourceAsync();
        var added = await AddAsync(claim.Name, source.Name, Stance.Supports);

        var status = await RpcAssert.Fails(StatusCode.Aborted,
            server.Evidence().RemoveEvidenceAsync(new RemoveEvidenceRequest { Name = added.Name, Etag = "\"7\"" }));

        status.GetDetail<ErrorInfo>().Reason.ShouldBe("ETAG_MISMATCH");
        var listed = await server.Evidence().ListEvidenceAsync(new ListEvidenceRequest { Parent = claim.Name });
        listed.Evidence.ShouldBe([added]);
    }

    [Fact]
    public async Task RemoveEvidence_CitedByCurrentVerdictOfVerifiedClaim_FailsWithEvidenceCitedByVerdict()
    {
        var claims = server.Claims();
        var (claim, source) = await NewClaimAndSourceAsync();
        claim = await claims.StartReviewAsync(new StartReviewRequest { Name = claim.Name });
        var cited = await AddAsync(claim.Name, source.Name, Stance.Supports);
        var verified = await claims.SubmitVerdictAsync(new SubmitVerdictRequest
        {
            Name = claim.Name,
            Rating = Rating.True,
            Rationale = "The supporting source confirms it.",
            Evidence = { cited.Name },
        });
        verified.Status.ShouldBe(ClaimStatus.Verified);

        var status = await RpcAssert.Fails(StatusCode.FailedPrecondition,
            server.Evidence().RemoveEvidenceAsync(new RemoveEvidenceRequest { Name = cited.Name, Etag = cited.Etag }));

        status.GetDetail<ErrorInfo>().Reason.ShouldBe("EVIDENCE_CITED_BY_VERDICT");
        status.GetDetail<PreconditionFailure>().ShouldNotBeNull().Violations.ShouldHaveSingleItem().Subject.ShouldBe(cited.Name);
        var listed = await server.Evidence().ListEvidenceAsync(new ListEvidenceRequest { Parent = claim.Name });
        listed.Evidence.ShouldBe([cited]);
        (await claims.GetClaimAsync(new GetClaimRequest { Name = claim.Name })).ShouldBe(verified);
    }

    [Fact]
    public async Task RemoveEvidence_NotCitedByVerdictOfVerifiedClaim_Succeeds()
    {
        var claims = server.Claims();
        var (claim, source) = await NewClaimAndSourceAsync();
        claim = await claims.StartReviewAsync(new StartReviewRequest { Name = claim.Name });
        var cited = await AddAsync(claim.Name, source.Name, Stance.Supports);
        var uncited = await AddAsync(claim.Name, source.Name, Stance.Context);
        await claims.SubmitVerdictAsync(new SubmitVerdictRequest
        {
            Name = claim.Name,
            Rating = Rating.True,
            Rationale = "Only the supporting item is cited.",
            Evidence = { cited.Name },
        });

        var removed = await server.Evidence().RemoveEvidenceAsync(new RemoveEvidenceRequest { Name = uncited.Name, Etag = uncited.Etag });

        removed.Name.ShouldBe(uncited.Name);
        removed.RemoveTime.ShouldNotBeNull();
        removed.Etag.ShouldBe("\"2\"");
        var visible = await server.Evidence().ListEvidenceAsync(new ListEvidenceRequest { Parent = claim.Name });
        visible.Evidence.Select(e => e.Name).ShouldBe([cited.Name]);
    }

    [Fact]
    public async Task SubmitVerdict_CitingRemovedEvidence_FailsFailedPreconditionAndClaimStaysInReview()
    {
        var claims = server.Claims();
        var (claim, source) = await NewClaimAndSourceAsync();
        var reviewing = await claims.StartReviewAsync(new StartReviewRequest { Name = claim.Name });
        var kept = await AddAsync(claim.Name, source.Name, Stance.Supports);
        var gone = await AddAsync(claim.Name, source.Name, Stance.Supports);
        await server.Evidence().RemoveEvidenceAsync(new RemoveEvidenceRequest { Name = gone.Name });
        var before = await claims.GetClaimAsync(new GetClaimRequest { Name = claim.Name });

        var status = await RpcAssert.Fails(StatusCode.FailedPrecondition, claims.SubmitVerdictAsync(new SubmitVerdictRequest
        {
            Name = claim.Name,
            Rating = Rating.MostlyTrue,
            Rationale = "Cites an item that was removed.",
            Evidence = { kept.Name, gone.Name },
        }));

        status.GetDetail<ErrorInfo>().Reason.ShouldBe("EVIDENCE_REMOVED");
        var after = await claims.GetClaimAsync(new GetClaimRequest { Name = claim.Name });
        after.Status.ShouldBe(ClaimStatus.InReview);
        after.ShouldBe(before);
        reviewing.Status.ShouldBe(ClaimStatus.InReview);
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private async Task<(Claim Claim, Source Source)> NewClaimAndSourceAsync()
    {
        var source = await server.Sources().CreateSourceAsync(TestData.NewSource());
        var claim = await server.Claims().CreateClaimAsync(TestData.NewClaim());
        return (claim, source);
    }

    private Task<Evidence> AddAsync(string claim, string source, Stance stance, string excerpt = "") =>
        server.Evidence().AddEvidenceAsync(new AddEvidenceRequest
        {
            Parent = claim,
            Evidence = new Evidence { Source = source, Stance = stance, Excerpt = excerpt },
        }).ResponseAsync;

    private static string NewSha256() => Convert.ToHexStringLower(SHA256.HashData(Guid.NewGuid().ToByteArray()));

    private long CountEvidence(string claimName)
    {
        _ = server.Server; // start the host (and run its migrations) before reading its database
        return Db.Scalar(server.DatabasePath, "SELECT count(*) FROM evidence WHERE claim_id = @Claim", ("@Claim", claimName["claims/".Length..]));
    }
}
