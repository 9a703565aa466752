using ClaimLedger.Contracts.V1;
using ClaimLedger.IntegrationTests.Crash;
using ClaimLedger.IntegrationTests.Infrastructure;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace ClaimLedger.IntegrationTests;

/// <summary>
/// Moving to PostgreSQL with the server's verb, as an operator would (ClaimLedger.Server migrate-to-postgres --from
/// &lt;file&gt;, ConnectionStrings__ClaimLedger naming an empty database): the database of a real SQLite server process,
/// loaded through the API, is moved, and a real server process on PostgreSQL then serves the same claims, history,
/// keys and ledger, and goes on from there; and the verb's refusals.
/// </summary>
public sealed class MigrateToPostgresTests(MigrateToPostgresTests.SqliteSource source) : IClassFixture<MigrateToPostgresTests.SqliteSource>, IDisposable
{
    private const string Reason = "moves a SQLite database into PostgreSQL";
    private readonly string _directory = Directory.CreateTempSubdirectory("claimledger-migrate-").FullName;

    [PostgresFact(Reason)]
    public async Task ARealSqliteServersDatabase_Moved_IsServedOnPostgreSqlWithTheSameClaimsLedgerAndKeys_AndWritesGoOnFromItsHead()
    {
        var before = await source.GetAsync();
        var file = CopyOfTheSqliteDatabase(before);
        var target = Adopted("postgres");

        var migrated = await MigrateToPostgresVerb.RunAsync(target, "--from", file);

        migrated.ExitCode.ShouldBe(0, migrated.ToString());
        migrated.Output.ShouldContain("ledger valid on PostgreSQL: ", Case.Sensitive, migrated.ToString());
        migrated.Output.ShouldContain($"head {before.Digest.HeadSequence} {before.Digest.HeadHash}", Case.Sensitive, migrated.ToString());
        migrated.RowsCopied("claims").ShouldBe(before.Claims.Count);
        migrated.RowsCopied("api_keys").ShouldBe(before.Keys.Count);
        migrated.RowsCopied("ledger_entries").ShouldBe(before.Digest.HeadSequence);
        migrated.RowsCopied("verdicts").ShouldBe(1);
        migrated.Output.ShouldContain("vacuumed and analysed", Case.Sensitive, migrated.ToString());
        // Planned as a database that grew: the copied tables have statistics (reltuples is -1 until the first analyse).
        Db.Scalar(Path.Combine(_directory, "postgres", "claimledger.db"), "SELECT reltuples::bigint FROM pg_class WHERE relname = 'claims'")
            .ShouldBe(before.Claims.Count);

        File.Copy(Path.Combine(before.Directory, "admin-api-key"), Path.Combine(_directory, "postgres", "admin-api-key"));
        // The log's signing key is not in the database: the README's move gives it to the PostgreSQL instance.
        File.Copy(Path.Combine(before.Directory, "checkpoint-signing-key"), Path.Combine(_directory, "postgres", "checkpoint-signing-key"));
        await using var server = await ServerProcess.StartAsync(Path.Combine(_directory, "postgres"));
        server.Output.ShouldNotContain("API key (shown once", Case.Sensitive, "the moved keys are the keys: no new admin key is made");
        var admin = Clients(server.Channel, server.AdminKey);
        var editor = Clients(server.Channel, before.EditorKey);

        // The same claims, evidence and history: same ids, etags, statuses and verdicts, byte for byte as the API gives them.
        foreach (var claim in before.Claims)
        {
            (await editor.Claims.GetClaimAsync(new GetClaimRequest { Name = claim.Name })).ShouldBe(claim);
            (await editor.Evidence.ListEvidenceAsync(new ListEvidenceRequest { Parent = claim.Name, ShowRemoved = true })).ShouldBe(before.Evidence[claim.Name]);
            (await editor.Claims.ListClaimHistoryAsync(new ListClaimHistoryRequest { Name = claim.Name, PageSize = 100 })).ShouldBe(before.History[claim.Name]);
        }

        before.Claims.Select(c => (c.Status, c.Verdict?.Rating)).ShouldContain((ClaimStatus.Verified, Rating.True));
        (await AllClaimsAsync(editor.Claims)).ShouldBe(before.Claims.OrderBy(c => c.Name, StringComparer.Ordinal));
        foreach (var source in before.Sources)
        {
            (await editor.Sources.GetSourceAsync(new GetSourceRequest { Name = source.Name })).ShouldBe(source);
        }

        // The same ledger, entry for entry, verified by the PostgreSQL server with the same head.
        (await AllEntriesAsync(admin.Ledger)).ShouldBe(before.Ledger);
        var verified = await admin.Ledger.VerifyLedgerAsync(new VerifyLedgerRequest { Digest = before.Digest });
        verified.Valid.ShouldBeTrue(verified.FirstProblem?.Description);
        verified.HeadSequence.ShouldBe(before.Digest.HeadSequence);
        verified.HeadHash.ShouldBe(before.Digest.HeadHash);
        verified.ClaimsChecked.ShouldBe(before.Claims.Count);

        // The same keys: they still authenticate, with their roles; the revoked one stays revoked.
        (await admin.Access.ListApiKeysAsync(new ListApiKeysRequest { ShowRevoked = true, PageSize = 100 })).ApiKeys.ShouldBe(before.Keys);
        await RpcAssert.Fails(StatusCode.PermissionDenied, editor.Access.ListApiKeysAsync(new ListApiKeysRequest()));
        var revoked = Clients(server.Channel, before.RevokedKey);
        (await RpcAssert.Fails(StatusCode.Unauthenticated, revoked.Claims.GetClaimAsync(new GetClaimRequest { Name = before.Claims[0].Name })))
            .GetDetail<Google.Rpc.ErrorInfo>().ShouldNotBeNull().Reason.ShouldBe("API_KEY_REVOKED");

        // A retried request seen before the move is still recognised: the first response, no second claim.
        var replayed = await editor.Claims.CreateClaimAsync(before.IdempotentRequest);
        replayed.Name.ShouldBe(before.IdempotentClaim);
        var unchanged = await admin.Ledger.GetLedgerDigestAsync(new GetLedgerDigestRequest());
        (unchanged.HeadSequence, unchanged.HeadHash).ShouldBe((before.Digest.HeadSequence, before.Digest.HeadHash));

        // New writes continue the chain from the moved head, densely, with the moved etags guarding them.
        var open = before.Claims.Single(c => c.Name == before.PlainClaim);
        open.Status.ShouldBe(ClaimStatus.Unverified);
        await RpcAssert.Fails(StatusCode.Aborted, editor.Claims.StartReviewAsync(new StartReviewRequest { Name = open.Name, Etag = "\"999\"" }));
        var reviewed = await editor.Claims.StartReviewAsync(new StartReviewRequest { Name = open.Name, Etag = open.Etag });
        var created = await editor.Claims.CreateClaimAsync(TestData.NewClaim());
        var after = (await AllEntriesAsync(admin.Ledger)).Where(e => e.Sequence > before.Digest.HeadSequence).ToList();
        after.Select(e => (e.Sequence, e.Action, e.Subject, e.Actor)).ShouldBe(
        [
            (before.Digest.HeadSequence + 1, "claim.review_started", reviewed.Name, SqliteSource.EditorName),
            (before.Digest.HeadSequence + 2, "claim.created", created.Name, SqliteSource.EditorName),
        ]);
        after[0].PreviousHash.ShouldBe(before.Digest.HeadHash);
        after[1].PreviousHash.ShouldBe(after[0].EntryHash);
        var final = await admin.Ledger.VerifyLedgerAsync(new VerifyLedgerRequest { Digest = before.Digest });
        final.Valid.ShouldBeTrue(final.FirstProblem?.Description);
        final.HeadSequence.ShouldBe(before.Digest.HeadSequence + 2);
        final.EntriesChecked.ShouldBe(before.Digest.HeadSequence + 2);
        Db.Scalar(Path.Combine(_directory, "postgres", "claimledger.db"), "SELECT count(*) FROM claims").ShouldBe(before.Claims.Count + 1);

        // With the log's key, the PostgreSQL instance goes on integrating: a checkpoint of the same log (same verifier
        // key) covers the new entries, and proves the moved tree is a prefix of it.
        var verifierKey = (await admin.Ledger.GetVerifierKeyAsync(new GetVerifierKeyRequest())).VerifierKey_;
        var covering = await CheckpointCoveringAsync(admin.Ledger, final.HeadSequence);
        covering.ShouldNotBeNull($"no checkpoint covered entry {final.HeadSequence} within 30 s of the move: the instance does not integrate");
        var consistency = await admin.Ledger.GetConsistencyProofAsync(new GetConsistencyProofRequest
        {
            FirstSize = before.Digest.HeadSequence, SecondSize = covering.TreeSize,
        });
        consistency.SecondSize.ShouldBe(covering.TreeSize);
        consistency.Hashes.ShouldNotBeEmpty();
        verifierKey.ShouldBe(before.VerifierKey);
    }

