using ClaimLedger.Server.Domain;
using FluentValidation;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace ClaimLedger.Server.Infrastructure.Grpc;

/// <summary>
/// The one place errors become gRPC statuses: google.rpc.Status with an ErrorInfo (reason, domain "claimledger")
/// plus BadRequest field violations, ResourceInfo or PreconditionFailure as fits. Anything unexpected is INTERNAL with
/// no detail leaked; client mistakes never are.
/// </summary>
public sealed class ErrorMappingInterceptor(ILogger<ErrorMappingInterceptor> logger) : Interceptor
{
    public const string Domain = "claimledger";

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw Map(e, context);
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(requestStream, context);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw Map(e, context);
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
            throw Map(e, context);
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(requestStream, responseStream, context);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw Map(e, context);
        }
    }

    internal RpcException Map(Exception exception, ServerCallContext context) => exception switch
    {
        ValidationException v => Invalid(v.Errors.Select(f => (f.PropertyName, f.ErrorMessage)).ToList()),
        InvalidFieldException f => Invalid([(f.Field, f.Description)]),
        NotFoundException nf => Build(Code.NotFound, nf, new ResourceInfo { ResourceName = nf.ResourceName, Description = nf.Message }),
        AlreadyExistsException ae => Build(Code.AlreadyExists, ae, ae.Resources.Select(r => new ResourceInfo { ResourceName = r }).ToArray()),
        FailedPreconditionException fp => Build(Code.FailedPrecondition, fp, new PreconditionFailure
        {
            Violations = { new PreconditionFailure.Types.Violation { Type = fp.Reason, Subject = fp.Subject, Description = fp.Message } },
        }),
        UnauthenticatedException ua => Build(Code.Unauthenticated, ua),
        PermissionDeniedException pd => Build(Code.PermissionDenied, pd),
        EtagMismatchException em => Build(Code.Aborted, em, new ResourceInfo { ResourceName = em.ResourceName, Description = em.Message }),
        OperationCanceledException when context.CancellationToken.IsCancellationRequested =>
            new Google.Rpc.Status { Code = (int)Code.Cancelled, Message = "The call was cancelled or its deadline passed." }.ToRpcException(),
        Data.CommitFailedException => ServerFault(exception, context, Code.Unavailable, "COMMIT_FAILED",
            "The change could not be committed and was not applied; retry with the same request_id."),
        _ => ServerFault(exception, context, Code.Internal, "INTERNAL", "Internal error; the request was not applied."),
    };

    private static RpcException Invalid(IReadOnlyList<(string Field, string Description)> violations)
    {
        var badRequest = new BadRequest();
        badRequest.FieldViolations.AddRange(violations.Select(v => new BadRequest.Types.FieldViolation { Field = v.Field, Description = v.Description }));
        var message = "Invalid request: " + string.Join("; ", violations.Select(v => $"{v.Field}: {v.Description}"));
        return new Google.Rpc.Status
        {
            Code = (int)Code.InvalidArgument,
            Message = message,
            Details = { Any.Pack(new ErrorInfo { Reason = "INVALID_ARGUMENT", Domain = Domain }), Any.Pack(badRequest) },
        }.ToRpcException();
    }

    private static RpcException Build(Code code, DomainException e, params Google.Protobuf.IMessage[] details)
    {
        var info = new ErrorInfo { Reason = e.Reason, Domain = Domain };
        foreach (var (key, value) in e.Metadata)
        {
            info.Metadata[key] = value;
        }

        var status = new Google.Rpc.Status { Code = (int)code, Message = e.Message, Details = { Any.Pack(info) } };
        status.Details.AddRange(details.Select(Any.Pack));
        return status.ToRpcException();
    }

    /// <summary>A failure on the server's side, not the client's: logged with its cause, answered without it.</summary>
    private RpcException ServerFault(Exception exception, ServerCallContext context, Code code, string reason, string message)
    {
        logger.LogError(exception, "{Reason} in {Method}", reason, context.Method);
        return new Google.Rpc.Status
        {
            Code = (int)code,
            Message = message,
            Details = { Any.Pack(new ErrorInfo { Reason = reason, Domain = Domain }) },
        }.ToRpcException();
    }
}
