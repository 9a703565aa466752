using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Infrastructure.Data;
using ClaimLedger.Server.Infrastructure.Grpc;
using Google.Rpc;
using Grpc.Core;
using Microsoft.Extensions.Logging.Abstractions;
using Shouldly;

namespace ClaimLedger.UnitTests.Infrastructure;

/// <summary>Failures on the server's side become statuses that say whether a retry can help, never the cause's text.</summary>
public sealed class ErrorMappingTests
{
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
    public void AClientError_KeepsItsOwnStatus()
    {
        _interceptor.Map(new NotFoundException("claims/0123"), new Context()).StatusCode.ShouldBe(StatusCode.NotFound);
    }

    private sealed class Context : ServerCallContext
    {
        protected override string MethodCore => "/claimledger.v1.ClaimService/CreateClaim";
        protected override string HostCore => "localhost";
        protected override string PeerCore => "ipv4:127.0.0.1:1";
        protected override DateTime DeadlineCore => DateTime.MaxValue;
        protected override Metadata RequestHeadersCore { get; } = [];
        protected override CancellationToken CancellationTokenCore => CancellationToken.None;
        protected override Metadata ResponseTrailersCore { get; } = [];
        protected override Grpc.Core.Status StatusCore { get; set; }
        protected override WriteOptions? WriteOptionsCore { get; set; }
        protected override AuthContext AuthContextCore => new(null, []);

        protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) => throw new NotSupportedException();

        protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders) => Task.CompletedTask;
    }
}
