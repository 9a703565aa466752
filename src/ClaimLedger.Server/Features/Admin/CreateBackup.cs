using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Infrastructure.Hosting;
using ClaimLedger.Server.Infrastructure.Messaging;
using ClaimLedger.Server.Infrastructure.Security;
using Google.Protobuf;
using Grpc.Core;
using MediatR;

namespace ClaimLedger.Server.Features.Admin;

/// <summary>
/// Streams a verified online backup (<see cref="BackupWriter"/>): the snapshot is taken and checked first, then sent in
/// 64 KiB chunks, the first carrying its BackupInfo (SHA-256, ledger digest, checks). The temporary copy is deleted.
/// </summary>
public static class CreateBackup
{
    public const int ChunkSize = 64 * 1024;

    [Requires(Permission.Administer)]
    public sealed record Query(IServerStreamWriter<BackupChunk> Output) : IQuery<BackupInfo>;

    internal sealed class Handler(BackupWriter backups, ServerStopping stopping) : IRequestHandler<Query, BackupInfo>
    {
        public Task<BackupInfo> Handle(Query query, CancellationToken ct) => stopping.RunAsync(token => SendAsync(query, token), "take the backup again.", ct);

        private async Task<BackupInfo> SendAsync(Query query, CancellationToken ct)
        {
            var path = Path.Combine(backups.Directory, $".partial-{Guid.NewGuid():N}.db");
            try
            {
                var info = await backups.WriteAsync(path, ct);
                var buffer = new byte[ChunkSize];
                await using var file = File.OpenRead(path);
                var first = true;
                int read;
                while ((read = await file.ReadAsync(buffer, ct)) > 0 || first)
                {
                    var chunk = new BackupChunk { Data = ByteString.CopyFrom(buffer, 0, read) };
                    if (first)
                    {
                        chunk.Info = info;
                        first = false;
                    }

                    await query.Output.WriteAsync(chunk, ct);
                }

                return info;
            }
            finally
            {
                File.Delete(path);
            }
        }
    }
}

/// <summary>claimledger.v1.AdminService: maps each request to its query and sends it. No rules, no SQL.</summary>
public sealed class AdminGrpcService(IMediator mediator) : AdminService.AdminServiceBase
{
    public override Task CreateBackup(CreateBackupRequest request, IServerStreamWriter<BackupChunk> responseStream, ServerCallContext context) =>
        mediator.Send(new CreateBackup.Query(responseStream), context.CancellationToken);
}
