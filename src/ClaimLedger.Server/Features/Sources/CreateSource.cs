using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Features.Claims;
using ClaimLedger.Server.Features.Ledger;
using ClaimLedger.Server.Infrastructure.Data;
using ClaimLedger.Server.Infrastructure.Ledger;
using ClaimLedger.Server.Infrastructure.Messaging;
using ClaimLedger.Server.Infrastructure.Security;
using FluentValidation;
using MediatR;

namespace ClaimLedger.Server.Features.Sources;

/// <summary>
/// Registers a source. The URL is canonicalised; a source already registered under the same canonical URL (or, for a
/// URL-less document, the same content hash) is returned as it is, so registering is safe to repeat.
/// </summary>
public static class CreateSource
{
    [Requires(Permission.Contribute)]
    public sealed record Command(
        string Url,
        string Title,
        string Publisher,
        string Author,
        SourceKind Kind,
        DateTimeOffset? PublishTime,
        DateTimeOffset? RetrieveTime,
        string ContentSha256,
        string ArchiveUrl,
        Reliability Reliability,
        string RequestId) : ICommand<Source>, IIdempotentCommand
    {
        public LedgerRecord Ledger(Source result) => LedgerPayloads.ForSource("source.created", result);
    }

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator()
        {
            RuleFor(c => c.Url).OptionalHttpUrl().OverridePropertyName("source.url");
            RuleFor(c => c.Url).NotEmpty().When(c => c.ContentSha256.Length == 0).OverridePropertyName("source.url")
                .WithMessage("is required unless content_sha256 identifies an offline document");
            RuleFor(c => c.Title).MaximumLength(SourceRules.MaxTitleLength).OverridePropertyName("source.title");
            RuleFor(c => c.Publisher).MaximumLength(SourceRules.MaxNameLength).OverridePropertyName("source.publisher");
            RuleFor(c => c.Author).MaximumLength(SourceRules.MaxNameLength).OverridePropertyName("source.author");
            RuleFor(c => c.Kind).Must(k => k != SourceKind.Unspecified && Enum.IsDefined(k)).OverridePropertyName("source.kind")
                .WithMessage("must be NEWS_ARTICLE, OFFICIAL_STATEMENT, PRIMARY_DOCUMENT, SOCIAL_POST, DATASET or OTHER");
            RuleFor(c => c.ContentSha256).Sha256().OverridePropertyName("source.content_sha256");
            RuleFor(c => c.ArchiveUrl).OptionalHttpUrl().OverridePropertyName("source.archive_url");
            RuleFor(c => c.Reliability).Must(Enum.IsDefined).OverridePropertyName("source.reliability").WithMessage("must be a defined grade");
            RuleFor(c => c.RequestId).RequestId().OverridePropertyName("request_id");
        }
    }

    internal sealed class Handler(DbSession db, TimeProvider clock) : IRequestHandler<Command, Source>
    {
        private const string ExistingByUrlSql = $"SELECT {SourceReads.Columns} FROM sources s WHERE s.canonical_url = @CanonicalUrl";

        private const string ExistingByContentSql =
            $"SELECT {SourceReads.Columns} FROM sources s WHERE s.canonical_url IS NULL AND s.content_sha256 = @ContentSha256";

        private const string InsertSql = """
            INSERT INTO sources (id, url, canonical_url, title, publisher, author, kind, publish_time, retrieve_time,
                                 content_sha256, archive_url, reliability, create_time, update_time, revision)
            VALUES (@Id, @Url, @CanonicalUrl, @Title, @Publisher, @Author, @Kind, @PublishTime, @RetrieveTime,
                    @ContentSha256, @ArchiveUrl, @Reliability, @Now, @Now, 1)
            """;

        public async Task<Source> Handle(Command command, CancellationToken ct) =>
            (await FindOrCreateAsync(db, command, DbTime.ToDb(clock.GetUtcNow()), ct)).ToSource();

        /// <summary>
        /// The source registered under the command's canonical URL (or content hash), else a new one. Also used by
        /// imports, which record a source they create in their own ledger entry (<paramref name="inPassing"/>).
        /// </summary>
        internal static async Task<SourceRow> FindOrCreateAsync(DbSession db, Command command, string now, CancellationToken ct, bool inPassing = false)
        {
            string? canonical = null;
            if (command.Url.Length > 0)
            {
                UrlCanonicalizer.TryCanonicalize(command.Url, out var c, out _);
                canonical = c;
            }

            var contentSha = command.ContentSha256.Length > 0 ? command.ContentSha256 : null;
            var existing = canonical is not null
                ? await db.QuerySingleOrDefaultAsync<SourceRow>(ExistingByUrlSql, new { CanonicalUrl = canonical }, ct)
                : await db.QuerySingleOrDefaultAsync<SourceRow>(ExistingByContentSql, new { ContentSha256 = contentSha }, ct);
            if (existing is not null)
            {
                return existing;
            }

            var id = ResourceNames.NewId();
            await db.ExecuteAsync(InsertSql, new
            {
                Id = id,
                Url = command.Url.Length > 0 ? command.Url.Trim() : null,
                CanonicalUrl = canonical,
                Title = command.Title.Trim(),
                Publisher = command.Publisher.Trim(),
                Author = command.Author.Trim(),
                Kind = DbEnum.ToDb(command.Kind),
                PublishTime = command.PublishTime is { } p ? DbTime.ToDb(p) : null,
                RetrieveTime = command.RetrieveTime is { } r ? DbTime.ToDb(r) : null,
                ContentSha256 = contentSha,
                ArchiveUrl = command.ArchiveUrl.Length > 0 ? command.ArchiveUrl.Trim() : null,
                Reliability = DbEnum.ToDbOrNull(command.Reliability),
                Now = now,
            }, ct);
            var created = await SourceReads.RowAsync(db, id, ct);
            if (inPassing)
            {
                db.LedgerAdditions.Source(ResourceNames.Source(id), Ledger.LedgerPayloads.SourceState(created.ToSource()));
            }

            return created;
        }
    }
}
