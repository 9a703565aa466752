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
            .Send(new CreateApiKey.Command("admin", Role.Admin, OnlyIfNoKeys: true), ct);
        if (created.Key.Length == 0)
        {
            return; // another instance sharing the database created the first key meanwhile
        }

        // On PostgreSQL nothing else lives in the data directory, so it may not exist yet.
        var directory = Directory.CreateDirectory(Path.GetFullPath(options.Value.DataDirectory)).FullName;
        var path = Path.Combine(directory, FileName);
        var fileOptions = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        Console.WriteLine();
        Console.WriteLine($"  ClaimLedger admin API key (shown once; also written to {path}):");
        Console.WriteLine($"  {created.Key}");
        Console.WriteLine();

        try
        {
            await using (var writer = new StreamWriter(path, System.Text.Encoding.ASCII, fileOptions))
            {
                await writer.WriteLineAsync(created.Key);
            }

            logger.LogWarning("Created the first ADMIN API key {ApiKey} and wrote it to {KeyFile} (owner-only). It is printed above, once.",
                created.ApiKey.Name, path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The key is committed either way; losing it to an unwritable directory would lock everyone out.
            logger.LogError("Created the first ADMIN API key {ApiKey} but could not write {KeyFile}: {Reason}. Copy the key printed above.",
                created.ApiKey.Name, path, e.Message);
        }
    }
}
