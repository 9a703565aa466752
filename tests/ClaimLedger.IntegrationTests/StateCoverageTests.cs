using ClaimLedger.Contracts.V1;
using ClaimLedger.IntegrationTests.Infrastructure;
using Google.Protobuf.WellKnownTypes;

namespace ClaimLedger.IntegrationTests;

/// <summary>
/// Every readable field of every row of record is determined by the ledger: a direct edit of any of them in the
/// database, as an attacker with write access would make it (dropping the append-only triggers where there are any), is
/// caught by VerifyLedger, which names the row. Each case edits one field of a rich dataset, checks the verdict, then
/// puts the value back and checks the ledger is valid again, so the cases are independent.
/// </summary>
public sealed class StateCoverageTests(StateCoverageTests.Dataset data) : IClassFixture<StateCoverageTests.Dataset>
{
    /// <summary>Claims in every state, with every kind of row under them, on the fake clock.</summary>
    public sealed class Dataset : IAsyncLifetime
    {
        public ClaimLedgerServer Server { get; } = new();

        public Claim Verified { get; private set; } = null!;
        public Claim Stale { get; private set; } = null!;
        public Claim Retracted { get; private set; } = null!;
        public Claim Unsourced { get; private set; } = null!;
        public Claim Imported { get; private set; } = null!;
        public Evidence Basis { get; private set; } = null!;
        public Evidence Removed { get; private set; } = null!;
        public Source Source { get; private set; } = null!;
        public ApiKey Revoked { get; private set; } = null!;

        public string Db => Server.DatabasePath;

        public async Task InitializeAsync()
        {
            var staleness = StalenessDriver.Client(Server);
            var policy = await staleness.GetReviewPolicyAsync(new GetReviewPolicyRequest());
            policy.TopicReviewIntervals["weather"] = Duration.FromTimeSpan(TimeSpan.FromDays(30));
            policy.UnsourcedAfter = Duration.FromTimeSpan(TimeSpan.FromDays(1));
            await staleness.SetReviewPolicyAsync(new SetReviewPolicyRequest { Policy = policy });

            Source = await StalenessDriver.SourceAsync(Server, "https://news.example.org/coverage-basis");
            (Verified, var basis) = await StalenessDriver.VerifiedClaimAsync(Server, [Source], topics: ["economy", "weather"]);
            Basis = basis[0];
            Stale = (await StalenessDriver.VerifiedClaimAsync(Server, [Source], TimeSpan.FromDays(1))).Claim;

            var claims = Server.Claims("coverage-editor", Role.Editor);
            var retracted = (await StalenessDriver.VerifiedClaimAsync(Server, [Source])).Claim;
            Retracted = await claims.RetractClaimAsync(new RetractClaimRequest { Name = retracted.Name, Reason = RetractionReason.Withdrawn, Note = "withdrawn by the desk" });
            Unsourced = await claims.CreateClaimAsync(TestData.NewClaim());
            var evidence = Server.Evidence("coverage-editor", Role.Editor);
            Removed = await evidence.AddEvidenceAsync(new AddEvidenceRequest
            {
                Parent = Verified.Name,
                Evidence = new Evidence { Source = Source.Name, Stance = Stance.Context, Excerpt = "background", Locator = "p. 2" },
            });
            Removed = await evidence.RemoveEvidenceAsync(new RemoveEvidenceRequest { Name = Removed.Name });
            await Server.Sources().UpdateSourceAsync(new UpdateSourceRequest
            {
                Source = new Source { Name = Source.Name, Title = "The basis, retitled" },
                UpdateMask = new FieldMask { Paths = { "title" } },
            });

            // An import: a claim with a source the import registers and a fact-check carrying a published review.
            using (var import = new TransferService.TransferServiceClient(Server.As("coverage-importer")).ImportClaims())
            {
                var record = new ClaimRecord { Claim = TestData.NewClaim().Claim };
                record.Claim.Claimants.Add(new Party { Name = "Example Gazette", Type = Party.Types.Type.Organization });
                record.Sources.Add(new Source { Url = "https://factcheck.example.org/reviews/coverage", Title = "A published fact-check", Kind = SourceKind.Other });
                record.Evidence.Add(new RecordEvidence
                {
                    Source = "https://factcheck.example.org/reviews/coverage",
                    Stance = Stance.FactCheck,
                    Review = new PublishedReview
                    {
                        Url = "https://factcheck.example.org/reviews/coverage",
                        Headline = "Claim about tariffs rated false",
                        LanguageCode = "en",
                        Rating = new PublishedRating { Label = "False", Rating = Rating.False },
                    },
                });
                await import.RequestStream.WriteAsync(new ImportClaimsRequest { Record = record });
                await import.RequestStream.CompleteAsync();
                var response = await import.ResponseAsync;
                response.Created.ShouldBe(1, response.ToString());
                Imported = await claims.GetClaimAsync(new GetClaimRequest { Name = response.Results[0].Claim });
            }

            var access = Server.Access("coverage-admin");
            var key = await access.CreateApiKeyAsync(new CreateApiKeyRequest { ApiKey = new ApiKey { DisplayName = "leaver", Role = Role.Reader } });
            Revoked = await access.RevokeApiKeyAsync(new RevokeApiKeyRequest { Name = key.ApiKey.Name });

            // Two days on: the 1-day verdict expires (findings), the evidence-less claim is flagged unsourced.
            Server.Clock.Advance(TimeSpan.FromDays(2));
            (await StalenessDriver.RunAsync(Server, StalenessCheck.VerdictExpiry, StalenessCheck.UnsourcedClaims)).State.ShouldBe(StalenessRun.Types.State.Succeeded);
            (await StalenessDriver.GetClaimAsync(Server, Stale.Name)).Status.ShouldBe(ClaimStatus.Stale);
            (await StalenessDriver.GetClaimAsync(Server, Unsourced.Name)).UnsourcedSince.ShouldNotBeNull();
            (await Server.Ledger().VerifyLedgerAsync(new VerifyLedgerRequest())).Valid.ShouldBeTrue("the untouched dataset verifies");
        }

