using System.Security.Cryptography;
using System.Text.Json;
using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Infrastructure.Data;
using ClaimLedger.Server.Infrastructure.Messaging;
using Google.Protobuf;
using MediatR;
using Microsoft.Extensions.Options;

namespace ClaimLedger.Server.Infrastructure.Behaviors;

/// <summary>
/// AIP-155 request ids. The first successful response of a command that carries a request id is stored, in the
/// command's own transaction; a retry with the same id replays it and writes nothing. Reusing an id for a different
/// request is INVALID_ARGUMENT. Two concurrent calls with one id: the second fails (on the key or on the first's
/// effects), its transaction rolls back, and it replays the first's response.
/// A request id is honoured for <see cref="IdempotencyOptions.Retention"/> after its first success (ADR 25): a record
/// older than that is treated as absent whether or not <see cref="IdempotencyKeyPurger"/> has deleted it yet, so the
/// request runs as a new one, and its fresh record replaces the expired one in the same transaction.
/// </summary>
public sealed class IdempotencyBehavior<TRequest, TResponse>(DbSession session, TimeProvider clock, IOptions<IdempotencyOptions> options)
    : IPipelineBehavior<TRequest, TResponse>
    where TRequest : IWriteRequest // queries are built without it (the container skips a behavior whose constraint fails)
{
    private const string LookupSql = """
        SELECT request_hash AS RequestHash, response AS Response, create_time AS CreateTime
        FROM idempotency_keys
        WHERE operation = @Operation AND request_id = @RequestId
        """;

    /// <summary>Removes the expired record of this id (and never a fresh one, should a concurrent call have replaced it).</summary>
    private const string DeleteExpiredSql = """
        DELETE FROM idempotency_keys
        WHERE operation = @Operation AND request_id = @RequestId AND create_time < @Cutoff
        """;

    private const string InsertSql = """
        INSERT INTO idempotency_keys (operation, request_id, request_hash, response, create_time)
        VALUES (@Operation, @RequestId, @RequestHash, @Response, @CreateTime)
        """;

    public async Task<TResponse> Handle(TRequest request, CancellationToken cancellationToken, RequestHandlerDelegate<TResponse> next)
    {
        if (request is not IIdempotentCommand { RequestId.Length: > 0 } idempotent || !typeof(IMessage).IsAssignableFrom(typeof(TResponse)))
        {
            return await next();
        }

        var key = new { Operation = RequestNames.Of(typeof(TRequest)), idempotent.RequestId };
        var hash = Hash(request);
        var cutoff = options.Value.Cutoff(clock.GetUtcNow()) is { } c ? DbTime.ToDb(c) : null;
        var stored = await LookupAsync(key, cancellationToken);
        if (stored is not null && !Expired(stored, cutoff))
        {
            return Replay(stored, hash);
        }

        var replacesExpired = stored is not null;
        session.OnBeforeCommit(async (result, ct) =>
        {
            if (replacesExpired)
            {
                await session.ExecuteAsync(DeleteExpiredSql, new { key.Operation, key.RequestId, Cutoff = cutoff }, ct);
            }

            await session.ExecuteAsync(
                InsertSql,
                new
                {
                    key.Operation,
                    key.RequestId,
                    RequestHash = hash,
                    Response = ((IMessage)result!).ToByteArray(),
                    CreateTime = DbTime.ToDb(clock.GetUtcNow()),
                },
                ct);
        });
        try
        {
            return await next();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A concurrent call with the same id may have run just before this one (committed by now: a failed
            // command is answered only after its group commit settles); its effects can make this one fail (a key collision, a duplicate claim, an illegal transition). Answer with
            // the first result, as a retry would get.
            if (await LookupAsync(key, cancellationToken) is { } winner && !Expired(winner, cutoff))
            {
                return Replay(winner, hash);
            }

            throw;
        }
    }

    private async Task<StoredResponse?> LookupAsync(object key, CancellationToken ct) =>
        await session.QuerySingleOrDefaultAsync<StoredResponse>(LookupSql, key, ct);

    /// <summary>Older than the retention: the id is unknown again (fixed-width UTC text sorts as time does).</summary>
    private static bool Expired(StoredResponse stored, string? cutoff) =>
        cutoff is not null && string.CompareOrdinal(stored.CreateTime, cutoff) < 0;

    private static TResponse Replay(StoredResponse stored, string hash)
    {
        if (!string.Equals(stored.RequestHash, hash, StringComparison.Ordinal))
        {
            throw new InvalidFieldException("request_id", "was already used for a different request; use a new request_id for a new request");
        }

        var message = (IMessage)Activator.CreateInstance<TResponse>()!;
        message.MergeFrom(stored.Response);
        return (TResponse)message;
    }

    private static string Hash(TRequest request) =>
        Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(request, request!.GetType())));

    private sealed record StoredResponse(string RequestHash, byte[] Response, string CreateTime);
}
