using ClaimLedger.Server.Infrastructure.Behaviors;
using ClaimLedger.Server.Infrastructure.Data;
using ClaimLedger.Server.Infrastructure.Ledger;
using ClaimLedger.Server.Infrastructure.Security;
using Dapper;
using FluentValidation;
using MediatR;
using MediatR.Pipeline;

namespace ClaimLedger.Server.Infrastructure;

public static class ServiceRegistration
{
    /// <summary>MediatR 5 (handlers and behaviors found by scanning), validators, data access, clock and actor.</summary>
    public static IServiceCollection AddClaimLedger(this IServiceCollection services, IConfiguration configuration)
    {
        DefaultTypeMap.MatchNamesWithUnderscores = true;

        services.AddOptions<DatabaseOptions>().Bind(configuration.GetSection(DatabaseOptions.Section))
            .Validate(o => o.ReadConnections is >= 1 and <= DatabaseOptions.MaxReadConnections,
                $"Database:ReadConnections must be between 1 and {DatabaseOptions.MaxReadConnections} (the connections that serve reads; see ADR 22).")
            .Validate(o => o.ReadPreparedStatements is >= 1 and <= DatabaseOptions.MaxReadPreparedStatements,
                $"Database:ReadPreparedStatements must be between 1 and {DatabaseOptions.MaxReadPreparedStatements} (statements each read connection keeps prepared).")
            .Validate(o => o.WriterPreparedStatements is >= 1 and <= DatabaseOptions.MaxWriterPreparedStatements,
                $"Database:WriterPreparedStatements must be between 1 and {DatabaseOptions.MaxWriterPreparedStatements} (statements the writer connection keeps prepared).")
            .ValidateOnStart();
        services.AddOptions<Security.SecurityOptions>().Bind(configuration.GetSection(Security.SecurityOptions.Section));
        services.AddOptions<Ledger.LedgerOptions>().Bind(configuration.GetSection(Ledger.LedgerOptions.Section))
            .Validate(o => o.VerifyBatchSize is >= 1 and <= 100_000,
                "Ledger:VerifyBatchSize must be between 1 and 100000 (ledger entries VerifyLedger reads per batch).")
            .Validate(o => o.VerifyStatePageSize is >= 1 and <= 10_000,
                "Ledger:VerifyStatePageSize must be between 1 and 10000 (claims VerifyLedger compares per page; memory grows with it).")
            .ValidateOnStart();
        services.AddOptions<Features.Claims.SearchClaims.Options>().Bind(configuration.GetSection(Features.Claims.SearchClaims.Options.Section));
        services.AddDatabaseEngine(configuration);
        services.AddOptions<Features.Admin.BackupOptions>().Bind(configuration.GetSection(Features.Admin.BackupOptions.Section));
        services.AddSingleton<Features.Admin.BackupWriter>();
        services.AddMetrics();
        services.AddSingleton<ReadConnectionPool>();
        services.AddScoped<DbSession>();
        services.AddSingleton(TimeProvider.System);
        services.AddHttpContextAccessor();
        services.AddSingleton<ApiKeyAuthenticator>();
        services.AddScoped<ICurrentActor, CurrentActor>();
        services.AddSingleton<LedgerNotifier>();
        services.AddSingleton<Hosting.ServerStopping>();
        services.AddScoped<Features.Claims.NearDuplicatePrecheck>();
        services.AddScoped<Features.Verification.MarkStale.BatchPreparation>();
        services.AddSingleton<Features.Access.AdminKeyBootstrap>();
        services.AddSingleton(Features.Transparency.TransparencyOptions.Bind(configuration));
        services.AddSingleton<Features.Transparency.CheckpointKey>();
        services.AddHostedService<Features.Transparency.LedgerIntegrator>();
        IdempotencyOptions.Register(services, configuration);
        services.AddHostedService<IdempotencyKeyPurger>();

        services.AddScoped<ServiceFactory>(sp => sp.GetService!);
        services.AddScoped<IMediator, Mediator>();
        services.Scan(scan => scan
            .FromAssemblyOf<DbSession>()
            .AddClasses(c => c.AssignableTo(typeof(IRequestHandler<,>)), publicOnly: false)
            .AsImplementedInterfaces()
            .WithScopedLifetime()
            .AddClasses(c => c.AssignableTo(typeof(IRequestPreProcessor<>)), publicOnly: false)
            .AsImplementedInterfaces()
            .WithScopedLifetime()
            .AddClasses(c => c.AssignableTo(typeof(IValidator<>)), publicOnly: false)
            .AsImplementedInterfaces()
            .WithSingletonLifetime());
        AddBehaviorsInPipelineOrder(services);
        return services;
    }

