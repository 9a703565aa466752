using ClaimLedger.Contracts.V1;
using ClaimLedger.IntegrationTests.Infrastructure;
using ClaimLedger.Server.Infrastructure.Security;
using System.Text.Json.Nodes;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using MarkStale = ClaimLedger.Server.Features.Verification.MarkStale;

namespace ClaimLedger.IntegrationTests;

/// <summary>
/// The verdict-expiry sweep marks claims stale in batches of Staleness:MarkBatchSize (here 4) per transaction: every
/// claim still gets exactly one "claim.marked_stale" entry of its own, a sweep spans several batches, and a batch
/// with a claim that cannot be marked writes nothing of itself; the run then marks the others one by one.
/// </summary>
public sealed class StalenessBatchTests : IDisposable
{
    private readonly ClaimLedgerServer _server = new();

    public StalenessBatchTests() => _server.Settings["Staleness:MarkBatchSize"] = "4";

    private async Task<List<Claim>> DueClaimsAsync(int count)
    {
        var source = await StalenessDriver.SourceAsync(_server, $"https://news.example.org/batch-{Guid.NewGuid():N}");
        var claims = new List<Claim>();
        for (var i = 0; i < count; i++)
        {
            claims.Add((await StalenessDriver.VerifiedClaimAsync(_server, [source], TimeSpan.FromDays(1))).Claim);
        }

        _server.Clock.Advance(TimeSpan.FromDays(2));
        return claims;
    }

    private async Task<VerifyLedgerResponse> VerifyAsync() => await _server.Ledger().VerifyLedgerAsync(new VerifyLedgerRequest());

    [Fact]
    public async Task ASweepLargerThanOneBatch_MarksEveryDueClaim_WithExactlyOneLedgerEntryEach()
    {
        var claims = await DueClaimsAsync(10); // batches of 4, 4 and 2
        var before = (await VerifyAsync()).HeadSequence;

        var run = await StalenessDriver.RunAsync(_server, StalenessCheck.VerdictExpiry);

        run.State.ShouldBe(StalenessRun.Types.State.Succeeded, string.Join("; ", run.Errors));
        run.MarkedStale.ShouldBe(10);
        run.ErrorCount.ShouldBe(0);
        var marked = await StalenessDriver.LedgerAsync(_server, action: "claim.marked_stale");
        marked.Select(e => e.Subject).Order().ShouldBe(claims.Select(c => c.Name).Order());
        marked.ShouldAllBe(e => e.Sequence > before && e.Actor == "system:staleness");
        foreach (var entry in marked)
        {
            entry.Changes.ShouldContain("\"status\":\"STALE\"");
            entry.Changes.ShouldContain("\"reason\":\"VERDICT_EXPIRED\"");
            entry.Changes.ShouldContain($"\"run\":\"{run.Name}\"");
        }

        foreach (var claim in claims)
        {
            (await StalenessDriver.GetClaimAsync(_server, claim.Name)).Status.ShouldBe(ClaimStatus.Stale);
        }

        var verified = await VerifyAsync();
        verified.Valid.ShouldBeTrue(verified.FirstProblem?.Description);
        // Besides the run's own bookkeeping, the sweep wrote one entry per claim and nothing else about claims.
        (await StalenessDriver.LedgerAsync(_server)).Where(e => e.Sequence > before && e.Subject.StartsWith("claims/", StringComparison.Ordinal))
            .ShouldAllBe(e => e.Action == "claim.marked_stale");
    }

    [Fact]
    public async Task ABatchWithAClaimThatCannotBeMarked_WritesNothing()
    {
        var claims = await DueClaimsAsync(3);
        var unverified = await _server.Claims().CreateClaimAsync(TestData.NewClaim());
        var before = Db.Snapshot(_server.DatabasePath);
        var finding = new MarkStale.Finding(StaleReason.VerdictExpired, "", "", "due");
        var batch = new MarkStale.Batch([
            new MarkStale.Command(claims[0].Name, [finding]),
            new MarkStale.Command(claims[1].Name, [finding]),
            new MarkStale.Command(unverified.Name, [finding]), // UNVERIFIED cannot go STALE
            new MarkStale.Command(claims[2].Name, [finding]),
        ]);

        await using (var scope = _server.Services.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<ICurrentActor>().ActAsSystem("staleness");
            await Should.ThrowAsync<Exception>(() => scope.ServiceProvider.GetRequiredService<IMediator>().Send(batch));
        }

        Db.Snapshot(_server.DatabasePath).ShouldBe(before);
        foreach (var claim in claims)
        {
            (await StalenessDriver.GetClaimAsync(_server, claim.Name)).Status.ShouldBe(ClaimStatus.Verified);
        }

        (await VerifyAsync()).Valid.ShouldBeTrue();
    }

