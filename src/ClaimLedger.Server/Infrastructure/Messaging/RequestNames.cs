using System.Collections.Concurrent;

namespace ClaimLedger.Server.Infrastructure.Messaging;

/// <summary>Names a request for logs and keys by its use case: <c>CreateClaim.Command</c> → "CreateClaim".</summary>
public static class RequestNames
{
    private static readonly ConcurrentDictionary<Type, string> Cache = new();

    public static string Of(Type requestType) =>
        Cache.GetOrAdd(requestType, t => t.DeclaringType?.Name ?? t.Name);

    /// <summary>True for <see cref="ICommand{TResult}"/> and <see cref="IBulkCommand{TResult}"/> types: they write, in a transaction.</summary>
    public static bool IsCommand(Type requestType) =>
        requestType.GetInterfaces().Any(i => i.IsGenericType && (i.GetGenericTypeDefinition() == typeof(ICommand<>) || i.GetGenericTypeDefinition() == typeof(IBulkCommand<>)));
}
