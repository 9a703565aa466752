using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Features.Claims;
using ClaimLedger.Server.Infrastructure.Data;
using ClaimLedger.Server.Infrastructure.Ledger;
using ClaimLedger.Server.Infrastructure.Messaging;
using ClaimLedger.Server.Infrastructure.Security;
using FluentValidation;
using MediatR;

namespace ClaimLedger.Server.Features.Access;

/// <summary>Revokes a key; from the commit on, calls with it fail with UNAUTHENTICATED.</summary>
public static partial class RevokeApiKey
{
    [Requires(Permission.Administer)]
    public sealed record Command(string Name, string Etag, string RequestId) : ICommand<ApiKey>, IIdempotentCommand
    {
        public LedgerRecord Ledger(ApiKey result) => new("api_key.revoked", result.Name, Features.Ledger.LedgerPayloads.ApiKeyState(result));
    }

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator()
        {
            RuleFor(c => c.Name).Must(n => NamePattern().IsMatch(n)).OverridePropertyName("name").WithMessage("must be an API key name, apiKeys/{api_key}");
            RuleFor(c => c.Etag).Etag().OverridePropertyName("etag");
            RuleFor(c => c.RequestId).RequestId().OverridePropertyName("request_id");
        }
    }

    [GeneratedRegex(@"^apiKeys/[0-9a-f]{32}\z")]
    private static partial Regex NamePattern();

    internal sealed class Handler(DbSession db, TimeProvider clock, ICurrentActor actor, ApiKeyAuthenticator authenticator)
        : IRequestHandler<Command, ApiKey>
    {
        public async Task<ApiKey> Handle(Command command, CancellationToken ct)
        {
            var id = command.Name["apiKeys/".Length..];
            var row = await db.QuerySingleOrDefaultAsync<ApiKeyRow>($"SELECT {ApiKeyRow.Columns} FROM api_keys WHERE id = @Id", new { Id = id }, ct)
                ?? throw new NotFoundException(command.Name);
            Etags.EnsureCurrent(command.Name, command.Etag, row.Revision);
            if (row.RevokeTime is not null)
            {
                throw new FailedPreconditionException("API_KEY_ALREADY_REVOKED", $"{command.Name} was already revoked.", command.Name);
            }

            await db.ExecuteAsync(
                "UPDATE api_keys SET revoke_time = @Now, revoked_by = @Actor, revision = revision + 1 WHERE id = @Id",
                new { Id = id, Now = DbTime.ToDb(clock.GetUtcNow()), Actor = actor.Name }, ct);
            // Every instance forgets the key at once (not after its cache's few seconds).
            await db.NotifyAsync(Infrastructure.Cluster.ClusterEvents.KeysChannel, id, () => authenticator.Evict(id), ct);
            var updated = await db.QuerySingleOrDefaultAsync<ApiKeyRow>($"SELECT {ApiKeyRow.Columns} FROM api_keys WHERE id = @Id", new { Id = id }, ct);
            return updated!.ToApiKey();
        }
    }
}