    [Fact]
    public async Task AClaimFailingMidBatch_IsCountedAsAnError_AndTheRunMarksTheOthers()
    {
        var claims = await DueClaimsAsync(6);
        var failing = claims[1]; // in the first batch of 4
        InjectFailure(failing.Name["claims/".Length..]);

        var run = await StalenessDriver.RunAsync(_server, StalenessCheck.VerdictExpiry);

        run.State.ShouldBe(StalenessRun.Types.State.Succeeded, string.Join("; ", run.Errors));
        run.MarkedStale.ShouldBe(5);
        run.ErrorCount.ShouldBe(1);
        run.Errors.ShouldContain(e => e.StartsWith(failing.Name, StringComparison.Ordinal));
        (await StalenessDriver.GetClaimAsync(_server, failing.Name)).Status.ShouldBe(ClaimStatus.Verified);
        var marked = await StalenessDriver.LedgerAsync(_server, action: "claim.marked_stale");
        marked.Select(e => e.Subject).Order().ShouldBe(claims.Where(c => c.Name != failing.Name).Select(c => c.Name).Order());
        Db.Scalar(_server.DatabasePath, "SELECT count(*) FROM stale_findings WHERE claim_id = @Id", ("Id", failing.Name["claims/".Length..])).ShouldBe(0);
        var verified = await VerifyAsync();
        verified.Valid.ShouldBeTrue(verified.FirstProblem?.Description);
    }

    [Fact]
    public async Task ABatch_GivesEachClaimTheEntryItsOwnCommandWouldHave()
    {
        var claims = await DueClaimsAsync(3);
        var finding = new MarkStale.Finding(StaleReason.SourceChanged, "", "", "content changed; \"quoted\" — überprüft 核实");
        await SendAsync(new MarkStale.Command(claims[0].Name, [finding]));
        var marked = await SendAsync(new MarkStale.Batch([
            new MarkStale.Command(claims[2].Name, [finding]),
            new MarkStale.Command(claims[1].Name, [finding, finding with { Reason = StaleReason.VerdictExpired, Detail = "" }]),
        ]));

        marked.Select(m => m.Claim.Name).ShouldBe([claims[2].Name, claims[1].Name]);
        var entries = await StalenessDriver.LedgerAsync(_server, action: "claim.marked_stale");
        var alone = JsonNode.Parse(entries.Single(e => e.Subject == claims[0].Name).Changes)!.AsObject();
        var first = entries.Single(e => e.Subject == claims[2].Name);
        var second = entries.Single(e => e.Subject == claims[1].Name);
        second.Sequence.ShouldBe(first.Sequence + 1); // chained in the batch's order
        var batched = JsonNode.Parse(first.Changes)!.AsObject();

        // Same shape, key for key, and the same values except what names this claim and this run.
        Paths(batched).ShouldBe(Paths(alone));
        batched["status"]!.GetValue<string>().ShouldBe("STALE");
        batched["events"]!.AsArray().Count.ShouldBe(1);
        var events = (alone["events"]![0]!.AsObject(), batched["events"]![0]!.AsObject());
        foreach (var key in new[] { "type", "from_status", "to_status", "detail" })
        {
            events.Item2[key]!.ToJsonString().ShouldBe(events.Item1[key]!.ToJsonString(), key);
        }

        events.Item2["claim"]!.GetValue<string>().ShouldBe(claims[2].Name);
        batched["findings"]!.ToJsonString().ShouldBe(alone["findings"]!.ToJsonString().Replace(claims[0].Name, claims[2].Name)
            .Replace(alone["findings"]![0]!["time"]!.GetValue<string>(), batched["findings"]![0]!["time"]!.GetValue<string>()));
        JsonNode.Parse(second.Changes)!["findings"]!.AsArray().Count.ShouldBe(2);
        Db.Scalar(_server.DatabasePath, "SELECT count(*) FROM stale_findings WHERE claim_id = @Id", ("Id", claims[1].Name["claims/".Length..])).ShouldBe(2);
        foreach (var claim in claims)
        {
            var now = await StalenessDriver.GetClaimAsync(_server, claim.Name);
            now.Status.ShouldBe(ClaimStatus.Stale);
            now.Etag.ShouldNotBe(claim.Etag);
        }

        var verified = await VerifyAsync();
        verified.Valid.ShouldBeTrue(verified.FirstProblem?.Description);
    }

