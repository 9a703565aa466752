using System.Text.Json.Nodes;
using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Features.Claims;
using ClaimLedger.Server.Features.Evidence;
using ClaimLedger.Server.Features.Ledger;
using ClaimLedger.Server.Features.Reviews;
using ClaimLedger.Server.Features.Sources;
using ClaimLedger.Server.Features.Verification;
using ClaimLedger.Server.Infrastructure.Data;
using ClaimLedger.Server.Infrastructure.Grpc;
using ClaimLedger.Server.Infrastructure.Ledger;
using ClaimLedger.Server.Infrastructure.Messaging;
using ClaimLedger.Server.Infrastructure.Search;
using ClaimLedger.Server.Infrastructure.Security;
using FluentValidation;
using FluentValidation.Results;
using MediatR;
using MediatR.Pipeline;

namespace ClaimLedger.Server.Features.Transfer;

/// <summary>
/// Imports one ClaimRecord in one transaction, with the importer as the actor and one ledger entry.
/// A new claim is recorded with its sources, evidence and state — IN_REVIEW, VERIFIED with its verdict (STALE records
/// too), or RETRACTED ("claim.imported"). A claim already held (a near-duplicate, retracted ones included) gets the
/// record's evidence it does not have yet — a second publisher's fact-check, another appearance — and the record's
/// verdict if it has none in effect ("claim.import_attached"); a record that brings nothing new is ALREADY_EXISTS
/// and changes nothing, so importing the same file twice creates nothing new.
/// </summary>
public static class ImportClaim
{
    /// <summary>What the import did: created the claim, or attached the record to an existing one.</summary>
    public sealed record Result(Claim Claim, bool Attached, string Note, IReadOnlyList<RecordEvidence> AddedEvidence, bool VerdictApplied);

    [Requires(Permission.Decide)]
    public sealed record Command(ClaimRecord Record) : ICommand<Result>
    {
        public LedgerRecord Ledger(Result result) => result.Attached
            ? LedgerPayloads.ForClaim("claim.import_attached", result.Claim, new JsonObject
            {
                ["evidence"] = Evidence(result.AddedEvidence),
                ["verdict_applied"] = result.VerdictApplied,
            })
            : LedgerPayloads.ForClaim("claim.imported", result.Claim, new JsonObject
            {
                ["sources"] = new JsonArray(Record.Sources.Select(s => (JsonNode?)(s.Url.Length > 0 ? s.Url : $"sha256:{s.ContentSha256}")).ToArray()),
                ["evidence"] = Evidence(Record.Evidence),
            });

