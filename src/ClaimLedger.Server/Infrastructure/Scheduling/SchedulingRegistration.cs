using ClaimLedger.Server.Features.Staleness;
using ClaimLedger.Server.Features.Staleness.Fetching;
using ClaimLedger.Server.Infrastructure.Data;
using Microsoft.Extensions.Options;
using Quartz;

namespace ClaimLedger.Server.Infrastructure.Scheduling;

public static class SchedulingRegistration
{
    /// <summary>
    /// Quartz.NET with its AdoJobStore in the service's own database (tables from migration 0004): on SQLite its file, on
    /// PostgreSQL the shared database, clustered, so several instances keep one schedule. JSON job data, the staleness
    /// job (durable, non-concurrent, recovered by another instance if its own dies mid-run), and the hosted services that
    /// start it and keep its cron schedule.
    /// </summary>
    public static IServiceCollection AddStalenessChecks(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StalenessOptions>().Bind(configuration.GetSection(StalenessOptions.Section));
        services.AddSourceFetcher(configuration);
        services.AddSingleton<StalenessCheckRunner>();
        services.AddSingleton<StalenessScheduler>();

        var staleness = configuration.GetSection(StalenessOptions.Section).Get<StalenessOptions>() ?? new StalenessOptions();
        var databaseOptions = configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        services.AddQuartz(q =>
        {
            // InstanceName keys this scheduler's rows in the QRTZ_ tables; it must also be unique within the process.
            // On stop, a run in progress is told (its token is cancelled), records itself INTERRUPTED, and the host waits for that.
            q.ConfigureScheduler(o =>
            {
                o.InstanceName = staleness.SchedulerName;
                o.GenerateInstanceId = true; // each instance of a cluster its own id (host name and start time)
                o.ShutdownJobInterruption = ShutdownJobInterruption.WhenWaitingForJobs;
            });
            q.UsePersistentStore(store =>
            {
                if (databaseOptions.IsPostgreSql)
                {
                    // Several instances, one schedule (ADR 19): each firing claimed by one instance through the job
                    // store's row locks; an instance that stops checking in has its running jobs recovered elsewhere.
                    store.UsePostgres(configuration.GetConnectionString(DatabaseOptions.ConnectionStringName)!);
                    store.UseClustering(c =>
                    {
                        c.CheckinInterval = staleness.ClusterCheckinInterval;
                        c.CheckinMisfireThreshold = staleness.ClusterCheckinMisfireThreshold;
                    });
                }
                else
                {
                    store.UseSqlite(new SqliteDatabase(Options.Create(databaseOptions)).ConnectionString);
                }

                store.UseSystemTextJsonSerializer();
                store.ConfigureStore(o => o.MisfireThreshold = staleness.MisfireThreshold);
            });
            q.AddJob<Features.Admin.BackupJob>(j => j.WithIdentity(Features.Admin.BackupJob.Key).StoreDurably().DisallowConcurrentExecution()
                .WithDescription("ClaimLedger scheduled backups"));
            q.AddJob<StalenessCheckJob>(j => j.WithIdentity(StalenessCheckJob.Key).StoreDurably().DisallowConcurrentExecution().RequestRecovery()
                .WithDescription("ClaimLedger staleness checks"));
        });
        services.AddQuartzHostedService(o =>
        {
            o.WaitForJobsToComplete = true;
            o.AwaitApplicationStarted = true;
        });
        services.AddHostedService(sp => sp.GetRequiredService<StalenessScheduler>());
        services.AddHostedService<Features.Admin.BackupScheduler>();
        return services;
    }
}
