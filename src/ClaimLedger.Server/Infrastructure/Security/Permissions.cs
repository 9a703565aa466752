using ClaimLedger.Contracts.V1;

namespace ClaimLedger.Server.Infrastructure.Security;

/// <summary>What a request needs. Declared once per request type with <see cref="RequiresAttribute"/>.</summary>
public enum Permission
{
    /// <summary>Read claims, sources, evidence and history.</summary>
    Read,

    /// <summary>Create and update claims, sources and evidence; start reviews.</summary>
    Contribute,

    /// <summary>Submit verdicts and retract claims.</summary>
    Decide,

    /// <summary>Read the ledger, verify it, generate audit reports.</summary>
    Audit,

    /// <summary>Manage API keys and policies.</summary>
    Administer,
}

/// <summary>The permission a MediatR request needs; checked by <see cref="Behaviors.AuthorizationBehavior{TRequest,TResponse}"/>.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class RequiresAttribute(Permission permission) : Attribute
{
    public Permission Permission { get; } = permission;
}

public static class RolePermissions
{
    private static readonly IReadOnlyDictionary<Role, Permission[]> Grants = new Dictionary<Role, Permission[]>
    {
        [Role.Reader] = [Permission.Read],
        [Role.Contributor] = [Permission.Read, Permission.Contribute],
        [Role.Editor] = [Permission.Read, Permission.Contribute, Permission.Decide],
        [Role.Auditor] = [Permission.Read, Permission.Audit],
        [Role.Admin] = [Permission.Read, Permission.Contribute, Permission.Decide, Permission.Audit, Permission.Administer],
    };

    public static bool Allows(Role role, Permission permission) => Grants.TryGetValue(role, out var p) && p.Contains(permission);

    /// <summary>The permission declared on a request type; a request without one is a programming error.</summary>
    public static Permission Required(Type requestType) =>
        (requestType.GetCustomAttributes(typeof(RequiresAttribute), false).FirstOrDefault() as RequiresAttribute)?.Permission
        ?? throw new InvalidOperationException($"{requestType.FullName} declares no [Requires(...)] permission.");
}
