using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Infrastructure.Data;
using ClaimLedger.Server.Infrastructure.Security;
using Dapper;
using MediatR;
using Microsoft.Extensions.Options;

namespace ClaimLedger.Server.Features.Access;

/// <summary>
/// First start with no API keys: creates an ADMIN key (through the normal command, so it is on the ledger as made by
/// "system:bootstrap"), prints it once, and writes it to &lt;data directory&gt;/admin-api-key, readable by the owner only.
/// </summary>
public sealed class AdminKeyBootstrap(IServiceScopeFactory scopes, IDbConnectionFactory factory, IOptions<DatabaseOptions> options, ILogger<AdminKeyBootstrap> logger)
{
    public const string FileName = "admin-api-key";

    public async Task RunAsync(CancellationToken ct)
    {
        await using (var connection = await factory.OpenAsync(ct))
        {
            if (await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT count(*) FROM api_keys", cancellationToken: ct)) > 0)
            {
                return;
            }
        }

        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<ICurrentActor>().ActAsSystem("bootstrap");
        var created = await scope.ServiceProvider.GetRequiredService<IMediator>()
            .Send(new CreateApiKey.Command("admin", Role.Admin), ct);

        var path = Path.Combine(Path.GetFullPath(options.Value.DataDirectory), FileName);
        var fileOptions = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        await using (var writer = new StreamWriter(path, System.Text.Encoding.ASCII, fileOptions))
        {
            await writer.WriteLineAsync(created.Key);
        }

        logger.LogWarning("Created the first ADMIN API key {ApiKey} and wrote it to {KeyFile} (owner-only). It is printed once below.",
            created.ApiKey.Name, path);
        Console.WriteLine();
        Console.WriteLine("  ClaimLedger admin API key (shown once; also in the file above):");
        Console.WriteLine($"  {created.Key}");
        Console.WriteLine();
    }
}
