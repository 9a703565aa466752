using System.Security.Cryptography;
using System.Text.Json;
using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Infrastructure.Data;
using ClaimLedger.Server.Infrastructure.Messaging;
using Google.Protobuf;
using MediatR;

namespace ClaimLedger.Server.Infrastructure.Behaviors;

/// <summary>
/// AIP-155 request ids. The first successful response of a command that carries a request id is stored, in the
/// command's own transaction; a retry with the same id replays it and writes nothing. Reusing an id for a different
/// request is INVALID_ARGUMENT. Two concurrent calls with one id: the second fails (on the key or on the first's
/// effects), its transaction rolls back, and it replays the first's response.
/// </summary>
public sealed class IdempotencyBehavior<TRequest, TResponse>(DbSession session, TimeProvider clock)
    : IPipelineBehavior<TRequest, TResponse>
{
    private const string LookupSql = """
        SELECT request_hash AS RequestHash, response AS Response
        FROM idempotency_keys
        WHERE operation = @Operation AND request_id = @RequestId
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
        if (await LookupAsync(key, cancellationToken) is { } stored)
        {
            return Replay(stored, hash);
        }

        session.OnBeforeCommit((result, ct) => session.ExecuteAsync(
            InsertSql,
            new
            {
                key.Operation,
                key.RequestId,
                RequestHash = hash,
                Response = ((IMessage)result!).ToByteArray(),
                CreateTime = DbTime.ToDb(clock.GetUtcNow()),
            },
            ct));
        try
        {
            return await next();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A concurrent call with the same id may have run just before this one (committed by now: a failed
            // command is answered only after its group commit settles); its effects can make this one fail (a key collision, a duplicate claim, an illegal transition). Answer with
            // the first result, as a retry would get.
            if (await LookupAsync(key, cancellationToken) is { } winner)
            {
                return Replay(winner, hash);
            }

            throw;
        }
    }

    private async Task<StoredResponse?> LookupAsync(object key, CancellationToken ct) =>
        await session.QuerySingleOrDefaultAsync<StoredResponse>(LookupSql, key, ct);

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

    private sealed record StoredResponse(string RequestHash, byte[] Response);
}
