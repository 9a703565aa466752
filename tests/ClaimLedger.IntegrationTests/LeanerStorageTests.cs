using ClaimLedger.Contracts.V1;
using ClaimLedger.IntegrationTests.Infrastructure;
using Google.Rpc;
using Grpc.Core;
using Microsoft.Data.Sqlite;

namespace ClaimLedger.IntegrationTests;

/// <summary>
/// Migration 0011 (ADR 24), on both engines: a database at 0010 with claims, evidence, a verdict, a retraction and a
/// claim whose normalised text is empty upgrades at the next start — the two indexes gone, the partial one there — and
/// everything still reads, lists, searches and verifies; claims with exactly the same normalised text are still found
/// without the index of the text (through claim_bands), also when more of them exist than the cap per band key.
/// </summary>
public sealed class LeanerStorageTests : IDisposable
{
    private const string Script = "0011_leaner_storage.sql";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "claimledger-tests", "lean-" + Guid.NewGuid().ToString("N"));
    private readonly List<ClaimLedgerServer> _servers = [];

    private string DatabasePath => Path.Combine(_directory, "claimledger.db");

    [Fact]
    public async Task ADatabaseAt0010_MigratesTo0011_AndStillReadsSearchesFindsTwinsAndVerifies()
    {
        Claim kestrel, punctuation, retracted, verified;
        using (var old = Start())
        {
            var claims = old.Claims();
            kestrel = await claims.CreateClaimAsync(TestData.NewClaim("The Kestrel dam holds back forty million cubic metres of water.", "energy"));
            punctuation = await claims.CreateClaimAsync(TestData.NewClaim("?!"));
            retracted = await claims.CreateClaimAsync(TestData.NewClaim("The Opole ferry carried 9000 passengers over the Easter weekend."));
            await claims.RetractClaimAsync(new RetractClaimRequest { Name = retracted.Name, Reason = RetractionReason.Withdrawn });
            var source = await old.Sources().CreateSourceAsync(TestData.NewSource());
            verified = await claims.CreateClaimAsync(TestData.NewClaim("The Gdynia ferry terminal will get 4 new electric ferries by the end of 2028."));
            verified = await claims.StartReviewAsync(new StartReviewRequest { Name = verified.Name });
            var supports = await old.Evidence().AddEvidenceAsync(new AddEvidenceRequest
            {
                Parent = verified.Name,
                Evidence = new Evidence { Source = source.Name, Stance = Stance.Supports, Excerpt = "four electric ferries ordered" },
            });
            verified = await claims.SubmitVerdictAsync(new SubmitVerdictRequest { Name = verified.Name, Rating = Rating.True, Rationale = "r", Evidence = { supports.Name } });
            for (var i = 0; i < 5; i++)
            {
                await claims.CreateClaimAsync(TestData.NewClaim());
            }
        }

        // The schema as 0010 left it: both indexes there, the partial one not, 0011 never applied.
        SqliteConnection.ClearAllPools();
        Db.Execute(DatabasePath, "DROP INDEX ix_claims_empty_text");
        Db.Execute(DatabasePath, "CREATE INDEX ix_claims_unverified ON claims (status, create_time) WHERE status = 'UNVERIFIED'");
        Db.Execute(DatabasePath, TestEngine.IsPostgreSql
            ? "CREATE INDEX ix_claims_normalized_text ON claims USING HASH (normalized_text)"
            : "CREATE INDEX ix_claims_normalized_text ON claims (normalized_text)");
        Db.Execute(DatabasePath, $"DELETE FROM schema_migrations WHERE script_name = '{Script}'");
        var claimsBefore = Db.Scalar(DatabasePath, "SELECT count(*) FROM claims");
        IndexesOfClaims().ShouldContain("ix_claims_normalized_text");

        using var upgraded = Start();
        var upgradedClaims = upgraded.Claims();

        Db.Scalar(DatabasePath, $"SELECT count(*) FROM schema_migrations WHERE script_name = '{Script}'").ShouldBe(1);
        Db.Scalar(DatabasePath, "SELECT count(*) FROM claims").ShouldBe(claimsBefore);
        var indexes = IndexesOfClaims();
        indexes.ShouldNotContain("ix_claims_normalized_text");
        indexes.ShouldNotContain("ix_claims_unverified");
        indexes.ShouldContain("ix_claims_empty_text");
        indexes.ShouldContain("ix_claims_status");

        // Reads, lists and searches as before.
        (await upgradedClaims.GetClaimAsync(new GetClaimRequest { Name = kestrel.Name })).Text.ShouldBe(kestrel.Text);
        (await upgradedClaims.GetClaimAsync(new GetClaimRequest { Name = verified.Name })).Status.ShouldBe(ClaimStatus.Verified);
        var unverified = await upgradedClaims.ListClaimsAsync(new ListClaimsRequest { Status = ClaimStatus.Unverified, PageSize = 100 });
        unverified.Claims.Select(c => c.Name).ShouldContain(kestrel.Name);
        unverified.Claims.Select(c => c.Name).ShouldNotContain(verified.Name);
        var found = await upgradedClaims.SearchClaimsAsync(new SearchClaimsRequest { Query = "\"kestrel dam\"" });
        found.Results.Select(r => r.Claim.Name).ShouldBe([kestrel.Name]);

        // Exact twins: a text with band keys, and the empty normalised text, which has none; retracted ones only when asked.
        (await RpcAssert.Fails(StatusCode.AlreadyExists, upgradedClaims.CreateClaimAsync(TestData.NewClaim("the KESTREL dam holds back forty million cubic metres of water"))))
            .GetDetail<ErrorInfo>().Metadata["similar_claims"].ShouldBe(kestrel.Name);
        (await RpcAssert.Fails(StatusCode.AlreadyExists, upgradedClaims.CreateClaimAsync(TestData.NewClaim("!!"))))
            .GetDetail<ErrorInfo>().Metadata["similar_claims"].ShouldBe(punctuation.Name);
        (await upgradedClaims.CreateClaimAsync(TestData.NewClaim(retracted.Text))).Name.ShouldNotBe(retracted.Name);

        var ledger = await upgraded.Ledger().VerifyLedgerAsync(new VerifyLedgerRequest());
        ledger.Valid.ShouldBeTrue();
    }

    [Fact]
    public async Task TheOldestOfManyExactTwins_IsFound_BeyondTheCapPerBandKey()
    {
        using var server = Start();
        var claims = server.Claims();
        const string Text = "The Tarnow reservoir held 41 million cubic metres of water in March.";
        var original = await claims.CreateClaimAsync(TestData.NewClaim(Text));
        for (var i = 0; i < Server.Infrastructure.Search.MinHashCandidates.PerKey + 5; i++)
        {
            var twin = TestData.NewClaim(Text);
            twin.AllowDuplicate = true;
            await claims.CreateClaimAsync(twin);
        }

        // Every twin shares every key, so the band candidates hold only the newest PerKey of them; the same-text look-up
        // holds them all, and equally similar claims are listed oldest first.
        var similar = await claims.FindSimilarClaimsAsync(new FindSimilarClaimsRequest { Text = Text });

        similar.Claims[0].Claim.Name.ShouldBe(original.Name);
        similar.Claims[0].Similarity.ShouldBe(1.0);
    }

    private List<string> IndexesOfClaims() =>
        Db.Rows(DatabasePath, TestEngine.IsPostgreSql
                ? "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'claims'"
                : "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'claims'")
            .Select(r => r[0]!)
            .ToList();

    private ClaimLedgerServer Start()
    {
        var server = new ClaimLedgerServer();
        server.Settings["Database:DataDirectory"] = _directory;
        _ = server.Services;
        File.Copy(Path.Combine(_directory, "admin-api-key"), Path.Combine(server.DataDirectory, "admin-api-key"), overwrite: true);
        _servers.Add(server);
        return server;
    }

    public void Dispose()
    {
        foreach (var server in _servers)
        {
            server.Dispose();
        }

        SqliteConnection.ClearAllPools();
        TestEngine.Forget(_directory);
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
