using System.Security.Cryptography;
using ClaimLedger.Contracts.V1;
using ClaimLedger.IntegrationTests.Infrastructure;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;

namespace ClaimLedger.IntegrationTests;

/// <summary>SourceService through a real channel: registration and URL identity, validation, reads, paging, updates.</summary>
public sealed class SourcesTests(ClaimLedgerServer server) : IClassFixture<ClaimLedgerServer>
{
    private static readonly Timestamp PublishTime = Timestamp.FromDateTimeOffset(new DateTimeOffset(2025, 11, 30, 18, 15, 0, TimeSpan.Zero));
    private static readonly Timestamp RetrieveTime = Timestamp.FromDateTimeOffset(new DateTimeOffset(2025, 12, 1, 7, 45, 30, TimeSpan.Zero));

    private const string ExampleUrl = "HTTPS://News.Example.org:443/a?utm_source=x&id=7#frag";
    private const string ExampleCanonical = "https://news.example.org/a?id=7";

    // ---- CreateSource -------------------------------------------------------------------------------------------

    [Fact]
    public async Task CreateSource_WithAllFields_RoundTripsThroughGetSourceWithCanonicalUrl()
    {
        var sources = server.Sources("alice");
        var sha = NewSha256();
        var path = Guid.NewGuid().ToString("N");
        var url = $"HTTPS://News.Example.org:443/{path}?utm_source=x&id=7#frag";

        var created = await sources.CreateSourceAsync(new CreateSourceRequest
        {
            Source = new Source
            {
                Url = url,
                Title = "Ministry confirms grain exports",
                Publisher = "Example News",
                Author = "Jane Reporter",
                Kind = SourceKind.OfficialStatement,
                PublishTime = PublishTime,
                RetrieveTime = RetrieveTime,
                ContentSha256 = sha,
                ArchiveUrl = "https://web.archive.org/web/2025/https://news.example.org/a",
                Reliability = Reliability.CFairlyReliable,
            },
        });

        created.Name.ShouldMatch("^sources/[0-9a-f]{32}$");
        created.Url.ShouldBe(url);
        created.CanonicalUrl.ShouldBe($"https://news.example.org/{path}?id=7");
        created.Title.ShouldBe("Ministry confirms grain exports");
        created.Publisher.ShouldBe("Example News");
        created.Author.ShouldBe("Jane Reporter");
        created.Kind.ShouldBe(SourceKind.OfficialStatement);
        created.PublishTime.ShouldBe(PublishTime);
        created.RetrieveTime.ShouldBe(RetrieveTime);
        created.ContentSha256.ShouldBe(sha);
        created.ArchiveUrl.ShouldBe("https://web.archive.org/web/2025/https://news.example.org/a");
        created.Reliability.ShouldBe(Reliability.CFairlyReliable);
        created.CreateTime.ShouldNotBeNull();
        created.UpdateTime.ShouldBe(created.CreateTime);
        created.Etag.ShouldBe("\"1\"");

        var fetched = await sources.GetSourceAsync(new GetSourceRequest { Name = created.Name });
        fetched.ShouldBe(created);
    }

    [Fact]
    public async Task CreateSource_ExampleUrl_ComputesCanonicalUrl()
    {
        var created = await server.Sources().CreateSourceAsync(TestData.NewSource(ExampleUrl));

        created.Url.ShouldBe(ExampleUrl);
        created.CanonicalUrl.ShouldBe(ExampleCanonical);
        (await server.Sources().GetSourceAsync(new GetSourceRequest { Name = created.Name })).CanonicalUrl.ShouldBe(ExampleCanonical);
    }

