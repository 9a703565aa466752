using System.Security.Cryptography;
using System.Text;
using ClaimLedger.Contracts.V1;
using ClaimLedger.IntegrationTests.Infrastructure;
using Google.Protobuf;
using Google.Rpc;
using Grpc.Core;

namespace ClaimLedger.IntegrationTests;

/// <summary>AccessService through a real channel: creating, listing and revoking API keys, the admin bootstrap, and actors.</summary>
public sealed class AccessTests(ClaimLedgerServer server) : IClassFixture<ClaimLedgerServer>
{
    private const string KeyPattern = "^cl_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$";

    // ---- CreateApiKey -------------------------------------------------------------------------------------------

    [Fact]
    public async Task CreateApiKey_ReturnsTheSecretOnce_WithDisplayNameRolePrefixAndCreator()
    {
        var access = server.Access("key-maker");

        var created = await access.CreateApiKeyAsync(NewKey("erin", Role.Editor));

        created.Key.ShouldMatch(KeyPattern);
        var apiKey = created.ApiKey;
        apiKey.Name.ShouldBe($"apiKeys/{created.Key[3..35]}");
        apiKey.DisplayName.ShouldBe("erin");
        apiKey.Role.ShouldBe(Role.Editor);
        apiKey.KeyPrefix.ShouldBe(created.Key[..11]);
        apiKey.CreatedBy.ShouldBe("key-maker");
        apiKey.CreateTime.ShouldNotBeNull();
        apiKey.RevokeTime.ShouldBeNull();
        apiKey.RevokedBy.ShouldBe("");
        apiKey.Etag.ShouldBe("\"1\"");

        var entry = (await server.Ledger().ListLedgerEntriesAsync(new ListLedgerEntriesRequest { Subject = apiKey.Name })).Entries.ShouldHaveSingleItem();
        entry.Action.ShouldBe("api_key.created");
        entry.Actor.ShouldBe("key-maker");
        // Everything the API shows of the key, and the SHA-256 of its secret (never the secret).
        var secretSha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(created.Key[36..])));
        entry.Changes.ShouldBe(
            $"{{\"create_time\":\"{apiKey.CreateTime.ToDateTime():yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'}\",\"created_by\":\"key-maker\",\"display_name\":\"erin\"," +
            $"\"etag\":\"\\\"1\\\"\",\"key_prefix\":\"{apiKey.KeyPrefix}\",\"revoke_time\":null,\"revoked_by\":\"\",\"role\":\"EDITOR\",\"secret_sha256\":\"{secretSha256}\"}}");
        entry.Changes.ShouldNotContain(created.Key[36..]);
    }

    [Fact]
    public async Task CreateApiKey_KeyWorksWithExactlyItsRole()
    {
        var created = await server.Access("key-maker").CreateApiKeyAsync(NewKey("rita", Role.Reader));
        var claims = new ClaimService.ClaimServiceClient(server.Authorized(created.Key));

        (await claims.ListClaimsAsync(new ListClaimsRequest { PageSize = 1 })).ShouldNotBeNull();
        var status = await RpcAssert.Fails(StatusCode.PermissionDenied, claims.CreateClaimAsync(TestData.NewClaim()));
        status.GetDetail<ErrorInfo>().Reason.ShouldBe("PERMISSION_DENIED");
    }

    [Fact]
    public async Task CreateApiKey_IgnoresOutputOnlyFieldsInTheRequest()
    {
        var request = NewKey("oscar", Role.Reader);
        request.ApiKey.Name = "apiKeys/" + new string('a', 32);
        request.ApiKey.KeyPrefix = "cl_forged";
        request.ApiKey.CreatedBy = "mallory";
        request.ApiKey.RevokedBy = "mallory";

        var created = await server.Access("key-maker").CreateApiKeyAsync(request);

        created.ApiKey.Name.ShouldBe($"apiKeys/{created.Key[3..35]}");
        created.ApiKey.KeyPrefix.ShouldBe(created.Key[..11]);
        created.ApiKey.CreatedBy.ShouldBe("key-maker");
        created.ApiKey.RevokedBy.ShouldBe("");
        created.ApiKey.RevokeTime.ShouldBeNull();
    }

    [Fact]
    public async Task CreateApiKey_TwoKeysForOneDisplayName_AreDistinct()
    {
        var access = server.Access("key-maker");

        var first = await access.CreateApiKeyAsync(NewKey("rotating", Role.Contributor));
        var second = await access.CreateApiKeyAsync(NewKey("rotating", Role.Contributor));

        second.Key.ShouldNotBe(first.Key);
        second.ApiKey.Name.ShouldNotBe(first.ApiKey.Name);
        second.Key[36..].ShouldNotBe(first.Key[36..]);
    }

    [Fact]
    public async Task CreateApiKey_DisplayNameAtTheLimits_IsAccepted()
    {
        var longest = new string('x', 60) + "._@-";

        var created = await server.Access("key-maker").CreateApiKeyAsync(NewKey(longest, Role.Auditor));

        created.ApiKey.DisplayName.ShouldBe(longest);
        (await server.Access("key-maker").CreateApiKeyAsync(NewKey("Z", Role.Auditor))).ApiKey.DisplayName.ShouldBe("Z");
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("system:x")]
    [InlineData("")]
    [InlineData("tab\there")]
    [InlineData("ünïcode")]
    [InlineData("65")] // replaced by 65 characters
    public async Task CreateApiKey_BadDisplayName_IsInvalidArgument_AndWritesNothing(string displayName)
    {
        if (displayName == "65")
        {
            displayName = new string('a', 65);
        }

        var access = server.Access("key-maker");
        var before = Db.Snapshot(server.DatabasePath);

        await RpcAssert.InvalidArgument(access.CreateApiKeyAsync(NewKey(displayName, Role.Reader)), "api_key.display_name");

        Db.Snapshot(server.DatabasePath).ShouldBe(before);
    }

    [Theory]
    [InlineData(Role.Unspecified)]
    [InlineData((Role)42)]
    public async Task CreateApiKey_UnspecifiedOrUnknownRole_IsInvalidArgument(Role role)
    {
        var access = server.Access("key-maker");
        var before = Db.Snapshot(server.DatabasePath);

        var badRequest = await RpcAssert.InvalidArgument(access.CreateApiKeyAsync(NewKey("valid-name", role)), "api_key.role");

        badRequest.FieldViolations.Select(v => v.Field).ShouldBe(["api_key.role"]);
        Db.Snapshot(server.DatabasePath).ShouldBe(before);
    }

    [Fact]
    public async Task CreateApiKey_WithoutApiKey_NamesBothFields()
    {
        await RpcAssert.InvalidArgument(server.Access("key-maker").CreateApiKeyAsync(new CreateApiKeyRequest()), "api_key.display_name", "api_key.role");
    }

    // ---- Secrets are never stored -------------------------------------------------------------------------------

    [Fact]
    public async Task RawKey_AppearsNowhereInTheDatabase_OnlyTheSha256OfItsSecret()
    {
        var admin = server.Access("key-maker");
        var started = DateTime.UtcNow;
        var created = await admin.CreateApiKeyAsync(NewKey("secret-keeper", Role.Admin));
        var secret = created.Key[36..];
        var id = created.Key[3..35];
        // Use the key for idempotent writes, so its calls leave idempotency records and ledger entries behind.
        var claims = new ClaimService.ClaimServiceClient(server.Authorized(created.Key));
        var claim = await claims.CreateClaimAsync(new CreateClaimRequest { Claim = TestData.NewClaim().Claim, RequestId = Guid.NewGuid().ToString() });
        await claims.StartReviewAsync(new StartReviewRequest { Name = claim.Name, RequestId = Guid.NewGuid().ToString() });
        var other = await admin.CreateApiKeyAsync(NewKey("short-lived", Role.Reader));
        await new AccessService.AccessServiceClient(server.Authorized(created.Key))
            .RevokeApiKeyAsync(new RevokeApiKeyRequest { Name = other.ApiKey.Name, RequestId = Guid.NewGuid().ToString() });
        Db.Scalar(server.DatabasePath, "SELECT count(*) FROM idempotency_keys").ShouldBeGreaterThanOrEqualTo(3);
        Db.Scalar(server.DatabasePath, "SELECT count(*) FROM ledger_entries WHERE actor = 'secret-keeper'").ShouldBe(3);

        // Every column of every table (the service's, the migrator's, Quartz's; on SQLite the full-text index's too).
        var stored = Db.TableAsText(server.DatabasePath, "api_keys", $"id = '{id}'");
        stored.ShouldContain(created.ApiKey.KeyPrefix, Case.Sensitive, "the scan sees the row it looks for");
        stored.ShouldContain(Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(secret))));
        var tables = Db.Tables(server.DatabasePath);
        tables.ShouldContain(t => t.Contains("idempotency_keys", StringComparison.Ordinal));
        tables.ShouldContain(t => t.Contains("ledger_entries", StringComparison.Ordinal));
        foreach (var table in tables)
        {
            var text = Db.TableAsText(server.DatabasePath, table);
            text.ShouldNotContain(secret, Case.Sensitive, $"table {table}");
            text.ShouldNotContain(other.Key[36..], Case.Sensitive, $"table {table}");
        }

        // The files themselves: SQLite's file and write-ahead log; PostgreSQL's files of this database and its log.
        var files = Db.FilesAtRest(server.DatabasePath, started);
        if (!TestEngine.IsPostgreSql)
        {
            files.ShouldContain(server.DatabasePath);
        }

        var found = files.Select(f => (File: f, Bytes: ReadShared(f))).ToList();
        found.ShouldContain(f => Holds(f.Bytes, created.ApiKey.KeyPrefix), "the scan sees what is stored");
        found.Where(f => Holds(f.Bytes, secret)).Select(f => f.File).ShouldBeEmpty();
        found.Where(f => Holds(f.Bytes, other.Key[36..])).Select(f => f.File).ShouldBeEmpty();
    }

    // ---- ListApiKeys --------------------------------------------------------------------------------------------

    [Fact]
    public async Task ListApiKeys_NewestFirst_WithoutSecrets_Paginated()
    {
        var access = server.Access("lister");
        var a = await access.CreateApiKeyAsync(NewKey("list-a", Role.Reader));
        var b = await access.CreateApiKeyAsync(NewKey("list-b", Role.Contributor));
        var c = await access.CreateApiKeyAsync(NewKey("list-c", Role.Auditor));

        var page1 = await access.ListApiKeysAsync(new ListApiKeysRequest { PageSize = 2 });

        page1.ApiKeys.ShouldBe([c.ApiKey, b.ApiKey]);
        page1.NextPageToken.ShouldNotBeNullOrEmpty();
        var page2 = await access.ListApiKeysAsync(new ListApiKeysRequest { PageSize = 2, PageToken = page1.NextPageToken });
        page2.ApiKeys[0].ShouldBe(a.ApiKey);

        var all = await ListAllAsync(access, showRevoked: false, pageSize: 2);
        all.Select(k => k.Name).ShouldBeUnique();
        all.Count.ShouldBe((int)Db.Scalar(server.DatabasePath, "SELECT count(*) FROM api_keys WHERE revoke_time IS NULL"));
        all.Select(k => k.CreateTime.ToDateTimeOffset()).ShouldBeInOrder(SortDirection.Descending);
        all[^1].CreatedBy.ShouldBe("system:bootstrap");
        var wire = string.Concat(all.Select(k => Encoding.Latin1.GetString(k.ToByteArray())));
        foreach (var key in new[] { a, b, c })
        {
            wire.ShouldNotContain(key.Key[36..], Case.Sensitive);
        }
    }

    [Fact]
    public async Task ListApiKeys_HidesRevokedKeys_UnlessShowRevoked()
    {
        var access = server.Access("lister");
        var kept = await access.CreateApiKeyAsync(NewKey("kept", Role.Reader));
        var gone = await access.CreateApiKeyAsync(NewKey("gone", Role.Reader));
        var revoked = await access.RevokeApiKeyAsync(new RevokeApiKeyRequest { Name = gone.ApiKey.Name });

        var live = await ListAllAsync(access, showRevoked: false, pageSize: 3);
        var withRevoked = await ListAllAsync(access, showRevoked: true, pageSize: 3);

        live.Select(k => k.Name).ShouldContain(kept.ApiKey.Name);
        live.Select(k => k.Name).ShouldNotContain(gone.ApiKey.Name);
        live.ShouldAllBe(k => k.RevokeTime == null);
        withRevoked.Select(k => k.Name).ShouldContain(kept.ApiKey.Name);
        withRevoked.Single(k => k.Name == gone.ApiKey.Name).ShouldBe(revoked);
        withRevoked.Count.ShouldBe((int)Db.Scalar(server.DatabasePath, "SELECT count(*) FROM api_keys"));
        withRevoked.Count.ShouldBeGreaterThan(live.Count);
    }

    [Fact]
    public async Task ListApiKeys_PageTokenOfAnotherQuery_IsInvalidArgument()
    {
        var access = server.Access("lister");
        await access.CreateApiKeyAsync(NewKey("token-a", Role.Reader));
        await access.CreateApiKeyAsync(NewKey("token-b", Role.Reader));
        var page = await access.ListApiKeysAsync(new ListApiKeysRequest { PageSize = 1 });

        await RpcAssert.InvalidArgument(access.ListApiKeysAsync(new ListApiKeysRequest { PageSize = 1, PageToken = page.NextPageToken, ShowRevoked = true }), "page_token");
        await RpcAssert.InvalidArgument(access.ListApiKeysAsync(new ListApiKeysRequest { PageSize = -1 }), "page_size");
    }

    // ---- RevokeApiKey -------------------------------------------------------------------------------------------

    [Fact]
    public async Task RevokeApiKey_StopsTheKeyImmediately_AndRecordsWhoAndWhen()
    {
        var access = server.Access("revoker");
        var created = await access.CreateApiKeyAsync(NewKey("leaver", Role.Contributor));
        var claims = new ClaimService.ClaimServiceClient(server.Authorized(created.Key));
        await claims.ListClaimsAsync(new ListClaimsRequest { PageSize = 1 }); // the key works (and the server has it cached)

        var revoked = await access.RevokeApiKeyAsync(new RevokeApiKeyRequest { Name = created.ApiKey.Name, Etag = created.ApiKey.Etag });

        revoked.Name.ShouldBe(created.ApiKey.Name);
        revoked.DisplayName.ShouldBe("leaver");
        revoked.Role.ShouldBe(Role.Contributor);
        revoked.CreatedBy.ShouldBe("revoker");
        revoked.RevokedBy.ShouldBe("revoker");
        revoked.RevokeTime.ShouldNotBeNull();
        revoked.RevokeTime.ToDateTimeOffset().ShouldBeGreaterThan(created.ApiKey.CreateTime.ToDateTimeOffset());
        revoked.Etag.ShouldBe("\"2\"");
        var id = created.ApiKey.Name["apiKeys/".Length..];
        Db.Scalar(server.DatabasePath, $"SELECT count(*) FROM api_keys WHERE id = '{id}' AND revoke_time IS NOT NULL AND revoked_by = 'revoker'").ShouldBe(1);

        var status = await RpcAssert.Fails(StatusCode.Unauthenticated, claims.ListClaimsAsync(new ListClaimsRequest { PageSize = 1 }));
        status.GetDetail<ErrorInfo>().Reason.ShouldBe("API_KEY_REVOKED");
        var entries = (await server.Ledger().ListLedgerEntriesAsync(new ListLedgerEntriesRequest { Subject = created.ApiKey.Name })).Entries;
        entries.Select(e => e.Action).ShouldBe(["api_key.created", "api_key.revoked"]);
        entries[1].Actor.ShouldBe("revoker");
    }

    [Fact]
    public async Task RevokeApiKey_Twice_IsFailedPrecondition_AndWritesNothing()
    {
        var access = server.Access("revoker");
        var created = await access.CreateApiKeyAsync(NewKey("twice", Role.Reader));
        var first = await access.RevokeApiKeyAsync(new RevokeApiKeyRequest { Name = created.ApiKey.Name });
        var before = Db.Snapshot(server.DatabasePath);

        var status = await RpcAssert.Fails(StatusCode.FailedPrecondition, access.RevokeApiKeyAsync(new RevokeApiKeyRequest { Name = created.ApiKey.Name }));

        status.GetDetail<ErrorInfo>().Reason.ShouldBe("API_KEY_ALREADY_REVOKED");
        status.GetDetail<PreconditionFailure>().Violations.ShouldHaveSingleItem().Subject.ShouldBe(created.ApiKey.Name);
        Db.Snapshot(server.DatabasePath).ShouldBe(before);
        (await ListAllAsync(access, showRevoked: true, pageSize: 100)).Single(k => k.Name == created.ApiKey.Name).ShouldBe(first);
    }

    [Fact]
    public async Task RevokeApiKey_RetriedWithSameRequestId_ReplaysTheFirstResult()
    {
        var access = server.Access("revoker");
        var created = await access.CreateApiKeyAsync(NewKey("retried", Role.Reader));
        var request = new RevokeApiKeyRequest { Name = created.ApiKey.Name, RequestId = Guid.NewGuid().ToString() };
        var first = await access.RevokeApiKeyAsync(request);
        var before = Db.Snapshot(server.DatabasePath);

        var retry = await access.RevokeApiKeyAsync(request);

        retry.ShouldBe(first);
        Db.Snapshot(server.DatabasePath).ShouldBe(before);
    }

    [Fact]
    public async Task RevokeApiKey_WithEtagNotCurrent_IsAborted_AndTheKeyKeepsWorking()
    {
        var access = server.Access("revoker");
        var created = await access.CreateApiKeyAsync(NewKey("etagged", Role.Reader));
        var before = Db.Snapshot(server.DatabasePath);

        var status = await RpcAssert.Fails(StatusCode.Aborted, access.RevokeApiKeyAsync(new RevokeApiKeyRequest { Name = created.ApiKey.Name, Etag = "\"2\"" }));

        status.GetDetail<ErrorInfo>().Reason.ShouldBe("ETAG_MISMATCH");
        status.GetDetail<ResourceInfo>().ResourceName.ShouldBe(created.ApiKey.Name);
        Db.Snapshot(server.DatabasePath).ShouldBe(before);
        (await new ClaimService.ClaimServiceClient(server.Authorized(created.Key)).ListClaimsAsync(new ListClaimsRequest { PageSize = 1 })).ShouldNotBeNull();

        // After a revocation, the etag from creation is stale.
        await access.RevokeApiKeyAsync(new RevokeApiKeyRequest { Name = created.ApiKey.Name, Etag = created.ApiKey.Etag });
        await RpcAssert.Fails(StatusCode.Aborted, access.RevokeApiKeyAsync(new RevokeApiKeyRequest { Name = created.ApiKey.Name, Etag = created.ApiKey.Etag }));
    }

    [Theory]
    [InlineData("")]
    [InlineData("apiKeys/xyz")]
    [InlineData("apiKeys/0123456789ABCDEF0123456789ABCDEF")]
    [InlineData("claims/0123456789abcdef0123456789abcdef")]
    [InlineData("apiKeys/0123456789abcdef0123456789abcdef/extra")]
    [InlineData("cl_0123456789abcdef0123456789abcdef")]
    public async Task RevokeApiKey_BadName_IsInvalidArgument(string name)
    {
        await RpcAssert.InvalidArgument(server.Access("revoker").RevokeApiKeyAsync(new RevokeApiKeyRequest { Name = name }), "name");
    }

    [Fact]
    public async Task RevokeApiKey_UnknownKey_IsNotFound()
    {
        var name = "apiKeys/" + new string('e', 32);

        var status = await RpcAssert.Fails(StatusCode.NotFound, server.Access("revoker").RevokeApiKeyAsync(new RevokeApiKeyRequest { Name = name }));

        status.GetDetail<ResourceInfo>().ResourceName.ShouldBe(name);
    }

    // ---- Actors -------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Writes_RecordTheKeysDisplayNameAsActor()
    {
        var dana = server.Claims("dana", Role.Contributor);

        var claim = await dana.CreateClaimAsync(TestData.NewClaim());

        var history = await dana.ListClaimHistoryAsync(new ListClaimHistoryRequest { Name = claim.Name });
        var created = history.Events.ShouldHaveSingleItem();
        created.Type.ShouldBe(ClaimEvent.Types.Type.Created);
        created.Actor.ShouldBe("dana");
        var entry = (await server.Ledger().ListLedgerEntriesAsync(new ListLedgerEntriesRequest { Subject = claim.Name })).Entries.ShouldHaveSingleItem();
        entry.Action.ShouldBe("claim.created");
        entry.Actor.ShouldBe("dana");
        (await server.Ledger().ListLedgerEntriesAsync(new ListLedgerEntriesRequest { Actor = "dana" })).Entries.Select(e => e.Subject).ShouldContain(claim.Name);
    }

    // ---- Bootstrap ----------------------------------------------------------------------------------------------

    [Fact]
    public async Task Bootstrap_WritesAWorkingAdminKey_ToAnOwnerOnlyFile()
    {
        _ = server.Server; // start-up runs the bootstrap
        var path = Path.Combine(server.DataDirectory, "admin-api-key");

        File.Exists(path).ShouldBeTrue();
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(path).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        var key = (await File.ReadAllTextAsync(path)).Trim();
        key.ShouldMatch(KeyPattern);
        var keys = await ListAllAsync(new AccessService.AccessServiceClient(server.Authorized(key)), showRevoked: true, pageSize: 100);
        var bootstrapKey = keys.Single(k => k.Name == $"apiKeys/{key[3..35]}");
        bootstrapKey.DisplayName.ShouldBe("admin");
        bootstrapKey.Role.ShouldBe(Role.Admin);
        bootstrapKey.CreatedBy.ShouldBe("system:bootstrap");
        bootstrapKey.KeyPrefix.ShouldBe(key[..11]);
        bootstrapKey.RevokeTime.ShouldBeNull();
        Db.Scalar(server.DatabasePath, "SELECT count(*) FROM api_keys WHERE created_by = 'system:bootstrap'").ShouldBe(1);
    }

    [Fact]
    public async Task Bootstrap_IsTheLedgersFirstEntry_BySystemBootstrap()
    {
        var key = server.AdminKey;

        var first = (await server.Ledger().ListLedgerEntriesAsync(new ListLedgerEntriesRequest { PageSize = 1 })).Entries.ShouldHaveSingleItem();

        first.Sequence.ShouldBe(1);
        first.Action.ShouldBe("api_key.created");
        first.Actor.ShouldBe("system:bootstrap");
        first.Subject.ShouldBe($"apiKeys/{key[3..35]}");
        first.PreviousHash.ShouldBe(new string('0', 64));
        var changes = System.Text.Json.Nodes.JsonNode.Parse(first.Changes)!.AsObject();
        changes["display_name"]!.GetValue<string>().ShouldBe("admin");
        changes["key_prefix"]!.GetValue<string>().ShouldBe(key[..11]);
        changes["role"]!.GetValue<string>().ShouldBe("ADMIN");
        changes["created_by"]!.GetValue<string>().ShouldBe("system:bootstrap");
        changes["secret_sha256"]!.GetValue<string>().ShouldBe(
            Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(key[36..]))));
    }

    // ---- Helpers ------------------------------------------------------------------------------------------------

    private static CreateApiKeyRequest NewKey(string displayName, Role role) => new() { ApiKey = new ApiKey { DisplayName = displayName, Role = role } };

    private static async Task<List<ApiKey>> ListAllAsync(AccessService.AccessServiceClient access, bool showRevoked, int pageSize)
    {
        var all = new List<ApiKey>();
        var token = "";
        do
        {
            var page = await access.ListApiKeysAsync(new ListApiKeysRequest { PageSize = pageSize, PageToken = token, ShowRevoked = showRevoked });
            page.ApiKeys.Count.ShouldBeLessThanOrEqualTo(pageSize);
            all.AddRange(page.ApiKeys);
            token = page.NextPageToken;
        }
        while (token.Length > 0);

        return all;
    }

    private static bool Holds(byte[] bytes, string ascii) => bytes.AsSpan().IndexOf(Encoding.ASCII.GetBytes(ascii)) >= 0;

    private static byte[] ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
