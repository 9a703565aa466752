using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Infrastructure.Data;

namespace ClaimLedger.Server.Features.Access;

internal sealed class ApiKeyRow
{
    public long Seq { get; init; }
    public string Id { get; init; } = "";
    public string DisplayName { get; init; } = "";
    public string Role { get; init; } = "";
    public string KeyPrefix { get; init; } = "";
    public string CreateTime { get; init; } = "";
    public string CreatedBy { get; init; } = "";
    public string? RevokeTime { get; init; }
    public string? RevokedBy { get; init; }
    public long Revision { get; init; }

    public ApiKey ToApiKey() => new()
    {
        Name = $"apiKeys/{Id}",
        DisplayName = DisplayName,
        Role = DbEnum.Parse<Role>(Role),
        KeyPrefix = KeyPrefix,
        CreateTime = DbTime.ToTimestamp(CreateTime),
        CreatedBy = CreatedBy,
        RevokeTime = DbTime.ToTimestamp(RevokeTime),
        RevokedBy = RevokedBy ?? "",
        Etag = Etags.For(Revision),
    };

    public const string Columns = "seq, id, display_name, role, key_prefix, create_time, created_by, revoke_time, revoked_by, revision";
}