    [Fact]
    public async Task CreateSource_SameCanonicalUrlAgain_ReturnsExistingSourceAndWritesNoRow()
    {
        var sources = server.Sources();
        var path = Guid.NewGuid().ToString("N");
        var first = await sources.CreateSourceAsync(TestData.NewSource($"https://news.example.org/dup/{path}?id=1&utm_medium=email"));
        var rowsAfterFirst = CountSources();

        var again = TestData.NewSource($"HTTPS://NEWS.Example.ORG:443/dup/{path}?fbclid=abc&id=1&utm_campaign=spring#top");
        again.Source.Title = "A different title that must not overwrite the first";
        again.Source.Kind = SourceKind.SocialPost;
        var second = await sources.CreateSourceAsync(again);

        second.Name.ShouldBe(first.Name);
        second.ShouldBe(first, "the existing source is returned unchanged");
        second.CanonicalUrl.ShouldBe($"https://news.example.org/dup/{path}?id=1");
        CountSources().ShouldBe(rowsAfterFirst);
        CountSources("canonical_url = @V", second.CanonicalUrl).ShouldBe(1);
    }

    [Fact]
    public async Task CreateSource_UrlLessWithContentHash_IsAcceptedAndSameHashReturnsSameSource()
    {
        var sources = server.Sources();
        var sha = NewSha256();
        var request = new CreateSourceRequest
        {
            Source = new Source { Title = "Leaked memo (PDF)", Kind = SourceKind.PrimaryDocument, ContentSha256 = sha },
        };

        var first = await sources.CreateSourceAsync(request);
        var rowsAfterFirst = CountSources();
        first.Url.ShouldBe("");
        first.CanonicalUrl.ShouldBe("");
        first.ContentSha256.ShouldBe(sha);
        first.Kind.ShouldBe(SourceKind.PrimaryDocument);

        var second = await sources.CreateSourceAsync(new CreateSourceRequest
        {
            Source = new Source { Title = "Same memo, other title", Kind = SourceKind.Other, ContentSha256 = sha },
        });

        second.Name.ShouldBe(first.Name);
        second.Title.ShouldBe("Leaked memo (PDF)");
        CountSources().ShouldBe(rowsAfterFirst);
        CountSources("content_sha256 = @V", sha).ShouldBe(1);
    }

    [Theory]
    [InlineData("ftp url", "source.url")]
    [InlineData("no url and no hash", "source.url")]
    [InlineData("upper-case hash", "source.content_sha256")]
    [InlineData("short hash", "source.content_sha256")]
    [InlineData("kind unspecified", "source.kind")]
    [InlineData("title 501 chars", "source.title")]
    [InlineData("javascript archive url", "source.archive_url")]
    public async Task CreateSource_InvalidField_FailsWithThatFieldViolationAndWritesNothing(string @case, string field)
    {
        var request = TestData.NewSource();
        var s = request.Source;
        switch (@case)
        {
            case "ftp url": s.Url = $"ftp://files.example.org/{Guid.NewGuid():N}.pdf"; break;
            case "no url and no hash": s.Url = ""; s.ContentSha256 = ""; break;
            case "upper-case hash": s.ContentSha256 = NewSha256().ToUpperInvariant(); break;
            case "short hash": s.ContentSha256 = NewSha256()[..63]; break;
            case "kind unspecified": s.Kind = SourceKind.Unspecified; break;
            case "title 501 chars": s.Title = new string('t', 501); break;
            case "javascript archive url": s.ArchiveUrl = "javascript:alert(1)"; break;
            default: throw new ArgumentOutOfRangeException(nameof(@case), @case, null);
        }

        var before = CountSources();

        var badRequest = await RpcAssert.InvalidArgument(server.Sources().CreateSourceAsync(request), field);

        badRequest.FieldViolations.Select(v => v.Field).Distinct().ShouldBe([field]);
        CountSources().ShouldBe(before);
    }

    [Fact]
    public async Task CreateSource_TitleOfExactly500Chars_IsAccepted()
    {
        var request = TestData.NewSource();
        request.Source.Title = new string('t', 500);

        var created = await server.Sources().CreateSourceAsync(request);

        created.Title.Length.ShouldBe(500);
    }

    // ---- GetSource ----------------------------------------------------------------------------------------------

