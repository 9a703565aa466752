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
/// Online backups: `claimledger admin backup` while 8 clients write, verified as it lands, then restored by starting a
/// server on the file; scheduled backups with retention.
/// </summary>
public sealed class BackupTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("claimledger-backup-").FullName;

    [Fact]
    public async Task AdminBackup_UnderWriteLoad_VerifiesTheCopy_AndRestoresWithEveryWriteAcknowledgedBeforeIt()
    {
        using var server = new CliServer();
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

        // Restore: a server started on the file (with the admin key file beside it).
        var restoredDirectory = Path.Combine(_directory, "restored");
        Directory.CreateDirectory(restoredDirectory);
        File.Copy(path, Path.Combine(restoredDirectory, "claimledger.db"));
        File.Copy(Path.Combine(server.Inner.DataDirectory, "admin-api-key"), Path.Combine(restoredDirectory, "admin-api-key"));
        using var restored = new ClaimLedgerServer();
        restored.Settings["Database:DataDirectory"] = restoredDirectory;
        File.Copy(Path.Combine(restoredDirectory, "admin-api-key"), Path.Combine(restored.DataDirectory, "admin-api-key"));
        // The restored admin key reads: creating a key of its own would add a ledger entry before the digest is compared.
        var restoredClaims = new ClaimService.ClaimServiceClient(restored.Authorized(restored.AdminKey));
        var before = acknowledged.Where(a => a.AckedAt < backupRequested).ToList();
        before.Count.ShouldBeGreaterThan(0);
        foreach (var (name, _) in before)
        {
            (await restoredClaims.GetClaimAsync(new GetClaimRequest { Name = name })).Name.ShouldBe(name);
        }

        var ledger = new LedgerService.LedgerServiceClient(restored.Authorized(restored.AdminKey));
        (await ledger.VerifyLedgerAsync(new VerifyLedgerRequest())).Valid.ShouldBeTrue();
        (await ledger.GetLedgerDigestAsync(new GetLedgerDigestRequest())).HeadSequence.ShouldBe(head);
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

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
