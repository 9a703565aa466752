using System.Security.Cryptography;
using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Features.Ledger;
using ClaimLedger.Server.Infrastructure.Data;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Options;

namespace ClaimLedger.Server.Features.Admin;

/// <summary>Configuration section "Backup": optional scheduled backups to a directory, with retention.</summary>
public sealed class BackupOptions
{
    public const string Section = "Backup";

    /// <summary>Quartz cron expression (UTC) for scheduled backups; empty (the default) means none.</summary>
    public string Schedule { get; set; } = "";

    /// <summary>Where scheduled backups are written; relative to the data directory unless absolute.</summary>
    public string Directory { get; set; } = "backups";

    /// <summary>Scheduled backups kept; older ones are deleted after a new one is verified.</summary>
    public int Keep { get; set; } = 7;
}

/// <summary>
/// A verified backup: a consistent snapshot of the live database (<see cref="IDatabaseSnapshots"/>), then checked as a
/// restore would need it — the engine's integrity check, the whole ledger verified as VerifyLedger does, its digest and
/// SHA-256 recorded. Used by AdminService/CreateBackup and the scheduled backups.
/// </summary>
public sealed class BackupWriter(IDatabaseSnapshots snapshots, IOptions<DatabaseOptions> database, IOptions<BackupOptions> options, TimeProvider clock,
    ILogger<BackupWriter> logger)
{
    /// <summary>The folder scheduled backups go to (relative to the data directory unless absolute).</summary>
    public string Directory => Path.GetFullPath(Path.Combine(database.Value.DataDirectory, options.Value.Directory));

    /// <summary>Writes a verified snapshot to <paramref name="path"/> and describes it.</summary>
    public async Task<BackupInfo> WriteAsync(string path, CancellationToken ct)
    {
        var time = clock.GetUtcNow();
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await snapshots.CreateAsync(path, ct);
        var info = new BackupInfo
        {
            FileName = $"claimledger-{time.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}.db",
            SnapshotTime = Timestamp.FromDateTimeOffset(time),
            SizeBytes = new FileInfo(path).Length,
        };
        await using (var copy = await snapshots.OpenCopyAsync(path, ct))
        {
            info.Integrity = await snapshots.IntegrityAsync(copy, ct);
            // A backup is a SQLite file on either engine (IDatabaseSnapshots).
            var dialect = new SqliteDatabase(Options.Create(new DatabaseOptions
            {
                DataDirectory = Path.GetDirectoryName(Path.GetFullPath(path))!, FileName = Path.GetFileName(path),
            }));
            info.Ledger = await VerifyLedger.VerifyAsync(copy, dialect, ct);
            info.Digest = new LedgerDigest { HeadSequence = info.Ledger.HeadSequence, HeadHash = info.Ledger.HeadHash, Time = info.SnapshotTime };
            await using var schema = copy.CreateCommand();
            schema.CommandText = $"SELECT max(script_name) FROM {DatabaseMigrator.JournalTable}";
            info.SchemaVersion = (await schema.ExecuteScalarAsync(ct)) as string ?? "";
        }

        await using (var file = File.OpenRead(path))
        {
            info.Sha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(file, ct));
        }

        logger.LogInformation("Backup snapshot {File}: {Bytes} bytes, integrity {Integrity}, ledger {Valid} at {Head}",
            info.FileName, info.SizeBytes, info.Integrity, info.Ledger.Valid ? "valid" : "NOT VALID", info.Digest.HeadSequence);
        return info;
    }

    /// <summary>A scheduled backup: written and verified in the backup folder, then all but the newest Keep deleted.</summary>
    public async Task<BackupInfo> WriteScheduledAsync(CancellationToken ct)
    {
        var partial = Path.Combine(Directory, $".partial-{Guid.NewGuid():N}.db");
        try
        {
            var info = await WriteAsync(partial, ct);
            if (info.Integrity != "ok" || !info.Ledger.Valid)
            {
                throw new InvalidOperationException($"The backup snapshot does not verify (integrity: {info.Integrity}; ledger valid: {info.Ledger.Valid}); kept the older backups.");
            }

            File.Move(partial, Path.Combine(Directory, info.FileName), overwrite: true);
            await File.WriteAllTextAsync(Path.Combine(Directory, Path.ChangeExtension(info.FileName, ".json")),
                Google.Protobuf.JsonFormatter.Default.Format(info), ct);
            foreach (var old in new DirectoryInfo(Directory).GetFiles("claimledger-*.db").OrderByDescending(f => f.Name, StringComparer.Ordinal).Skip(Math.Max(1, options.Value.Keep)))
            {
                old.Delete();
                File.Delete(Path.ChangeExtension(old.FullName, ".json"));
            }

            return info;
        }
        finally
        {
            File.Delete(partial);
        }
    }
}
