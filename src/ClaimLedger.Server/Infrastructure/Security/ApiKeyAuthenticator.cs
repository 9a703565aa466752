using System.Collections.Concurrent;
using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Infrastructure.Data;
using Dapper;

namespace ClaimLedger.Server.Infrastructure.Security;

/// <summary>An authenticated caller.</summary>
public sealed record Principal(string Name, Role Role, string? KeyId);

/// <summary>
/// Resolves "authorization: Bearer &lt;key&gt;" to a principal. Key rows are cached for a few seconds to keep the
/// database off the hot path; a revocation evicts its key at once in this process and, on PostgreSQL, in every other
/// instance (a NOTIFY sent with the revocation's commit; see Cluster.ClusterEvents). The time to live
/// (<c>Security:KeyCacheTtl</c>, 5 s) bounds how long a revocation could go unseen if notifications were lost.
/// </summary>
public sealed class ApiKeyAuthenticator(IDbConnectionFactory factory, TimeProvider clock, Microsoft.Extensions.Options.IOptions<SecurityOptions> options)
{
    private readonly TimeSpan _cacheTtl = options.Value.KeyCacheTtl;
    private readonly ConcurrentDictionary<string, (KeyRow? Row, DateTimeOffset Expires)> _cache = new();

    // Bumped by every eviction: a row read before an eviction is not cached after it (it may predate the revocation).
    private long _evictions;

    private const string Sql = """
        SELECT id AS Id, display_name AS DisplayName, role AS Role, secret_sha256 AS SecretSha256, revoke_time AS RevokeTime
        FROM api_keys WHERE id = @Id
        """;

    public async Task<Principal> AuthenticateAsync(string? authorizationHeader, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(authorizationHeader))
        {
            throw new UnauthenticatedException("API_KEY_MISSING", "Send an API key as \"authorization: Bearer <key>\" metadata.");
        }

        var value = authorizationHeader.Trim();
        var key = value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? value[7..].Trim() : null;
        if (!ApiKeys.TryParse(key, out var id, out var secret))
        {
            throw new UnauthenticatedException("API_KEY_INVALID", "The API key is not valid.");
        }

        var row = await FindAsync(id, ct);
        if (row is null || !ApiKeys.SecretMatches(secret, row.SecretSha256))
        {
            throw new UnauthenticatedException("API_KEY_INVALID", "The API key is not valid.");
        }

        if (row.RevokeTime is not null)
        {
            throw new UnauthenticatedException("API_KEY_REVOKED", "The API key was revoked.");
        }

        return new Principal(row.DisplayName, DbEnum.Parse<Role>(row.Role), row.Id);
    }

    public void Evict(string keyId)
    {
        Interlocked.Increment(ref _evictions);
        _cache.TryRemove(keyId, out _);
    }

    /// <summary>Forgets every cached key (after missing notifications: see Cluster.PostgresClusterListener).</summary>
    public void EvictAll()
    {
        Interlocked.Increment(ref _evictions);
        _cache.Clear();
    }

    private async Task<KeyRow?> FindAsync(string id, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (_cache.TryGetValue(id, out var cached) && cached.Expires > now)
        {
            return cached.Row;
        }

        var evictions = Interlocked.Read(ref _evictions);
        await using var connection = await factory.OpenAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<KeyRow>(new CommandDefinition(Sql, new { Id = id }, cancellationToken: ct));
        _cache[id] = (row, now + _cacheTtl);
        if (Interlocked.Read(ref _evictions) != evictions)
        {
            _cache.TryRemove(id, out _); // evicted meanwhile: the row may predate a revocation
        }

        return row;
    }

    private sealed record KeyRow(string Id, string DisplayName, string Role, string SecretSha256, string? RevokeTime);
}

/// <summary>The "Security" configuration section.</summary>
public sealed class SecurityOptions
{
    public const string Section = "Security";

    /// <summary>How long a key row is cached; a revocation evicts it at once on every instance (ApiKeyAuthenticator).</summary>
    public TimeSpan KeyCacheTtl { get; set; } = TimeSpan.FromSeconds(5);
}