    [Fact]
    public async Task ABatchNamingAClaimTwice_IsRejected_AndWritesNothing()
    {
        var claims = await DueClaimsAsync(2);
        var before = Db.Snapshot(_server.DatabasePath);
        var finding = new MarkStale.Finding(StaleReason.VerdictExpired, "", "", "due");

        var e = await Should.ThrowAsync<FluentValidation.ValidationException>(() => SendAsync(new MarkStale.Batch([
            new MarkStale.Command(claims[0].Name, [finding]),
            new MarkStale.Command(claims[1].Name, [finding]),
            new MarkStale.Command(claims[0].Name, [finding]),
        ])));

        e.Errors.ShouldContain(f => f.PropertyName == "claims" && f.ErrorMessage.Contains("once"));
        Db.Snapshot(_server.DatabasePath).ShouldBe(before);
    }

    [Fact]
    public async Task ABatchWhoseClaimChangedAfterItWasPlanned_FailsAborted_AndWritesNothing()
    {
        var claims = await DueClaimsAsync(3);
        var finding = new MarkStale.Finding(StaleReason.VerdictExpired, "", "", "due");
        var commands = claims.Select(c => new MarkStale.Command(c.Name, [finding])).ToList();
        var plan = await SendAsync(new MarkStale.PlanBatch(commands));
        plan.Marked.Select(m => m.Claim.Status).ShouldAllBe(s => s == ClaimStatus.Stale); // the claims as they will be
        // Between the plan and its write, one of the claims moves on (here: marked stale by a command of its own).
        await SendAsync(new MarkStale.Command(claims[1].Name, [finding]));
        var before = Db.Snapshot(_server.DatabasePath);

        var e = await Should.ThrowAsync<ClaimLedger.Server.Domain.EtagMismatchException>(() => SendAsync(new MarkStale.Batch(commands, plan)));

        e.ResourceName.ShouldBe(claims[1].Name);
        Db.Snapshot(_server.DatabasePath).ShouldBe(before);
        (await StalenessDriver.GetClaimAsync(_server, claims[0].Name)).Status.ShouldBe(ClaimStatus.Verified);
        var verified = await VerifyAsync();
        verified.Valid.ShouldBeTrue(verified.FirstProblem?.Description);
    }

    [Fact]
    public async Task ABatchGivenThePlanOfOtherCommands_IsRejected()
    {
        var claims = await DueClaimsAsync(2);
        var finding = new MarkStale.Finding(StaleReason.VerdictExpired, "", "", "due");
        var plan = await SendAsync(new MarkStale.PlanBatch(claims.Select(c => new MarkStale.Command(c.Name, [finding])).ToList()));
        var before = Db.Snapshot(_server.DatabasePath);

        var e = await Should.ThrowAsync<FluentValidation.ValidationException>(() =>
            SendAsync(new MarkStale.Batch(claims.Select(c => new MarkStale.Command(c.Name, [finding])).ToList(), plan)));

        e.Errors.ShouldContain(f => f.PropertyName == "prepared");
        Db.Snapshot(_server.DatabasePath).ShouldBe(before);
    }

    private async Task<T> SendAsync<T>(IRequest<T> request)
    {
        await using var scope = _server.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<ICurrentActor>().ActAsSystem("staleness");
        return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(request);
    }

    /// <summary>Every path of a JSON document with the kind of its value ("events[0].type:String"), in order.</summary>
    private static List<string> Paths(JsonNode? node, string at = "$")
    {
        return node switch
        {
            JsonObject o => [.. o.OrderBy(p => p.Key, StringComparer.Ordinal).SelectMany(p => Paths(p.Value, $"{at}.{p.Key}"))],
            JsonArray a => [$"{at}:Array[{a.Count}]", .. a.SelectMany((v, i) => Paths(v, $"{at}[{i}]"))],
            null => [$"{at}:Null"],
            _ => [$"{at}:{node.GetValueKind()}"],
        };
    }

    /// <summary>A trigger that makes recording a staleness finding of one claim fail, as a database error would.</summary>
    private void InjectFailure(string claimId) => Db.Execute(_server.DatabasePath, TestEngine.IsPostgreSql
        ? $"""
          CREATE FUNCTION test_fail_finding() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN
              IF NEW.claim_id = '{claimId}' THEN RAISE EXCEPTION 'injected failure'; END IF;
              RETURN NEW;
          END $$;
          CREATE TRIGGER test_fail_finding BEFORE INSERT ON stale_findings FOR EACH ROW EXECUTE FUNCTION test_fail_finding();
          """
        : $"""
          CREATE TRIGGER test_fail_finding BEFORE INSERT ON stale_findings
          WHEN NEW.claim_id = '{claimId}' BEGIN SELECT RAISE(ABORT, 'injected failure'); END
          """);

    public void Dispose() => _server.Dispose();
}
