using System.Collections.Concurrent;
using System.Text;
using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Infrastructure.Data;
using ClaimLedger.Server.Infrastructure.Grpc;
using FluentValidation;
using FluentValidation.Results;
using Google.Protobuf;
using Google.Rpc;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Shouldly;

namespace ClaimLedger.UnitTests.Infrastructure;

/// <summary>
/// Failures on the server's side become statuses that say whether a retry can help, never the cause's text; client
/// mistakes become bounded replies whatever they carry; a client that leaves is a cancellation, not a fault.
/// </summary>
public sealed class ErrorMappingTests
{
    /// <summary>grpc-message as sent (percent-encoded) and grpc-status-details-bin as sent (base64) must stay under these.</summary>
    private const int MaxMessageBytes = 1024;
    private const int MaxDetailsBytes = 8 * 1024;

    private readonly ErrorMappingInterceptor _interceptor = new(NullLogger<ErrorMappingInterceptor>.Instance);

    [Fact]
    public void AGroupCommitThatFailed_IsUnavailable_CommitFailed_AndSaysNothingWasApplied()
    {
        var error = _interceptor.Map(new CommitFailedException(new IOException("disk I/O error at /var/lib/secret")), new Context());

        error.StatusCode.ShouldBe(StatusCode.Unavailable);
        error.Status.Detail.ShouldContain("not applied");
        error.Status.Detail.ShouldNotContain("/var/lib/secret");
        error.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason.ShouldBe("COMMIT_FAILED");
    }

    [Fact]
    public void AnythingUnexpected_IsInternal_WithoutItsMessage()
    {
        var error = _interceptor.Map(new InvalidOperationException("connection string Password=hunter2"), new Context());

        error.StatusCode.ShouldBe(StatusCode.Internal);
        error.Status.Detail.ShouldNotContain("hunter2");
        error.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason.ShouldBe("INTERNAL");
    }

    [Fact]
    public void AServerThatIsStopping_IsUnavailable_ServerStopping()
    {
        var error = _interceptor.Map(new ServerStoppingException("The server is shutting down; watch again from sequence 12."), new Context());

        error.StatusCode.ShouldBe(StatusCode.Unavailable);
        error.Status.Detail.ShouldContain("sequence 12");
        error.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason.ShouldBe("SERVER_STOPPING");
    }

    [Fact]
    public void AClientError_KeepsItsOwnStatus()
    {
        _interceptor.Map(new NotFoundException("claims/0123"), new Context()).StatusCode.ShouldBe(StatusCode.NotFound);
    }

    [Fact]
    public void AThousandViolations_AreTwentyAndOneThatCountsTheRest()
    {
        var failures = Enumerable.Range(0, 1000).Select(i => new ValidationFailure($"checks[{i}]", "must be VERDICT_EXPIRY, SOURCE_HEALTH or UNSOURCED_CLAIMS"));

        var error = _interceptor.Map(new ValidationException(failures), new Context());

        error.StatusCode.ShouldBe(StatusCode.InvalidArgument);
        var violations = error.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations;
        violations.Count.ShouldBe(21);
        violations.Take(20).Select(v => v.Field).ShouldBe(Enumerable.Range(0, 20).Select(i => $"checks[{i}]"));
        violations[20].Field.ShouldBe("");
        violations[20].Description.ShouldBe("and 980 more");
        error.Status.Detail.ShouldStartWith("Invalid request: checks[0]: must be");
        error.Status.Detail.ShouldEndWith("(and 980 more)");
        ShouldBeBounded(error);
    }

    [Fact]
    public void HugeFieldsAndDescriptions_AreShortened_AndTheReplyStaysSmall()
    {
        var failures = Enumerable.Range(0, 50).Select(i => new ValidationFailure(new string('f', 40_000) + i, new string('d', 100_000)));

        var error = _interceptor.Map(new ValidationException(failures), new Context());

        var violations = error.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations;
        violations.SkipLast(1).ShouldAllBe(v => v.Field.Length <= ErrorBounds.MaxFieldLength && v.Field.EndsWith('…'));
        violations.SkipLast(1).ShouldAllBe(v => v.Description.Length <= ErrorBounds.MaxDescriptionLength && v.Description.EndsWith('…'));
        violations[^1].Description.ShouldBe($"and {50 - (violations.Count - 1)} more");
        ShouldBeBounded(error);
    }

