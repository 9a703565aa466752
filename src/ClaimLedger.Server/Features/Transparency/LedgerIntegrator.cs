using System.Data.Common;
using System.Text.Json.Nodes;
using ClaimLedger.Server.Features.Ledger;
using ClaimLedger.Server.Infrastructure.Data;
using ClaimLedger.Server.Infrastructure.Ledger;
using ClaimLedger.Transparency;
using Dapper;

namespace ClaimLedger.Server.Features.Transparency;

/// <summary>The leaf of a ledger entry: its canonical JSON (docs/ledger-format.md, "Hashing"), the bytes the chain hashes.</summary>
internal static class LedgerLeaves
{
    public static byte[] Bytes(LedgerRow row) =>
        LedgerChain.CanonicalEntryBytes(row.Sequence, row.Time, row.Actor, row.Action, row.Subject, row.Changes);
}

/// <summary>
/// Adds committed ledger entries to the Merkle tree and signs checkpoints (ADR 20). It runs beside the write path, never
/// in it: a commit wakes it, it waits out <see cref="TransparencyOptions.IntegrationDelay"/> so that a busy ledger is
/// integrated in batches, then reads the new entries, checks each against the hash chain, and in one short transaction
/// of its own stores the changed tiles and the new tree size and root. Only the holder of the leader lease integrates
/// (always this process on SQLite; one instance, elected through an advisory lock, on PostgreSQL), and only an instance
/// holding the log's signing key competes for it. Its writes go through the lease (<see cref="ILeaderLease.WriteAsync{T}"/>):
/// on SQLite through the one writer connection, on PostgreSQL in transactions of their own. A checkpoint is signed when the tree has grown by
/// <see cref="TransparencyOptions.CheckpointMaxEntries"/> entries or <see cref="TransparencyOptions.CheckpointInterval"/>
/// has passed since the last one (wall-clock time: the clock service only dates what is stored), after checking that the new tree is consistent with the last checkpoint's.
/// With <see cref="TransparencyOptions.IntegrationEnabled"/> false it does not run at all.
/// </summary>
public sealed class LedgerIntegrator(IDbConnectionFactory factory, ISqlDialect dialect, ILeaderLeases leases, LedgerNotifier notifier, CheckpointKey key,
    TransparencyOptions options, TimeProvider clock, ILogger<LedgerIntegrator> logger) : BackgroundService
{
    /// <summary>The advisory lock key of the integrator's lease ("ClaimInt").</summary>
    public const long LeaseKey = 0x436C61696D496E74;

    /// <summary>How often an instance that is not the leader tries to become it.</summary>
    private static readonly TimeSpan FollowerRetry = TimeSpan.FromSeconds(2);

    /// <summary>How long integration pauses after it found the ledger and the chain disagree, before it looks again.</summary>
    private static readonly TimeSpan HaltedRetry = TimeSpan.FromSeconds(15);

    /// <summary>Wall-clock time since this instance last signed (not stopped: none yet, so the first is due at once).</summary>
    private readonly System.Diagnostics.Stopwatch _sinceCheckpoint = new();

    private sealed record TreeRow(long Size, byte[] Root);

    private sealed record CheckpointRow(long TreeSize, byte[] Root, string CreateTime);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.IntegrationEnabled)
        {
            logger.LogInformation("Ledger:Integration:Enabled is false: this instance adds no entries to the Merkle tree and signs no checkpoints");
            return;
        }

        if (key.Signer is null)
        {
            return; // CheckpointKey said why at start-up
        }

        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var lease = await leases.TryAcquireAsync(LeaseKey, stoppingToken);
                if (lease is null)
                {
                    await Task.Delay(FollowerRetry, stoppingToken);
                    continue;
                }

                logger.LogInformation("This instance integrates the ledger's Merkle tree and signs its checkpoints");
                await LeadAsync(lease, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Merkle tree integration failed; retrying");
                await Delay(FollowerRetry, stoppingToken);
            }
        }
    }

    private async Task LeadAsync(ILeaderLease lease, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested && await lease.StillHeldAsync(ct))
        {
            var signal = notifier.NextAsync; // taken before reading, so a commit during the pass is not missed
            var pass = await IntegrateAsync(lease, ct);
            if (pass == Pass.Halted)
            {
                await Delay(HaltedRetry, ct);
                continue;
            }

            await CheckpointIfDueAsync(lease, ct);
            if (pass == Pass.MoreToDo)
            {
                continue;
            }

            // Caught up: wait for a commit (or the poll backstop, or a checkpoint falling due), then for the batching delay.
            await Task.WhenAny(signal, Task.Delay(Min(notifier.PollInterval, options.CheckpointInterval), ct));
            await Task.Delay(options.IntegrationDelay, ct);
        }
    }

    private enum Pass
    {
        CaughtUp,
        MoreToDo,
        Halted,
    }

    /// <summary>Integrates up to one batch of entries.</summary>
    private async Task<Pass> IntegrateAsync(ILeaderLease lease, CancellationToken ct)
    {
        await using var connection = await factory.OpenAsync(ct);
        // The tree, the entries and the tiles read from one snapshot: they are seen as of one moment, whatever commits meanwhile.
        await using var snapshot = dialect.BeginReadSnapshot(connection);
        var tree = await connection.QuerySingleAsync<TreeRow>(new CommandDefinition("SELECT size, root FROM merkle_tree WHERE id = 1", transaction: snapshot, cancellationToken: ct));
        var rows = (await connection.QueryAsync<LedgerRow>(new CommandDefinition(
            $"SELECT {LedgerRow.Columns} FROM ledger_entries WHERE sequence >= @From ORDER BY sequence LIMIT @Limit",
            new { From = Math.Max(1, tree.Size), Limit = options.IntegrationBatch + 1 }, snapshot, cancellationToken: ct))).ToList();
        var previousHash = LedgerChain.GenesisHash;
        if (tree.Size > 0)
        {
            if (rows.Count == 0 || rows[0].Sequence != tree.Size)
            {
                logger.LogError("The Merkle tree holds {Size} entries but ledger entry {Size} is missing; integration halted", tree.Size, tree.Size);
                return Pass.Halted;
            }

            previousHash = rows[0].EntryHash;
            rows.RemoveAt(0);
        }

        var batch = new List<byte[]>(rows.Count);
        foreach (var row in rows)
        {
            if (row.Sequence != tree.Size + batch.Count + 1)
            {
                break; // not yet visible; the next pass takes it
            }

            var leaf = LedgerLeaves.Bytes(row);
            if (row.PreviousHash != previousHash || LedgerChain.EntryHash(previousHash, leaf) != row.EntryHash)
            {
                logger.LogError("Ledger entry {Sequence} does not match the hash chain; it is not added to the Merkle tree (run VerifyLedger)", row.Sequence);
                if (batch.Count == 0)
                {
                    return Pass.Halted;
                }

                break;
            }

            batch.Add(MerkleHashing.LeafHash(leaf));
            previousHash = row.EntryHash;
            if (batch.Count == options.IntegrationBatch)
            {
                break;
            }
        }

        if (batch.Count == 0)
        {
            return Pass.CaughtUp;
        }

        var update = await new TileWriter(new DbTileStore(_ => Task.FromResult<DbConnection>(connection), snapshot)).AppendAsync(tree.Size, batch, ct);
        await snapshot.CommitAsync(ct); // end the read before writing
        var moved = await lease.WriteAsync(async (writer, transaction) =>
        {
            // Conditional on the size read: should two leaders ever overlap, the second finds the tree moved and writes nothing.
            if (await writer.ExecuteAsync(new CommandDefinition(
                    "UPDATE merkle_tree SET size = @Size, root = @Root, update_time = @Time WHERE id = 1 AND size = @Previous",
                    new { update.Size, update.Root, Time = DbTime.ToDb(clock.GetUtcNow()), Previous = update.PreviousSize }, transaction, cancellationToken: ct)) != 1)
            {
                return false;
            }

            await DbTileStore.WriteAsync(writer, transaction, update.Tiles, ct);
            return true;
        }, ct);
        if (!moved)
        {
            return Pass.MoreToDo;
        }

        logger.LogDebug("Integrated entries {First}–{Last} into the Merkle tree", update.PreviousSize + 1, update.Size);
        return rows.Count > batch.Count ? Pass.MoreToDo : Pass.CaughtUp;
    }

    private async Task CheckpointIfDueAsync(ILeaderLease lease, CancellationToken ct)
    {
        await using var connection = await factory.OpenAsync(ct);
        await using var snapshot = dialect.BeginReadSnapshot(connection);
        var tree = await connection.QuerySingleAsync<TreeRow>(new CommandDefinition("SELECT size, root FROM merkle_tree WHERE id = 1", transaction: snapshot, cancellationToken: ct));
        if (tree.Size == 0)
        {
            return;
        }

        var last = await connection.QuerySingleOrDefaultAsync<CheckpointRow>(new CommandDefinition(
            "SELECT tree_size, root, create_time FROM checkpoints ORDER BY tree_size DESC LIMIT 1", transaction: snapshot, cancellationToken: ct));
        if (last is not null && (last.TreeSize >= tree.Size
            || (tree.Size - last.TreeSize < options.CheckpointMaxEntries && _sinceCheckpoint.IsRunning && _sinceCheckpoint.Elapsed < options.CheckpointInterval)))
        {
            return;
        }

        var now = clock.GetUtcNow();

        var proofs = new ProofBuilder(new DbTileStore(_ => Task.FromResult<DbConnection>(connection), snapshot));
        var root = await proofs.RootAsync(tree.Size, ct);
        if (!root.AsSpan().SequenceEqual(tree.Root))
        {
            logger.LogError("The Merkle tree's tiles give a root for size {Size} other than the one recorded; no checkpoint signed", tree.Size);
            return;
        }

        if (last is not null)
        {
            var proof = await proofs.ConsistencyProofAsync(last.TreeSize, tree.Size, ct);
            var consistent = MerkleHashing.VerifyConsistency(last.TreeSize, tree.Size, last.Root, root, proof);
            if (!consistent.IsValid)
            {
                logger.LogError("The Merkle tree of size {Size} is not consistent with the checkpoint of size {Last} ({Problem}); no checkpoint signed",
                    tree.Size, last.TreeSize, consistent.Message);
                return;
            }
        }

        await snapshot.CommitAsync(ct); // end the read before writing
        var note = new Checkpoint(key.Signer!.Name, tree.Size, root).Sign(key.Signer);
        await lease.WriteAsync((writer, transaction) => writer.ExecuteAsync(new CommandDefinition("""
            INSERT INTO checkpoints (tree_size, root, note, key_name, create_time) VALUES (@Size, @Root, @Note, @Name, @Time)
            ON CONFLICT (tree_size) DO NOTHING
            """, new { tree.Size, Root = root, Note = note, key.Signer.Name, Time = DbTime.ToDb(now) }, transaction, cancellationToken: ct)), ct);
        _sinceCheckpoint.Restart();
        logger.LogDebug("Signed the checkpoint of tree size {Size}", tree.Size);
    }

    private async Task Delay(TimeSpan delay, CancellationToken ct)
    {
        try
        {
            await Task.Delay(delay, ct);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
