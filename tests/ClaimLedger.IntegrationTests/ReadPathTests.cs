using ClaimLedger.Contracts.V1;
using ClaimLedger.IntegrationTests.Infrastructure;
using ClaimLedger.Server.Infrastructure.Data;
using ClaimLedger.Server.Infrastructure.Security;
using Google.Rpc;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;

namespace ClaimLedger.IntegrationTests;

/// <summary>
/// The read path of ADR 22 through a real channel: reads beyond the pool's size queue and all succeed without the pool
/// opening more than Database:ReadConnections; cancelled reads give their connection back; a key verified once is not
/// hashed again, yet a wrong secret and a revocation are refused at once; bad settings stop start-up.
/// </summary>
public sealed class ReadPathTests
{
    [Fact]
    public async Task MoreConcurrentReadsThanConnections_AllSucceed_AndThePoolNeverOpensMoreThanItsCap()
    {
        await using var server = new ClaimLedgerServer { Settings = { ["Database:ReadConnections"] = "2" } };
        var claims = server.Claims();
        var names = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            names.Add((await claims.CreateClaimAsync(TestData.NewClaim($"The harbour bridge {i} carries {i + 10} lanes of traffic", "transport"))).Name);
        }

        var reads = Enumerable.Range(0, 60).Select(i => (i % 4) switch
        {
            0 => claims.GetClaimAsync(new GetClaimRequest { Name = names[i % names.Count] }).ResponseAsync.ContinueWith(t => t.Result.Name),
            1 => claims.ListClaimsAsync(new ListClaimsRequest { PageSize = 3 }).ResponseAsync.ContinueWith(t => t.Result.Claims.Count.ToString()),
            2 => claims.SearchClaimsAsync(new SearchClaimsRequest { Query = "harbour" }).ResponseAsync.ContinueWith(t => t.Result.Results.Count.ToString()),
            _ => claims.ListClaimsAsync(new ListClaimsRequest { Topic = "transport" }).ResponseAsync.ContinueWith(t => t.Result.Claims.Count.ToString()),
        }).ToList();
        var results = await Task.WhenAll(reads);

