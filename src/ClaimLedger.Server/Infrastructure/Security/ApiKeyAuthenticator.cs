using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Infrastructure.Data;
using Dapper;

namespace ClaimLedger.Server.Infrastructure.Security;

/// <summary>An authenticated caller.</summary>
public sealed record Principal(string Name, Role Role, string? KeyId);

/// <summary>
/// Resolves "authorization: Bearer &lt;key&gt;" to a principal. Key rows are cached for a few seconds to keep the
/// database off the hot path, with the secret that last matched the row's hash, so a call with a key seen before is
/// checked by a constant-time comparison with that secret — neither hashed nor queried (ADR 22). A revocation evicts
/// its key at once in this process and, on PostgreSQL, in every other instance (a NOTIFY sent with the revocation's
/// commit; see Cluster.ClusterEvents). The time to live (<c>Security:KeyCacheTtl</c>, 5 s) bounds how long a
/// revocation could go unseen if notifications were lost.
/// </summary>
public sealed class ApiKeyAuthenticator(ReadConnectionPool readers, TimeProvider clock, Microsoft.Extensions.Options.IOptions<SecurityOptions> options)
{
    private readonly TimeSpan _cacheTtl = options.Value.KeyCacheTtl;
    private readonly ConcurrentDictionary<string, Cached> _cache = new();

    /// <summary>A key row as read, when it expires, and the secret that matched its hash (null until one did).</summary>
    private sealed record Cached(KeyRow? Row, DateTimeOffset Expires, string? Verified);

    /// <summary>How many times a presented secret was hashed (a call whose key was verified before is not): for tests.</summary>
    public long SecretsHashed => Interlocked.Read(ref _hashed);

    private long _hashed;

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

        var cached = await FindAsync(id, ct);
        var row = cached.Row;
        if (row is null || !Matches(id, cached, secret))
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

    /// <summary>
    /// Whether <paramref name="secret"/> is the key's: compared in constant time with the secret verified before, if
    /// any; else hashed and compared with the stored hash, and remembered when it matches (unless the key was evicted
    /// meanwhile, so nothing read before a revocation is kept after it).
    /// </summary>
    private bool Matches(string id, Cached cached, string secret)
    {
        if (cached.Verified is { } verified &&
            CryptographicOperations.FixedTimeEquals(MemoryMarshal.AsBytes(verified.AsSpan()), MemoryMarshal.AsBytes(secret.AsSpan())))
        {
            return true;
        }

        var evictions = Interlocked.Read(ref _evictions);
        Interlocked.Increment(ref _hashed);
        if (!ApiKeys.SecretMatches(secret, cached.Row!.SecretSha256))
        {
            return false;
        }

        if (cached.Verified is null && _cache.TryUpdate(id, cached with { Verified = secret }, cached) && Interlocked.Read(ref _evictions) != evictions)
        {
            _cache.TryRemove(id, out _);
        }

        return true;
    }

    private async Task<Cached> FindAsync(string id, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (_cache.TryGetValue(id, out var cached) && cached.Expires > now)
        {
            return cached;
        }

        var evictions = Interlocked.Read(ref _evictions);
        KeyRow? row;
        await using (var lease = await readers.RentAsync(ct))
        {
            row = await lease.Connection.QuerySingleOrDefaultAsync<KeyRow>(new CommandDefinition(Sql, new { Id = id }, cancellationToken: ct));
        }

        var read = new Cached(row, now + _cacheTtl, null);
        _cache[id] = read;
        if (Interlocked.Read(ref _evictions) != evictions)
        {
            _cache.TryRemove(id, out _); // evicted meanwhile: the row may predate a revocation
        }

        return read;
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