        public Task DisposeAsync()
        {
            Server.Dispose();
            return Task.CompletedTask;
        }
    }

    /// <summary>One field of one row: how to find it, the value to write, and who VerifyLedger must name.</summary>
    public sealed record Edit(string Table, string Column, string Where, string? Value, string[] Triggers, string Expected)
    {
        public override string ToString() => $"{Table}.{Column}";
    }

    private static string Id(string name) => name.Split('/')[1];

    private static string Leaf(string name) => name.Split('/')[^1];

    private Edit[] Edits()
    {
        var verified = Id(data.Verified.Name);
        var stale = Id(data.Stale.Name);
        var retracted = Id(data.Retracted.Name);
        var unsourced = Id(data.Unsourced.Name);
        var imported = Id(data.Imported.Name);
        var verdict = Leaf(data.Verified.Verdict.Name);
        var basis = Leaf(data.Basis.Name);
        var removed = Leaf(data.Removed.Name);
        var source = Id(data.Source.Name);
        var key = Id(data.Revoked.Name);
        string[] none = [];
        return
        [
            new("claims", "text", $"id = '{verified}'", "A forged claim text", none, data.Verified.Name),
            new("claims", "claimant", $"id = '{verified}'", "Someone else", none, data.Verified.Name),
            new("claims", "claim_time", $"id = '{verified}'", "2020-01-01T00:00:00.000000Z", none, data.Verified.Name),
            new("claims", "language_code", $"id = '{verified}'", "fr", none, data.Verified.Name),
            new("claims", "status", $"id = '{verified}'", "IN_REVIEW", none, data.Verified.Name),
            new("claims", "verdict_id", $"id = '{verified}'", null, none, data.Verified.Name),
            new("claims", "review_interval_seconds", $"id = '{verified}'", "86400", none, data.Verified.Name),
            new("claims", "create_time", $"id = '{verified}'", "2020-01-01T00:00:00.000000Z", none, data.Verified.Name),
            new("claims", "update_time", $"id = '{verified}'", "2020-01-01T00:00:00.000000Z", none, data.Verified.Name),
            new("claims", "revision", $"id = '{verified}'", "99", none, data.Verified.Name),
            new("claims", "normalized_text", $"id = '{verified}'", "something else", none, data.Verified.Name),
            new("claims", "retraction_note", $"id = '{retracted}'", "a different note", none, data.Retracted.Name),
            new("claims", "retraction_actor", $"id = '{retracted}'", "mallory", none, data.Retracted.Name),
            new("claims", "retract_time", $"id = '{retracted}'", "2020-01-01T00:00:00.000000Z", none, data.Retracted.Name),
            new("claims", "unsourced_since", $"id = '{unsourced}'", null, none, data.Unsourced.Name),
            new("claims", "claimants", $"id = '{imported}'", "[]", none, data.Imported.Name),
            new("claims", "language_origin", $"id = '{imported}'", "DETECTED", none, data.Imported.Name),
            new("claim_topics", "topic", $"topic IN ('economy', 'politics') AND claim_seq = (SELECT seq FROM claims WHERE id = '{verified}')", "politics", none, data.Verified.Name),
            new("verdicts", "rating", $"id = '{verdict}'", "FALSE", ["verdicts_no_update"], data.Verified.Name),
            new("verdicts", "rationale", $"id = '{verdict}'", "Because I said so.", ["verdicts_no_update"], data.Verified.Name),
            new("verdicts", "reviewer", $"id = '{verdict}'", "mallory", ["verdicts_no_update"], data.Verified.Name),
            new("verdicts", "create_time", $"id = '{verdict}'", "2020-01-01T00:00:00.000000Z", ["verdicts_no_update"], data.Verified.Name),
            new("verdicts", "original_rating", $"id = '{verdict}'", "Pants on fire", ["verdicts_no_update"], data.Verified.Name),
            new("verdicts", "rationale", $"claim_id = '{stale}'", "Rewritten after it went stale.", ["verdicts_no_update"], data.Stale.Name),
            new("verdict_evidence", "evidence_id", $"verdict_id = '{verdict}'", removed, ["verdict_evidence_no_update"], data.Verified.Name),
            new("evidence", "stance", $"id = '{basis}'", "REFUTES", none, data.Basis.Name),
            new("evidence", "excerpt", $"id = '{basis}'", "a different excerpt", none, data.Basis.Name),
            new("evidence", "locator", $"id = '{basis}'", "p. 99", none, data.Basis.Name),
            new("evidence", "credibility", $"id = '{basis}'", "CREDIBILITY_4_DOUBTFUL", none, data.Basis.Name),
            new("evidence", "added_by", $"id = '{basis}'", "mallory", none, data.Basis.Name),
            new("evidence", "create_time", $"id = '{basis}'", "2020-01-01T00:00:00.000000Z", none, data.Basis.Name),
            new("evidence", "source_content_sha256", $"id = '{basis}'", new string('a', 64), none, data.Basis.Name),
            new("evidence", "remove_time", $"id = '{removed}'", null, none, data.Removed.Name),
            new("evidence", "revision", $"id = '{removed}'", "7", none, data.Removed.Name),
            new("published_reviews", "headline", $"id = (SELECT review_id FROM evidence WHERE claim_id = '{imported}')", "Rated true, actually",
                ["published_reviews_no_update"], data.Imported.Name),
            new("published_reviews", "rating", $"id = (SELECT review_id FROM evidence WHERE claim_id = '{imported}')", "TRUE",
                ["published_reviews_no_update"], data.Imported.Name),
            new("claim_events", "actor", $"claim_id = '{verified}' AND sequence = 1", "mallory", ["claim_events_no_update"], data.Verified.Name),
            new("claim_events", "time", $"claim_id = '{verified}' AND sequence = 2", "2020-01-01T00:00:00.000000Z", ["claim_events_no_update"], data.Verified.Name),
            new("claim_events", "detail", $"claim_id = '{stale}' AND type = 'MARKED_STALE'", "nothing to see", ["claim_events_no_update"], data.Stale.Name),
            new("claim_events", "type", $"claim_id = '{verified}' AND sequence = 1", "UPDATED", ["claim_events_no_update"], data.Verified.Name),
            new("stale_findings", "detail", $"claim_id = '{stale}'", "a different reason", ["stale_findings_no_update"], data.Stale.Name),
            new("stale_findings", "reason", $"claim_id = '{stale}'", "SOURCE_BROKEN", ["stale_findings_no_update"], data.Stale.Name),
            new("sources", "title", $"id = '{source}'", "A forged title", none, data.Source.Name),
            new("sources", "url", $"id = '{source}'", "https://forged.example.org/", none, data.Source.Name),
            new("sources", "publisher", $"id = '{source}'", "Forgery Weekly", none, data.Source.Name),
            new("sources", "reliability", $"id = '{source}'", "RELIABILITY_F_CANNOT_BE_JUDGED", none, data.Source.Name),
            new("sources", "revision", $"id = '{source}'", "42", none, data.Source.Name),
            new("sources", "title", $"url = 'https://factcheck.example.org/reviews/coverage'", "Retitled import", none, "sources/"),
            new("api_keys", "role", $"id = '{key}'", "ADMIN", none, data.Revoked.Name),
            new("api_keys", "revoke_time", $"id = '{key}'", null, none, data.Revoked.Name),
            new("api_keys", "secret_sha256", $"id = '{key}'", new string('b', 64), none, data.Revoked.Name),
            new("api_keys", "display_name", $"id = '{key}'", "someone", none, data.Revoked.Name),
            new("review_policy", "unsourced_after_seconds", "id = 1", "1", none, "reviewPolicy"),
            new("topic_review_intervals", "interval_seconds", "topic = 'weather'", "60", none, "reviewPolicy"),
        ];
    }

