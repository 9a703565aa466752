using Google.Rpc;
using Grpc.Core;

namespace ClaimLedger.IntegrationTests.Infrastructure;

public static class RpcAssert
{
    /// <summary>Awaits a call expected to fail; returns the rich google.rpc.Status after checking its code.</summary>
    public static async Task<Google.Rpc.Status> Fails(StatusCode expected, Func<Task> call)
    {
        var e = await Should.ThrowAsync<RpcException>(call);
        e.StatusCode.ShouldBe(expected, e.Status.Detail);
        var status = e.GetRpcStatus();
        status.ShouldNotBeNull("the error carries a google.rpc.Status");
        status.Code.ShouldBe((int)expected);
        status.GetDetail<ErrorInfo>().ShouldNotBeNull().Domain.ShouldBe("claimledger");
        return status;
    }

    public static Task<Google.Rpc.Status> Fails<T>(StatusCode expected, AsyncUnaryCall<T> call) => Fails(expected, async () => await call);

    /// <summary>Expects INVALID_ARGUMENT with a BadRequest violation on each of <paramref name="fields"/>.</summary>
    public static async Task<BadRequest> InvalidArgument<T>(AsyncUnaryCall<T> call, params string[] fields)
    {
        var status = await Fails(StatusCode.InvalidArgument, call);
        var badRequest = status.GetDetail<BadRequest>().ShouldNotBeNull();
        foreach (var field in fields)
        {
            badRequest.FieldViolations.Select(v => v.Field).ShouldContain(field);
        }

        return badRequest;
    }
}