    /// <summary>
    /// The engine's side of every seam (ADR 5, ADR 19): connections and dialect, group commit, migrations, snapshots,
    /// and on PostgreSQL the listener for the other instances' notifications. Nothing else knows the engine.
    /// </summary>
    private static void AddDatabaseEngine(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        if (options.IsPostgreSql)
        {
            services.AddSingleton<PostgresDatabase>();
            services.AddSingleton<IDbConnectionFactory>(sp => sp.GetRequiredService<PostgresDatabase>());
            services.AddSingleton<ISqlDialect>(sp => sp.GetRequiredService<PostgresDatabase>());
            services.AddSingleton<IDatabaseMigrator, PostgresMigrator>();
            services.AddSingleton<IDatabaseSnapshots, PostgresSnapshots>();
            services.AddSingleton<PostgresGroupCommit>();
            services.AddSingleton<ICommandTransactions>(sp => sp.GetRequiredService<PostgresGroupCommit>());
            services.AddHostedService<Cluster.PostgresClusterListener>();
            services.AddSingleton<Search.IFullTextSearch, Search.PostgresFullTextSearch>();
            services.AddSingleton<Search.INearDuplicateCandidates, Search.PostgresMinHashCandidates>();
            services.AddSingleton<ILeaderLeases, PostgresLeaderLeases>();
        }
        else
        {
            services.AddSingleton<SqliteDatabase>();
            services.AddSingleton<IDbConnectionFactory>(sp => sp.GetRequiredService<SqliteDatabase>());
            services.AddSingleton<ISqlDialect>(sp => sp.GetRequiredService<SqliteDatabase>());
            services.AddSingleton<DatabaseMigrator>();
            services.AddSingleton<IDatabaseMigrator>(sp => sp.GetRequiredService<DatabaseMigrator>());
            services.AddSingleton<IDatabaseSnapshots, SqliteSnapshots>();
            services.AddSingleton<SqliteGroupCommit>();
            services.AddSingleton<ICommandTransactions>(sp => sp.GetRequiredService<SqliteGroupCommit>());
            services.AddSingleton<Search.IFullTextSearch, Search.SqliteFullTextSearch>();
            services.AddSingleton<Search.INearDuplicateCandidates, Search.SqliteMinHashCandidates>();
            services.AddSingleton<ILeaderLeases, SingleProcessLeases>();
        }
    }

    /// <summary>Scans for pipeline behaviors and registers them in <see cref="PipelineOrder.Behaviors"/> order (first = outermost).</summary>
    private static void AddBehaviorsInPipelineOrder(IServiceCollection services)
    {
        var found = typeof(DbSession).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false, IsGenericTypeDefinition: true })
            .Where(t => t.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IPipelineBehavior<,>)))
            .ToList();
        var unordered = found.Except(PipelineOrder.Behaviors).ToList();
        if (unordered.Count > 0)
        {
            throw new InvalidOperationException(
                $"Pipeline behaviors missing from PipelineOrder.Behaviors: {string.Join(", ", unordered.Select(t => t.Name))}");
        }

        foreach (var behavior in PipelineOrder.Behaviors)
        {
            services.AddScoped(typeof(IPipelineBehavior<,>), behavior);
        }
    }
}