    [Fact]
    public void InvisibleCharacters_AreEscaped_AndSurrogatePairsNeverSplit()
    {
        // 1 MiB of emoji (surrogate pairs) and control characters: cut anywhere, the reply must still encode as UTF-8.
        var hostile = string.Concat(Enumerable.Repeat("\U0001F600\u0000\u202E\uFFFF", 1 << 18));

        var error = _interceptor.Map(new InvalidFieldException("query", hostile), new Context());

        var status = error.GetRpcStatus()!;
        var violation = status.GetDetail<BadRequest>().FieldViolations.Single();
        violation.Description.ShouldStartWith("\U0001F600\\u0000\\u202E\\uFFFF");
        violation.Description.ShouldNotContain('\0');
        status.Message.ShouldNotContain('\u202E');
        Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(status.Message)).ShouldBe(status.Message, "no lone surrogate");
        ShouldBeBounded(error);
    }

    [Fact]
    public void EveryKindOfDomainError_IsBounded_AndEchoesShortenedNames()
    {
        var huge = "claims/" + new string('9', 1 << 20);
        DomainException[] errors =
        [
            new NotFoundException(huge),
            new AlreadyExistsException("NEAR_DUPLICATE_CLAIM", $"Similar to {huge}.", Enumerable.Repeat(huge, 1000).ToList()),
            new FailedPreconditionException("ILLEGAL_TRANSITION", $"{huge} cannot move.", huge),
            new EtagMismatchException(huge, "\"3\""),
            new UnauthenticatedException("API_KEY_INVALID", huge),
            new ServerStoppingException(huge),
            new PermissionDeniedException(huge) { Metadata = Enumerable.Range(0, 1000).ToDictionary(i => $"key{i}" + new string('k', 1000), _ => huge) },
        ];

        foreach (var domainError in errors)
        {
            var error = _interceptor.Map(domainError, new Context());

            ShouldBeBounded(error);
            var status = error.GetRpcStatus()!;
            status.GetDetail<ErrorInfo>().Reason.ShouldBe(domainError.Reason);
            status.GetDetail<ErrorInfo>().Metadata.Count.ShouldBeLessThanOrEqualTo(ErrorBounds.MaxMetadataEntries);
            status.Details.Select(d => d.TryUnpack<ResourceInfo>(out var r) ? r.ResourceName : "").ShouldAllBe(n => n.Length <= ErrorBounds.MaxNameLength);
        }
    }

    [Fact]
    public void NotFound_EchoesAShortenedName()
    {
        var error = _interceptor.Map(new NotFoundException("claims/" + new string('a', 5000)), new Context());

        var resource = error.GetRpcStatus()!.GetDetail<ResourceInfo>();
        resource.ResourceName.Length.ShouldBe(ErrorBounds.MaxNameLength);
        resource.ResourceName.ShouldStartWith("claims/aaaa");
        resource.ResourceName.ShouldEndWith("…");
        ShouldBeBounded(error);
    }

    [Fact]
    public void ClientText_QuotesAShortenedEscapedValue()
    {
        ClientText.Quote(new string('x', 1000)).ShouldBe($"\"{new string('x', 63)}…\"");
        ClientText.Quote("a\u0000b\u200Fc").ShouldBe("\"a\\u0000b\\u200Fc\"");
        ClientText.Quote("short").ShouldBe("\"short\"");
        ClientText.Clean(string.Concat(Enumerable.Repeat("\U0001F600", 100)), 10).ShouldBe(string.Concat(Enumerable.Repeat("\U0001F600", 4)) + "…");
        ClientText.QuoteList(Enumerable.Range(0, 8).Select(i => $"p{i}")).ShouldBe("\"p0\", \"p1\", \"p2\", \"p3\", \"p4\" and 3 more");
    }

    [Theory]
    [InlineData(typeof(OperationCanceledException))]
    [InlineData(typeof(IOException))]
    [InlineData(typeof(Microsoft.AspNetCore.Connections.ConnectionAbortedException))]
    public async Task AClientThatLeft_IsCancelled_AndLoggedInOneInformationLine(Type exceptionType)
    {
        var logger = new ListLogger();
        var interceptor = new ErrorMappingInterceptor(logger);
        using var gone = new CancellationTokenSource();
        await gone.CancelAsync();
        var exception = (Exception)Activator.CreateInstance(exceptionType, "The client reset the request stream.")!;

        var error = await interceptor.MapAsync(exception, new Context(gone.Token));

        error.StatusCode.ShouldBe(StatusCode.Cancelled);
        var entry = logger.Entries.ShouldHaveSingleItem();
        entry.Level.ShouldBe(LogLevel.Information);
        entry.Exception.ShouldBeNull();
        entry.Message.ShouldContain("/claimledger.v1.ClaimService/CreateClaim");
    }

    [Fact]
    public async Task AResetStream_IsACancellation_EvenWhenTheAbortIsFlaggedJustAfter()
    {
        var logger = new ListLogger();
        var interceptor = new ErrorMappingInterceptor(logger);
        using var gone = new CancellationTokenSource();

        // The abort is flagged while the interceptor waits for it (not on a timer racing the wait: a busy CI machine
        // once ran the wait's end first).
        var mapping = interceptor.MapAsync(new IOException("The client reset the request stream."), new Context(gone.Token));
        mapping.IsCompleted.ShouldBeFalse("a transport failure with the call not yet cancelled waits for the abort");
        await gone.CancelAsync();
        var error = await mapping;

        error.StatusCode.ShouldBe(StatusCode.Cancelled);
        logger.Entries.ShouldAllBe(e => e.Level == LogLevel.Information);
    }

    [Fact]
    public async Task AnIOExceptionWhileTheClientIsStillThere_IsAFault()
    {
        var logger = new ListLogger();
        var interceptor = new ErrorMappingInterceptor(logger);

        var error = await interceptor.MapAsync(new IOException("disk full"), new Context());

        error.StatusCode.ShouldBe(StatusCode.Internal);
        logger.Entries.ShouldHaveSingleItem().Level.ShouldBe(LogLevel.Error);
    }

    [Fact]
    public void AMalformedStreamedRequest_IsInvalidArgument()
    {
        // Bytes that end in the middle of a field.
        var parsing = Should.Throw<InvalidProtocolBufferException>(() => ClaimLedger.Contracts.V1.ImportClaimsRequest.Parser.ParseFrom([0x0A, 0x03, 0x0A, 0x01, 0xC3]));

        var error = ErrorMappingInterceptor.MalformedRequest(typeof(ClaimLedger.Contracts.V1.ImportClaimsRequest), parsing);

        error.StatusCode.ShouldBe(StatusCode.InvalidArgument);
        error.Status.Detail.ShouldStartWith("The request is not a valid claimledger.v1.ImportClaimsRequest message: ");
        error.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason.ShouldBe("MALFORMED_REQUEST");
    }

    [Theory]
    [InlineData(253402300800L, 0)]
    [InlineData(-62135596801L, 0)]
    [InlineData(0L, -1)]
    [InlineData(0L, 1_000_000_000)]
    public void AnOutOfRangeTimestamp_IsAFieldViolationNamingTheField(long seconds, int nanos)
    {
        var time = new Google.Protobuf.WellKnownTypes.Timestamp { Seconds = seconds, Nanos = nanos };

        var conversion = Should.Throw<InvalidFieldException>(() => time.ToDateTimeOffsetOrNull("claim.claim_time"));

        var error = _interceptor.Map(conversion, new Context());
        error.StatusCode.ShouldBe(StatusCode.InvalidArgument);
        error.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations.Single().Field.ShouldBe("claim.claim_time");
    }

    [Theory]
    [InlineData(315576000001L, 0)]
    [InlineData(-315576000001L, 0)]
    [InlineData(60L, -1)]
    [InlineData(-60L, 1)]
    [InlineData(0L, 1_000_000_000)]
    [InlineData(0L, -1_000_000_000)]
    public void AnInvalidDuration_IsAFieldViolationNamingTheField(long seconds, int nanos)
    {
        var duration = new Google.Protobuf.WellKnownTypes.Duration { Seconds = seconds, Nanos = nanos };

        var conversion = Should.Throw<InvalidFieldException>(() => duration.ToSeconds("claim.review_interval"));

        conversion.Field.ShouldBe("claim.review_interval");
        conversion.Description.ShouldBe(ProtoConvert.DurationMessage);
    }

    [Fact]
    public void ValidAndUnsetWireValues_Convert()
    {
        new Google.Protobuf.WellKnownTypes.Timestamp { Seconds = 253402300799L, Nanos = 999_999_999 }.ToDateTimeOffsetOrNull("t")!.Value.Year.ShouldBe(9999);
        ((Google.Protobuf.WellKnownTypes.Timestamp?)null).ToDateTimeOffsetOrNull("t").ShouldBeNull();
        new Google.Protobuf.WellKnownTypes.Duration { Seconds = -90, Nanos = -500 }.ToSeconds("d").ShouldBe(-90);
        new Google.Protobuf.WellKnownTypes.Duration { Seconds = 0, Nanos = -999_999_999 }.ToSeconds("d").ShouldBe(0);
        ((Google.Protobuf.WellKnownTypes.Duration?)null).ToSeconds("d").ShouldBeNull();
    }

    /// <summary>The reply fits common HTTP/2 clients' header limits: grpc-message and grpc-status-details-bin as sent.</summary>
    private static void ShouldBeBounded(RpcException error)
    {
        var messageBytes = Encoding.UTF8.GetBytes(error.Status.Detail).Sum(b => b is >= 0x20 and <= 0x7E and not (byte)'%' ? 1 : 3);
        messageBytes.ShouldBeLessThan(MaxMessageBytes);
        var details = error.Trailers.GetValueBytes("grpc-status-details-bin").ShouldNotBeNull();
        ((details.Length + 2) / 3 * 4).ShouldBeLessThan(MaxDetailsBytes);
        (error.GetRpcStatus()!.GetDetail<BadRequest>()?.FieldViolations.Count ?? 0).ShouldBeLessThanOrEqualTo(ErrorBounds.MaxFieldViolations + 1);
    }

    private sealed record LogEntry(LogLevel Level, string Message, Exception? Exception);

    private sealed class ListLogger : ILogger<ErrorMappingInterceptor>
    {
        public ConcurrentQueue<LogEntry> Entries { get; } = new();

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Enqueue(new LogEntry(logLevel, formatter(state, exception), exception));
    }

    private sealed class Context(CancellationToken cancellationToken = default) : ServerCallContext
    {
        protected override string MethodCore => "/claimledger.v1.ClaimService/CreateClaim";
        protected override string HostCore => "localhost";
        protected override string PeerCore => "ipv4:127.0.0.1:1";
        protected override DateTime DeadlineCore => DateTime.MaxValue;
        protected override Metadata RequestHeadersCore { get; } = [];
        protected override CancellationToken CancellationTokenCore => cancellationToken;
        protected override Metadata ResponseTrailersCore { get; } = [];
        protected override Grpc.Core.Status StatusCore { get; set; }
        protected override WriteOptions? WriteOptionsCore { get; set; }
        protected override AuthContext AuthContextCore => new(null, []);

        protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) => throw new NotSupportedException();

        protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders) => Task.CompletedTask;
    }
}
