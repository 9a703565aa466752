namespace ClaimLedger.Server.Domain;

/// <summary>
/// An error caused by the request, mapped to a gRPC status in one place
/// (<see cref="Infrastructure.Grpc.ErrorMappingInterceptor"/>). Handlers throw these, never RpcException.
/// </summary>
public abstract class DomainException(string reason, string message) : Exception(message)
{
    /// <summary>UPPER_SNAKE_CASE reason for google.rpc.ErrorInfo.</summary>
    public string Reason { get; } = reason;

    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
}

/// <summary>NOT_FOUND.</summary>
public sealed class NotFoundException(string resourceName)
    : DomainException("RESOURCE_NOT_FOUND", $"{resourceName} does not exist.")
{
    public string ResourceName { get; } = resourceName;
}

/// <summary>ALREADY_EXISTS; <see cref="Resources"/> names the existing resources.</summary>
public sealed class AlreadyExistsException(string reason, string message, IReadOnlyList<string> resources)
    : DomainException(reason, message)
{
    public IReadOnlyList<string> Resources { get; } = resources;
}

/// <summary>FAILED_PRECONDITION: the resource is not in a state that allows the request.</summary>
public sealed class FailedPreconditionException(string reason, string message, string subject)
    : DomainException(reason, message)
{
    public string Subject { get; } = subject;
}

/// <summary>ABORTED: the etag sent is not the resource's current one.</summary>
public sealed class EtagMismatchException(string resourceName, string currentEtag)
    : DomainException("ETAG_MISMATCH", $"The etag given for {resourceName} is stale; read it again and retry.")
{
    public string ResourceName { get; } = resourceName;
    public string CurrentEtag { get; } = currentEtag;
}

/// <summary>INVALID_ARGUMENT for a problem found past validation (e.g. a bad page token or query syntax).</summary>
public sealed class InvalidFieldException(string field, string description)
    : DomainException("INVALID_ARGUMENT", $"{field}: {description}")
{
    public string Field { get; } = field;
    public string Description { get; } = description;
}

/// <summary>UNAUTHENTICATED: no, an unknown or a revoked API key.</summary>
public sealed class UnauthenticatedException(string reason, string message) : DomainException(reason, message);

/// <summary>PERMISSION_DENIED: the caller's role does not grant the request's permission.</summary>
public sealed class PermissionDeniedException(string message) : DomainException("PERMISSION_DENIED", message);