    private static async Task<Checkpoint?> CheckpointCoveringAsync(LedgerService.LedgerServiceClient ledger, long sequence)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var checkpoint = await ledger.GetCheckpointAsync(new GetCheckpointRequest());
            if (checkpoint.TreeSize >= sequence)
            {
                return checkpoint;
            }

            await Task.Delay(100);
        }

        return null;
    }

    [PostgresFact(Reason)]
    public async Task IntoADatabaseThatAlreadyHoldsData_IsRefusedWithExitCode2_AndWritesNothing()
    {
        var before = await source.GetAsync();
        var file = CopyOfTheSqliteDatabase(before);
        using var running = new ClaimLedgerServer();
        await running.Claims().CreateClaimAsync(TestData.NewClaim());
        var snapshot = Db.Snapshot(running.DatabasePath);
        var head = Db.Scalar(running.DatabasePath, "SELECT max(sequence) FROM ledger_entries");

        var refused = await MigrateToPostgresVerb.RunAsync(TestEngine.ConnectionStringFor(running.DataDirectory), "--from", file);

        refused.ExitCode.ShouldBe(2, refused.ToString());
        refused.Output.ShouldContain("already holds claims, keys or ledger entries; migrate into an empty one", Case.Sensitive, refused.ToString());
        refused.Output.ShouldNotContain(" rows", Case.Sensitive, "no table was copied");
        Db.Snapshot(running.DatabasePath).ShouldBe(snapshot);
        (await running.Ledger().VerifyLedgerAsync(new VerifyLedgerRequest())).HeadSequence.ShouldBe(head + 1, "its own ledger, plus the auditor key just made");
    }

    [PostgresFact(Reason)]
    public async Task FromAFileThatDoesNotExist_IsRefusedWithExitCode2_AndTouchesNoDatabase()
    {
        var target = Adopted("untouched");
        var missing = Path.Combine(_directory, "no-such-claimledger.db");

        var refused = await MigrateToPostgresVerb.RunAsync(target, "--from", missing);

        refused.ExitCode.ShouldBe(2, refused.ToString());
        refused.Output.ShouldContain($"{missing} does not exist", Case.Sensitive, refused.ToString());
        Db.Tables(Path.Combine(_directory, "untouched", "claimledger.db")).ShouldBeEmpty("not even the schema is created");
        File.Exists(missing).ShouldBeFalse("no SQLite file is created either");
    }

    [PostgresFact(Reason)]
    public async Task WithoutAFileOrWithoutATargetDatabase_IsUsageWithExitCode2()
    {
        var before = await source.GetAsync();
        var file = CopyOfTheSqliteDatabase(before);
        var target = Adopted("untouched");

        var noFile = await MigrateToPostgresVerb.RunAsync(target);
        var noTarget = await MigrateToPostgresVerb.RunAsync(null, "--from", file);

        noFile.ExitCode.ShouldBe(2, noFile.ToString());
        noFile.Output.ShouldContain("usage: ClaimLedger.Server migrate-to-postgres --from", Case.Sensitive, noFile.ToString());
        noTarget.ExitCode.ShouldBe(2, noTarget.ToString());
        noTarget.Output.ShouldContain("set ConnectionStrings__ClaimLedger", Case.Sensitive, noTarget.ToString());
        Db.Tables(Path.Combine(_directory, "untouched", "claimledger.db")).ShouldBeEmpty();
    }

    /// <summary>A fresh empty database, the database of the folder <paramref name="name"/> under this test's directory (dropped with it).</summary>
    private string Adopted(string name)
    {
        var directory = Path.Combine(_directory, name);
        Directory.CreateDirectory(directory);
        var connectionString = PostgresServer.Instance.CreateDatabase();
        TestEngine.Adopt(directory, connectionString);
        return connectionString;
    }

    /// <summary>This test's own copy of the SQLite server's database (the verb brings its schema up to date, so each test moves a copy).</summary>
    private string CopyOfTheSqliteDatabase(SqliteSource.Loaded loaded)
    {
        var directory = Directory.CreateDirectory(Path.Combine(_directory, "sqlite")).FullName;
        foreach (var file in Directory.GetFiles(loaded.Directory, "claimledger.db*"))
        {
            File.Copy(file, Path.Combine(directory, Path.GetFileName(file)));
        }

        return Path.Combine(directory, "claimledger.db");
    }

    private static ApiClients Clients(Grpc.Net.Client.GrpcChannel channel, string key) => new(channel.Intercept(m =>
    {
        m.Add("authorization", "Bearer " + key);
        return m;
    }));

    private static async Task<List<Claim>> AllClaimsAsync(ClaimService.ClaimServiceClient claims)
    {
        var all = new List<Claim>();
        var request = new ListClaimsRequest { PageSize = 2 };
        do
        {
            var page = await claims.ListClaimsAsync(request);
            all.AddRange(page.Claims);
            request.PageToken = page.NextPageToken;
        }
        while (request.PageToken.Length > 0);

        return all.OrderBy(c => c.Name, StringComparer.Ordinal).ToList();
    }

    private static async Task<List<LedgerEntry>> AllEntriesAsync(LedgerService.LedgerServiceClient ledger)
    {
        var all = new List<LedgerEntry>();
        var request = new ListLedgerEntriesRequest { PageSize = 5 };
        do
        {
            var page = await ledger.ListLedgerEntriesAsync(request);
            all.AddRange(page.Entries);
            request.PageToken = page.NextPageToken;
        }
        while (request.PageToken.Length > 0);

        return all;
    }

    public void Dispose()
    {
        foreach (var directory in Directory.GetDirectories(_directory))
        {
            TestEngine.Forget(directory);
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    internal sealed record ApiClients(CallInvoker Invoker)
    {
        public ClaimService.ClaimServiceClient Claims { get; } = new(Invoker);

        public SourceService.SourceServiceClient Sources { get; } = new(Invoker);

        public EvidenceService.EvidenceServiceClient Evidence { get; } = new(Invoker);

        public LedgerService.LedgerServiceClient Ledger { get; } = new(Invoker);

        public AccessService.AccessServiceClient Access { get; } = new(Invoker);
    }

    /// <summary>
    /// The SQLite database to move, made once for the class by a real server process on SQLite (Database__Provider=Sqlite,
    /// whatever engine the build tests): keys (an EDITOR, a revoked READER), sources, claims with evidence, history, a
    /// verdict and a request id; then stopped gracefully. What the API said about all of it is recorded to compare with.
    /// Made on first use, so that the SQLite build, where these tests are skipped, never makes it.
    /// </summary>
    public sealed class SqliteSource : IAsyncLifetime
    {
        public const string EditorName = "migrating-editor";

        private readonly string _directory = Path.Combine(Directory.CreateTempSubdirectory("claimledger-migrate-source-").FullName, "data");
        private readonly Lazy<Task<Loaded>> _loaded;

        public SqliteSource() => _loaded = new Lazy<Task<Loaded>>(LoadAsync);

        public Task<Loaded> GetAsync() => _loaded.Value;

        private async Task<Loaded> LoadAsync()
        {
            await using var server = await ServerProcess.StartAsync(_directory, start =>
            {
                start.Environment["Database__Provider"] = "Sqlite";
                start.Environment.Remove("ConnectionStrings__ClaimLedger");
            });
            File.Exists(Path.Combine(_directory, "claimledger.db")).ShouldBeTrue("the server runs on SQLite");
            var admin = Clients(server.Channel, server.AdminKey);
            var editorKey = (await admin.Access.CreateApiKeyAsync(new CreateApiKeyRequest { ApiKey = new ApiKey { DisplayName = EditorName, Role = Role.Editor } })).Key;
            var doomed = await admin.Access.CreateApiKeyAsync(new CreateApiKeyRequest { ApiKey = new ApiKey { DisplayName = "doomed-reader", Role = Role.Reader } });
            await admin.Access.RevokeApiKeyAsync(new RevokeApiKeyRequest { Name = doomed.ApiKey.Name });
            var editor = Clients(server.Channel, editorKey);

            var article = await editor.Sources.CreateSourceAsync(TestData.NewSource());
            var memo = await editor.Sources.CreateSourceAsync(new CreateSourceRequest
            {
                Source = new Source { Title = "Leaked memo (PDF)", Kind = SourceKind.PrimaryDocument, ContentSha256 = new string('a', 64) },
            });

            var verified = await editor.Claims.CreateClaimAsync(TestData.NewClaim(null, "economy", "trade"));
            await editor.Claims.StartReviewAsync(new StartReviewRequest { Name = verified.Name });
            var supports = await editor.Evidence.AddEvidenceAsync(new AddEvidenceRequest
            {
                Parent = verified.Name,
                Evidence = new Evidence { Source = article.Name, Stance = Stance.Supports, Excerpt = "The figures were confirmed by the ministry — 100 %.", Locator = "para 3" },
            });
            await editor.Claims.SubmitVerdictAsync(new SubmitVerdictRequest { Name = verified.Name, Rating = Rating.True, Rationale = "Confirmed by the article.", Evidence = { supports.Name } });

            var disputed = await editor.Claims.CreateClaimAsync(TestData.NewClaim("Zoë's café \"Le Mur\" closed early — 😀 in region Ω " + Guid.NewGuid().ToString("N")));
            var refutes = await editor.Evidence.AddEvidenceAsync(new AddEvidenceRequest
            {
                Parent = disputed.Name, Evidence = new Evidence { Source = memo.Name, Stance = Stance.Refutes, Credibility = Credibility._2ProbablyTrue },
            });
            await editor.Evidence.AddEvidenceAsync(new AddEvidenceRequest { Parent = disputed.Name, Evidence = new Evidence { Source = article.Name, Stance = Stance.Context } });
            await editor.Evidence.RemoveEvidenceAsync(new RemoveEvidenceRequest { Name = refutes.Name });
            await editor.Claims.UpdateClaimAsync(new UpdateClaimRequest
            {
                Claim = new Claim { Name = disputed.Name, Claimant = "A spokesman" }, UpdateMask = new FieldMask { Paths = { "claimant" } },
            });

            var plain = (await editor.Claims.CreateClaimAsync(TestData.NewClaim())).Name;
            var idempotent = TestData.NewClaim();
            idempotent.RequestId = Guid.NewGuid().ToString();
            var idempotentClaim = (await editor.Claims.CreateClaimAsync(idempotent)).Name;

            var claims = await AllClaimsAsync(editor.Claims);
            var evidence = new Dictionary<string, ListEvidenceResponse>();
            var history = new Dictionary<string, ListClaimHistoryResponse>();
            foreach (var claim in claims)
            {
                evidence[claim.Name] = await editor.Evidence.ListEvidenceAsync(new ListEvidenceRequest { Parent = claim.Name, ShowRemoved = true });
                history[claim.Name] = await editor.Claims.ListClaimHistoryAsync(new ListClaimHistoryRequest { Name = claim.Name, PageSize = 100 });
            }

            var sources = new List<Source>
            {
                await editor.Sources.GetSourceAsync(new GetSourceRequest { Name = article.Name }),
                await editor.Sources.GetSourceAsync(new GetSourceRequest { Name = memo.Name }),
            };
            var keys = (await admin.Access.ListApiKeysAsync(new ListApiKeysRequest { ShowRevoked = true, PageSize = 100 })).ApiKeys.ToList();
            var ledger = await AllEntriesAsync(admin.Ledger);
            var digest = await admin.Ledger.GetLedgerDigestAsync(new GetLedgerDigestRequest());
            (await admin.Ledger.VerifyLedgerAsync(new VerifyLedgerRequest())).Valid.ShouldBeTrue();
            var verifierKey = (await admin.Ledger.GetVerifierKeyAsync(new GetVerifierKeyRequest())).VerifierKey_;

            (await server.TerminateAsync(TimeSpan.FromSeconds(60))).ShouldBe(0, server.Output);
            return new Loaded(_directory, claims, evidence, history, sources, keys, ledger, digest, editorKey, doomed.Key, plain, idempotent, idempotentClaim, verifierKey);
        }

        public Task InitializeAsync() => Task.CompletedTask;

        public async Task DisposeAsync()
        {
            if (_loaded.IsValueCreated)
            {
                try
                {
                    await _loaded.Value;
                }
                catch (Exception)
                {
                    // Reported by the tests that asked for it.
                }
            }

            TestEngine.Forget(_directory); // the PostgreSQL database ServerProcess made for the directory, unused
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(Path.GetDirectoryName(_directory)!, recursive: true);
        }

        /// <summary>What the SQLite server held when it stopped, as its API gave it.</summary>
        public sealed record Loaded(
            string Directory,
            IReadOnlyList<Claim> Claims,
            IReadOnlyDictionary<string, ListEvidenceResponse> Evidence,
            IReadOnlyDictionary<string, ListClaimHistoryResponse> History,
            IReadOnlyList<Source> Sources,
            IReadOnlyList<ApiKey> Keys,
            IReadOnlyList<LedgerEntry> Ledger,
            LedgerDigest Digest,
            string EditorKey,
            string RevokedKey,
            string PlainClaim,
            CreateClaimRequest IdempotentRequest,
            string IdempotentClaim,
            string VerifierKey);
    }
}