    public static TheoryData<int> Cases() => new(Enumerable.Range(0, 54));

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task ADirectEditOfAnyReadableField_IsCaughtByVerifyLedger_NamingTheRow(int index)
    {
        var edits = Edits();
        edits.Length.ShouldBe(Cases().Count, "every edit has a case");
        var edit = edits[index];
        foreach (var trigger in edit.Triggers)
        {
            Infrastructure.Db.Execute(data.Db, TestEngine.IsPostgreSql
                ? $"DROP TRIGGER IF EXISTS {trigger} ON {edit.Table}"
                : $"DROP TRIGGER IF EXISTS {trigger}");
        }

        var before = Infrastructure.Db.Rows(data.Db, $"SELECT {edit.Column} FROM {edit.Table} WHERE {edit.Where}");
        before.Count.ShouldBe(1, $"{edit}: the case names exactly one row");
        var original = before[0][0];
        original.ShouldNotBe(edit.Value, $"{edit}: the edit changes something");
        try
        {
            Set(edit, edit.Value).ShouldBe(1);
            var verification = await data.Server.Ledger().VerifyLedgerAsync(new VerifyLedgerRequest());
            verification.Valid.ShouldBeFalse($"{edit}: the edit must be caught");
            verification.FirstProblem.Kind.ShouldBe(LedgerProblem.Types.Kind.StateMismatch);
            verification.FirstProblem.Subject.ShouldStartWith(edit.Expected, Case.Sensitive, $"{edit}: {verification.FirstProblem.Description}");
        }
        finally
        {
            Set(edit, original);
        }

        (await data.Server.Ledger().VerifyLedgerAsync(new VerifyLedgerRequest())).Valid.ShouldBeTrue($"{edit}: put back, the ledger verifies again");
    }

    private int Set(Edit edit, string? value)
    {
        var numeric = edit.Column is "review_interval_seconds" or "revision" or "unsourced_after_seconds" or "interval_seconds";
        return Infrastructure.Db.Execute(data.Db, $"UPDATE {edit.Table} SET {edit.Column} = @Value WHERE {edit.Where}",
            ("@Value", value is null ? DBNull.Value : numeric ? long.Parse(value, System.Globalization.CultureInfo.InvariantCulture) : value));
    }
}
