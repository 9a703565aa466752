using ClaimLedger.Contracts.V1;
using ClaimLedger.IntegrationTests.Infrastructure;
using ClaimLedger.Server.Infrastructure.Behaviors;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Shouldly;

namespace ClaimLedger.IntegrationTests;

/// <summary>
/// Request ids expire (ADR 25): honoured for Idempotency:Retention by the server's clock (the fixture's fake clock, which
/// the tests move), then unknown again whether or not the purge has deleted their record; the purge deletes the expired
/// records, and only those, in batches. No timed assertion: the purge runs every few milliseconds of wall-clock time and
/// the tests poll for its result.
/// </summary>
public sealed class IdempotencyExpiryTests
{
    private static readonly TimeSpan Retention = TimeSpan.FromHours(1);

    private static ClaimLedgerServer Server(string purgeInterval, string? batchSize = null, bool expire = true)
    {
        var server = new ClaimLedgerServer();
        server.Settings["Idempotency:Expire"] = expire ? "true" : "false";
        server.Settings["Idempotency:Retention"] = "01:00:00";
        server.Settings["Idempotency:PurgeInterval"] = purgeInterval;
        if (batchSize is not null)
        {
            server.Settings["Idempotency:PurgeBatchSize"] = batchSize;
        }

        return server;
    }

    private static CreateClaimRequest WithId(string requestId)
    {
        var request = TestData.NewClaim();
        request.RequestId = requestId;
        request.AllowDuplicate = true; // after expiry the same claim is created again, as a new request would be
        return request;
    }

    private static long Keys(ClaimLedgerServer server, string requestId) =>
        Db.Scalar(server.DatabasePath, "SELECT count(*) FROM idempotency_keys WHERE request_id = @Id", ("@Id", requestId));

    private static async Task Until(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Still not so after 60 s: {what}");
            }

            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task Retry_WithinRetention_Replays_AndAfterIt_RunsAsNewRequest_EvenBeforeThePurge()
    {
        // The purge's first round is one interval after start: it does not run during this test.
        using var server = Server(purgeInterval: "1.00:00:00");
        var claims = server.Claims();
        var request = WithId("expiry-" + Guid.NewGuid().ToString("N"));
        var first = await claims.CreateClaimAsync(request);

        server.Clock.Advance(Retention - TimeSpan.FromMinutes(1));
        var retry = await claims.CreateClaimAsync(request);
        retry.ShouldBe(first);
        Db.Scalar(server.DatabasePath, "SELECT count(*) FROM claims").ShouldBe(1);

        server.Clock.Advance(TimeSpan.FromMinutes(2));
        Keys(server, request.RequestId).ShouldBe(1, "the expired record is still there: not purged yet");
        var late = await claims.CreateClaimAsync(request);

        late.Name.ShouldNotBe(first.Name);
        Db.Scalar(server.DatabasePath, "SELECT count(*) FROM claims").ShouldBe(2);
        Keys(server, request.RequestId).ShouldBe(1, "the new record replaced the expired one");

        // The new record is honoured in its turn, and is the only answer for the id.
        (await claims.CreateClaimAsync(request)).ShouldBe(late);
        Db.Scalar(server.DatabasePath, "SELECT count(*) FROM claims").ShouldBe(2);

        // Within retention a different request with the id is still refused; once expired it is a new request.
        var other = WithId(request.RequestId);
        await RpcAssert.InvalidArgument(claims.CreateClaimAsync(other), "request_id");
        server.Clock.Advance(Retention + TimeSpan.FromMinutes(1));
        (await claims.CreateClaimAsync(other)).Name.ShouldNotBe(late.Name);
    }

    [Fact]
    public async Task Purge_DeletesExpiredRecords_AndOnlyThose_InSeveralBatches()
    {
        using var server = Server(purgeInterval: "00:00:00.020", batchSize: "3");
        var claims = server.Claims();
        var expired = Enumerable.Range(0, 8).Select(i => $"old-{i}-{Guid.NewGuid():N}").ToList();
        foreach (var id in expired)
        {
            await claims.CreateClaimAsync(WithId(id));
            server.Clock.Advance(TimeSpan.FromMinutes(1));
        }

        server.Clock.Advance(Retention); // all eight are now older than the retention (three batches of at most 3)
        var fresh = new List<(CreateClaimRequest Request, Claim Reply)>();
        foreach (var id in Enumerable.Range(0, 2).Select(i => $"new-{i}-{Guid.NewGuid():N}"))
        {
            var request = WithId(id);
            fresh.Add((request, await claims.CreateClaimAsync(request)));
        }

        await Until(() => expired.All(id => Keys(server, id) == 0), "the eight expired records are purged");

        Db.Rows(server.DatabasePath, "SELECT request_id FROM idempotency_keys ORDER BY request_id").Select(r => r[0]!).ToList()
            .ShouldBe(fresh.Select(f => f.Request.RequestId).Order(StringComparer.Ordinal).ToList());
        foreach (var (request, reply) in fresh)
        {
            (await claims.CreateClaimAsync(request)).ShouldBe(reply);
        }

        Db.Scalar(server.DatabasePath, "SELECT count(*) FROM claims").ShouldBe(10, "a purge deletes no claim");
        var verification = await server.Ledger().VerifyLedgerAsync(new VerifyLedgerRequest());
        verification.Valid.ShouldBeTrue(verification.FirstProblem?.Description);
    }

