using System.Text.Json;
using System.Text.Json.Nodes;
using ClaimLedger.Contracts.V1;
using ClaimLedger.IntegrationTests.Infrastructure;
using ClaimLedger.Server.Infrastructure.Ledger;
using Grpc.Core;

namespace ClaimLedger.IntegrationTests.Cli;

/// <summary>
/// The auditor's path through the CLI (issue 13): the verifier key, a claim's proof bundle, its offline verification
/// with no server (the state and history recomputed from the entries), reads as of an earlier point, and a witness
/// that refuses a log that shrank or was rewritten. Each test class instance has its own server: the witness tests
/// rewrite the database behind the server's back.
/// </summary>
public sealed class ProofCliTests : IDisposable
{
    private readonly CliServer _server = new();
    private readonly CliRunner _cli;
    private readonly string _files = Directory.CreateTempSubdirectory("claimledger-proof-files-").FullName;

    public ProofCliTests() => _cli = new CliRunner(_server);

    public void Dispose()
    {
        _server.Dispose();
        Directory.Delete(_files, recursive: true);
    }

    private LedgerService.LedgerServiceClient Ledger => _server.Ledger();

    [Fact]
    public async Task ProofBundle_VerifiesOffline_WithTheVerifierKeyAlone_AndPrintsTheClaimAsItsEntriesSayIt()
    {
        var claim = await VerifiedClaimAsync();
        await CheckpointCoveringHeadAsync();
        var key = (await _cli.RunAsync("ledger", "verifier-key")).Out.Trim();
        key.ShouldStartWith("claimledger.local/");
        var bundle = Path.Combine(_files, "bundle.json");
        var written = await _cli.RunAsync("ledger", "proof", claim.Name, "--output", bundle);
        written.ExitCode.ShouldBe(0, written.ToString());
        written.Out.ShouldContain($"entries of {claim.Name}");

        // No server: nothing listens at this address, and no API key is given.
        var verified = await _cli.RunRawAsync(["verify", bundle, "--key", key, "--url", "http://127.0.0.1:9"]);
        verified.ExitCode.ShouldBe(0, verified.ToString());
        verified.Out.ShouldContain($"valid: {claim.Name}");
        verified.Out.ShouldContain(claim.Text);
        verified.Out.ShouldContain("VERIFIED");
        verified.Out.ShouldContain("MOSTLY_FALSE");
        verified.Out.ShouldContain("Refuted by the ministry's own figures.");
        verified.Out.ShouldContain("claim.verdict_submitted");

        var json = (await _cli.RunRawAsync(["verify", bundle, "--key", key, "--json", "--url", "http://127.0.0.1:9"])).Json();
        json.GetProperty("state").GetProperty("status").GetString().ShouldBe("VERIFIED");
        json.GetProperty("state").GetProperty("verdict").GetProperty("reviewer").GetString().ShouldBe("admin");
        json.GetProperty("evidence").EnumerateArray().Single().GetProperty("stance").GetString().ShouldBe("REFUTES");

        // The key in a file works too.
        var keyFile = Path.Combine(_files, "log.vkey");
        await File.WriteAllTextAsync(keyFile, key + "\n");
        (await _cli.RunRawAsync(["verify", bundle, "--key", keyFile])).ExitCode.ShouldBe(0);
    }

    [Fact]
    public async Task AlteredBundles_AndAnotherKey_AreRejected_WithTheReason()
    {
        var claim = await VerifiedClaimAsync();
        await CheckpointCoveringHeadAsync();
        var key = (await _cli.RunAsync("ledger", "verifier-key")).Out.Trim();
        var bundle = Path.Combine(_files, "bundle.json");
        (await _cli.RunAsync("ledger", "proof", claim.Name, "--output", bundle)).ExitCode.ShouldBe(0);
        var text = await File.ReadAllTextAsync(bundle);

        // The rationale rewritten inside a leaf.
        var altered = Path.Combine(_files, "altered.json");
        await File.WriteAllTextAsync(altered, text.Replace("Refuted by the ministry", "Confirmed by the ministry", StringComparison.Ordinal));
        var rejected = await _cli.RunRawAsync(["verify", altered, "--key", key]);
        rejected.ExitCode.ShouldBe(1, rejected.ToString());
        rejected.Out.ShouldContain("INVALID");
        rejected.Out.ShouldContain("inclusion proof does not verify");

        // An entry dropped from the bundle's middle still verifies (each entry stands alone), but one moved out of order does not.
        var document = JsonNode.Parse(text)!.AsObject();
        var entries = document["entries"]!.AsArray();
        var first = entries[0]!.DeepClone();
        entries.Add(first);
        var reordered = Path.Combine(_files, "reordered.json");
        await File.WriteAllTextAsync(reordered, document.ToJsonString());
        (await _cli.RunRawAsync(["verify", reordered, "--key", key])).ExitCode.ShouldBe(1);

        using var other = ClaimLedger.Transparency.NoteSigner.Generate(key.Split('+')[0]);
        var wrongKey = await _cli.RunRawAsync(["verify", bundle, "--key", other.VerifierKey.ToString()]);
        wrongKey.ExitCode.ShouldBe(1);
        wrongKey.Out.ShouldContain("checkpoint does not verify");

        var notAKey = await _cli.RunRawAsync(["verify", bundle, "--key", "not-a-key"]);
        notAKey.ExitCode.ShouldBe(2);
        notAKey.Error.ShouldContain("not a verifier key");
    }

