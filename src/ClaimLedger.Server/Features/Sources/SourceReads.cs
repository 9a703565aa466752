using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Infrastructure.Data;
using FluentValidation;

namespace ClaimLedger.Server.Features.Sources;

internal sealed class SourceRow
{
    public long Seq { get; init; }
    public string Id { get; init; } = "";
    public string? Url { get; init; }
    public string? CanonicalUrl { get; init; }
    public string Title { get; init; } = "";
    public string Publisher { get; init; } = "";
    public string Author { get; init; } = "";
    public string Kind { get; init; } = "";
    public string? PublishTime { get; init; }
    public string? RetrieveTime { get; init; }
    public string? ContentSha256 { get; init; }
    public string? ArchiveUrl { get; init; }
    public string? Reliability { get; init; }
    public string CreateTime { get; init; } = "";
    public string UpdateTime { get; init; } = "";
    public long Revision { get; init; }
    public string Health { get; init; } = "UNCHECKED";
    public string? LastCheckTime { get; init; }
    public long? LastHttpStatus { get; init; }
    public string? FinalUrl { get; init; }
    public string? LastContentSha256 { get; init; }
    public long ConsecutiveFailures { get; init; }

    public Source ToSource() => new()
    {
        Name = ResourceNames.Source(Id),
        Url = Url ?? "",
        CanonicalUrl = CanonicalUrl ?? "",
        Title = Title,
        Publisher = Publisher,
        Author = Author,
        Kind = DbEnum.Parse<SourceKind>(Kind),
        PublishTime = DbTime.ToTimestamp(PublishTime),
        RetrieveTime = DbTime.ToTimestamp(RetrieveTime),
        ContentSha256 = ContentSha256 ?? "",
        ArchiveUrl = ArchiveUrl ?? "",
        Reliability = DbEnum.Parse<Reliability>(Reliability),
        CreateTime = DbTime.ToTimestamp(CreateTime),
        UpdateTime = DbTime.ToTimestamp(UpdateTime),
        Etag = Etags.For(Revision),
        Health = DbEnum.Parse<SourceHealth>(Health),
        LastCheckTime = DbTime.ToTimestamp(LastCheckTime),
        LastHttpStatus = (int)(LastHttpStatus ?? 0),
        FinalUrl = FinalUrl ?? "",
        LastContentSha256 = LastContentSha256 ?? "",
        ConsecutiveFailures = (int)ConsecutiveFailures,
    };
}

internal static class SourceReads
{
    public const string Columns = """
        s.seq, s.id, s.url, s.canonical_url, s.title, s.publisher, s.author, s.kind, s.publish_time, s.retrieve_time,
        s.content_sha256, s.archive_url, s.reliability, s.create_time, s.update_time, s.revision,
        s.health, s.last_check_time, s.last_http_status, s.final_url, s.last_content_sha256, s.consecutive_failures
        """;

    public static async Task<SourceRow> RowAsync(DbSession db, string id, CancellationToken ct) =>
        await db.QuerySingleOrDefaultAsync<SourceRow>($"SELECT {Columns} FROM sources s WHERE s.id = @Id", new { Id = id }, ct)
        ?? throw new NotFoundException(ResourceNames.Source(id));
}

/// <summary>Field rules shared by CreateSource and UpdateSource.</summary>
internal static class SourceRules
{
    public const int MaxTitleLength = 500;
    public const int MaxNameLength = 300;

    public static IRuleBuilderOptions<T, string> Sha256<T>(this IRuleBuilder<T, string> rule) =>
        rule.Matches(@"^([0-9a-f]{64})?\z").WithMessage("must be 64 lower-case hex characters");

    public static IRuleBuilderOptions<T, string> OptionalHttpUrl<T>(this IRuleBuilder<T, string> rule) =>
        rule.Must(u => u.Length == 0 || UrlCanonicalizer.TryCanonicalize(u, out _, out _))
            .WithMessage((instance, u) => UrlCanonicalizer.TryCanonicalize(u, out var _, out var error) ? "" : $"must be an http(s) URL: {error}");
}
