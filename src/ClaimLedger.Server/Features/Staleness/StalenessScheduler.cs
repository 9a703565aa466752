using Microsoft.Extensions.Options;
using Quartz;

namespace ClaimLedger.Server.Features.Staleness;

/// <summary>
/// Keeps the configured cron schedule in the persistent job store and triggers on-demand runs. The stored trigger is kept
/// when the cron expression is unchanged, so a firing missed while the server was down is seen as a misfire and runs
/// once at start-up (FireAndProceed), not once per missed slot. At start it also re-runs interrupted runs.
/// </summary>
public sealed class StalenessScheduler(
    ISchedulerFactory schedulers, IServiceProvider services, IOptions<StalenessOptions> options, TimeProvider clock, ILogger<StalenessScheduler> logger)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await ScheduleAsync(cancellationToken);
        // A run cut off by the last stop (or a crash) runs again now.
        foreach (var retry in await services.GetRequiredService<StalenessCheckRunner>().ResumeInterruptedAsync(cancellationToken))
        {
            logger.LogInformation("Staleness run {Run} re-runs interrupted {Interrupted}", retry.Name, retry.RetryOf);
        }
    }

    private async Task ScheduleAsync(CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        var o = options.Value;
        var existing = await scheduler.GetTrigger(StalenessCheckJob.ScheduleKey, cancellationToken) as ICronTrigger;
        if (!o.Enabled)
        {
            if (existing is not null)
            {
                await scheduler.UnscheduleJob(StalenessCheckJob.ScheduleKey, cancellationToken);
            }

            logger.LogInformation("Scheduled staleness checks are disabled");
            return;
        }

        if (existing?.CronExpressionString == o.Schedule)
        {
            logger.LogInformation("Staleness checks scheduled \"{Cron}\" (UTC); next run {Next}", o.Schedule, existing.NextFireTimeUtc);
            return;
        }

        // The scheduler's own clock (Quartz takes TimeProvider from DI), so start times and firings agree.
        var trigger = TriggerBuilder.Create(clock)
            .WithIdentity(StalenessCheckJob.ScheduleKey)
            .ForJob(StalenessCheckJob.Key)
            .WithCronSchedule(o.Schedule, c => c.InTimeZone(TimeZoneInfo.Utc).WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed))
            .Build();
        if (existing is null)
        {
            await scheduler.ScheduleJob(trigger, default, cancellationToken);
        }
        else
        {
            await scheduler.RescheduleJob(StalenessCheckJob.ScheduleKey, trigger, cancellationToken);
        }

        logger.LogInformation("Staleness checks scheduled \"{Cron}\" (UTC); next run {Next}", o.Schedule, (await scheduler.GetTrigger(StalenessCheckJob.ScheduleKey, cancellationToken))?.NextFireTimeUtc);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Asks for the run now (after its PENDING row is committed). Stored in the job store, so it survives a restart.</summary>
    public void TriggerNow(string runId) => _ = TriggerAsync(runId);

    private async Task TriggerAsync(string runId)
    {
        try
        {
            var scheduler = await schedulers.GetScheduler();
            await scheduler.TriggerJob(StalenessCheckJob.Key, new JobDataMap { [StalenessCheckJob.RunIdKey] = runId });
        }
        catch (Exception e)
        {
            logger.LogError(e, "Could not trigger staleness run {RunId}; it stays PENDING", runId);
        }
    }
}
