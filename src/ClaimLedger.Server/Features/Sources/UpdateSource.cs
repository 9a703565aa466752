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

/// <summary>Updates a source's descriptive fields (field mask). The URL is its identity and does not change.</summary>
public static class UpdateSource
{
    public static readonly IReadOnlySet<string> Updatable = new HashSet<string>(StringComparer.Ordinal)
    {
        "title", "publisher", "author", "kind", "publish_time", "retrieve_time", "content_sha256", "archive_url", "reliability",
    };

    [Requires(Permission.Contribute)]
    public sealed record Command(
        string Name,
        string Etag,
        IReadOnlyList<string> Paths,
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
        public LedgerRecord Ledger(Source result) => LedgerPayloads.ForSource("source.updated", result);

        public bool Has(string path) => Paths.Contains(path);
    }

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator()
        {
            RuleFor(c => c.Name).Must(ResourceNames.IsSource).OverridePropertyName("source.name").WithMessage("must be a source name, sources/{source}");
            RuleFor(c => c.Paths).NotEmpty().OverridePropertyName("update_mask").WithMessage("names no field to update");
            RuleFor(c => c.Paths).Must(p => p.All(Updatable.Contains)).OverridePropertyName("update_mask")
                .WithMessage(c => $"names fields that cannot be updated ({ClientText.QuoteList(c.Paths.Where(p => !Updatable.Contains(p)))}); updatable: {string.Join(", ", Updatable)}");
            RuleFor(c => c.Title).MaximumLength(SourceRules.MaxTitleLength).OverridePropertyName("source.title");
            RuleFor(c => c.Publisher).MaximumLength(SourceRules.MaxNameLength).OverridePropertyName("source.publisher");
            RuleFor(c => c.Author).MaximumLength(SourceRules.MaxNameLength).OverridePropertyName("source.author");
            RuleFor(c => c.Kind).Must(k => k != SourceKind.Unspecified && Enum.IsDefined(k)).When(c => c.Has("kind"))
                .OverridePropertyName("source.kind").WithMessage("must be a defined kind");
            RuleFor(c => c.ContentSha256).Sha256().OverridePropertyName("source.content_sha256");
            RuleFor(c => c.ArchiveUrl).OptionalHttpUrl().OverridePropertyName("source.archive_url");
            RuleFor(c => c.Reliability).Must(Enum.IsDefined).OverridePropertyName("source.reliability").WithMessage("must be a defined grade");
            RuleFor(c => c.Etag).Etag().OverridePropertyName("source.etag");
            RuleFor(c => c.RequestId).RequestId().OverridePropertyName("request_id");
        }
    }

    internal sealed class Handler(DbSession db, TimeProvider clock) : IRequestHandler<Command, Source>
    {
        private const string UpdateSql = """
            UPDATE sources SET
                title = @Title, publisher = @Publisher, author = @Author, kind = @Kind, publish_time = @PublishTime,
                retrieve_time = @RetrieveTime, content_sha256 = @ContentSha256, archive_url = @ArchiveUrl,
                reliability = @Reliability, update_time = @Now, revision = revision + 1
            WHERE id = @Id
            """;

        private const string TwinSql = "SELECT id FROM sources WHERE canonical_url IS NULL AND content_sha256 = @ContentSha256 AND id <> @Id";

        public async Task<Source> Handle(Command c, CancellationToken ct)
        {
            ResourceNames.TryParseSource(c.Name, out var id);
            var row = await SourceReads.RowAsync(db, id, ct);
            Etags.EnsureCurrent(c.Name, c.Etag, row.Revision);
            var contentSha = c.Has("content_sha256") ? (c.ContentSha256.Length > 0 ? c.ContentSha256 : null) : row.ContentSha256;
            if (row.CanonicalUrl is null && contentSha is null)
            {
                throw new FailedPreconditionException("CONTENT_HASH_REQUIRED",
                    $"{c.Name} has no URL, so content_sha256 identifies it and cannot be cleared.", c.Name);
            }

            if (row.CanonicalUrl is null && contentSha != row.ContentSha256 &&
                await db.QuerySingleOrDefaultAsync<string>(TwinSql, new { ContentSha256 = contentSha, Id = id }, ct) is { } twin)
            {
                throw new AlreadyExistsException("SOURCE_ALREADY_REGISTERED",
                    $"{ResourceNames.Source(twin)} is already the URL-less source with this content_sha256.", [ResourceNames.Source(twin)]);
            }

            await db.ExecuteAsync(UpdateSql, new
            {
                Id = id,
                Title = c.Has("title") ? c.Title.Trim() : row.Title,
                Publisher = c.Has("publisher") ? c.Publisher.Trim() : row.Publisher,
                Author = c.Has("author") ? c.Author.Trim() : row.Author,
                Kind = c.Has("kind") ? DbEnum.ToDb(c.Kind) : row.Kind,
                PublishTime = c.Has("publish_time") ? (c.PublishTime is { } p ? DbTime.ToDb(p) : null) : row.PublishTime,
                RetrieveTime = c.Has("retrieve_time") ? (c.RetrieveTime is { } r ? DbTime.ToDb(r) : null) : row.RetrieveTime,
                ContentSha256 = contentSha,
                ArchiveUrl = c.Has("archive_url") ? (c.ArchiveUrl.Length > 0 ? c.ArchiveUrl.Trim() : null) : row.ArchiveUrl,
                Reliability = c.Has("reliability") ? DbEnum.ToDbOrNull(c.Reliability) : row.Reliability,
                Now = DbTime.ToDb(clock.GetUtcNow()),
            }, ct);
            return (await SourceReads.RowAsync(db, id, ct)).ToSource();
        }
    }
}
