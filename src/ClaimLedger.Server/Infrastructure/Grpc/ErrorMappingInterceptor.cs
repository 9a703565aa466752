using ClaimLedger.Server.Domain;
using FluentValidation;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace ClaimLedger.Server.Infrastructure.Grpc;

/// <summary>
/// The one place errors become gRPC statuses: google.rpc.Status with an ErrorInfo (reason, domain "claimledger")
/// plus BadRequest field violations, ResourceInfo or PreconditionFailure as fits. Anything unexpected is INTERNAL with
/// no detail leaked; client mistakes never are. Every reply is bounded in size (<see cref="ErrorBounds"/>), whatever the
/// request. A client that cancels or hangs up is answered CANCELLED and logged as such, in one line — not as a fault.
/// </summary>
public sealed class ErrorMappingInterceptor(ILogger<ErrorMappingInterceptor> logger) : Interceptor
{
    public const string Domain = "claimledger";

    /// <summary>
    /// How long to wait for the call's cancellation after the transport failed a read or write: Kestrel fails the
    /// request body of a reset stream just before it flags the abort (on the thread pool).
    /// </summary>
    private static readonly TimeSpan AbortGrace = TimeSpan.FromSeconds(1);

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw await MapAsync(e, context);
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(new ParsedRequestStream<TRequest>(requestStream), context);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw await MapAsync(e, context);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw await MapAsync(e, context);
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(new ParsedRequestStream<TRequest>(requestStream), responseStream, context);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw await MapAsync(e, context);
        }
    }

    /// <summary><see cref="Map"/>, after giving a transport failure a moment to show up as the call's cancellation.</summary>
    internal async Task<RpcException> MapAsync(Exception exception, ServerCallContext context)
    {
        if (IsTransportFailure(exception) && !context.CancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(AbortGrace, context.CancellationToken);
            }
            catch (OperationCanceledException)
            {
                // Cancelled: the client is gone, which is what was being waited for.
            }
        }

        return Map(exception, context);
    }

    internal RpcException Map(Exception exception, ServerCallContext context) => ErrorBounds.Fit(exception switch
    {
        _ when IsClientGone(exception, context) => Cancelled(exception, context),
        ValidationException v => Invalid(v.Errors.Select(f => (f.PropertyName, f.ErrorMessage)).ToList()),
        InvalidFieldException f => Invalid([(f.Field, f.Description)]),
        NotFoundException nf => Build(Code.NotFound, nf, Resource(nf.ResourceName, nf.Message)),
        AlreadyExistsException ae => Build(Code.AlreadyExists, ae, ae.Resources.Take(ErrorBounds.MaxEntries).Select(r => Resource(r)).ToArray()),
        FailedPreconditionException fp => Build(Code.FailedPrecondition, fp, new PreconditionFailure
        {
            Violations =
            {
                new PreconditionFailure.Types.Violation
                {
                    Type = ErrorBounds.Name(fp.Reason), Subject = ErrorBounds.Name(fp.Subject), Description = ErrorBounds.Description(fp.Message),
                },
            },
        }),
        UnauthenticatedException ua => Build(Code.Unauthenticated, ua),
        PermissionDeniedException pd => Build(Code.PermissionDenied, pd),
        EtagMismatchException em => Build(Code.Aborted, em, Resource(em.ResourceName, em.Message)),
        ServerStoppingException ss => Build(Code.Unavailable, ss),
        Data.CommitFailedException => ServerFault(exception, context, Code.Unavailable, "COMMIT_FAILED",
            "The change could not be committed and was not applied; retry with the same request_id."),
        _ => ServerFault(exception, context, Code.Internal, "INTERNAL", "Internal error; the request was not applied."),
    }).ToRpcException();

    /// <summary>
    /// A request that is not a valid <paramref name="messageType"/> message: the client's mistake. Thrown by the
    /// request marshaller (<see cref="RequestParsing"/>) as the bytes are parsed, and again as a streamed request is
    /// read (<see cref="ParsedRequestStream{T}"/>), so already a status.
    /// </summary>
    internal static RpcException MalformedRequest(System.Type messageType, InvalidProtocolBufferException cause) =>
        ErrorBounds.Fit(new Google.Rpc.Status
        {
            Code = (int)Code.InvalidArgument,
            Message = $"The request is not a valid {ProtobufName(messageType)} message: {cause.Message}",
            Details = { Any.Pack(new ErrorInfo { Reason = "MALFORMED_REQUEST", Domain = Domain }) },
        }).ToRpcException();

    internal static string ProtobufName(System.Type messageType) =>
        messageType.GetProperty("Descriptor", System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)?.GetValue(null)
            is Google.Protobuf.Reflection.MessageDescriptor descriptor ? descriptor.FullName : messageType.Name;

    /// <summary>
    /// The client cancelled, hung up or reset the stream, or its deadline passed: the call's token is cancelled and the
    /// failure is the cancellation itself or the transport's report of it (an IOException reading the request stream,
    /// a ConnectionAbortedException), possibly wrapped.
    /// </summary>
    private static bool IsClientGone(Exception exception, ServerCallContext context) =>
        context.CancellationToken.IsCancellationRequested && Chain(exception).Any(e => e is OperationCanceledException or IOException);

    /// <summary>A read or write the transport failed (ConnectionAbortedException is an OperationCanceledException).</summary>
    private static bool IsTransportFailure(Exception exception) =>
        Chain(exception).Any(e => e is IOException or Microsoft.AspNetCore.Connections.ConnectionAbortedException);

    private static IEnumerable<Exception> Chain(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            yield return e;
        }
    }

    private Google.Rpc.Status Cancelled(Exception exception, ServerCallContext context)
    {
        // Not a fault: one line, no stack trace.
        logger.LogInformation("{Method} ended before its reply: {Cause} ({Exception})", context.Method,
            context.Deadline <= DateTime.UtcNow ? "its deadline passed" : "the client cancelled, hung up or reset the stream", exception.GetType().Name);
        return new Google.Rpc.Status
        {
            Code = (int)Code.Cancelled,
            Message = "The call was cancelled or its deadline passed.",
            Details = { Any.Pack(new ErrorInfo { Reason = "CANCELLED", Domain = Domain }) },
        };
    }

    /// <summary>INVALID_ARGUMENT with one field violation, as a status to throw where no interceptor runs (request parsing).</summary>
    internal static RpcException InvalidField(string field, string description) =>
        ErrorBounds.Fit(Invalid([(field, description)])).ToRpcException();

    private static Google.Rpc.Status Invalid(IReadOnlyCollection<(string Field, string Description)> violations)
    {
        var (kept, omitted) = ErrorBounds.Violations(violations);
        var badRequest = new BadRequest { FieldViolations = { kept } };
        if (omitted > 0)
        {
            badRequest.FieldViolations.Add(ErrorBounds.Summary(omitted));
        }

        var message = ErrorBounds.Message(
            "Invalid request: " + string.Join("; ", kept.Select(v => $"{v.Field}: {v.Description}")),
            omitted > 0 ? $" (and {omitted} more)" : "");
        return new Google.Rpc.Status
        {
            Code = (int)Code.InvalidArgument,
            Message = message,
            Details = { Any.Pack(new ErrorInfo { Reason = "INVALID_ARGUMENT", Domain = Domain }), Any.Pack(badRequest) },
        };
    }

    private static ResourceInfo Resource(string name, string description = "") =>
        new() { ResourceName = ErrorBounds.Name(name), Description = ErrorBounds.Description(description) };

    private static Google.Rpc.Status Build(Code code, DomainException e, params IMessage[] details)
    {
        var info = new ErrorInfo { Reason = ErrorBounds.Name(e.Reason), Domain = Domain };
        foreach (var (key, value) in ErrorBounds.Metadata(e.Metadata))
        {
            info.Metadata[key] = value;
        }

        var status = new Google.Rpc.Status { Code = (int)code, Message = e.Message, Details = { Any.Pack(info) } };
        status.Details.AddRange(details.Select(Any.Pack));
        return status;
    }

    /// <summary>A failure on the server's side, not the client's: logged with its cause, answered without it.</summary>
    private Google.Rpc.Status ServerFault(Exception exception, ServerCallContext context, Code code, string reason, string message)
    {
        logger.LogError(exception, "{Reason} in {Method}", reason, context.Method);
        return new Google.Rpc.Status
        {
            Code = (int)code,
            Message = message,
            Details = { Any.Pack(new ErrorInfo { Reason = reason, Domain = Domain }) },
        };
    }
}