    [Fact]
    public async Task GetSource_UnknownWellFormedName_FailsNotFoundNamingIt()
    {
        var name = $"sources/{Guid.NewGuid():N}";

        var status = await RpcAssert.Fails(StatusCode.NotFound, server.Sources().GetSourceAsync(new GetSourceRequest { Name = name }));

        status.GetDetail<ErrorInfo>().Reason.ShouldBe("RESOURCE_NOT_FOUND");
        status.GetDetail<ResourceInfo>().ShouldNotBeNull().ResourceName.ShouldBe(name);
    }

    [Fact]
    public async Task GetSource_MalformedName_FailsInvalidArgumentOnName()
    {
        var badRequest = await RpcAssert.InvalidArgument(server.Sources().GetSourceAsync(new GetSourceRequest { Name = "sources/abc" }), "name");

        badRequest.FieldViolations.Select(v => v.Field).ShouldBe(["name"]);
    }

    // ---- ListSources --------------------------------------------------------------------------------------------

    [Fact]
    public async Task ListSources_FilteredByPublisher_PagesNewestFirstWithoutRepeats()
    {
        var sources = server.Sources();
        var publisher = $"Paging Publisher {Guid.NewGuid():N}";
        var created = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            var request = TestData.NewSource();
            request.Source.Publisher = publisher;
            created.Add((await sources.CreateSourceAsync(request)).Name);
        }

        // Another publisher's source must not leak into the pages.
        await sources.CreateSourceAsync(TestData.NewSource());

        var pages = new List<ListSourcesResponse>();
        var token = "";
        do
        {
            var page = await sources.ListSourcesAsync(new ListSourcesRequest { PageSize = 3, Publisher = publisher, PageToken = token });
            pages.Add(page);
            token = page.NextPageToken;
        }
        while (token.Length > 0 && pages.Count < 10);

