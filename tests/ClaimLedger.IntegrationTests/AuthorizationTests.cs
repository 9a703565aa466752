using System.Security.Cryptography;
using ClaimLedger.Contracts.V1;
using ClaimLedger.IntegrationTests.Infrastructure;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Health.V1;
using Grpc.Reflection.V1Alpha;

namespace ClaimLedger.IntegrationTests;

/// <summary>
/// The authorization matrix: every RPC of every ClaimLedger service, called by every role and by callers without a
/// usable key. The expected permission of each RPC is written out here, independently of the server's attributes.
/// </summary>
public sealed class AuthorizationTests(ClaimLedgerServer server) : IClassFixture<ClaimLedgerServer>
{
    /// <summary>The permissions this test expects (deliberately not the server's own enum).</summary>
    public enum Needs
    {
        Read,
        Contribute,
        Decide,
        Audit,
        Administer,
    }

    /// <summary>What each role may do, as the contract documents it.</summary>
    private static readonly Dictionary<Role, Needs[]> Grants = new()
    {
        [Role.Reader] = [Needs.Read],
        [Role.Contributor] = [Needs.Read, Needs.Contribute],
        [Role.Editor] = [Needs.Read, Needs.Contribute, Needs.Decide],
        [Role.Auditor] = [Needs.Read, Needs.Audit],
        [Role.Admin] = [Needs.Read, Needs.Contribute, Needs.Decide, Needs.Audit, Needs.Administer],
    };

    /// <summary>The permission every RPC needs: the authorization contract, one literal row per RPC.</summary>
    private static readonly Dictionary<string, Needs> Expected = new()
    {
        ["claimledger.v1.ClaimService/CreateClaim"] = Needs.Contribute,
        ["claimledger.v1.ClaimService/GetClaim"] = Needs.Read,
        ["claimledger.v1.ClaimService/ListClaims"] = Needs.Read,
        ["claimledger.v1.ClaimService/SearchClaims"] = Needs.Read,
        ["claimledger.v1.ClaimService/FindSimilarClaims"] = Needs.Read,
        ["claimledger.v1.ClaimService/UpdateClaim"] = Needs.Contribute,
        ["claimledger.v1.ClaimService/StartReview"] = Needs.Contribute,
        ["claimledger.v1.ClaimService/SubmitVerdict"] = Needs.Decide,
        ["claimledger.v1.ClaimService/RetractClaim"] = Needs.Decide,
        ["claimledger.v1.ClaimService/ListClaimHistory"] = Needs.Read,
        ["claimledger.v1.SourceService/CreateSource"] = Needs.Contribute,
        ["claimledger.v1.SourceService/GetSource"] = Needs.Read,
        ["claimledger.v1.SourceService/ListSources"] = Needs.Read,
        ["claimledger.v1.SourceService/UpdateSource"] = Needs.Contribute,
        ["claimledger.v1.EvidenceService/AddEvidence"] = Needs.Contribute,
        ["claimledger.v1.EvidenceService/RemoveEvidence"] = Needs.Contribute,
        ["claimledger.v1.EvidenceService/ListEvidence"] = Needs.Read,
        ["claimledger.v1.LedgerService/ListLedgerEntries"] = Needs.Audit,
        ["claimledger.v1.LedgerService/GetLedgerDigest"] = Needs.Audit,
        ["claimledger.v1.LedgerService/VerifyLedger"] = Needs.Audit,
        ["claimledger.v1.LedgerService/WatchLedger"] = Needs.Audit,
        ["claimledger.v1.LedgerService/GetCheckpoint"] = Needs.Read,
        ["claimledger.v1.LedgerService/ListCheckpoints"] = Needs.Read,
        ["claimledger.v1.LedgerService/GetVerifierKey"] = Needs.Read,
        ["claimledger.v1.LedgerService/GetInclusionProof"] = Needs.Audit,
        ["claimledger.v1.LedgerService/GetConsistencyProof"] = Needs.Read,
        ["claimledger.v1.LedgerService/GetClaimProof"] = Needs.Audit,
        ["claimledger.v1.AccessService/CreateApiKey"] = Needs.Administer,
        ["claimledger.v1.AccessService/ListApiKeys"] = Needs.Administer,
        ["claimledger.v1.AccessService/RevokeApiKey"] = Needs.Administer,
        ["claimledger.v1.ReportService/GenerateAuditReport"] = Needs.Audit,
        ["claimledger.v1.ReportService/ExportClaimReviews"] = Needs.Read,
        ["claimledger.v1.StalenessService/RunStalenessCheck"] = Needs.Administer,
        ["claimledger.v1.StalenessService/GetStalenessRun"] = Needs.Read,
        ["claimledger.v1.StalenessService/ListStalenessRuns"] = Needs.Read,
        ["claimledger.v1.StalenessService/ListStaleClaims"] = Needs.Read,
        ["claimledger.v1.StalenessService/GetReviewPolicy"] = Needs.Read,
        ["claimledger.v1.StalenessService/SetReviewPolicy"] = Needs.Administer,
        ["claimledger.v1.TransferService/ImportClaims"] = Needs.Decide,
        ["claimledger.v1.TransferService/ExportClaims"] = Needs.Read,
        ["claimledger.v1.AdminService/CreateBackup"] = Needs.Administer,
    };

