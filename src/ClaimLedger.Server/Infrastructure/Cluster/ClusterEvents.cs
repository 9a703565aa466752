using ClaimLedger.Server.Infrastructure.Data;
using ClaimLedger.Server.Infrastructure.Ledger;
using ClaimLedger.Server.Infrastructure.Security;
using Npgsql;

namespace ClaimLedger.Server.Infrastructure.Cluster;

/// <summary>
/// What instances sharing one PostgreSQL database tell each other (ADR 19), sent with NOTIFY inside the transaction of
/// the change (<see cref="DbSession.NotifyAsync"/>), so it arrives exactly when, and only if, the change commits:
/// <list type="bullet">
/// <item><see cref="LedgerChannel"/>: entries were appended — WatchLedger streams on every instance read them now;</item>
/// <item><see cref="KeysChannel"/>: an API key was revoked — every instance drops it from its authentication cache.</item>
/// </list>
/// </summary>
public static class ClusterEvents
{
    public const string LedgerChannel = "claimledger_ledger";
    public const string KeysChannel = "claimledger_keys";
}

/// <summary>
/// Listens on one dedicated connection (LISTEN) and turns notifications from any instance, this one included, into the
/// local effect. A lost connection is re-established after a pause; since missed notifications are not replayed,
/// reconnecting also wakes the ledger watchers (they re-read) and clears the key cache (it re-reads), so nothing is
/// missed, only re-checked.
/// </summary>
public sealed class PostgresClusterListener(PostgresDatabase database, LedgerNotifier ledger, ApiKeyAuthenticator keys, ILogger<PostgresClusterListener> logger)
    : BackgroundService
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(database.ConnectionString)
                {
                    KeepAlive = 15, // a dead connection is noticed, not waited on for ever
                    Pooling = false,
                }.ConnectionString);
                await connection.OpenAsync(stoppingToken);
                connection.Notification += (_, e) => Deliver(e.Channel, e.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {ClusterEvents.LedgerChannel}; LISTEN {ClusterEvents.KeysChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                // Anything that happened while this instance was not listening is re-read now.
                ledger.Notify();
                keys.EvictAll();
                while (!stoppingToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or System.IO.IOException or System.Net.Sockets.SocketException or InvalidOperationException)
            {
                logger.LogWarning("Cluster notifications lost ({Error}); reconnecting", e.Message);
                await Task.Delay(RetryDelay, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private void Deliver(string channel, string payload)
    {
        switch (channel)
        {
            case ClusterEvents.LedgerChannel:
                ledger.Notify();
                break;
            case ClusterEvents.KeysChannel:
                keys.Evict(payload);
                break;
        }
    }
}
