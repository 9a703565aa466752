using Quartz;

namespace ClaimLedger.Server.Features.Staleness;

/// <summary>The Quartz job: one staleness run per firing, never two at once; honours shutdown through the context's token.</summary>
[DisallowConcurrentExecution]
public sealed class StalenessCheckJob(StalenessCheckRunner runner) : IJob
{
    public static readonly JobKey Key = new("staleness-check", "claimledger");
    public static readonly TriggerKey ScheduleKey = new("staleness-schedule", "claimledger");
    public const string RunIdKey = "runId";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        if (context.Recovering)
        {
            // Quartz (clustered) runs again the job of an instance that died during it: retry what it left RUNNING.
            await runner.RecoverAsync(cancellationToken);
            return;
        }

        await runner.RunAsync(context.MergedJobDataMap.GetString(RunIdKey) ?? "", cancellationToken);
    }
}