        results.Where((_, i) => i % 4 == 0).ShouldAllBe(n => names.Contains(n));
        results.Where((_, i) => i % 4 == 1).ShouldAllBe(n => n == "3");
        results.Where((_, i) => i % 4 == 2).ShouldAllBe(n => n == "5");
        var pool = server.Services.GetRequiredService<ReadConnectionPool>();
        pool.Size.ShouldBe(2);
        pool.PeakOpen.ShouldBeLessThanOrEqualTo(2);
        pool.PeakOpen.ShouldBeGreaterThan(0);
        pool.InUse.ShouldBe(0);
    }

    [Fact]
    public async Task CancelledAndQueuedReads_GiveTheirConnectionsBack()
    {
        await using var server = new ClaimLedgerServer { Settings = { ["Database:ReadConnections"] = "1" } };
        var claims = server.Claims();
        var name = (await claims.CreateClaimAsync(TestData.NewClaim("The canal was dug in eleven years", "transport"))).Name;
        var pool = server.Services.GetRequiredService<ReadConnectionPool>();

        for (var round = 0; round < 5; round++)
        {
            using var cancel = new CancellationTokenSource();
            var calls = Enumerable.Range(0, 20)
                .Select(_ => claims.GetClaimAsync(new GetClaimRequest { Name = name }, cancellationToken: cancel.Token).ResponseAsync)
                .ToList();
            await cancel.CancelAsync();
            foreach (var call in calls)
            {
                try
                {
                    await call;
                }
                catch (RpcException e) when (e.StatusCode is StatusCode.Cancelled or StatusCode.Unknown
                    || (e.StatusCode == StatusCode.Unavailable && e.Status.Detail.Contains("client aborted", StringComparison.Ordinal))
                    || IsClientSideTransportRace(e))
                {
                    // Cancelled before, while or after it queued for the connection: each is fine. Rarely, under load,
                    // a cancel that races the request's own message through the in-memory test transport ends as
                    // UNKNOWN before any handler ran, or, earlier still, as the client's own "error starting gRPC
                    // call" (the client aborted the request, or the test host's response pipe was already completed);
                    // never an INTERNAL the server sent.
                }
            }
        }

        await StalenessDriver.EventuallyAsync(() => Task.FromResult((pool.InUse, pool.Queued)), s => s == (0, 0), TimeSpan.FromSeconds(30),
            "the server to finish the cancelled calls");
        pool.Open.ShouldBeLessThanOrEqualTo(1);
        (await claims.GetClaimAsync(new GetClaimRequest { Name = name })).Name.ShouldBe(name); // the one connection serves again
        pool.PeakOpen.ShouldBe(1);
    }

    /// <summary>
    /// A status the client made up itself when starting the call failed inside the in-memory test host (its response
    /// pipe completed by the cancel): it carries the local exception. A status the server sent never does.
    /// </summary>
    private static bool IsClientSideTransportRace(RpcException e) =>
        e.StatusCode == StatusCode.Internal
        && e.Status.Detail.StartsWith("Error starting gRPC call", StringComparison.Ordinal)
        && e.Status.DebugException is InvalidOperationException { Source: "System.IO.Pipelines" };

    [Fact]
    public async Task AKeyVerifiedOnce_IsNotHashedAgain_YetAWrongSecretAndARevocationAreRefusedAtOnce()
    {
        await using var server = new ClaimLedgerServer();
        var created = await server.Access("key-admin").CreateApiKeyAsync(new CreateApiKeyRequest { ApiKey = new ApiKey { DisplayName = "reader", Role = Role.Reader } });
        var claims = new ClaimService.ClaimServiceClient(server.Authorized(created.Key));
        var authenticator = server.Services.GetRequiredService<ApiKeyAuthenticator>();

        await claims.ListClaimsAsync(new ListClaimsRequest { PageSize = 1 });
        var hashed = authenticator.SecretsHashed;
        for (var i = 0; i < 10; i++)
        {
            await claims.ListClaimsAsync(new ListClaimsRequest { PageSize = 1 });
        }

        authenticator.SecretsHashed.ShouldBe(hashed, "calls with a key verified before compare it with the verified secret, without hashing");

        // The same key id with another secret: the cached, verified key must not let it in.
        var secret = created.Key[36..];
        var forged = created.Key[..36] + (secret[0] == 'A' ? 'B' : 'A') + secret[1..];
        var wrong = await RpcAssert.Fails(StatusCode.Unauthenticated,
            new ClaimService.ClaimServiceClient(server.Authorized(forged)).ListClaimsAsync(new ListClaimsRequest { PageSize = 1 }));
        wrong.GetDetail<ErrorInfo>().Reason.ShouldBe("API_KEY_INVALID");
        await claims.ListClaimsAsync(new ListClaimsRequest { PageSize = 1 }); // the right secret still works

        await server.Access("key-admin").RevokeApiKeyAsync(new RevokeApiKeyRequest { Name = created.ApiKey.Name });

        var revoked = await RpcAssert.Fails(StatusCode.Unauthenticated, claims.ListClaimsAsync(new ListClaimsRequest { PageSize = 1 }));
        revoked.GetDetail<ErrorInfo>().Reason.ShouldBe("API_KEY_REVOKED");
    }

    [Theory]
    [InlineData("Database:ReadConnections", "0", "Database:ReadConnections must be between 1 and 256")]
    [InlineData("Database:ReadConnections", "257", "Database:ReadConnections must be between 1 and 256")]
    [InlineData("Database:ReadPreparedStatements", "0", "Database:ReadPreparedStatements must be between 1 and 1024")]
    [InlineData("Database:WriterPreparedStatements", "0", "Database:WriterPreparedStatements must be between 1 and 4096")]
    [InlineData("Database:WriterPreparedStatements", "4097", "Database:WriterPreparedStatements must be between 1 and 4096")]
    public async Task BadReadSettings_StopStartUp_WithAMessageNamingTheSetting(string setting, string value, string message)
    {
        await using var server = new ClaimLedgerServer { Settings = { [setting] = value } };

        var messages = StartUpFailure.Messages(server);

        messages.ShouldContain(m => m.Contains(message, StringComparison.Ordinal), string.Join(" | ", messages));
    }
}