    private static readonly Dictionary<string, Role> RoleCallers = new()
    {
        ["READER"] = Role.Reader,
        ["CONTRIBUTOR"] = Role.Contributor,
        ["EDITOR"] = Role.Editor,
        ["AUDITOR"] = Role.Auditor,
        ["ADMIN"] = Role.Admin,
    };

    /// <summary>Callers without a usable key, and the ErrorInfo reason each must get.</summary>
    private static readonly Dictionary<string, string> KeylessCallers = new()
    {
        ["no key"] = "API_KEY_MISSING",
        ["malformed key"] = "API_KEY_INVALID",
        ["unknown key"] = "API_KEY_INVALID",
        ["known id, wrong secret"] = "API_KEY_INVALID",
        ["revoked ADMIN key"] = "API_KEY_REVOKED",
    };

    public static TheoryData<string, string> EveryRpcByEveryCaller
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var rpc in Expected.Keys)
            {
                foreach (var caller in RoleCallers.Keys.Concat(KeylessCallers.Keys))
                {
                    data.Add(rpc, caller);
                }
            }

            return data;
        }
    }

    public static TheoryData<string, string> EveryRpcByEveryCallerLackingPermission
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var (rpc, needs) in Expected)
            {
                data.Add(rpc, "no key");
                foreach (var (caller, role) in RoleCallers.Where(r => !Grants[r.Value].Contains(needs)))
                {
                    data.Add(rpc, caller);
                }
            }

            return data;
        }
    }

    // ---- The matrix ---------------------------------------------------------------------------------------------

    [Fact]
    public void ExpectedTable_CoversEveryRpcOfEveryService()
    {
        ServiceDescriptor[] services =
            [ClaimService.Descriptor, SourceService.Descriptor, EvidenceService.Descriptor, LedgerService.Descriptor, AccessService.Descriptor, ReportService.Descriptor, StalenessService.Descriptor,
             TransferService.Descriptor, AdminService.Descriptor];
        services.Select(s => s.Methods.Count).ShouldBe([10, 4, 3, 10, 3, 2, 6, 2, 1]);
        // Every service of the contract is in the list above, except the keyless DiagnosticsService (tested below).
        ClaimService.Descriptor.File.Package.ShouldBe("claimledger.v1");
        services.Select(s => s.FullName).Order().ShouldBe(AllContractServices().Except([DiagnosticsService.Descriptor.FullName]).Order());
        ClaimService.Descriptor.File.Package.ShouldBe("claimledger.v1");

        var rpcs = services.SelectMany(s => s.Methods).Select(FullName).Order().ToList();

        Expected.Keys.Order().ShouldBe(rpcs);
        Calls.Keys.Order().ShouldBe(rpcs);
    }

    [Theory]
    [MemberData(nameof(EveryRpcByEveryCaller))]
    public async Task EveryRpc_ServesCallersWithItsPermission_DeniesTheRest_AndRejectsUnusableKeys(string rpc, string caller)
    {
        var call = await Calls[rpc](server);
        var invoker = await InvokerForAsync(caller);
        var before = Db.Snapshot(server.DatabasePath);

        if (KeylessCallers.TryGetValue(caller, out var reason))
        {
            var status = await RpcAssert.Fails(StatusCode.Unauthenticated, () => call(invoker));
            status.GetDetail<ErrorInfo>().Reason.ShouldBe(reason);
            Db.Snapshot(server.DatabasePath).ShouldBe(before, "a call without a usable key writes nothing");
        }
        else if (Grants[RoleCallers[caller]].Contains(Expected[rpc]))
        {
            // The request names real resources in a state that allows the call, so a permitted caller is fully served.
            var reply = await call(invoker);
            reply.ShouldNotBeNull();
        }
        else
        {
            var status = await RpcAssert.Fails(StatusCode.PermissionDenied, () => call(invoker));
            status.GetDetail<ErrorInfo>().Reason.ShouldBe("PERMISSION_DENIED");
            Db.Snapshot(server.DatabasePath).ShouldBe(before, "a denied call writes nothing");
        }
    }

    [Theory]
    [MemberData(nameof(EveryRpcByEveryCallerLackingPermission))]
    public async Task EmptyRequest_FromCallerLackingPermission_GetsTheAuthErrorBeforeValidation(string rpc, string caller)
    {
        // An empty message misses every required field: validation would answer INVALID_ARGUMENT, a lookup NOT_FOUND.
        var invoker = await InvokerForAsync(caller);
        var method = Methods[rpc];

        if (caller == "no key")
        {
            var status = await RpcAssert.Fails(StatusCode.Unauthenticated, () => CallWithEmptyRequestAsync(invoker, method));
            status.GetDetail<ErrorInfo>().Reason.ShouldBe("API_KEY_MISSING");
        }
        else
        {
            var status = await RpcAssert.Fails(StatusCode.PermissionDenied, () => CallWithEmptyRequestAsync(invoker, method));
            status.GetDetail<ErrorInfo>().Reason.ShouldBe("PERMISSION_DENIED");
        }
    }

    // ---- Ordering and side effects ------------------------------------------------------------------------------

    [Fact]
    public async Task SubmitVerdict_ByReader_OnNonexistentClaim_IsPermissionDenied_NotNotFound()
    {
        var request = new SubmitVerdictRequest { Name = "claims/" + new string('a', 32), Rating = Rating.Unproven, Rationale = "Nothing found." };

        var denied = await RpcAssert.Fails(StatusCode.PermissionDenied, server.Claims("authz-reader", Role.Reader).SubmitVerdictAsync(request));

        denied.GetDetail<ErrorInfo>().Reason.ShouldBe("PERMISSION_DENIED");
        denied.GetDetail<ResourceInfo>().ShouldBeNull("a denied caller learns nothing about the resource");
        // Control: the claim really does not exist, so a caller allowed to decide gets NOT_FOUND.
        var notFound = await RpcAssert.Fails(StatusCode.NotFound, server.Claims("authz-editor", Role.Editor).SubmitVerdictAsync(request));
        notFound.GetDetail<ResourceInfo>().ResourceName.ShouldBe(request.Name);
    }

    [Fact]
    public async Task UnknownKey_OnNonexistentClaim_IsUnauthenticated_NotNotFound()
    {
        var client = new ClaimService.ClaimServiceClient(server.Authorized(UnknownKey()));

        var status = await RpcAssert.Fails(StatusCode.Unauthenticated, client.GetClaimAsync(new GetClaimRequest { Name = "claims/" + new string('b', 32) }));

        status.GetDetail<ErrorInfo>().Reason.ShouldBe("API_KEY_INVALID");
        status.GetDetail<ResourceInfo>().ShouldBeNull();
    }

    [Fact]
    public async Task DeniedWrites_LeaveTheDatabaseUnchanged()
    {
        var claim = await NewClaimAsync(server);
        var before = Db.Snapshot(server.DatabasePath);

        await RpcAssert.Fails(StatusCode.PermissionDenied, server.Claims("authz-contributor", Role.Contributor)
            .RetractClaimAsync(new RetractClaimRequest { Name = claim.Name, Reason = RetractionReason.Withdrawn }));
        await RpcAssert.Fails(StatusCode.PermissionDenied, server.Claims("authz-reader", Role.Reader).CreateClaimAsync(NewClaimRequest()));
        await RpcAssert.Fails(StatusCode.PermissionDenied, server.Sources("authz-auditor", Role.Auditor).CreateSourceAsync(TestData.NewSource()));
        await RpcAssert.Fails(StatusCode.PermissionDenied, server.Access("authz-editor", Role.Editor)
            .CreateApiKeyAsync(new CreateApiKeyRequest { ApiKey = new ApiKey { DisplayName = "sneaky", Role = Role.Admin } }));

        Db.Snapshot(server.DatabasePath).ShouldBe(before);
        var unchanged = await server.Claims("authz-setup").GetClaimAsync(new GetClaimRequest { Name = claim.Name });
        unchanged.Status.ShouldBe(ClaimStatus.Unverified);
        unchanged.Etag.ShouldBe(claim.Etag);
        Db.Scalar(server.DatabasePath, "SELECT count(*) FROM api_keys WHERE display_name = 'sneaky'").ShouldBe(0);
    }

    [Fact]
    public async Task UpdateSource_ByContributor_WithImplicitMask_IsServed_AndChangesOnlyTheFieldsSet()
    {
        // AIP-134: without an update_mask, the updatable fields set in the request are updated. Found while building
        // the matrix: enum fields left at their default (kind, reliability) are counted as set, so this permitted
        // call fails with INVALID_ARGUMENT on source.kind (and, with kind set, would erase the reliability grade).
        var source = await server.Sources("authz-setup").CreateSourceAsync(TestData.NewSource());

        var updated = await server.Sources("authz-contributor", Role.Contributor)
            .UpdateSourceAsync(new UpdateSourceRequest { Source = new Source { Name = source.Name, Title = "Retitled" } });

        updated.Title.ShouldBe("Retitled");
        updated.Kind.ShouldBe(SourceKind.NewsArticle);
        updated.Reliability.ShouldBe(Reliability.BUsuallyReliable);
        updated.Publisher.ShouldBe(source.Publisher);
    }

    // ---- How the key is sent ------------------------------------------------------------------------------------

    [Theory]
    [InlineData("{key}", "API_KEY_INVALID")] // no scheme
    [InlineData("Basic {key}", "API_KEY_INVALID")]
    [InlineData("Bearer {key}x", "API_KEY_INVALID")] // one character too many
    [InlineData("Bearer {key} trailing", "API_KEY_INVALID")]
    [InlineData("Bearer cl_0123456789abcdef_short", "API_KEY_INVALID")]
    [InlineData("Bearer ", "API_KEY_INVALID")]
    public async Task AuthorizationHeader_NotABearerKey_IsUnauthenticated(string header, string reason)
    {
        var client = new ClaimService.ClaimServiceClient(WithHeader(header.Replace("{key}", server.AdminKey, StringComparison.Ordinal)));

        var status = await RpcAssert.Fails(StatusCode.Unauthenticated, client.ListClaimsAsync(new ListClaimsRequest()));

        status.GetDetail<ErrorInfo>().Reason.ShouldBe(reason);
    }

    [Theory]
    [InlineData("Bearer {key}")]
    [InlineData("bearer {key}")] // the scheme is case-insensitive (RFC 9110)
    public async Task AuthorizationHeader_BearerKey_IsAccepted(string header)
    {
        var client = new ClaimService.ClaimServiceClient(WithHeader(header.Replace("{key}", server.AdminKey, StringComparison.Ordinal)));

        var reply = await client.ListClaimsAsync(new ListClaimsRequest { PageSize = 1 });

        reply.ShouldNotBeNull();
    }

    // ---- Unauthenticated infrastructure endpoints ---------------------------------------------------------------

    [Fact]
    public async Task Health_WorksWithoutKey_WhileServicesDoNot()
    {
        var health = new Health.HealthClient(server.Channel());

        var reply = await health.CheckAsync(new HealthCheckRequest());

        reply.Status.ShouldBe(HealthCheckResponse.Types.ServingStatus.Serving);
        var status = await RpcAssert.Fails(StatusCode.Unauthenticated, new ClaimService.ClaimServiceClient(server.Channel()).ListClaimsAsync(new ListClaimsRequest()));
        status.GetDetail<ErrorInfo>().Reason.ShouldBe("API_KEY_MISSING");
    }

    [Fact]
    public async Task Ping_AnswersWithoutKey_AndWritesNothing()
    {
        var diagnostics = new DiagnosticsService.DiagnosticsServiceClient(server.Channel());
        var before = Db.Snapshot(server.DatabasePath);

        var reply = await diagnostics.PingAsync(new PingRequest());

        reply.ShouldBe(new PingResponse());
        DiagnosticsService.Descriptor.Methods.Select(m => m.Name).ShouldBe(["Ping"]);
        Db.Snapshot(server.DatabasePath).ShouldBe(before);
    }

    [Fact]
    public async Task Reflection_WorksWithoutKey_AndListsEveryService()
    {
        var reflection = new ServerReflection.ServerReflectionClient(server.Channel());
        using var call = reflection.ServerReflectionInfo();
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.CompleteAsync();

        (await call.ResponseStream.MoveNext(CancellationToken.None)).ShouldBeTrue();
        call.ResponseStream.Current.ErrorResponse.ShouldBeNull();
        var services = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();

        services.ShouldContain("claimledger.v1.ClaimService");
        services.ShouldContain("claimledger.v1.SourceService");
        services.ShouldContain("claimledger.v1.EvidenceService");
        services.ShouldContain("claimledger.v1.LedgerService");
        services.ShouldContain("claimledger.v1.AccessService");
    }

    // ---- Callers ------------------------------------------------------------------------------------------------

    private async Task<CallInvoker> InvokerForAsync(string caller)
    {
        if (RoleCallers.TryGetValue(caller, out var role))
        {
            return server.As($"authz-{caller.ToLowerInvariant()}", role);
        }

        return caller switch
        {
            "no key" => server.Authorized(null),
            "malformed key" => server.Authorized("not-an-api-key"),
            "unknown key" => server.Authorized(UnknownKey()),
            "known id, wrong secret" => server.Authorized(server.AdminKey[..36] + RandomSecret()),
            "revoked ADMIN key" => server.Authorized(await RevokedAdminKeyAsync()),
            _ => throw new ArgumentOutOfRangeException(nameof(caller), caller, "unknown caller"),
        };
    }

    /// <summary>A fresh ADMIN key, used once (so the server has it cached) and then revoked.</summary>
    private async Task<string> RevokedAdminKeyAsync()
    {
        var access = server.Access("authz-setup");
        var created = await access.CreateApiKeyAsync(new CreateApiKeyRequest { ApiKey = new ApiKey { DisplayName = "authz-revoked", Role = Role.Admin } });
        await new LedgerService.LedgerServiceClient(server.Authorized(created.Key)).GetLedgerDigestAsync(new GetLedgerDigestRequest());
        await access.RevokeApiKeyAsync(new RevokeApiKeyRequest { Name = created.ApiKey.Name });
        return created.Key;
    }

    private static string UnknownKey() => $"cl_{Guid.NewGuid():N}_{RandomSecret()}";

    private static string RandomSecret() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private CallInvoker WithHeader(string value) => server.Channel().Intercept(m =>
    {
        m.Add("authorization", value);
        return m;
    });

    // ---- Calls: each prepares real resources (as an admin) so that a permitted caller is fully served ------------

    private delegate Task<IMessage> Call(CallInvoker caller);

    private delegate Task<Call> Prepare(ClaimLedgerServer server);

    private static readonly Dictionary<string, Prepare> Calls = new()
    {
        ["claimledger.v1.ClaimService/CreateClaim"] = NoSetup(async c => await Claims(c).CreateClaimAsync(NewClaimRequest())),
        ["claimledger.v1.ClaimService/GetClaim"] = async s =>
        {
            var claim = await NewClaimAsync(s);
            return async c => await Claims(c).GetClaimAsync(new GetClaimRequest { Name = claim.Name });
        },
        ["claimledger.v1.ClaimService/ListClaims"] = NoSetup(async c => await Claims(c).ListClaimsAsync(new ListClaimsRequest { PageSize = 5 })),
        ["claimledger.v1.ClaimService/SearchClaims"] = NoSetup(async c => await Claims(c).SearchClaimsAsync(new SearchClaimsRequest { Query = "million", PageSize = 5 })),
        ["claimledger.v1.ClaimService/FindSimilarClaims"] = async s =>
        {
            var claim = await NewClaimAsync(s);
            return async c => await Claims(c).FindSimilarClaimsAsync(new FindSimilarClaimsRequest { Text = claim.Text });
        },
        ["claimledger.v1.ClaimService/UpdateClaim"] = async s =>
        {
            var claim = await NewClaimAsync(s);
            return async c => await Claims(c).UpdateClaimAsync(new UpdateClaimRequest { Claim = new Claim { Name = claim.Name, Claimant = "A different claimant" } });
        },
        ["claimledger.v1.ClaimService/StartReview"] = async s =>
        {
            var claim = await NewClaimAsync(s);
            return async c => await Claims(c).StartReviewAsync(new StartReviewRequest { Name = claim.Name, Note = "taking it" });
        },
        ["claimledger.v1.ClaimService/SubmitVerdict"] = async s =>
        {
            var claim = await NewClaimAsync(s);
            await s.Claims("authz-setup").StartReviewAsync(new StartReviewRequest { Name = claim.Name });
            return async c => await Claims(c).SubmitVerdictAsync(new SubmitVerdictRequest { Name = claim.Name, Rating = Rating.Unproven, Rationale = "Nothing found either way." });
        },
        ["claimledger.v1.ClaimService/RetractClaim"] = async s =>
        {
            var claim = await NewClaimAsync(s);
            return async c => await Claims(c).RetractClaimAsync(new RetractClaimRequest { Name = claim.Name, Reason = RetractionReason.Withdrawn });
        },
        ["claimledger.v1.ClaimService/ListClaimHistory"] = async s =>
        {
            var claim = await NewClaimAsync(s);
            return async c => await Claims(c).ListClaimHistoryAsync(new ListClaimHistoryRequest { Name = claim.Name });
        },
        ["claimledger.v1.SourceService/CreateSource"] = NoSetup(async c => await new SourceService.SourceServiceClient(c).CreateSourceAsync(TestData.NewSource())),
        ["claimledger.v1.SourceService/GetSource"] = async s =>
        {
            var source = await s.Sources("authz-setup").CreateSourceAsync(TestData.NewSource());
            return async c => await new SourceService.SourceServiceClient(c).GetSourceAsync(new GetSourceRequest { Name = source.Name });
        },
        ["claimledger.v1.SourceService/ListSources"] = NoSetup(async c => await new SourceService.SourceServiceClient(c).ListSourcesAsync(new ListSourcesRequest { PageSize = 5 })),
        ["claimledger.v1.SourceService/UpdateSource"] = async s =>
        {
            var source = await s.Sources("authz-setup").CreateSourceAsync(TestData.NewSource());
            return async c => await new SourceService.SourceServiceClient(c).UpdateSourceAsync(new UpdateSourceRequest
            {
                Source = new Source { Name = source.Name, Title = "Retitled" },
                UpdateMask = new FieldMask { Paths = { "title" } },
            });
        },
        ["claimledger.v1.EvidenceService/AddEvidence"] = async s =>
        {
            var claim = await NewClaimAsync(s);
            var source = await s.Sources("authz-setup").CreateSourceAsync(TestData.NewSource());
            return async c => await new EvidenceService.EvidenceServiceClient(c).AddEvidenceAsync(new AddEvidenceRequest
            {
                Parent = claim.Name,
                Evidence = new Evidence { Source = source.Name, Stance = Stance.Supports, Excerpt = "It happened." },
            });
        },
        ["claimledger.v1.EvidenceService/RemoveEvidence"] = async s =>
        {
            var claim = await NewClaimAsync(s);
            var source = await s.Sources("authz-setup").CreateSourceAsync(TestData.NewSource());
            var evidence = await s.Evidence("authz-setup").AddEvidenceAsync(new AddEvidenceRequest
            {
                Parent = claim.Name,
                Evidence = new Evidence { Source = source.Name, Stance = Stance.Context },
            });
            return async c => await new EvidenceService.EvidenceServiceClient(c).RemoveEvidenceAsync(new RemoveEvidenceRequest { Name = evidence.Name });
        },
        ["claimledger.v1.EvidenceService/ListEvidence"] = async s =>
        {
            var claim = await NewClaimAsync(s);
            return async c => await new EvidenceService.EvidenceServiceClient(c).ListEvidenceAsync(new ListEvidenceRequest { Parent = claim.Name });
        },
        ["claimledger.v1.LedgerService/ListLedgerEntries"] = NoSetup(async c => await new LedgerService.LedgerServiceClient(c).ListLedgerEntriesAsync(new ListLedgerEntriesRequest { PageSize = 5 })),
        ["claimledger.v1.LedgerService/GetLedgerDigest"] = NoSetup(async c => await new LedgerService.LedgerServiceClient(c).GetLedgerDigestAsync(new GetLedgerDigestRequest())),
        ["claimledger.v1.LedgerService/VerifyLedger"] = NoSetup(async c => await new LedgerService.LedgerServiceClient(c).VerifyLedgerAsync(new VerifyLedgerRequest())),
        ["claimledger.v1.LedgerService/WatchLedger"] = NoSetup(async c =>
        {
            // A short deadline; one read. The ledger always holds the bootstrap entry, so a permitted caller gets entry 1.
            using var watch = new LedgerService.LedgerServiceClient(c).WatchLedger(new WatchLedgerRequest { StartSequence = 1 }, deadline: DateTime.UtcNow.AddSeconds(10));
            (await watch.ResponseStream.MoveNext(CancellationToken.None)).ShouldBeTrue();
            watch.ResponseStream.Current.Sequence.ShouldBe(1);
            return watch.ResponseStream.Current;
        }),
        ["claimledger.v1.LedgerService/GetCheckpoint"] = async s =>
        {
            await CheckpointedAsync(s);
            return async c => await new LedgerService.LedgerServiceClient(c).GetCheckpointAsync(new GetCheckpointRequest());
        },
        ["claimledger.v1.LedgerService/ListCheckpoints"] = NoSetup(async c => await new LedgerService.LedgerServiceClient(c).ListCheckpointsAsync(new ListCheckpointsRequest())),
        ["claimledger.v1.LedgerService/GetVerifierKey"] = NoSetup(async c => await new LedgerService.LedgerServiceClient(c).GetVerifierKeyAsync(new GetVerifierKeyRequest())),
        ["claimledger.v1.LedgerService/GetInclusionProof"] = async s =>
        {
            await CheckpointedAsync(s);
            return async c => await new LedgerService.LedgerServiceClient(c).GetInclusionProofAsync(new GetInclusionProofRequest { Sequence = 1 });
        },
        ["claimledger.v1.LedgerService/GetConsistencyProof"] = async s =>
        {
            await CheckpointedAsync(s);
            return async c => await new LedgerService.LedgerServiceClient(c).GetConsistencyProofAsync(new GetConsistencyProofRequest { FirstSize = 1 });
        },
        ["claimledger.v1.LedgerService/GetClaimProof"] = async s =>
        {
            var claim = await NewClaimAsync(s);
            await CheckpointedAsync(s);
            return async c => await new LedgerService.LedgerServiceClient(c).GetClaimProofAsync(new GetClaimProofRequest { Name = claim.Name });
        },
        ["claimledger.v1.AccessService/CreateApiKey"] = NoSetup(async c => await new AccessService.AccessServiceClient(c)
            .CreateApiKeyAsync(new CreateApiKeyRequest { ApiKey = new ApiKey { DisplayName = "authz-made", Role = Role.Reader } })),
        ["claimledger.v1.AccessService/ListApiKeys"] = NoSetup(async c => await new AccessService.AccessServiceClient(c).ListApiKeysAsync(new ListApiKeysRequest { PageSize = 5 })),
        ["claimledger.v1.AccessService/RevokeApiKey"] = async s =>
        {
            var created = await s.Access("authz-setup").CreateApiKeyAsync(new CreateApiKeyRequest { ApiKey = new ApiKey { DisplayName = "authz-to-revoke", Role = Role.Reader } });
            return async c => await new AccessService.AccessServiceClient(c).RevokeApiKeyAsync(new RevokeApiKeyRequest { Name = created.ApiKey.Name, Etag = created.ApiKey.Etag });
        },
        ["claimledger.v1.ReportService/GenerateAuditReport"] = NoSetup(async c =>
        {
            var report = await ReportClient.ReadAllAsync(new ReportService.ReportServiceClient(c).GenerateAuditReport(new GenerateAuditReportRequest
            {
                StartTime = Timestamp.FromDateTimeOffset(new DateTimeOffset(2025, 12, 1, 0, 0, 0, TimeSpan.Zero)),
                EndTime = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero)),
                Format = ReportFormat.Json,
            }));
            report.Data.Length.ShouldBeGreaterThan(0);
            return new StringValue { Value = report.ContentType };
        }),
        ["claimledger.v1.StalenessService/RunStalenessCheck"] = NoSetup(async c =>
        {
            var client = new StalenessService.StalenessServiceClient(c);
            var run = await client.RunStalenessCheckAsync(new RunStalenessCheckRequest { Checks = { StalenessCheck.UnsourcedClaims } });
            // Let the background run finish, so its ledger entries cannot land inside another row's before/after snapshot.
            for (var i = 0; i < 400 && run.State is StalenessRun.Types.State.Pending or StalenessRun.Types.State.Running; i++)
            {
                await Task.Delay(25);
                run = await client.GetStalenessRunAsync(new GetStalenessRunRequest { Name = run.Name });
            }

            run.State.ShouldBe(StalenessRun.Types.State.Succeeded);
            return run;
        }),
        ["claimledger.v1.StalenessService/GetStalenessRun"] = async s =>
        {
            var run = await StalenessDriver.WaitAsync(s, (await new StalenessService.StalenessServiceClient(s.As("authz-setup")).RunStalenessCheckAsync(
                new RunStalenessCheckRequest { Checks = { StalenessCheck.UnsourcedClaims } })).Name);
            return async c => await new StalenessService.StalenessServiceClient(c).GetStalenessRunAsync(new GetStalenessRunRequest { Name = run.Name });
        },
        ["claimledger.v1.StalenessService/ListStalenessRuns"] = NoSetup(async c => await new StalenessService.StalenessServiceClient(c).ListStalenessRunsAsync(new ListStalenessRunsRequest())),
        ["claimledger.v1.StalenessService/ListStaleClaims"] = NoSetup(async c => await new StalenessService.StalenessServiceClient(c).ListStaleClaimsAsync(new ListStaleClaimsRequest())),
        ["claimledger.v1.StalenessService/GetReviewPolicy"] = NoSetup(async c => await new StalenessService.StalenessServiceClient(c).GetReviewPolicyAsync(new GetReviewPolicyRequest())),
        ["claimledger.v1.StalenessService/SetReviewPolicy"] = NoSetup(async c => await new StalenessService.StalenessServiceClient(c).SetReviewPolicyAsync(new SetReviewPolicyRequest
        {
            Policy = new ReviewPolicy { DefaultReviewInterval = Duration.FromTimeSpan(TimeSpan.FromDays(30)), UnsourcedAfter = Duration.FromTimeSpan(TimeSpan.FromDays(7)) },
        })),
        ["claimledger.v1.TransferService/ImportClaims"] = NoSetup(async c =>
        {
            using var call = new TransferService.TransferServiceClient(c).ImportClaims();
            try
            {
                await call.RequestStream.WriteAsync(new ImportClaimsRequest { Record = new ClaimRecord { Claim = new Claim
                {
                    Text = TestData.UniqueText(), Claimant = "Authz import", LanguageCode = "en",
                } } });
                await call.RequestStream.CompleteAsync();
            }
            catch (Exception e) when (e is InvalidOperationException or RpcException)
            {
                // A refused call may end before the upload does; its status comes with the response below.
            }

            var response = await call;
            response.Created.ShouldBe(1);
            return response;
        }),
        ["claimledger.v1.AdminService/CreateBackup"] = NoSetup(async c =>
        {
            using var call = new AdminService.AdminServiceClient(c).CreateBackup(new CreateBackupRequest());
            long bytes = 0;
            await foreach (var chunk in call.ResponseStream.ReadAllAsync())
            {
                bytes += chunk.Data.Length;
            }

            return new Int64Value { Value = bytes };
        }),
        ["claimledger.v1.TransferService/ExportClaims"] = NoSetup(async c =>
        {
            using var call = new TransferService.TransferServiceClient(c).ExportClaims(new ExportClaimsRequest { Topic = "no-such-topic" });
            var records = 0;
            await foreach (var _ in call.ResponseStream.ReadAllAsync())
            {
                records++;
            }

            return new Int32Value { Value = records };
        }),
        ["claimledger.v1.ReportService/ExportClaimReviews"] = NoSetup(async c =>
        {
            var export = await ReportClient.ReadAllAsync(new ReportService.ReportServiceClient(c).ExportClaimReviews(new ExportClaimReviewsRequest
            {
                PublisherName = "Authz", PublisherUrl = "https://authz.example.org", ReviewUrlTemplate = "https://authz.example.org/{claim}",
            }));
            return new StringValue { Value = export.ContentType };
        }),
    };

    private static Prepare NoSetup(Call call) => _ => Task.FromResult(call);

    private static ClaimService.ClaimServiceClient Claims(CallInvoker caller) => new(caller);

    private static CreateClaimRequest NewClaimRequest()
    {
        var request = TestData.NewClaim();
        request.AllowDuplicate = true; // near-duplicate detection is not what this test is about
        return request;
    }

    /// <summary>Waits until a checkpoint covers every entry so far (the integrator runs within milliseconds in tests).</summary>
    private static async Task CheckpointedAsync(ClaimLedgerServer s)
    {
        var ledger = s.Ledger("authz-setup");
        var head = (await ledger.GetLedgerDigestAsync(new GetLedgerDigestRequest())).HeadSequence;
        await StalenessDriver.EventuallyAsync(async () =>
        {
            try
            {
                return (await ledger.GetCheckpointAsync(new GetCheckpointRequest())).TreeSize;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.FailedPrecondition)
            {
                return 0;
            }
        }, size => size >= head, TimeSpan.FromSeconds(20), $"a checkpoint of {head} entries");
    }

    private static Task<Claim> NewClaimAsync(ClaimLedgerServer s) => s.Claims("authz-setup").CreateClaimAsync(NewClaimRequest()).ResponseAsync;

    // ---- Raw calls with an empty request message -------------------------------------------------------------

    private static readonly Dictionary<string, MethodDescriptor> Methods =
        new ServiceDescriptor[] { ClaimService.Descriptor, SourceService.Descriptor, EvidenceService.Descriptor, LedgerService.Descriptor, AccessService.Descriptor, ReportService.Descriptor, StalenessService.Descriptor, TransferService.Descriptor, AdminService.Descriptor }
            .SelectMany(s => s.Methods).ToDictionary(FullName);

    private static readonly Marshaller<byte[]> RawBytes = Marshallers.Create(b => b, b => b);

    private static string FullName(MethodDescriptor m) => $"{m.Service.FullName}/{m.Name}";

    /// <summary>Every service declared in the claimledger.v1 .proto files, found from the compiled descriptors.</summary>
    private static IEnumerable<string> AllContractServices() =>
        typeof(ClaimService).Assembly.GetTypes()
            .Where(t => t.Name.EndsWith("Reflection", StringComparison.Ordinal) && t.GetProperty("Descriptor")?.GetValue(null) is FileDescriptor)
            .Select(t => (FileDescriptor)t.GetProperty("Descriptor")!.GetValue(null)!)
            .Where(f => f.Package == "claimledger.v1")
            .SelectMany(f => f.Services)
            .Select(s => s.FullName)
            .Distinct();

    /// <summary>Calls <paramref name="method"/> with zero bytes: the encoding of a message with every field unset.</summary>
    private static async Task CallWithEmptyRequestAsync(CallInvoker invoker, MethodDescriptor method)
    {
        var options = new CallOptions(deadline: DateTime.UtcNow.AddSeconds(10));
        if (method.IsClientStreaming)
        {
            using var upload = invoker.AsyncClientStreamingCall(
                new Method<byte[], byte[]>(MethodType.ClientStreaming, method.Service.FullName, method.Name, RawBytes, RawBytes), null, options);
            await upload.RequestStream.CompleteAsync();
            await upload;
        }
        else if (method.IsServerStreaming)
        {
            using var stream = invoker.AsyncServerStreamingCall(
                new Method<byte[], byte[]>(MethodType.ServerStreaming, method.Service.FullName, method.Name, RawBytes, RawBytes), null, options, []);
            await stream.ResponseStream.MoveNext(CancellationToken.None);
        }
        else
        {
            await invoker.AsyncUnaryCall(
                new Method<byte[], byte[]>(MethodType.Unary, method.Service.FullName, method.Name, RawBytes, RawBytes), null, options, []);
        }
    }
}