    [Fact]
    public async Task ClaimShowAndHistory_AsOfAnEarlierPoint_AreWhatTheLedgerSaidThen()
    {
        var claim = await _server.Claims().CreateClaimAsync(TestData.NewClaim());
        var created = (await Ledger.ListLedgerEntriesAsync(new ListLedgerEntriesRequest { Subject = claim.Name })).Entries.Single();
        await _server.Claims().UpdateClaimAsync(new UpdateClaimRequest
        {
            Claim = new Claim { Name = claim.Name, Claimant = "A later claimant" },
            UpdateMask = new Google.Protobuf.WellKnownTypes.FieldMask { Paths = { "claimant" } },
        });
        await _server.Claims().StartReviewAsync(new StartReviewRequest { Name = claim.Name });

        var then = (await _cli.RunAsync("claim", "show", claim.Name, "--as-of-sequence", created.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json")).Json();
        then.Text("claimant").ShouldBe(claim.Claimant);
        then.Text("status").ShouldBe("UNVERIFIED");
        then.Text("text").ShouldBe(claim.Text);
        then.Text("etag").ShouldBe(claim.Etag);
        var now = (await _cli.RunAsync("claim", "show", claim.Name, "--json")).Json();
        now.Text("claimant").ShouldBe("A later claimant");
        now.Text("status").ShouldBe("IN_REVIEW");

        // By time: the entry's own time shows the claim as created.
        var byTime = await _server.Claims().GetClaimAsync(new GetClaimRequest { Name = claim.Name, AsOfTime = created.Time });
        byTime.Claimant.ShouldBe(claim.Claimant);
        (await _cli.RunAsync("claim", "history", claim.Name, "--as-of-sequence", created.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json")).Json()
            .Items("events").Select(e => e.Text("type")).ShouldBe(["CREATED"]);
        (await _cli.RunAsync("claim", "history", claim.Name, "--json")).Json().Items("events").Length.ShouldBe(3);

        // Before it existed: not found; both forms at once: a usage error.
        var before = await _cli.RunAsync("claim", "show", claim.Name, "--as-of", "2020-01-01");
        before.ExitCode.ShouldBe(3, before.ToString());
        (await _cli.RunAsync("claim", "show", claim.Name, "--as-of", "2030-01-01", "--as-of-sequence", "3")).ExitCode.ShouldBe(2);
    }

    [Fact]
    public async Task Witness_FollowsAGrowingLog_AndRefusesOneThatShrank()
    {
        await _server.Claims().CreateClaimAsync(TestData.NewClaim());
        await CheckpointCoveringHeadAsync();
        var key = (await _cli.RunAsync("ledger", "verifier-key")).Out.Trim();
        var state = Path.Combine(_files, "witness.json");

        (await _cli.RunAsync("ledger", "witness", "--state", state)).ExitCode.ShouldBe(2, "the first run needs the key, from elsewhere than the log");
        var first = await _cli.RunAsync("ledger", "witness", "--state", state, "--key", key);
        first.ExitCode.ShouldBe(0, first.ToString());
        first.Out.ShouldContain("now following");

        await _server.Claims().CreateClaimAsync(TestData.NewClaim());
        var grown = await CheckpointCoveringHeadAsync();
        var second = await _cli.RunAsync("ledger", "witness", "--state", state);
        second.ExitCode.ShouldBe(0, second.ToString());
        second.Out.ShouldContain($"to {grown.TreeSize} entries, consistent");

        // Someone with the database truncates the ledger and has the tree rebuilt and signed: a smaller log than before.
        var database = _server.DatabasePath;
        Db.DropTrigger(database, "ledger_entries", "ledger_entries_no_delete");
        Db.DropTrigger(database, "checkpoints", "checkpoints_no_delete");
        ResetTree(database, "DELETE FROM ledger_entries WHERE sequence > @Size;", ("Size", grown.TreeSize - 2));
        await CheckpointCoveringHeadAsync();
        var kept = await File.ReadAllTextAsync(state);
        var shrank = await _cli.RunAsync("ledger", "witness", "--state", state);
        shrank.ExitCode.ShouldBe(1, shrank.ToString());
        shrank.Error.ShouldContain("SHRANK");
        (await File.ReadAllTextAsync(state)).ShouldBe(kept, "a refused checkpoint is not kept");
    }

    [Fact]
    public async Task Witness_RefusesALogRewrittenWithItsOwnKey()
    {
        for (var i = 0; i < 3; i++)
        {
            await _server.Claims().CreateClaimAsync(TestData.NewClaim());
        }

        await CheckpointCoveringHeadAsync();
        var key = (await _cli.RunAsync("ledger", "verifier-key")).Out.Trim();
        var state = Path.Combine(_files, "witness.json");
        (await _cli.RunAsync("ledger", "witness", "--state", state, "--key", key)).ExitCode.ShouldBe(0);

        // An insider with the database and the server's key rewrites entry 2's actor, re-chains every later entry so
        // that VerifyLedger passes, and has the tree rebuilt and signed afresh.
        RewriteHistory(_server.DatabasePath, sequence: 2, actor: "mallory");
        await _server.Claims().CreateClaimAsync(TestData.NewClaim());
        await CheckpointCoveringHeadAsync();

        var forked = await _cli.RunAsync("ledger", "witness", "--state", state);
        forked.ExitCode.ShouldBe(1, forked.ToString());
        forked.Error.ShouldContain("FORKED");
    }

    // ---- helpers

    private async Task<Claim> VerifiedClaimAsync()
    {
        var claims = _server.Claims();
        var claim = await claims.CreateClaimAsync(TestData.NewClaim());
        await claims.StartReviewAsync(new StartReviewRequest { Name = claim.Name });
        var source = await _server.Sources().CreateSourceAsync(TestData.NewSource());
        var evidence = await _server.Evidence().AddEvidenceAsync(new AddEvidenceRequest
        {
            Parent = claim.Name, Evidence = new Evidence { Source = source.Name, Stance = Stance.Refutes, Excerpt = "the figures say otherwise" },
        });
        return await claims.SubmitVerdictAsync(new SubmitVerdictRequest
        {
            Name = claim.Name, Rating = Rating.MostlyFalse, Rationale = "Refuted by the ministry's own figures.", Evidence = { evidence.Name },
        });
    }

    private async Task<Checkpoint> CheckpointCoveringHeadAsync()
    {
        var head = (await Ledger.GetLedgerDigestAsync(new GetLedgerDigestRequest())).HeadSequence;
        return await StalenessDriver.EventuallyAsync(async () =>
        {
            try
            {
                return await Ledger.GetCheckpointAsync(new GetCheckpointRequest());
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.FailedPrecondition)
            {
                return new Checkpoint();
            }
        }, c => c.TreeSize >= head, TimeSpan.FromSeconds(20), $"a checkpoint of at least {head} entries");
    }

    /// <summary>Rewrites one entry's actor, re-chains the rest, and resets the Merkle tree and its checkpoints.</summary>
    private static void RewriteHistory(string database, long sequence, string actor)
    {
        Db.DropTrigger(database, "ledger_entries", "ledger_entries_no_update");
        Db.DropTrigger(database, "checkpoints", "checkpoints_no_delete");
        var rows = Db.Rows(database, "SELECT sequence, time, actor, action, subject, changes, previous_hash FROM ledger_entries WHERE sequence >= @S ORDER BY sequence",
            ("S", sequence));
        var previous = rows[0][6]!;
        foreach (var row in rows)
        {
            var seq = long.Parse(row[0]!, System.Globalization.CultureInfo.InvariantCulture);
            var who = seq == sequence ? actor : row[2]!;
            var hash = LedgerChain.EntryHash(previous, LedgerChain.CanonicalEntry(seq, row[1]!, who, row[3]!, row[4]!, JsonNode.Parse(row[5]!)));
            Db.Execute(database, "UPDATE ledger_entries SET actor = @A, previous_hash = @P, entry_hash = @H WHERE sequence = @S",
                ("A", who), ("P", previous), ("H", hash), ("S", seq));
            previous = hash;
        }

        ResetTree(database);
    }

    /// <summary>
    /// Empties the Merkle tree and its checkpoints (after <paramref name="first"/>, in the same transaction, so the running
    /// integrator never sees half of it), and the integrator rebuilds the tree from the entries and signs anew.
    /// </summary>
    private static void ResetTree(string database, string first = "", params (string Name, object Value)[] parameters) =>
        Db.Execute(database,
            "BEGIN; " + first + " UPDATE merkle_tree SET size = 0, root = @Root; DELETE FROM merkle_tiles; DELETE FROM checkpoints; COMMIT;",
            [.. parameters, ("Root", Convert.FromHexString("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"))]);
}