    [Fact]
    public async Task OneRound_DeletesEveryExpiredRecord_BatchAfterBatch()
    {
        using var server = Server(purgeInterval: "1.00:00:00", batchSize: "3"); // no background round during the test
        var claims = server.Claims();
        var expired = Enumerable.Range(0, 7).Select(i => $"old-{i}-{Guid.NewGuid():N}").ToList();
        foreach (var id in expired)
        {
            await claims.CreateClaimAsync(WithId(id));
        }

        server.Clock.Advance(Retention + TimeSpan.FromMinutes(1));
        var kept = WithId("new-" + Guid.NewGuid().ToString("N"));
        var keptReply = await claims.CreateClaimAsync(kept);
        var purger = server.Services.GetServices<IHostedService>().OfType<IdempotencyKeyPurger>().Single();

        (await purger.PurgeOnceAsync(CancellationToken.None)).ShouldBe(7, "seven records in batches of three: one round takes them all");

        Db.Rows(server.DatabasePath, "SELECT request_id FROM idempotency_keys").Select(r => r[0]).ShouldBe([kept.RequestId]);
        (await purger.PurgeOnceAsync(CancellationToken.None)).ShouldBe(0);
        (await claims.CreateClaimAsync(kept)).ShouldBe(keptReply);
    }

    [PostgresFact("the purge's lease is a PostgreSQL advisory lock shared by the instances of one database")]
    public async Task OnPostgreSql_AnInstanceWithoutThePurgeLease_SkipsTheRound()
    {
        using var server = Server(purgeInterval: "1.00:00:00");
        var claims = server.Claims();
        var request = WithId("leased-" + Guid.NewGuid().ToString("N"));
        await claims.CreateClaimAsync(request);
        server.Clock.Advance(Retention + TimeSpan.FromMinutes(1));
        var purger = server.Services.GetServices<IHostedService>().OfType<IdempotencyKeyPurger>().Single();

        // Another instance of the same database holds the lease (as its purger would during its round).
        await using (var other = new Npgsql.NpgsqlConnection(
                           new Npgsql.NpgsqlConnectionStringBuilder(TestEngine.ConnectionStringFor(server.DataDirectory)) { Pooling = false }.ConnectionString))
        {
            await other.OpenAsync();
            await using var take = new Npgsql.NpgsqlCommand($"SELECT pg_advisory_lock({IdempotencyKeyPurger.LeaseKey})", other);
            await take.ExecuteScalarAsync();

            (await purger.PurgeOnceAsync(CancellationToken.None)).ShouldBe(0);
            Keys(server, request.RequestId).ShouldBe(1);
        }

        // Its session ended, the lease is free: this instance purges. A closed connection's backend ends, and releases its
        // locks, a moment after the client has gone (CI once saw the purge run first), so wait until the lease can be taken.
        await WaitForLeaseReleasedAsync(TestEngine.ConnectionStringFor(server.DataDirectory), IdempotencyKeyPurger.LeaseKey);
        (await purger.PurgeOnceAsync(CancellationToken.None)).ShouldBe(1);
        Keys(server, request.RequestId).ShouldBe(0);
    }

    /// <summary>Until a probe session can take (and at once give back) the advisory lock <paramref name="key"/>; at most 10 s.</summary>
    private static async Task WaitForLeaseReleasedAsync(string connectionString, long key)
    {
        await using var probe = new Npgsql.NpgsqlConnection(new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await probe.OpenAsync();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            await using var take = new Npgsql.NpgsqlCommand($"SELECT pg_try_advisory_lock({key})", probe);
            if ((bool)(await take.ExecuteScalarAsync())!)
            {
                await using var give = new Npgsql.NpgsqlCommand($"SELECT pg_advisory_unlock({key})", probe);
                await give.ExecuteScalarAsync();
                return;
            }

            DateTime.UtcNow.ShouldBeLessThan(deadline, "the other session's lease was never released");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task ExpiryOff_KeepsEveryRequestId()
    {
        using var server = Server(purgeInterval: "00:00:00.020", expire: false);
        var claims = server.Claims();
        var request = WithId("forever-" + Guid.NewGuid().ToString("N"));
        var first = await claims.CreateClaimAsync(request);

        server.Clock.Advance(TimeSpan.FromDays(400));
        var purger = server.Services.GetServices<IHostedService>().OfType<IdempotencyKeyPurger>().Single();
        (await purger.PurgeOnceAsync(CancellationToken.None)).ShouldBe(0);

        (await claims.CreateClaimAsync(request)).ShouldBe(first);
        Keys(server, request.RequestId).ShouldBe(1);
        Db.Scalar(server.DatabasePath, "SELECT count(*) FROM claims").ShouldBe(1);
    }

    [Theory]
    [InlineData("Idempotency:Retention", "00:00:10", "Idempotency:Retention must be between")]
    [InlineData("Idempotency:Retention", "-1.00:00:00", "Idempotency:Retention must be between")]
    [InlineData("Idempotency:PurgeInterval", "00:00:00", "Idempotency:PurgeInterval must be between")]
    [InlineData("Idempotency:PurgeBatchSize", "0", "Idempotency:PurgeBatchSize must be between")]
    public void InvalidSettings_AreRefusedAtStart(string key, string value, string message)
    {
        using var server = new ClaimLedgerServer();
        server.Settings[key] = value;

        var refused = Should.Throw<Exception>(() => server.Channel());

        Flatten(refused).ShouldContain(message);
    }

    private static string Flatten(Exception e) => e is AggregateException a
        ? string.Join(" | ", a.InnerExceptions.Select(Flatten))
        : e.Message + (e.InnerException is { } inner ? " | " + Flatten(inner) : "");
}
