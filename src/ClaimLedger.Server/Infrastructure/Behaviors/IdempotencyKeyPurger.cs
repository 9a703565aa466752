using ClaimLedger.Server.Infrastructure.Data;
using Dapper;
using Microsoft.Extensions.Options;

namespace ClaimLedger.Server.Infrastructure.Behaviors;

/// <summary>
/// Deletes the records of expired request ids (ADR 25) in the background. Every
/// <see cref="IdempotencyOptions.PurgeInterval"/> (wall-clock time, the first one after start) it takes the purge's leader lease — on PostgreSQL
/// one instance purges and the others skip the round; on SQLite the process always holds it — and deletes the records
/// older than <see cref="IdempotencyOptions.Retention"/> (by the clock service, as they were dated) in transactions of
/// at most <see cref="IdempotencyOptions.PurgeBatchSize"/> rows, written through the lease: on SQLite each batch is one
/// short turn of the single writer, with commands queued between two batches; on PostgreSQL each is a transaction of
/// its own, outside the cluster's write lock. The rows it deletes are ones that lookups already treat as absent, so
/// when it runs changes no reply. Shutdown cancels it between or inside a batch; a cancelled batch rolls back and the
/// next round (or instance) deletes it. With <see cref="IdempotencyOptions.Expire"/> off it does not run.
/// </summary>
public sealed class IdempotencyKeyPurger(ILeaderLeases leases, IOptions<IdempotencyOptions> options, TimeProvider clock, ILogger<IdempotencyKeyPurger> logger)
    : BackgroundService
{
    /// <summary>The advisory lock key of the purge's lease ("ClaimIdm").</summary>
    public const long LeaseKey = 0x436C61696D49646D;

    /// <summary>
    /// The oldest <c>@Limit</c> expired records (a few more should several share the last one's create_time), by one
    /// range of ix_idempotency_keys_create_time (migration 0012) with a single upper bound — the batch's newest time,
    /// which is before the cutoff — so that each batch reads only its own rows, however many have expired, on both
    /// engines. A record replaced meanwhile by a new request with the same id is newer than the cutoff and stays.
    /// </summary>
    private const string BatchSql = """
        DELETE FROM idempotency_keys
        WHERE create_time <= (
            SELECT max(create_time) FROM (
                SELECT create_time FROM idempotency_keys WHERE create_time < @Cutoff ORDER BY create_time LIMIT @Limit) AS batch)
        """;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.Expire)
        {
            logger.LogInformation("Idempotency:Expire is false: request ids are honoured forever and their records are never purged");
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // First one interval after start: a starting server has other work, and a purge that is late changes no reply.
                await Task.Delay(settings.PurgeInterval, stoppingToken);
                await PurgeOnceAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Purging expired request ids failed; retrying in {Interval}", settings.PurgeInterval);
            }
        }
    }

    /// <summary>
    /// One round: deletes every record expired by now, batch by batch, if this instance holds the lease; returns how
    /// many (0 when another instance holds it, or request ids do not expire).
    /// </summary>
    public async Task<long> PurgeOnceAsync(CancellationToken ct)
    {
        var settings = options.Value;
        if (!settings.Expire)
        {
            return 0;
        }

        await using var lease = await leases.TryAcquireAsync(LeaseKey, ct);
        if (lease is null)
        {
            return 0; // another instance purges this round
        }

        var cutoff = DbTime.ToDb(settings.Cutoff(clock.GetUtcNow())!.Value);
        long total = 0;
        while (true)
        {
            var deleted = await lease.WriteAsync(
                (connection, transaction) => connection.ExecuteAsync(new CommandDefinition(
                    BatchSql, new { Cutoff = cutoff, Limit = settings.PurgeBatchSize }, transaction, cancellationToken: ct)),
                ct);
            total += deleted;
            if (deleted < settings.PurgeBatchSize || !await lease.StillHeldAsync(ct))
            {
                break;
            }

            await Task.Yield(); // the next batch queues behind the commands that arrived meanwhile
        }

        if (total > 0)
        {
            logger.LogInformation("Purged {Count} expired request ids (created before {Cutoff})", total, cutoff);
        }

        return total;
    }
}
