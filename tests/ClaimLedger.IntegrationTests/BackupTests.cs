using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using ClaimLedger.Contracts.V1;
using ClaimLedger.IntegrationTests.Cli;
using ClaimLedger.IntegrationTests.Infrastructure;
using ClaimLedger.Server.Features.Admin;
using Grpc.Core;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace ClaimLedger.IntegrationTests;

/// <summary>
/// Online backups: `claimledger admin backup` while 8 clients write, verified as it lands, then restored (on SQLite by
/// starting a server on the file; on PostgreSQL, where the backup is a SQLite file too, with migrate-to-postgres into
/// an empty database); scheduled backups with retention.
/// </summary>
public sealed class BackupTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("claimledger-backup-").FullName;

    [SqliteOnlyFact("restores by starting a server on the backup file as its SQLite database; on PostgreSQL see AdminBackup_OnPostgreSql_…")]
    public async Task AdminBackup_UnderWriteLoad_VerifiesTheCopy_AndRestoresWithEveryWriteAcknowledgedBeforeIt()
    {
        using var server = new CliServer();
        var backup = await BackupUnderWriteLoadAsync(server);

        // Restore: a server started on the file (with the admin key file beside it).
        var restoredDirectory = Path.Combine(_directory, "restored");
        Directory.CreateDirectory(restoredDirectory);
        File.Copy(backup.Path, Path.Combine(restoredDirectory, "claimledger.db"));
        File.Copy(Path.Combine(server.Inner.DataDirectory, "admin-api-key"), Path.Combine(restoredDirectory, "admin-api-key"));
        using var restored = new ClaimLedgerServer();
        restored.Settings["Database:DataDirectory"] = restoredDirectory;
        File.Copy(Path.Combine(restoredDirectory, "admin-api-key"), Path.Combine(restored.DataDirectory, "admin-api-key"));
        await AssertRestoredAsync(restored, backup);
    }

    [PostgresFact("a backup of a PostgreSQL database is a SQLite file, restored into an empty PostgreSQL database with migrate-to-postgres")]
    public async Task AdminBackup_OnPostgreSql_UnderWriteLoad_IsAVerifiedSqliteFileOfOneSnapshot_ThatMigrateToPostgresRestores()
    {
        using var server = new CliServer();
        var backup = await BackupUnderWriteLoadAsync(server);

        // The file is a SQLite database in its own right, checked here without the service: its structure, every
        // acknowledged claim, and its ledger recomputed from docs/ledger-format.md up to the digest the backup reported.
        var file = SqliteBackupFile.Read(backup.Path);
        file.Integrity.ShouldBe("ok");
        backup.AcknowledgedBefore.Select(name => name["claims/".Length..]).ShouldBeSubsetOf(file.ClaimIds);
        file.Ledger.Select(e => e.Sequence).ShouldBe(Enumerable.Range(1, (int)backup.Head).Select(i => (long)i), "a dense ledger ending at the reported head");
        var previous = new string('0', 64);
        foreach (var entry in file.Ledger)
        {
            entry.PreviousHash.ShouldBe(previous, $"entry {entry.Sequence}");
            entry.EntryHash.ShouldBe(LedgerDb.IndependentHash(entry), $"entry {entry.Sequence}");
            previous = entry.EntryHash;
        }

        previous.ShouldBe(backup.HeadHash);
        // One snapshot: every claim in the file has its creation in the file's ledger, and the ledger is the live one's prefix.
        file.ClaimIds.Count.ShouldBe(file.Ledger.Count(e => e.Action == "claim.created"));
        LedgerDb.Rows(server.DatabasePath).Take(file.Ledger.Count).ShouldBe(file.Ledger);

        // Restore into a fresh database with the server's own verb, as an operator would, then serve it.
        var restoredDirectory = Path.Combine(_directory, "restored");
        Directory.CreateDirectory(restoredDirectory);
        var target = PostgresServer.Instance.CreateDatabase();
        TestEngine.Adopt(restoredDirectory, target);
        var migrated = await MigrateToPostgresVerb.RunAsync(target, "--from", backup.Path);
        migrated.ExitCode.ShouldBe(0, migrated.ToString());
        migrated.Output.ShouldContain("ledger valid on PostgreSQL: ", Case.Sensitive, migrated.ToString());
        migrated.Output.ShouldContain($"head {backup.Head} {backup.HeadHash}", Case.Sensitive, migrated.ToString());
        migrated.RowsCopied("claims").ShouldBe(file.ClaimIds.Count);
        migrated.RowsCopied("ledger_entries").ShouldBe(backup.Head);
        var restoredDatabase = Path.Combine(restoredDirectory, "claimledger.db");
        Db.Scalar(restoredDatabase, "SELECT count(*) FROM claims").ShouldBe(file.ClaimIds.Count);

        File.Copy(Path.Combine(server.Inner.DataDirectory, "admin-api-key"), Path.Combine(restoredDirectory, "admin-api-key"));
        using var restored = new ClaimLedgerServer();
        restored.Settings["Database:DataDirectory"] = restoredDirectory;
        File.Copy(Path.Combine(restoredDirectory, "admin-api-key"), Path.Combine(restored.DataDirectory, "admin-api-key"));
        await AssertRestoredAsync(restored, backup);
    }

    [Fact]
    public async Task AdminBackup_OfADatabaseTamperedBehindTheServersBack_SaysTheCopyDoesNotVerify()
    {
        using var server = new CliServer();
        var claim = await server.Claims().CreateClaimAsync(TestData.NewClaim());
        Db.Execute(server.DatabasePath, $"UPDATE claims SET status = 'VERIFIED' WHERE id = '{claim.Name["claims/".Length..]}'");

        var result = await new CliRunner(server).RunAsync("admin", "backup", "--output", Path.Combine(_directory, "tampered.db"), "--json");

        result.ExitCode.ShouldBe(1, result.ToString());
        var report = result.JsonWhateverTheExitCode();
        report.GetProperty("verified").GetBoolean().ShouldBeFalse();
        report.GetProperty("problems").EnumerateArray().Select(p => p.GetString()).ShouldContain(p => p!.Contains("ledger does not verify", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ScheduledBackups_AreVerifiedCopiesInTheBackupFolder_KeepingTheNewest()
    {
        using var server = new ClaimLedgerServer();
        server.Settings["Backup:Schedule"] = "0 0 2 * * ?";
        server.Settings["Backup:Keep"] = "2";
        await server.Claims().CreateClaimAsync(TestData.NewClaim());
        var backups = server.Services.GetRequiredService<BackupWriter>();

        var written = new List<BackupInfo>();
        for (var i = 0; i < 3; i++)
        {
            written.Add(await backups.WriteScheduledAsync(CancellationToken.None));
            server.Clock.Advance(TimeSpan.FromSeconds(1)); // distinct file names
        }

        var kept = Directory.GetFiles(backups.Directory, "claimledger-*.db").Select(Path.GetFileName).Order().ToList();
        kept.ShouldBe(written.Skip(1).Select(w => w.FileName).Order());
        foreach (var info in written.Skip(1))
        {
            info.Integrity.ShouldBe("ok");
            info.Ledger.Valid.ShouldBeTrue();
            using var sidecar = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(backups.Directory, Path.ChangeExtension(info.FileName, ".json"))));
            sidecar.RootElement.GetProperty("sha256").GetString().ShouldBe(info.Sha256);
        }

        var trigger = await (await server.Services.GetRequiredService<ISchedulerFactory>().GetScheduler()).GetTrigger(BackupJob.ScheduleKey) as ICronTrigger;
        trigger.ShouldNotBeNull().CronExpressionString.ShouldBe("0 0 2 * * ?");
    }

    /// <summary>
    /// Eight clients write claims as fast as they can; once 50 are acknowledged, `claimledger admin backup` takes a
    /// backup while they go on. Returns the file and what its report says, with the claims acknowledged before it was
    /// asked for (which it must hold).
    /// </summary>
    private async Task<TakenBackup> BackupUnderWriteLoadAsync(CliServer server)
    {
        var claims = server.Claims();
        var acknowledged = new ConcurrentQueue<(string Name, long AckedAt)>();
        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            var n = 0;
            while (!stop.IsCancellationRequested)
            {
                var claim = await claims.CreateClaimAsync(TestData.NewClaim($"Backup writer {w} claim {n++} about the harbour tariffs {Guid.NewGuid():N}"));
                acknowledged.Enqueue((claim.Name, Stopwatch.GetTimestamp()));
            }
        })).ToList();
        while (acknowledged.Count < 50)
        {
            await Task.Delay(20);
        }

        var backupRequested = Stopwatch.GetTimestamp();
        var path = Path.Combine(_directory, "claimledger-backup.db");
        var result = await new CliRunner(server).RunAsync("admin", "backup", "--output", path, "--json");
        await stop.CancelAsync();
        await Task.WhenAll(writers);

        result.ExitCode.ShouldBe(0, result.ToString());
        var report = result.Json();
        report.GetProperty("verified").GetBoolean().ShouldBeTrue();
        report.GetProperty("integrity").GetString().ShouldBe("ok");
        report.GetProperty("ledger_valid").GetBoolean().ShouldBeTrue();
        var head = report.GetProperty("digest").GetProperty("head_sequence").GetInt64();
        head.ShouldBeGreaterThan(50);
        File.Exists(path + ".partial").ShouldBeFalse();
        var before = acknowledged.Where(a => a.AckedAt < backupRequested).Select(a => a.Name).ToList();
        before.Count.ShouldBeGreaterThan(0);
        return new TakenBackup(path, head, report.GetProperty("digest").GetProperty("head_hash").GetString()!, before);
    }

    /// <summary>A server on a restored backup holds every claim acknowledged before it, and its ledger verifies with the backup's head.</summary>
    private static async Task AssertRestoredAsync(ClaimLedgerServer restored, TakenBackup backup)
    {
        // The restored admin key reads: creating a key of its own would add a ledger entry before the digest is compared.
        var restoredClaims = new ClaimService.ClaimServiceClient(restored.Authorized(restored.AdminKey));
        foreach (var name in backup.AcknowledgedBefore)
        {
            (await restoredClaims.GetClaimAsync(new GetClaimRequest { Name = name })).Name.ShouldBe(name);
        }

        var ledger = new LedgerService.LedgerServiceClient(restored.Authorized(restored.AdminKey));
        var verification = await ledger.VerifyLedgerAsync(new VerifyLedgerRequest());
        verification.Valid.ShouldBeTrue(verification.FirstProblem?.Description);
        var digest = await ledger.GetLedgerDigestAsync(new GetLedgerDigestRequest());
        digest.HeadSequence.ShouldBe(backup.Head);
        digest.HeadHash.ShouldBe(backup.HeadHash);
    }

    private sealed record TakenBackup(string Path, long Head, string HeadHash, IReadOnlyList<string> AcknowledgedBefore);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        TestEngine.Forget(Path.Combine(_directory, "restored")); // the database a backup was restored into (PostgreSQL build)
        Directory.Delete(_directory, recursive: true);
    }
}

/// <summary>A backup file read with Microsoft.Data.Sqlite alone, without the service: what a restore would find in it.</summary>
internal sealed record SqliteBackupFile(string Integrity, IReadOnlyCollection<string> ClaimIds, IReadOnlyList<LedgerRow> Ledger)
{
    public static SqliteBackupFile Read(string path)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        var integrity = string.Join("; ", Column(connection, "PRAGMA integrity_check"));
        var claims = Column(connection, "SELECT id FROM claims").ToHashSet(StringComparer.Ordinal);
        var ledger = new List<LedgerRow>();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT sequence, time, actor, action, subject, changes, previous_hash, entry_hash FROM ledger_entries ORDER BY sequence";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            ledger.Add(new LedgerRow(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.GetString(5), reader.GetString(6), reader.GetString(7)));
        }

        return new SqliteBackupFile(integrity, claims, ledger);
    }

    private static List<string> Column(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var values = new List<string>();
        while (reader.Read())
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }
}
