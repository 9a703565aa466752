using System.Text;
using ClaimLedger.Contracts.V1;
using ClaimLedger.IntegrationTests.Infrastructure;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Rpc;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Grpc.Health.V1;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;

namespace ClaimLedger.IntegrationTests;

/// <summary>
/// Request bytes that are no valid message of the request type, on every RPC of every claimledger.v1 service (found
/// from the compiled descriptors, so an RPC added later is covered). grpc-dotnet parses a unary or server-streaming
/// request before any interceptor runs; the server's own method provider makes such a request INVALID_ARGUMENT,
/// reason MALFORMED_REQUEST, with a bounded message, logged at most at Information — and leaves everything else as it
/// was: routes, valid calls, interceptor-mapped errors, authentication and authorization.
/// </summary>
public sealed class MalformedRequestTests(ClaimLedgerServer server) : IClassFixture<ClaimLedgerServer>
{
    /// <summary>grpc-message as sent: percent-encoded (gRPC encodes bytes outside printable ASCII, and '%').</summary>
    private const int MaxGrpcMessageBytes = 1024;

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private static readonly Marshaller<byte[]> RawBytes = Marshallers.Create(b => b, b => b);

    /// <summary>Bodies no message type accepts, each failing the parser differently.</summary>
    private static readonly Dictionary<string, byte[]> NotAMessage = new()
    {
        // Field 1, length-delimited, whose length (an unterminated varint) runs past the end.
        ["length past the end"] = [0x0A, 0xFF, 0xFF],
        ["length-delimited field cut short"] = [0x0A, 0x10, 0x41],
        ["tag with wire type 7"] = [0xFF, 0xFF, 0xFF, 0xFF, 0x0F],
        ["tag zero"] = [0x00],
        ["end-group without a group"] = [0x0C],
    };

    private const string NotUtf8 = "string field not UTF-8";