        private static JsonArray Evidence(IEnumerable<RecordEvidence> evidence) =>
            new(evidence.Select(e => (JsonNode?)LedgerPayloads.EvidenceInput(e.Source, e.Stance, e.Excerpt, e.Locator, e.Review)).ToArray());
    }

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator()
        {
            // The stream's messages skip the boundary's NUL check (see RequestParsing) so that it lands here, per record.
            RuleFor(c => c.Record).Custom((record, context) =>
            {
                if (Infrastructure.Grpc.NulCharacters.Find(record) is { } field)
                {
                    context.AddFailure("record." + field, Infrastructure.Grpc.NulCharacters.Description);
                }
            });
            RuleFor(c => c.Record.Claim).NotNull().OverridePropertyName("record.claim").WithMessage("is required");
            When(c => c.Record.Claim is not null, () =>
            {
                RuleFor(c => c.Record.Claim.Text).ClaimText().OverridePropertyName("record.claim.text");
                // A published review may name no claimant: then the claim has none (never a made-up "unknown").
                RuleFor(c => c.Record.Claim.Claimant).MaximumLength(ClaimRules.MaxClaimantLength).OverridePropertyName("record.claim.claimant")
                    .WithMessage($"must be at most {ClaimRules.MaxClaimantLength} characters");
                RuleFor(c => (IReadOnlyList<Party>)c.Record.Claim.Claimants).Claimants().OverridePropertyName("record.claim.claimants");
                RuleForEach(c => c.Record.Claim.Claimants).SetValidator(new PublishedReviews.PartyValidator())
                    .When(c => c.Record.Claim.Claimants.Count <= PublishedReviews.MaxClaimants).OverridePropertyName("record.claim.claimants");
                RuleFor(c => c.Record.Claim.ClaimTime).Must(TimestampRules.IsValidOrUnset).OverridePropertyName("record.claim.claim_time")
                    .WithMessage(TimestampRules.Message);
                RuleFor(c => c.Record.Claim.LanguageCode).Language().OverridePropertyName("record.claim.language_code");
                RuleFor(c => c.Record.Claim.LanguageOrigin).Must(Enum.IsDefined).OverridePropertyName("record.claim.language_origin")
                    .WithMessage("must be a defined language origin");
                RuleFor(c => (IReadOnlyList<string>)c.Record.Claim.Topics).Topics().OverridePropertyName("record.claim.topics");
                RuleFor(c => c.Record.Claim.ReviewInterval == null ? (long?)null : c.Record.Claim.ReviewInterval.Seconds).ReviewInterval()
                    .OverridePropertyName("record.claim.review_interval");
                RuleFor(c => c.Record.Claim.ReviewInterval).Must(d => d is null || (d.Nanos is > -1_000_000_000 and < 1_000_000_000 && (d.Nanos == 0 || Math.Sign(d.Nanos) == Math.Sign(d.Seconds))))
                    .OverridePropertyName("record.claim.review_interval").WithMessage("must be a valid duration (nanos within ±999,999,999, with the sign of seconds)");
                RuleFor(c => c.Record.Claim.Status).Must(s => s is ClaimStatus.Unspecified or ClaimStatus.Unverified or ClaimStatus.InReview
                        or ClaimStatus.Verified or ClaimStatus.Stale or ClaimStatus.Retracted)
                    .OverridePropertyName("record.claim.status").WithMessage("must be a defined status");
                RuleFor(c => c.Record.Claim.Verdict).NotNull().When(c => c.Record.Claim.Status is ClaimStatus.Verified or ClaimStatus.Stale)
                    .OverridePropertyName("record.claim.verdict").WithMessage("is required for a VERIFIED or STALE claim");
                RuleFor(c => c.Record.Claim.Verdict.PublishedReview).SetValidator(new PublishedReviews.Validator()!)
                    .When(c => c.Record.Claim.Verdict?.PublishedReview is not null).OverridePropertyName("record.claim.verdict.published_review");
                RuleFor(c => c.Record.Claim.Retraction).NotNull().When(c => c.Record.Claim.Status == ClaimStatus.Retracted)
                    .OverridePropertyName("record.claim.retraction").WithMessage("is required for a RETRACTED claim");
            });
            RuleFor(c => c.Record.Sources.Count).LessThanOrEqualTo(50).OverridePropertyName("record.sources").WithMessage("must have at most 50 items");
            RuleForEach(c => c.Record.Sources).Must(s => TimestampRules.IsValidOrUnset(s.PublishTime) && TimestampRules.IsValidOrUnset(s.RetrieveTime))
                .When(c => c.Record.Sources.Count <= 50).OverridePropertyName("record.sources").WithMessage($"publish_time and retrieve_time {TimestampRules.Message}");
            RuleFor(c => c.Record.Evidence.Count).LessThanOrEqualTo(CreateClaim.MaxEvidence).OverridePropertyName("record.evidence")
                .WithMessage($"must have at most {CreateClaim.MaxEvidence} items");
            RuleForEach(c => c.Record.Evidence).Must((c, e) => SourceKey(c.Record, e.Source) is not null).When(c => c.Record.Evidence.Count <= CreateClaim.MaxEvidence)
                .OverridePropertyName("record.evidence").WithMessage((_, e) => $"names source {ClientText.Quote(e.Source)}, which is not among the record's sources");
            RuleForEach(c => c.Record.Evidence).Must(e => e.Stance != Stance.Unspecified && Enum.IsDefined(e.Stance)).When(c => c.Record.Evidence.Count <= CreateClaim.MaxEvidence)
                .OverridePropertyName("record.evidence").WithMessage("stance must be ORIGIN, SUPPORTS, REFUTES, CONTEXT or FACT_CHECK");
            RuleFor(c => c.Record.VerdictEvidence.Count).LessThanOrEqualTo(SubmitVerdict.MaxEvidence).OverridePropertyName("record.verdict_evidence")
                .WithMessage($"must have at most {SubmitVerdict.MaxEvidence} items");
            RuleForEach(c => c.Record.VerdictEvidence).Must((c, i) => i >= 0 && i < c.Record.Evidence.Count).When(c => c.Record.VerdictEvidence.Count <= SubmitVerdict.MaxEvidence)
                .OverridePropertyName("record.verdict_evidence")
                .WithMessage("must be an index into record.evidence");
        }
    }

    /// <summary>
    /// Checked once when an import stream opens (through the same AuthorizationBehavior as every request), so a caller
    /// without the permission is refused even before sending a record.
    /// </summary>
    [Requires(Permission.Decide)]
    public sealed record MayImport : IQuery<bool>;

    internal sealed class MayImportHandler : IRequestHandler<MayImport, bool>
    {
        public Task<bool> Handle(MayImport request, CancellationToken cancellationToken) => Task.FromResult(true);
    }

    /// <summary>The record's source named by an evidence reference: its URL (canonical forms compared) or "sha256:&lt;hex&gt;".</summary>
    internal static Source? SourceKey(ClaimRecord record, string reference) =>
        reference.StartsWith("sha256:", StringComparison.Ordinal)
            ? record.Sources.FirstOrDefault(s => s.Url.Length == 0 && s.ContentSha256 == reference["sha256:".Length..])
            : UrlCanonicalizer.TryCanonicalize(reference, out var wanted, out _)
                ? record.Sources.FirstOrDefault(s => UrlCanonicalizer.TryCanonicalize(s.Url, out var have, out _) && have == wanted)
                : null;

    /// <summary>The costly part of the near-duplicate search, before the write transaction (see <see cref="NearDuplicatePrecheck"/>).</summary>
    internal sealed class Precheck(DbSession db, INearDuplicateCandidates index, NearDuplicatePrecheck precheck) : IRequestPreProcessor<Command>
    {
        public Task Process(Command command, CancellationToken ct) =>
            precheck.RunAsync(db, index, command.Record.Claim.Text, includeRetracted: true, ct);
    }

    internal sealed class Handler(DbSession db, INearDuplicateCandidates index, NearDuplicatePrecheck precheck, TimeProvider clock, ICurrentActor actor)
        : IRequestHandler<Command, Result>
    {
        // The same rules CreateSource and AddEvidence apply, built once (validators are stateless).
        private static readonly CreateSource.Validator SourceRules = new();
        private static readonly EvidenceInput.Validator EvidenceRules = new();

        private const string HeldEvidenceSql = """
            SELECT e.id AS Id, e.stance AS Stance, s.canonical_url AS CanonicalUrl, s.content_sha256 AS ContentSha256
            FROM evidence e JOIN sources s ON s.id = e.source_id
            WHERE e.claim_id = @ClaimId AND e.remove_time IS NULL
            """;

        public async Task<Result> Handle(Command command, CancellationToken ct)
        {
            var record = command.Record;
            var now = DbTime.ToDb(clock.GetUtcNow());
            // Retracted claims count too: importing the same file twice must create nothing new.
            var similar = await ClaimWriter.FindDuplicatesAsync(db, index, record.Claim.Text, ct, includeRetracted: true, precheck);
            return similar.Count == 0
                ? await CreateAsync(record, now, ct)
                : await AttachAsync(record, similar, now, ct);
        }

        private async Task<Result> CreateAsync(ClaimRecord record, string now, CancellationToken ct)
        {
            var c = record.Claim;
            var who = actor.Name;
            var claimId = await ClaimWriter.InsertAsync(db, index, new ClaimWriter.NewClaim(
                c.Text, c.Claimant, c.ClaimTime.ToDateTimeOffsetOrNull(), c.LanguageCode, c.Topics.ToList(), c.ReviewInterval.ToSeconds(),
                c.Claimants.ToList(), c.LanguageOrigin == LanguageOrigin.Unspecified ? LanguageOrigin.Given : c.LanguageOrigin), who, now, ct);
            var sourceIds = await RegisterSourcesAsync(record, record.Evidence, now, ct);
            var evidenceIds = new List<string>();
            for (var i = 0; i < record.Evidence.Count; i++)
            {
                evidenceIds.Add(await AddEvidenceAsync(claimId, record, i, sourceIds, now, ct));
            }

            var status = c.Status == ClaimStatus.Stale ? ClaimStatus.Verified : c.Status;
            if (status is ClaimStatus.InReview or ClaimStatus.Verified)
            {
                await MoveAsync(claimId, ClaimStatus.InReview, ClaimEvent.Types.Type.ReviewStarted, who, now, "imported", null, ct);
            }

            if (status == ClaimStatus.Verified)
            {
                await ApplyVerdictAsync(claimId, record, evidenceIds, now, ct);
            }
            else if (status == ClaimStatus.Retracted)
            {
                await RetractAsync(claimId, c.Retraction, who, now, ct);
            }

            return new Result(await ClaimReads.LoadAsync(db, claimId, ct), false, "", record.Evidence, status == ClaimStatus.Verified);
        }

        /// <summary>
        /// The record's claim is already held: add what it brings that the claim lacks (same source and stance = held),
        /// and its verdict when the claim has none in effect. Nothing new: ALREADY_EXISTS, nothing written.
        /// </summary>
        private async Task<Result> AttachAsync(ClaimRecord record, IReadOnlyList<SimilarClaims.Match> similar, string now, CancellationToken ct)
        {
            var row = await ClaimReads.RowAsync(db, similar[0].Id, ct);
            var held = await db.QueryAsync<HeldEvidence>(HeldEvidenceSql, new { ClaimId = row.Id }, ct);
            var heldIds = held.GroupBy(h => (Key: h.CanonicalUrl ?? $"sha256:{h.ContentSha256}", h.Stance)).ToDictionary(g => g.Key, g => g.First().Id);
            var keys = record.Evidence.Select(e => (Key: EvidenceKey(record, e), Stance: DbEnum.ToDb(e.Stance))).ToList();
            // Indexes of the record's evidence to add: not held, and the first of its kind within the record.
            var toAdd = Enumerable.Range(0, keys.Count).Where(i => !heldIds.ContainsKey(keys[i]) && keys.IndexOf(keys[i]) == i).ToHashSet();
            var added = toAdd.Order().Select(i => record.Evidence[i]).ToList();
            var wantsVerdict = record.Claim.Status is ClaimStatus.Verified or ClaimStatus.Stale;
            var mayTakeVerdict = wantsVerdict && row.StatusValue is ClaimStatus.Unverified or ClaimStatus.InReview;

            if (row.StatusValue == ClaimStatus.Retracted || (added.Count == 0 && !mayTakeVerdict))
            {
                var why = row.StatusValue == ClaimStatus.Retracted
                    ? $"{row.Name} is RETRACTED; nothing was attached."
                    : $"{row.Name} already has this record's evidence; nothing was attached.";
                throw ClaimWriter.DuplicateOf(similar, why);
            }

            var who = actor.Name;
            var sourceIds = await RegisterSourcesAsync(record, added, now, ct);
            var evidenceIds = new List<string>();
            for (var i = 0; i < record.Evidence.Count; i++)
            {
                evidenceIds.Add(heldIds.TryGetValue(keys[i], out var heldId) ? heldId
                    : toAdd.Contains(i) ? await AddEvidenceAsync(row.Id, record, i, sourceIds, now, ct)
                    : evidenceIds[keys.IndexOf(keys[i])]);
            }

            if (mayTakeVerdict)
            {
                if (row.StatusValue == ClaimStatus.Unverified)
                {
                    await MoveAsync(row.Id, ClaimStatus.InReview, ClaimEvent.Types.Type.ReviewStarted, who, now, "imported", null, ct);
                }

                await ApplyVerdictAsync(row.Id, record, evidenceIds, now, ct);
            }

            var parts = new List<string>();
            if (added.Count > 0)
            {
                parts.Add($"attached {added.Count} evidence item{(added.Count == 1 ? "" : "s")} " +
                          $"({string.Join(", ", added.GroupBy(e => DbEnum.ToDb(e.Stance)).Select(g => $"{g.Count()} {g.Key}"))}) to {row.Name}");
            }

            if (mayTakeVerdict)
            {
                parts.Add($"its verdict {DbEnum.ToDb(record.Claim.Verdict.Rating)} was applied to {row.Name}");
            }
            else if (wantsVerdict)
            {
                parts.Add($"its verdict was not applied: {row.Name} is {row.Status} with a verdict of its own");
            }

            return new Result(await ClaimReads.LoadAsync(db, row.Id, ct), true, string.Join("; ", parts), added, mayTakeVerdict);
        }

        private async Task<Dictionary<Source, string>> RegisterSourcesAsync(ClaimRecord record, IEnumerable<RecordEvidence> evidence, string now, CancellationToken ct)
        {
            var sourceIds = new Dictionary<Source, string>(ReferenceEqualityComparer.Instance);
            foreach (var e in evidence)
            {
                var s = SourceKey(record, e.Source)!;
                if (sourceIds.ContainsKey(s))
                {
                    continue;
                }

                var i = record.Sources.IndexOf(s);
                var create = new CreateSource.Command(s.Url, s.Title, s.Publisher, s.Author, s.Kind == SourceKind.Unspecified ? SourceKind.Other : s.Kind,
                    s.PublishTime.ToDateTimeOffsetOrNull(), s.RetrieveTime.ToDateTimeOffsetOrNull(), s.ContentSha256, s.ArchiveUrl, s.Reliability, "");
                var result = await SourceRules.ValidateAsync(create, ct);
                if (!result.IsValid)
                {
                    throw new ValidationException(result.Errors.Select(f =>
                        new ValidationFailure(f.PropertyName.Replace("source.", $"record.sources[{i}].", StringComparison.Ordinal), f.ErrorMessage)));
                }

                sourceIds[s] = (await CreateSource.Handler.FindOrCreateAsync(db, create, now, ct, inPassing: true)).Id;
            }

            return sourceIds;
        }

        private async Task<string> AddEvidenceAsync(string claimId, ClaimRecord record, int index, Dictionary<Source, string> sourceIds, string now,
            CancellationToken ct)
        {
            var e = record.Evidence[index];
            var input = new EvidenceInput(ResourceNames.Source(sourceIds[SourceKey(record, e.Source)!]), e.Stance, e.Excerpt, e.Locator, e.Credibility, e.Review);
            var validation = await EvidenceRules.ValidateAsync(input, ct);
            if (!validation.IsValid)
            {
                throw new ValidationException(validation.Errors.Select(f => new ValidationFailure($"record.evidence[{index}].{f.PropertyName}", f.ErrorMessage)));
            }

            return await EvidenceWriter.AddAsync(db, claimId, input, actor.Name, now, ct);
        }

        private async Task ApplyVerdictAsync(string claimId, ClaimRecord record, IReadOnlyList<string> evidenceIds, string now, CancellationToken ct)
        {
            var verdict = record.Claim.Verdict;
            var stances = record.VerdictEvidence.Select(i => record.Evidence[i].Stance);
            if (!VerdictRules.EvidenceSuffices(verdict.Rating, stances))
            {
                throw new FailedPreconditionException("VERDICT_NEEDS_EVIDENCE",
                    "An imported verdict other than UNPROVEN must rest on at least one SUPPORTS, REFUTES or FACT_CHECK evidence of the record (verdict_evidence).",
                    "record");
            }

            if (verdict.Rating == Rating.Unspecified || !Enum.IsDefined(verdict.Rating) || string.IsNullOrWhiteSpace(verdict.Rationale))
            {
                throw new ValidationException([new ValidationFailure("record.claim.verdict", "needs a rating and a rationale")]);
            }

            var cited = record.VerdictEvidence.Select(i => evidenceIds[i]).Distinct().ToList();
            var verdictId = await VerdictWriter.InsertAsync(db, claimId, verdict.Rating, verdict.Rationale, cited, actor.Name,
                verdict.OriginalRating ?? "", verdict.PublishedReview, now, ct);
            await MoveAsync(claimId, ClaimStatus.Verified, ClaimEvent.Types.Type.VerdictSubmitted, actor.Name, now, DbEnum.ToDb(verdict.Rating), verdictId, ct);
        }

        private async Task RetractAsync(string claimId, Retraction retraction, string who, string now, CancellationToken ct)
        {
            var reason = retraction.Reason == RetractionReason.Unspecified ? RetractionReason.Withdrawn : retraction.Reason;
            await MoveAsync(claimId, ClaimStatus.Retracted, ClaimEvent.Types.Type.Retracted, who, now, DbEnum.ToDb(reason), null, ct);
            // duplicate_of names a claim of the exporting server; keep it only if it exists here, else say so in the note.
            var duplicateOf = ResourceNames.TryParseClaim(retraction.DuplicateOf, out var originalId)
                && await db.ExecuteScalarAsync<long>("SELECT count(*) FROM claims WHERE id = @Id", new { Id = originalId }, ct) > 0
                    ? retraction.DuplicateOf : "";
            var note = duplicateOf.Length == 0 && retraction.DuplicateOf.Length > 0
                ? $"{retraction.Note} (imported; was a duplicate of {retraction.DuplicateOf} where it came from)".Trim()
                : retraction.Note;
            await RetractClaim.Handler.RecordAsync(db, claimId, DbEnum.ToDb(reason), note, duplicateOf, who, now, ct);
        }

        private async Task MoveAsync(string claimId, ClaimStatus to, ClaimEvent.Types.Type type, string who, string now, string detail, string? verdictId, CancellationToken ct)
        {
            var row = await ClaimReads.RowAsync(db, claimId, ct);
            ClaimWorkflow.EnsureCanMove(row.Name, row.StatusValue, to);
            await StatusChange.ApplyAsync(db, row, to, type, who, now, ct, verdictId, detail);
        }

        /// <summary>How held evidence is recognised: its source's canonical URL (or content hash).</summary>
        private static string EvidenceKey(ClaimRecord record, RecordEvidence e)
        {
            var source = SourceKey(record, e.Source)!;
            return source.Url.Length > 0 && UrlCanonicalizer.TryCanonicalize(source.Url, out var canonical, out _) ? canonical : $"sha256:{source.ContentSha256}";
        }

        private sealed record HeldEvidence(string Id, string Stance, string? CanonicalUrl, string? ContentSha256);
    }
}
