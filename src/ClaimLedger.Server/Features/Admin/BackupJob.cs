using Microsoft.Extensions.Options;
using Quartz;

namespace ClaimLedger.Server.Features.Admin;

/// <summary>Scheduled backups (Backup:Schedule): a verified snapshot into Backup:Directory, keeping the newest Backup:Keep.</summary>
[DisallowConcurrentExecution]
public sealed class BackupJob(BackupWriter backups, ILogger<BackupJob> logger) : IJob
{
    public static readonly JobKey Key = new("backup", "claimledger");
    public static readonly TriggerKey ScheduleKey = new("backup-schedule", "claimledger");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        try
        {
            var info = await backups.WriteScheduledAsync(cancellationToken);
            logger.LogInformation("Scheduled backup {File} written to {Directory}", info.FileName, backups.Directory);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Scheduled backup failed");
        }
    }
}

/// <summary>Keeps the backup cron trigger in the job store in step with Backup:Schedule (removed when it is empty).</summary>
public sealed class BackupScheduler(ISchedulerFactory schedulers, IOptions<BackupOptions> options, TimeProvider clock, ILogger<BackupScheduler> logger)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        var existing = await scheduler.GetTrigger(BackupJob.ScheduleKey, cancellationToken) as ICronTrigger;
        var schedule = options.Value.Schedule.Trim();
        if (schedule.Length == 0)
        {
            if (existing is not null)
            {
                await scheduler.UnscheduleJob(BackupJob.ScheduleKey, cancellationToken);
            }

            return;
        }

        if (existing?.CronExpressionString == schedule)
        {
            return;
        }

        var trigger = TriggerBuilder.Create(clock).WithIdentity(BackupJob.ScheduleKey).ForJob(BackupJob.Key)
            .WithCronSchedule(schedule, c => c.InTimeZone(TimeZoneInfo.Utc).WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed))
            .Build();
        if (existing is null)
        {
            await scheduler.ScheduleJob(trigger, default, cancellationToken);
        }
        else
        {
            await scheduler.RescheduleJob(BackupJob.ScheduleKey, trigger, cancellationToken);
        }

        logger.LogInformation("Backups scheduled \"{Cron}\" (UTC) into {Directory}, keeping {Keep}", schedule, options.Value.Directory, options.Value.Keep);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