    public static TheoryData<string, string> EveryRpcWithEveryMalformedBody
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var method in Services().SelectMany(s => s.Methods))
            {
                foreach (var variant in Variants(method))
                {
                    data.Add(FullName(method), variant);
                }
            }

            return data;
        }
    }

    // ---- Malformed requests -------------------------------------------------------------------------------------

    [Fact]
    public void TheRpcsCovered_AreEveryRpcOfEveryContractService_OfEveryKind()
    {
        var rpcs = EveryRpcWithEveryMalformedBody.Select(row => (string)row[0]).Distinct().ToList();

        rpcs.Count.ShouldBe(Services().Sum(s => s.Methods.Count));
        Services().Select(s => s.FullName).ShouldContain("claimledger.v1.ClaimService");
        Methods.Values.ShouldContain(m => !m.IsClientStreaming && !m.IsServerStreaming, "unary RPCs");
        Methods.Values.ShouldContain(m => !m.IsClientStreaming && m.IsServerStreaming, "server-streaming RPCs");
        Methods.Values.ShouldContain(m => m.IsClientStreaming, "client-streaming RPCs");
    }

    [Theory]
    [MemberData(nameof(EveryRpcWithEveryMalformedBody))]
    public async Task EveryRpc_AnswersBytesThatDoNotParse_InvalidArgument_MalformedRequest(string rpc, string variant)
    {
        var method = Methods[rpc];

        var e = await Should.ThrowAsync<RpcException>(() => SendAsync(server.Authorized(server.AdminKey), method, Body(method, variant)));

        AssertMalformedRequest(e, method.InputType);
    }

    [Fact]
    public async Task MalformedRequests_AreLoggedAtMostAtInformation()
    {
        var logs = server.CaptureLogs();
        var invoker = server.Authorized(server.AdminKey);
        var answers = new List<string>();

        foreach (var method in Methods.Values)
        {
            foreach (var variant in Variants(method))
            {
                var e = await Should.ThrowAsync<RpcException>(() => SendAsync(invoker, method, Body(method, variant)));
                answers.Add($"{FullName(method)} [{variant}]: {e.StatusCode}");
            }
        }

        logs.Entries.Where(e => e.Level >= LogLevel.Warning).Select(e => $"{e.Level} {e.Category}: {e.Message} {e.Exception?.GetType().Name}")
            .ShouldBeEmpty("a client's malformed request is no fault of the server");
        answers.Where(a => !a.EndsWith(": InvalidArgument", StringComparison.Ordinal)).ShouldBeEmpty();
    }

    [Fact]
    public async Task MalformedRequest_WithoutAKey_IsInvalidArgument_AndRevealsNothing()
    {
        // The request is parsed before the key is checked: what the caller learns is only that its bytes are no
        // message, which it knew. A well-formed request without a key is still UNAUTHENTICATED (below).
        var method = Methods["claimledger.v1.ClaimService/GetClaim"];

        var e = await Should.ThrowAsync<RpcException>(() => SendAsync(server.Authorized(null), method, NotAMessage["length past the end"]));

        var status = AssertMalformedRequest(e, method.InputType);
        status.Details.Count.ShouldBe(1, "only the ErrorInfo");
    }

    [Fact]
    public async Task HealthCheck_AnswersBytesThatDoNotParse_InvalidArgument_MalformedRequest()
    {
        var method = Health.Descriptor.FindMethodByName("Check");

        var e = await Should.ThrowAsync<RpcException>(() => SendAsync(server.Channel().CreateCallInvoker(), method, NotAMessage["length past the end"]));

        AssertMalformedRequest(e, HealthCheckRequest.Descriptor);
    }

    // ---- Everything else as before ------------------------------------------------------------------------------

    [Fact]
    public void EveryMethod_IsBoundOnce()
    {
        var bound = server.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .Select(e => e.Metadata.GetMetadata<GrpcMethodMetadata>())
            .OfType<GrpcMethodMetadata>()
            .Select(m => m.Method.FullName)
            .ToList();

        bound.GroupBy(m => m).Where(g => g.Count() > 1).Select(g => g.Key).ShouldBeEmpty("each route is bound by one provider only");
        bound.ShouldBe(
            Services().SelectMany(s => s.Methods).Select(m => "/" + FullName(m))
                .Concat(Health.Descriptor.Methods.Select(m => "/" + FullName(m)))
                .Append("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo")
                .Append("/grpc.reflection.v1.ServerReflection/ServerReflectionInfo"),
            ignoreOrder: true);
    }

    [Fact]
    public async Task ValidCalls_AreServed_UnaryAndServerStreaming()
    {
        var topic = "malformed-" + Guid.NewGuid().ToString("N")[..8];
        var created = await server.Claims().CreateClaimAsync(TestData.NewClaim(topics: topic), deadline: DateTime.UtcNow.Add(Deadline));

        var read = await server.Claims().GetClaimAsync(new GetClaimRequest { Name = created.Name }, deadline: DateTime.UtcNow.Add(Deadline));
        using var export = new TransferService.TransferServiceClient(server.As("tester"))
            .ExportClaims(new ExportClaimsRequest { Topic = topic }, deadline: DateTime.UtcNow.Add(Deadline));
        var exported = await export.ResponseStream.ReadAllAsync().ToListAsync();

        read.ShouldBe(created);
        exported.Select(r => r.Claim.Name).ShouldBe([created.Name]);
    }

    [Fact]
    public async Task InterceptorMappedErrors_AreAsBefore_UnaryAndServerStreaming()
    {
        var name = "claims/" + new string('c', 32);

        var notFound = await RpcAssert.Fails(StatusCode.NotFound, server.Claims().GetClaimAsync(new GetClaimRequest { Name = name }));
        var invalid = await RpcAssert.Fails(StatusCode.InvalidArgument, async () =>
        {
            using var export = new TransferService.TransferServiceClient(server.As("tester"))
                .ExportClaims(new ExportClaimsRequest { Topic = new string('t', 65) }, deadline: DateTime.UtcNow.Add(Deadline));
            await export.ResponseStream.MoveNext(CancellationToken.None);
        });

        notFound.GetDetail<ResourceInfo>().ShouldNotBeNull().ResourceName.ShouldBe(name);
        invalid.GetDetail<ErrorInfo>().Reason.ShouldBe("INVALID_ARGUMENT");
        invalid.GetDetail<BadRequest>().ShouldNotBeNull().FieldViolations.Select(v => v.Field).ShouldContain("topic");
    }

    [Fact]
    public async Task AuthenticationAndAuthorizationErrors_AreAsBefore()
    {
        var request = new SubmitVerdictRequest { Name = "claims/" + new string('d', 32), Rating = Rating.Unproven, Rationale = "Nothing found." };

        var keyless = await RpcAssert.Fails(StatusCode.Unauthenticated, new ClaimService.ClaimServiceClient(server.Channel()).SubmitVerdictAsync(request));
        var denied = await RpcAssert.Fails(StatusCode.PermissionDenied, server.Claims("malformed-reader", Role.Reader).SubmitVerdictAsync(request));

        keyless.GetDetail<ErrorInfo>().Reason.ShouldBe("API_KEY_MISSING");
        denied.GetDetail<ErrorInfo>().Reason.ShouldBe("PERMISSION_DENIED");
        denied.GetDetail<ResourceInfo>().ShouldBeNull();
    }

    // ---- Helpers ------------------------------------------------------------------------------------------------

    /// <summary>INVALID_ARGUMENT, ErrorInfo MALFORMED_REQUEST in domain claimledger, naming the type, small enough to send.</summary>
    private static Google.Rpc.Status AssertMalformedRequest(RpcException e, MessageDescriptor requestType)
    {
        e.StatusCode.ShouldBe(StatusCode.InvalidArgument, e.Status.Detail);
        var status = e.GetRpcStatus().ShouldNotBeNull("the error carries a google.rpc.Status");
        status.Code.ShouldBe((int)Code.InvalidArgument);
        var info = status.GetDetail<ErrorInfo>().ShouldNotBeNull();
        info.Reason.ShouldBe("MALFORMED_REQUEST");
        info.Domain.ShouldBe("claimledger");
        e.Status.Detail.ShouldContain(requestType.FullName);
        PercentEncodedLength(e.Status.Detail).ShouldBeLessThan(MaxGrpcMessageBytes);
        return status;
    }

    /// <summary>Sends <paramref name="body"/> as the (first) request message, as raw bytes; throws the call's RpcException.</summary>
    private static async Task SendAsync(CallInvoker invoker, MethodDescriptor method, byte[] body)
    {
        var options = new CallOptions(deadline: DateTime.UtcNow.Add(Deadline));
        if (method.IsClientStreaming && method.IsServerStreaming)
        {
            using var duplex = invoker.AsyncDuplexStreamingCall(Raw(method, MethodType.DuplexStreaming), null, options);
            try
            {
                await duplex.RequestStream.WriteAsync(body);
                await duplex.RequestStream.CompleteAsync();
            }
            catch (Exception e) when (e is InvalidOperationException or RpcException)
            {
                // A call refused early ends before the upload does; its status comes with the responses.
            }

            while (await duplex.ResponseStream.MoveNext(CancellationToken.None))
            {
            }
        }
        else if (method.IsClientStreaming)
        {
            using var upload = invoker.AsyncClientStreamingCall(Raw(method, MethodType.ClientStreaming), null, options);
            try
            {
                await upload.RequestStream.WriteAsync(body);
                await upload.RequestStream.CompleteAsync();
            }
            catch (Exception e) when (e is InvalidOperationException or RpcException)
            {
                // A call refused early ends before the upload does; its status comes with the response.
            }

            await upload.ResponseAsync;
        }
        else if (method.IsServerStreaming)
        {
            using var stream = invoker.AsyncServerStreamingCall(Raw(method, MethodType.ServerStreaming), null, options, body);
            while (await stream.ResponseStream.MoveNext(CancellationToken.None))
            {
            }
        }
        else
        {
            await invoker.AsyncUnaryCall(Raw(method, MethodType.Unary), null, options, body);
        }
    }

    private static Method<byte[], byte[]> Raw(MethodDescriptor method, MethodType type) =>
        new(type, method.Service.FullName, method.Name, RawBytes, RawBytes);

    private static IEnumerable<string> Variants(MethodDescriptor method) =>
        FirstString(method.InputType) is null ? NotAMessage.Keys : NotAMessage.Keys.Append(NotUtf8);

    private static byte[] Body(MethodDescriptor method, string variant) =>
        variant == NotUtf8 ? NotUtf8Body(FirstString(method.InputType)!) : NotAMessage[variant];

    private static FieldDescriptor? FirstString(MessageDescriptor type) =>
        type.Fields.InFieldNumberOrder().FirstOrDefault(f => f.FieldType == FieldType.String && !f.IsMap);

    /// <summary>The field set to bytes that are not UTF-8 (0xC3 0x28: a lead byte without its continuation).</summary>
    private static byte[] NotUtf8Body(FieldDescriptor field)
    {
        using var buffer = new MemoryStream();
        var output = new CodedOutputStream(buffer);
        output.WriteTag(field.FieldNumber, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(0xC3, 0x28));
        output.Flush();
        return buffer.ToArray();
    }

    private static Dictionary<string, MethodDescriptor> Methods { get; } = Services().SelectMany(s => s.Methods).ToDictionary(FullName);

    private static string FullName(MethodDescriptor m) => $"{m.Service.FullName}/{m.Name}";

    /// <summary>Every service declared in the claimledger.v1 .proto files, found from the compiled descriptors.</summary>
    private static IEnumerable<ServiceDescriptor> Services() =>
        typeof(ClaimService).Assembly.GetTypes()
            .Where(t => t.Name.EndsWith("Reflection", StringComparison.Ordinal) && t.GetProperty("Descriptor")?.GetValue(null) is FileDescriptor)
            .Select(t => (FileDescriptor)t.GetProperty("Descriptor")!.GetValue(null)!)
            .Where(f => f.Package == "claimledger.v1")
            .SelectMany(f => f.Services)
            .DistinctBy(s => s.FullName)
            .OrderBy(s => s.FullName, StringComparer.Ordinal);

    private static int PercentEncodedLength(string text) =>
        Encoding.UTF8.GetBytes(text).Sum(b => b is >= 0x20 and <= 0x7E and not (byte)'%' ? 1 : 3);
}
