using System.CommandLine;
using ClaimLedger.Contracts.V1;

namespace ClaimLedger.Cli.Commands;

public static class KeyCommands
{
    private static AccessService.AccessServiceClient Client(CliContext c) => new(c.Connection.Invoker);

    public static Command Build(Globals g, CliEnvironment env)
    {
        var keys = new Command("keys", "API keys (admin).");

        var displayName = new Argument<string>("display-name") { Description = "Who uses the key; recorded as the actor of their writes" };
        var role = new Option<string>("--role") { Description = "READER, CONTRIBUTOR, EDITOR, AUDITOR or ADMIN", Required = true };
        var create = new Command("create", "Create a key; its secret is printed once. Example: claimledger keys create dana --role CONTRIBUTOR") { displayName, role };
        Cli.Handle(create, g, env, async c =>
        {
            var created = await Client(c).CreateApiKeyAsync(new CreateApiKeyRequest
            {
                ApiKey = new ApiKey { DisplayName = c.Get(displayName), Role = Format.ParseEnum<Role>(c.Get(role), "--role") },
            }, cancellationToken: c.Cancel);
            c.Output.Message(created, () =>
            {
                if (c.Output.Plain)
                {
                    c.Output.Table(["Key", "Display name", "Role", "Secret"], [[created.ApiKey.Name, created.ApiKey.DisplayName, Format.Enum(created.ApiKey.Role), created.Key]]);
                    return;
                }

                c.Output.Line($"{created.ApiKey.Name}  {created.ApiKey.DisplayName}  {Format.Enum(created.ApiKey.Role)}");
                c.Output.Line($"key (shown once, keep it secret): {created.Key}");
            });
            return ExitCodes.Success;
        });

        var showRevoked = new Option<bool>("--show-revoked");
        var (pageSize, pageToken) = ClaimCommands.Paging();
        var list = new Command("list", "Keys without their secrets. Example: claimledger keys list --show-revoked") { showRevoked, pageSize, pageToken };
        Cli.Handle(list, g, env, async c =>
        {
            var page = await Client(c).ListApiKeysAsync(new ListApiKeysRequest { ShowRevoked = c.Get(showRevoked), PageSize = c.Get(pageSize), PageToken = c.Get(pageToken) ?? "" },
                cancellationToken: c.Cancel);
            c.Output.Message(page, () =>
            {
                c.Output.Table([new Column("Key"), new Column("Display name"), new Column("Role"), new Column("Prefix", Optional: 2), new Column("Created", Optional: 1), new Column("Revoked")],
                    page.ApiKeys.Select(k => (IReadOnlyList<string>)
                    [k.Name, k.DisplayName, Format.Enum(k.Role), k.KeyPrefix + "…", Format.Time(k.CreateTime), Format.Time(k.RevokeTime)]),
                    c.Get(showRevoked) ? "No API keys found." : "No API keys found (--show-revoked includes revoked keys).");
                ClaimCommands.NextPage(c.Output, page.NextPageToken);
            });
            return ExitCodes.Success;
        });

        var name = new Argument<string>("name") { Description = "apiKeys/<id>" };
        var revoke = new Command("revoke", "Revoke a key at once. Example: claimledger keys revoke apiKeys/<id>") { name };
        Cli.Handle(revoke, g, env, async c =>
        {
            var revoked = await Client(c).RevokeApiKeyAsync(new RevokeApiKeyRequest { Name = c.Get(name) }, cancellationToken: c.Cancel);
            c.Output.Message(revoked, () =>
            {
                if (c.Output.Plain)
                {
                    c.Output.Table(["Key", "Display name", "Revoked by"], [[revoked.Name, revoked.DisplayName, revoked.RevokedBy]]);
                    return;
                }

                c.Output.Line($"{revoked.Name} ({revoked.DisplayName}) revoked by {revoked.RevokedBy}");
            });
            return ExitCodes.Success;
        });

        keys.Subcommands.Add(create);
        keys.Subcommands.Add(list);
        keys.Subcommands.Add(revoke);
        return keys;
    }
}
