using Grpc.Core;

namespace ClaimLedger.Cli;

/// <summary>The CLI's exit codes; distinct per kind of failure so scripts can branch on them.</summary>
public static class ExitCodes
{
    public const int Success = 0;
    /// <summary>Anything not covered below (an internal server error, a file that cannot be written).</summary>
    public const int Failure = 1;
    /// <summary>Bad command line, or the server rejected the request's content (INVALID_ARGUMENT).</summary>
    public const int Usage = 2;
    /// <summary>NOT_FOUND.</summary>
    public const int NotFound = 3;
    /// <summary>A stale etag (ABORTED), a duplicate (ALREADY_EXISTS), or an illegal transition (FAILED_PRECONDITION).</summary>
    public const int Conflict = 4;
    /// <summary>No, a bad or a revoked API key (UNAUTHENTICATED), or a role without the permission (PERMISSION_DENIED).</summary>
    public const int Permission = 5;
    /// <summary>The server could not be reached or did not answer in time (UNAVAILABLE, DEADLINE_EXCEEDED).</summary>
    public const int Unreachable = 6;

    public static int For(StatusCode code) => code switch
    {
        StatusCode.InvalidArgument or StatusCode.OutOfRange => Usage,
        StatusCode.NotFound => NotFound,
        StatusCode.AlreadyExists or StatusCode.Aborted or StatusCode.FailedPrecondition => Conflict,
        StatusCode.Unauthenticated or StatusCode.PermissionDenied => Permission,
        StatusCode.Unavailable or StatusCode.DeadlineExceeded => Unreachable,
        _ => Failure,
    };
}
