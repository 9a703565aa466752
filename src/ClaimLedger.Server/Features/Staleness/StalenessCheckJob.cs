using Quartz;

namespace ClaimLedger.Server.Features.Staleness;

/// <summary>The Quartz job: one staleness run per firing, never two at once; honours shutdown through the context's token.</summary>
[DisallowConcurrentExecution]
public sealed class StalenessCheckJob(StalenessCheckRunner runner, ILogger<StalenessCheckJob> logger) : IJob
{
    public static readonly JobKey Key = new("staleness-check", "claimledger");
    public static readonly TriggerKey ScheduleKey = new("staleness-schedule", "claimledger");
    public const string RunIdKey = "runId";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        // Which instance took which firing: with several instances on one database, each slot is taken by one of them.
        logger.LogInformation("Staleness firing {Slot:O} ({Trigger}) taken by instance {Instance}{Recovery}",
            context.ScheduledFireTimeUtc ?? context.FireTimeUtc, context.Trigger.Key.Name, context.Scheduler.SchedulerInstanceId,
            context.Recovering ? ", recovering a stopped instance's firing" : "");
        if (context.Recovering)
        {
            // Quartz (clustered) runs again the job of an instance that died during it: retry what it left RUNNING.
            await runner.RecoverAsync(cancellationToken);
            return;
        }

        await runner.RunAsync(context.MergedJobDataMap.GetString(RunIdKey) ?? "", cancellationToken);
    }
}
