using Quartz;

namespace ClaimLedger.Server.Features.Staleness;

/// <summary>The Quartz job: one staleness run per firing, never two at once; honours shutdown through the context's token.</summary>
[DisallowConcurrentExecution]
public sealed class StalenessCheckJob(StalenessCheckRunner runner) : IJob
{
    public static readonly JobKey Key = new("staleness-check", "claimledger");
    public static readonly TriggerKey ScheduleKey = new("staleness-schedule", "claimledger");
    public const string RunIdKey = "runId";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        await runner.RunAsync(context.MergedJobDataMap.GetString(RunIdKey) ?? "", cancellationToken);
}
