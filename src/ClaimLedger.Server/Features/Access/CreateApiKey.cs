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

/// <summary>Creates an API key for a display name and role. The secret is returned once; only its hash is kept.</summary>
public static partial class CreateApiKey
{
    [Requires(Permission.Administer)]
    // Not IIdempotentCommand on purpose: the response holds the secret, which must never be stored.
    /// <param name="OnlyIfNoKeys">Bootstrap: create the key only if there is no key at all yet (checked inside the command's
    /// transaction, so several instances starting at once on one database create one first key). Else an empty response.</param>
    public sealed record Command(string DisplayName, Role Role, bool OnlyIfNoKeys = false) : ICommand<CreateApiKeyResponse>
    {
        public LedgerRecord Ledger(CreateApiKeyResponse result)
        {
            // The SHA-256 of a 256-bit random secret reveals nothing of it, and makes a swapped secret detectable.
            var state = Features.Ledger.LedgerPayloads.ApiKeyState(result.ApiKey);
            state["secret_sha256"] = ApiKeys.SecretSha256Of(result.Key);
            return new LedgerRecord("api_key.created", result.ApiKey.Name, state);
        }
    }

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator()
        {
            RuleFor(c => c.DisplayName).Must(n => DisplayNamePattern().IsMatch(n)).OverridePropertyName("api_key.display_name")
                .WithMessage("must be 1 to 64 characters of A-Z a-z 0-9 . _ @ -");
            RuleFor(c => c.Role).Must(r => r != Role.Unspecified && Enum.IsDefined(r)).OverridePropertyName("api_key.role")
                .WithMessage("must be READER, CONTRIBUTOR, EDITOR, AUDITOR or ADMIN");
        }
    }

    // No ':' — "system:..." actors are reserved for the service's own jobs.
    [GeneratedRegex(@"^[A-Za-z0-9._@-]{1,64}\z")]
    private static partial Regex DisplayNamePattern();

    internal sealed class Handler(DbSession db, TimeProvider clock, ICurrentActor actor) : IRequestHandler<Command, CreateApiKeyResponse>
    {
        private const string InsertSql = """
            INSERT INTO api_keys (id, display_name, role, secret_sha256, key_prefix, create_time, created_by)
            VALUES (@Id, @DisplayName, @Role, @SecretSha256, @KeyPrefix, @Now, @CreatedBy)
            """;

        public async Task<CreateApiKeyResponse> Handle(Command command, CancellationToken ct)
        {
            if (command.OnlyIfNoKeys && await db.ExecuteScalarAsync<long>("SELECT count(*) FROM api_keys", null, ct) > 0)
            {
                return new CreateApiKeyResponse();
            }

            var key = ApiKeys.Generate();
            await db.ExecuteAsync(InsertSql, new
            {
                key.Id,
                command.DisplayName,
                Role = DbEnum.ToDb(command.Role),
                key.SecretSha256,
                key.KeyPrefix,
                Now = DbTime.ToDb(clock.GetUtcNow()),
                CreatedBy = actor.Name,
            }, ct);
            var row = await db.QuerySingleOrDefaultAsync<ApiKeyRow>($"SELECT {ApiKeyRow.Columns} FROM api_keys WHERE id = @Id", new { key.Id }, ct);
            return new CreateApiKeyResponse { ApiKey = row!.ToApiKey(), Key = key.Key };
        }
    }
}
