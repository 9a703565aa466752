using System.Text.Json.Nodes;
using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Features.Claims;
using ClaimLedger.Server.Features.Evidence;
using ClaimLedger.Server.Features.Ledger;
using ClaimLedger.Server.Features.Sources;
using ClaimLedger.Server.Features.Verification;
using ClaimLedger.Server.Infrastructure.Data;
using ClaimLedger.Server.Infrastructure.Grpc;
using ClaimLedger.Server.Infrastructure.Ledger;
using ClaimLedger.Server.Infrastructure.Messaging;
using ClaimLedger.Server.Infrastructure.Security;
using FluentValidation;
using FluentValidation.Results;
using MediatR;
using MediatR.Pipeline;

namespace ClaimLedger.Server.Features.Transfer;

/// <summary>
/// Imports one ClaimRecord in one transaction: registers its sources (or finds them), records the claim unless it
/// nearly duplicates a live one (ALREADY_EXISTS), attaches its evidence, and recreates its state — IN_REVIEW, VERIFIED with
/// its verdict (STALE records too), or RETRACTED — with the importer as the actor. One ledger entry, "claim.imported".
/// </summary>
public static class ImportClaim
{
    [Requires(Permission.Decide)]
    public sealed record Command(ClaimRecord Record) : ICommand<Claim>
    {
        public LedgerRecord Ledger(Claim result) => LedgerPayloads.ForClaim("claim.imported", result, new JsonObject
        {
            ["sources"] = new JsonArray(Record.Sources.Select(s => (JsonNode?)(s.Url.Length > 0 ? s.Url : $"sha256:{s.ContentSha256}")).ToArray()),
            ["evidence"] = new JsonArray(Record.Evidence.Select(e => (JsonNode?)new JsonObject
            {
                ["source"] = e.Source, ["stance"] = DbEnum.ToDb(e.Stance), ["excerpt"] = e.Excerpt, ["locator"] = e.Locator,
            }).ToArray()),
        });
    }

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator()
        {
            RuleFor(c => c.Record.Claim).NotNull().OverridePropertyName("record.claim").WithMessage("is required");
            When(c => c.Record.Claim is not null, () =>
            {
                RuleFor(c => c.Record.Claim.Text).ClaimText().OverridePropertyName("record.claim.text");
                RuleFor(c => c.Record.Claim.Claimant).Claimant().OverridePropertyName("record.claim.claimant");
                RuleFor(c => c.Record.Claim.LanguageCode).Language().OverridePropertyName("record.claim.language_code");
                RuleFor(c => (IReadOnlyList<string>)c.Record.Claim.Topics).Topics().OverridePropertyName("record.claim.topics");
                RuleFor(c => c.Record.Claim.ReviewInterval == null ? (long?)null : c.Record.Claim.ReviewInterval.Seconds).ReviewInterval()
                    .OverridePropertyName("record.claim.review_interval");
                RuleFor(c => c.Record.Claim.Status).Must(s => s is ClaimStatus.Unspecified or ClaimStatus.Unverified or ClaimStatus.InReview
                        or ClaimStatus.Verified or ClaimStatus.Stale or ClaimStatus.Retracted)
                    .OverridePropertyName("record.claim.status").WithMessage("must be a defined status");
                RuleFor(c => c.Record.Claim.Verdict).NotNull().When(c => c.Record.Claim.Status is ClaimStatus.Verified or ClaimStatus.Stale)
                    .OverridePropertyName("record.claim.verdict").WithMessage("is required for a VERIFIED or STALE claim");
                RuleFor(c => c.Record.Claim.Retraction).NotNull().When(c => c.Record.Claim.Status == ClaimStatus.Retracted)
                    .OverridePropertyName("record.claim.retraction").WithMessage("is required for a RETRACTED claim");
            });
            RuleFor(c => c.Record.Sources.Count).LessThanOrEqualTo(50).OverridePropertyName("record.sources").WithMessage("must have at most 50 items");
            RuleFor(c => c.Record.Evidence.Count).LessThanOrEqualTo(CreateClaim.MaxEvidence).OverridePropertyName("record.evidence")
                .WithMessage($"must have at most {CreateClaim.MaxEvidence} items");
            RuleForEach(c => c.Record.Evidence).Must((c, e) => SourceKey(c.Record, e.Source) is not null).OverridePropertyName("record.evidence")
                .WithMessage((_, e) => $"names source \"{e.Source}\", which is not among the record's sources");
            RuleForEach(c => c.Record.Evidence).Must(e => e.Stance != Stance.Unspecified && Enum.IsDefined(e.Stance)).OverridePropertyName("record.evidence")
                .WithMessage("stance must be ORIGIN, SUPPORTS, REFUTES or CONTEXT");
            RuleForEach(c => c.Record.VerdictEvidence).Must((c, i) => i >= 0 && i < c.Record.Evidence.Count).OverridePropertyName("record.verdict_evidence")
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
    internal sealed class Precheck(DbSession db, TermRarity rarity, NearDuplicatePrecheck precheck) : IRequestPreProcessor<Command>
    {
        public Task Process(Command command, CancellationToken ct) =>
            precheck.RunAsync(db, rarity, command.Record.Claim.Text, includeRetracted: true, ct);
    }

    internal sealed class Handler(DbSession db, TermRarity rarity, NearDuplicatePrecheck precheck, TimeProvider clock, ICurrentActor actor) : IRequestHandler<Command, Claim>
    {
        // The same rules CreateSource and AddEvidence apply, built once (validators are stateless).
        private static readonly CreateSource.Validator SourceRules = new();
        private static readonly EvidenceInput.Validator EvidenceRules = new();

        public async Task<Claim> Handle(Command command, CancellationToken ct)
        {
            var record = command.Record;
            var c = record.Claim;
            var now = DbTime.ToDb(clock.GetUtcNow());
            var who = actor.Name;
            // Retracted claims count too: importing the same file twice must create nothing new.
            await ClaimWriter.EnsureNotDuplicateAsync(db, rarity, c.Text, ct, includeRetracted: true, precheck);

            var sourceIds = new Dictionary<Source, string>(ReferenceEqualityComparer.Instance);
            for (var i = 0; i < record.Sources.Count; i++)
            {
                var s = record.Sources[i];
                var create = new CreateSource.Command(s.Url, s.Title, s.Publisher, s.Author, s.Kind == SourceKind.Unspecified ? SourceKind.Other : s.Kind,
                    s.PublishTime.ToDateTimeOffsetOrNull(), s.RetrieveTime.ToDateTimeOffsetOrNull(), s.ContentSha256, s.ArchiveUrl, s.Reliability, "");
                var result = await SourceRules.ValidateAsync(create, ct);
                if (!result.IsValid)
                {
                    throw new ValidationException(result.Errors.Select(e =>
                        new ValidationFailure(e.PropertyName.Replace("source.", $"record.sources[{i}].", StringComparison.Ordinal), e.ErrorMessage)));
                }

                sourceIds[s] = (await CreateSource.Handler.FindOrCreateAsync(db, create, now, ct)).Id;
            }

            var claimId = await ClaimWriter.InsertAsync(db, rarity, new ClaimWriter.NewClaim(
                c.Text, c.Claimant, c.ClaimTime.ToDateTimeOffsetOrNull(), c.LanguageCode, c.Topics.ToList(), c.ReviewInterval.ToSeconds()), who, now, ct);
            var evidenceIds = new List<string>();
            foreach (var e in record.Evidence)
            {
                var input = new EvidenceInput(ResourceNames.Source(sourceIds[SourceKey(record, e.Source)!]), e.Stance, e.Excerpt, e.Locator, e.Credibility);
                var validation = await EvidenceRules.ValidateAsync(input, ct);
                if (!validation.IsValid)
                {
                    throw new ValidationException(validation.Errors.Select(f => new ValidationFailure($"record.evidence.{f.PropertyName}", f.ErrorMessage)));
                }

                evidenceIds.Add(await EvidenceWriter.AddAsync(db, claimId, input, who, now, ct));
            }

            var status = c.Status == ClaimStatus.Stale ? ClaimStatus.Verified : c.Status;
            if (status is ClaimStatus.InReview or ClaimStatus.Verified)
            {
                await MoveAsync(claimId, ClaimStatus.InReview, ClaimEvent.Types.Type.ReviewStarted, who, now, "imported", null, ct);
            }

            if (status == ClaimStatus.Verified)
            {
                var cited = record.VerdictEvidence.Select(i => evidenceIds[i]).Distinct().ToList();
                var stances = record.VerdictEvidence.Select(i => record.Evidence[i].Stance);
                if (!VerdictRules.EvidenceSuffices(c.Verdict.Rating, stances))
                {
                    throw new FailedPreconditionException("VERDICT_NEEDS_EVIDENCE",
                        "An imported verdict other than UNPROVEN must rest on at least one SUPPORTS or REFUTES evidence of the record (verdict_evidence).", "record");
                }

                if (c.Verdict.Rating == Rating.Unspecified || !Enum.IsDefined(c.Verdict.Rating) || string.IsNullOrWhiteSpace(c.Verdict.Rationale))
                {
                    throw new ValidationException([new ValidationFailure("record.claim.verdict", "needs a rating and a rationale")]);
                }

                var verdictId = await VerdictWriter.InsertAsync(db, claimId, c.Verdict.Rating, c.Verdict.Rationale, cited, who,
                    c.Verdict.OriginalRating ?? "", now, ct);
                await MoveAsync(claimId, ClaimStatus.Verified, ClaimEvent.Types.Type.VerdictSubmitted, who, now, DbEnum.ToDb(c.Verdict.Rating), verdictId, ct);
            }
            else if (status == ClaimStatus.Retracted)
            {
                var reason = c.Retraction.Reason == RetractionReason.Unspecified ? RetractionReason.Withdrawn : c.Retraction.Reason;
                await MoveAsync(claimId, ClaimStatus.Retracted, ClaimEvent.Types.Type.Retracted, who, now, DbEnum.ToDb(reason), null, ct);
                // duplicate_of names a claim of the exporting server; keep it only if it exists here, else say so in the note.
                var duplicateOf = ResourceNames.TryParseClaim(c.Retraction.DuplicateOf, out var originalId)
                    && await db.ExecuteScalarAsync<long>("SELECT count(*) FROM claims WHERE id = @Id", new { Id = originalId }, ct) > 0
                        ? c.Retraction.DuplicateOf : "";
                var note = duplicateOf.Length == 0 && c.Retraction.DuplicateOf.Length > 0
                    ? $"{c.Retraction.Note} (imported; was a duplicate of {c.Retraction.DuplicateOf} where it came from)".Trim()
                    : c.Retraction.Note;
                await RetractClaim.Handler.RecordAsync(db, claimId, DbEnum.ToDb(reason), note, duplicateOf, who, now, ct);
            }

            return await ClaimReads.LoadAsync(db, claimId, ct);
        }

        private async Task MoveAsync(string claimId, ClaimStatus to, ClaimEvent.Types.Type type, string who, string now, string detail, string? verdictId, CancellationToken ct)
        {
            var row = await ClaimReads.RowAsync(db, claimId, ct);
            ClaimWorkflow.EnsureCanMove(row.Name, row.StatusValue, to);
            await StatusChange.ApplyAsync(db, row, to, type, who, now, ct, verdictId, detail);
        }
    }
}
