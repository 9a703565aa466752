using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using ClaimLedger.Contracts.V1;
using Grpc.Core;
using Microsoft.Data.Sqlite;

namespace ClaimLedger.Cli.Commands;

/// <summary>Operating the service (admin): backups.</summary>
public static class AdminCommands
{
    public static Command Build(Globals g, CliEnvironment env)
    {
        var admin = new Command("admin", "Operate the service (admin key).");
        var output = new Option<string>("--output") { Description = "The backup file to write", Required = true };
        var backup = new Command("backup", """
            Take an online backup while the service runs and verify the copy as it lands: its SHA-256 against the
            server's, SQLite's integrity check, and its ledger head against the digest at the snapshot (the server
            verified the whole ledger of those same bytes). Exit code 1 if the copy does not verify.
            Restore: stop the server and start it on the file (see the README, "Backups").
            Example: claimledger admin backup --output claimledger-backup.db
            """) { output };
        Cli.Handle(backup, g, env, async c =>
        {
            var path = Path.GetFullPath(c.Get(output));
            var (info, problems) = await c.Output.ProgressAsync("Taking a backup…", () => ReceiveAsync(c, path));
            c.Output.Value(new
            {
                file = path,
                bytes = info.SizeBytes,
                sha256 = info.Sha256,
                snapshot_time = info.SnapshotTime?.ToDateTimeOffset(),
                schema_version = info.SchemaVersion,
                integrity = info.Integrity,
                ledger_valid = info.Ledger?.Valid ?? false,
                entries_checked = info.Ledger?.EntriesChecked ?? 0,
                claims_checked = info.Ledger?.ClaimsChecked ?? 0,
                digest = new { head_sequence = info.Digest?.HeadSequence ?? 0, head_hash = info.Digest?.HeadHash ?? "" },
                verified = problems.Count == 0,
                problems,
            }, () =>
            {
                c.Output.Line($"Backup written to {path} ({info.SizeBytes.ToString("N0", CultureInfo.InvariantCulture)} bytes, schema {info.SchemaVersion})");
                c.Output.Line($"  sha256     {info.Sha256}");
                c.Output.Line($"  integrity  {info.Integrity}");
                c.Output.Line($"  ledger     {(info.Ledger?.Valid == true ? "valid" : "NOT VALID")}: {info.Ledger?.EntriesChecked} entries and {info.Ledger?.ClaimsChecked} claims checked");
                c.Output.Line($"  digest     head {info.Digest?.HeadSequence} hash {info.Digest?.HeadHash} at {Format.Time(info.SnapshotTime)}");
                foreach (var problem in problems)
                {
                    c.Output.Line($"  PROBLEM: {problem}");
                }
            });
            return problems.Count == 0 ? ExitCodes.Success : ExitCodes.Failure;
        });

        admin.Subcommands.Add(backup);
        return admin;
    }

    /// <summary>Streams the backup into a temporary file beside <paramref name="path"/>, checks it, and renames it into place.</summary>
    private static async Task<(BackupInfo Info, List<string> Problems)> ReceiveAsync(CliContext c, string path)
    {
        var temp = path + ".partial";
        try
        {
            BackupInfo? info = null;
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long size = 0;
            await using (var file = File.Create(temp))
            {
                using var call = new AdminService.AdminServiceClient(c.Connection.Invoker).CreateBackup(new CreateBackupRequest(), cancellationToken: c.Cancel);
                await foreach (var chunk in call.ResponseStream.ReadAllAsync(c.Cancel))
                {
                    info ??= chunk.Info;
                    hash.AppendData(chunk.Data.Span);
                    await file.WriteAsync(chunk.Data.Memory, c.Cancel);
                    size += chunk.Data.Length;
                }
            }

            info ??= new BackupInfo();
            var problems = new List<string>();
            var sha = Convert.ToHexStringLower(hash.GetHashAndReset());
            if (size != info.SizeBytes || sha != info.Sha256)
            {
                problems.Add($"the copy ({size} bytes, sha256 {sha}) is not what the server sent ({info.SizeBytes} bytes, sha256 {info.Sha256})");
            }

            if (info.Integrity != "ok")
            {
                problems.Add($"the server's integrity check of the snapshot: {info.Integrity}");
            }

            if (info.Ledger is not { Valid: true })
            {
                problems.Add($"the snapshot's ledger does not verify: {info.Ledger?.FirstProblem?.Description}");
            }

            problems.AddRange(CheckCopy(temp, info));
            File.Move(temp, path, overwrite: true);
            return (info, problems);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>The copy on this machine: SQLite's integrity check, and the ledger's head equal to the digest the server reported.</summary>
    private static IEnumerable<string> CheckCopy(string path, BackupInfo info)
    {
        var problems = new List<string>();
        using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString()))
        {
            connection.Open();
            using var integrity = connection.CreateCommand();
            integrity.CommandText = "PRAGMA integrity_check";
            if (integrity.ExecuteScalar() as string is var result and not "ok")
            {
                problems.Add($"integrity check of the copy: {result}");
            }

            using var head = connection.CreateCommand();
            head.CommandText = "SELECT sequence, entry_hash FROM ledger_entries ORDER BY sequence DESC LIMIT 1";
            using var reader = head.ExecuteReader();
            var (sequence, entryHash) = reader.Read() ? (reader.GetInt64(0), reader.GetString(1)) : (0L, new string('0', 64));
            if (sequence != info.Digest?.HeadSequence || entryHash != info.Digest?.HeadHash)
            {
                problems.Add($"the copy's ledger ends at {sequence} ({entryHash}), not at the digest's {info.Digest?.HeadSequence} ({info.Digest?.HeadHash})");
            }
        }

        return problems;
    }
}