        pages.Select(p => p.Sources.Count).ShouldBe([3, 3, 1]);
        pages[0].NextPageToken.ShouldNotBeEmpty();
        pages[1].NextPageToken.ShouldNotBeEmpty();
        pages[2].NextPageToken.ShouldBeEmpty();
        var listed = pages.SelectMany(p => p.Sources).ToList();
        listed.Select(s => s.Name).ShouldBe(Enumerable.Reverse(created).ToList(), "newest first, each source exactly once");
        listed.ShouldAllBe(s => s.Publisher == publisher);
        var times = listed.Select(s => s.CreateTime.ToDateTimeOffset()).ToList();
        times.ShouldBe(times.OrderByDescending(t => t).ToList());
    }

    [Fact]
    public async Task ListSources_FilteredByKind_ReturnsOnlyThatKind()
    {
        var sources = server.Sources();
        var publisher = $"Kind Publisher {Guid.NewGuid():N}";
        var datasets = new List<string>();
        foreach (var kind in new[] { SourceKind.Dataset, SourceKind.NewsArticle, SourceKind.Dataset, SourceKind.SocialPost })
        {
            var request = TestData.NewSource();
            request.Source.Publisher = publisher;
            request.Source.Kind = kind;
            var source = await sources.CreateSourceAsync(request);
            if (kind == SourceKind.Dataset)
            {
                datasets.Add(source.Name);
            }
        }

        var byKindAndPublisher = await sources.ListSourcesAsync(new ListSourcesRequest { Kind = SourceKind.Dataset, Publisher = publisher });
        byKindAndPublisher.Sources.Select(s => s.Name).ShouldBe(Enumerable.Reverse(datasets).ToList());
        byKindAndPublisher.NextPageToken.ShouldBeEmpty();

        var byKind = await sources.ListSourcesAsync(new ListSourcesRequest { Kind = SourceKind.Dataset, PageSize = 100 });
        byKind.Sources.ShouldAllBe(s => s.Kind == SourceKind.Dataset);
        byKind.Sources.Select(s => s.Name).ShouldBe(datasets, ignoreOrder: true);

        var all = await sources.ListSourcesAsync(new ListSourcesRequest { Publisher = publisher });
        all.Sources.Count.ShouldBe(4);
    }

    [Fact]
    public async Task ListSources_PageTokenReusedWithDifferentFilter_FailsInvalidArgumentOnPageToken()
    {
        var sources = server.Sources();
        var publisher = $"Token Publisher {Guid.NewGuid():N}";
        for (var i = 0; i < 3; i++)
        {
            var request = TestData.NewSource();
            request.Source.Publisher = publisher;
            await sources.CreateSourceAsync(request);
        }

        var first = await sources.ListSourcesAsync(new ListSourcesRequest { PageSize = 2, Publisher = publisher });
        first.NextPageToken.ShouldNotBeEmpty();

        await RpcAssert.InvalidArgument(
            sources.ListSourcesAsync(new ListSourcesRequest { PageSize = 2, Publisher = publisher, Kind = SourceKind.Dataset, PageToken = first.NextPageToken }),
            "page_token");
        await RpcAssert.InvalidArgument(
            sources.ListSourcesAsync(new ListSourcesRequest { PageSize = 2, Publisher = "Someone Else", PageToken = first.NextPageToken }),
            "page_token");

        // The token is still good for the query it came from.
        var second = await sources.ListSourcesAsync(new ListSourcesRequest { PageSize = 2, Publisher = publisher, PageToken = first.NextPageToken });
        second.Sources.Count.ShouldBe(1);
    }

    // ---- UpdateSource -------------------------------------------------------------------------------------------

    [Fact]
    public async Task UpdateSource_WithFieldMask_ChangesOnlyNamedFieldsAndNewEtag()
    {
        var sources = server.Sources();
        var created = await sources.CreateSourceAsync(TestData.NewSource());

        var updated = await sources.UpdateSourceAsync(new UpdateSourceRequest
        {
            Source = new Source
            {
                Name = created.Name,
                Etag = created.Etag,
                Title = "Corrected headline",
                Publisher = "Not In The Mask",
                Reliability = Reliability.ACompletelyReliable,
                Author = "Not In The Mask Either",
            },
            UpdateMask = new FieldMask { Paths = { "title", "reliability" } },
        });

        updated.Title.ShouldBe("Corrected headline");
        updated.Reliability.ShouldBe(Reliability.ACompletelyReliable);
        updated.Publisher.ShouldBe(created.Publisher);
        updated.Author.ShouldBe(created.Author);
        updated.Kind.ShouldBe(created.Kind);
        updated.Url.ShouldBe(created.Url);
        updated.CanonicalUrl.ShouldBe(created.CanonicalUrl);
        updated.CreateTime.ShouldBe(created.CreateTime);
        updated.UpdateTime.ToDateTimeOffset().ShouldBeGreaterThan(created.UpdateTime.ToDateTimeOffset());
        updated.Etag.ShouldBe("\"2\"");
        updated.Etag.ShouldNotBe(created.Etag);

        (await sources.GetSourceAsync(new GetSourceRequest { Name = created.Name })).ShouldBe(updated);
    }

    [Fact]
    public async Task UpdateSource_WithStaleEtag_FailsAbortedAndChangesNothing()
    {
        var sources = server.Sources();
        var created = await sources.CreateSourceAsync(TestData.NewSource());
        var current = await sources.UpdateSourceAsync(new UpdateSourceRequest
        {
            Source = new Source { Name = created.Name, Title = "Second title" },
            UpdateMask = new FieldMask { Paths = { "title" } },
        });

        var status = await RpcAssert.Fails(StatusCode.Aborted, sources.UpdateSourceAsync(new UpdateSourceRequest
        {
            Source = new Source { Name = created.Name, Etag = created.Etag, Title = "Lost update" },
            UpdateMask = new FieldMask { Paths = { "title" } },
        }));

        status.GetDetail<ErrorInfo>().Reason.ShouldBe("ETAG_MISMATCH");
        var after = await sources.GetSourceAsync(new GetSourceRequest { Name = created.Name });
        after.ShouldBe(current);
        after.Title.ShouldBe("Second title");
    }

    [Theory]
    [InlineData("url")]
    [InlineData("canonical_url")]
    [InlineData("no_such_field")]
    public async Task UpdateSource_MaskNamingNonUpdatablePath_FailsInvalidArgumentOnUpdateMask(string path)
    {
        var sources = server.Sources();
        var created = await sources.CreateSourceAsync(TestData.NewSource());

        await RpcAssert.InvalidArgument(sources.UpdateSourceAsync(new UpdateSourceRequest
        {
            Source = new Source { Name = created.Name, Url = "https://elsewhere.example.org/x", Title = "Changed" },
            UpdateMask = new FieldMask { Paths = { "title", path } },
        }), "update_mask");

        (await sources.GetSourceAsync(new GetSourceRequest { Name = created.Name })).ShouldBe(created);
    }

    [Fact]
    public async Task UpdateSource_RetriedWithSameRequestId_ReplaysFirstResponseAndBumpsNothing()
    {
        var sources = server.Sources();
        var created = await sources.CreateSourceAsync(TestData.NewSource());
        var request = new UpdateSourceRequest
        {
            Source = new Source { Name = created.Name, Etag = created.Etag, Publisher = "Retried Publisher" },
            UpdateMask = new FieldMask { Paths = { "publisher" } },
            RequestId = Guid.NewGuid().ToString(),
        };

        var first = await sources.UpdateSourceAsync(request);
        var retry = await sources.UpdateSourceAsync(request);

        first.Etag.ShouldBe("\"2\"");
        retry.ShouldBe(first);
        var stored = await sources.GetSourceAsync(new GetSourceRequest { Name = created.Name });
        stored.Etag.ShouldBe(first.Etag);
        stored.UpdateTime.ShouldBe(first.UpdateTime);
        stored.Publisher.ShouldBe("Retried Publisher");
    }

    [Fact]
    public async Task UpdateSource_ContentHashOfAnotherUrlLessSource_FailsAlreadyExistsAndChangesNothing()
    {
        // A URL-less source is identified by its content hash (unique among URL-less sources), so taking another's hash
        // is a conflict the client caused: ALREADY_EXISTS, not INTERNAL. (Found failing: the handler does not check, the
        // unique index ux_sources_offline_content throws, and the error surfaces as INTERNAL.)
        var sources = server.Sources();
        var taken = NewSha256();
        await sources.CreateSourceAsync(new CreateSourceRequest { Source = new Source { Title = "Offline A", Kind = SourceKind.PrimaryDocument, ContentSha256 = taken } });
        var other = await sources.CreateSourceAsync(new CreateSourceRequest { Source = new Source { Title = "Offline B", Kind = SourceKind.PrimaryDocument, ContentSha256 = NewSha256() } });

        await RpcAssert.Fails(StatusCode.AlreadyExists, sources.UpdateSourceAsync(new UpdateSourceRequest
        {
            Source = new Source { Name = other.Name, ContentSha256 = taken },
            UpdateMask = new FieldMask { Paths = { "content_sha256" } },
        }));

        (await sources.GetSourceAsync(new GetSourceRequest { Name = other.Name })).ShouldBe(other);
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private static string NewSha256() => Convert.ToHexStringLower(SHA256.HashData(Guid.NewGuid().ToByteArray()));

    private long CountSources(string where = "1 = 1", string? value = null)
    {
        _ = server.Server; // start the host (and run its migrations) before reading its database
        return value is null
            ? Db.Scalar(server.DatabasePath, $"SELECT count(*) FROM sources WHERE {where}")
            : Db.Scalar(server.DatabasePath, $"SELECT count(*) FROM sources WHERE {where}", ("@V", value));
    }
}
