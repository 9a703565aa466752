using System.Data.Common;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Infrastructure.Data;
using ClaimLedger.Server.Infrastructure.Ledger;
using ClaimLedger.Server.Infrastructure.Messaging;
using ClaimLedger.Server.Infrastructure.Security;
using ClaimLedger.Transparency;
using FluentValidation;
using MediatR;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClaimLedger.Server.Features.Ledger;

/// <summary>
/// Re-verifies the whole ledger: sequences without gaps, each previous_hash equal to the hash before it, each
/// entry_hash recomputed from the entry's content, optionally the entry at an earlier digest's head still carrying that
/// digest's hash; then that every claim's stored status, verdict and rating are what its last ledger entry says (so a
/// direct edit of the claims or verdicts table is caught). Stops at the first problem and names the entry.
/// </summary>
public static partial class VerifyLedger
{
    [Requires(Permission.Audit)]
    public sealed record Query(long DigestSequence, string DigestHash) : IQuery<VerifyLedgerResponse>;

    public sealed class Validator : AbstractValidator<Query>
    {
        public Validator()
        {
            RuleFor(q => q.DigestSequence).GreaterThanOrEqualTo(0).OverridePropertyName("digest.head_sequence");
            RuleFor(q => q.DigestHash).Must(h => HashPattern().IsMatch(h)).When(q => q.DigestSequence > 0)
                .OverridePropertyName("digest.head_hash").WithMessage("must be 64 lower-case hex characters");
        }
    }

    [GeneratedRegex(@"^[0-9a-f]{64}\z")]
    private static partial Regex HashPattern();

    /// <summary>
    /// Verifies the ledger of another database (a backup snapshot, a database just moved) on a connection the caller
    /// opened, with the same checks as the RPC.
    /// </summary>
    internal static async Task<VerifyLedgerResponse> VerifyAsync(DbConnection connection, ISqlDialect dialect, CancellationToken ct)
    {
        await using var session = DbSession.Borrow(connection, dialect);
        return await new Handler(session, Microsoft.Extensions.Options.Options.Create(new LedgerOptions()), NullLogger<Handler>.Instance)
            .RunAsync(session, new Query(0, ""), ct);
    }

    internal sealed class Handler(DbSession db, Microsoft.Extensions.Options.IOptions<LedgerOptions> options, ILogger<Handler> logger)
        : IRequestHandler<Query, VerifyLedgerResponse>
    {
        private DbTransaction? _transaction;

        private const string EntriesSql = $"SELECT {LedgerRow.Columns} FROM ledger_entries ORDER BY sequence";

        public async Task<VerifyLedgerResponse> Handle(Query query, CancellationToken ct)
        {
            // One snapshot for both passes: a commit in between cannot make the claims disagree with the entries read.
            await db.BeginReadSnapshotAsync(ct);
            return await RunAsync(db, query, ct);
        }

        internal async Task<VerifyLedgerResponse> RunAsync(DbSession session, Query query, CancellationToken ct)
        {
            _transaction = session.Transaction;
            var response = new VerifyLedgerResponse { HeadHash = LedgerChain.GenesisHash };
            var clock = Stopwatch.StartNew();
            if (await VerifyChainAsync(await session.ConnectionAsync(ct), query, response, ct) is { } broken)
            {
                return broken;
            }

            var chainTime = clock.Elapsed;
            // Every row of record against what the ledger says of it.
            var state = new StateVerification(session, options.Value.VerifyStatePageSize);
            var problem = await state.RunAsync(ct);
            response.ClaimsChecked = state.ClaimsChecked;
            logger.LogInformation("VerifyLedger: the chain of {Entries} entries in {ChainSeconds:F2} s; {Claims} claims and {Rows} rows against the ledger in {StateSeconds:F2} s",
                response.EntriesChecked, chainTime.TotalSeconds, state.ClaimsChecked, state.RowsChecked, (clock.Elapsed - chainTime).TotalSeconds);
            if (problem is not null)
            {
                return Fail(response, problem.Kind, problem.Sequence, problem.Subject, problem.Description);
            }

            response.Valid = true;
            return response;
        }

        /// <returns>The failed response, or null when the chain is intact.</returns>
        /// <remarks>
        /// One forward-only scan in sequence order, read on one thread in batches of Ledger:VerifyBatchSize rows
        /// and hashed on another (a bounded queue of a few batches between them), so reading the rows and hashing them
        /// overlap. The checks are the same, entry by entry, in order; the first problem stops both.
        /// </remarks>
        private async Task<VerifyLedgerResponse?> VerifyChainAsync(DbConnection connection, Query query, VerifyLedgerResponse response, CancellationToken ct)
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var batches = Channel.CreateBounded<LedgerRow[]>(new BoundedChannelOptions(4) { SingleReader = true, SingleWriter = true });
            var reading = Task.Run(() => ReadBatchesAsync(connection, batches.Writer, stop.Token), stop.Token);
            try
            {
                var previous = LedgerChain.GenesisHash;
                long expected = 1;
                var hash = new byte[32];
                var hex = new char[64];
                await foreach (var batch in batches.Reader.ReadAllAsync(ct))
                {
                    ct.ThrowIfCancellationRequested();
                    foreach (var row in batch)
                    {
                        if (CheckEntry(row, expected, previous, query, response, hash, hex) is { } broken)
                        {
                            return broken;
                        }

                        previous = row.EntryHash;
                        response.EntriesChecked++;
                        response.HeadSequence = row.Sequence;
                        response.HeadHash = row.EntryHash;
                        expected++;
                    }
                }
            }
            finally
            {
                await stop.CancelAsync();
                try
                {
                    await reading;
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    // stopped at a problem (or the call was cancelled): the reader is closed either way
                }
            }

            if (query.DigestSequence > response.HeadSequence)
            {
                return Fail(response, LedgerProblem.Types.Kind.DigestMismatch, query.DigestSequence, "",
                    $"The digest names entry {query.DigestSequence}, but the ledger ends at {response.HeadSequence}: entries were removed.");
            }

            return null;
        }

        /// <summary>The whole table in sequence order, in batches, on the caller's snapshot; completes the channel (with the error, if any).</summary>
        private async Task ReadBatchesAsync(DbConnection connection, ChannelWriter<LedgerRow[]> batches, CancellationToken ct)
        {
            try
            {
                await using var command = Command(connection, EntriesSql);
                await using var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, ct);
                var batchSize = Math.Max(1, options.Value.VerifyBatchSize);
                var batch = new List<LedgerRow>(batchSize);
                while (reader.Read())
                {
                    batch.Add(new LedgerRow
                    {
                        Sequence = reader.GetInt64(0),
                        Time = reader.GetString(1),
                        Actor = reader.GetString(2),
                        Action = reader.GetString(3),
                        Subject = reader.GetString(4),
                        Changes = reader.GetString(5),
                        PreviousHash = reader.GetString(6),
                        EntryHash = reader.GetString(7),
                    });
                    if (batch.Count == batchSize)
                    {
                        await batches.WriteAsync([.. batch], ct);
                        batch.Clear();
                    }
                }

                if (batch.Count > 0)
                {
                    await batches.WriteAsync([.. batch], ct);
                }

                batches.Complete();
            }
            catch (Exception e)
            {
                batches.Complete(e);
                throw;
            }
        }

        /// <summary>One entry against the one before it; the failed response, or null when it is intact.</summary>
        private VerifyLedgerResponse? CheckEntry(LedgerRow row, long expected, string previous, Query query, VerifyLedgerResponse response, byte[] hash, char[] hex)
        {
            if (row.Sequence != expected)
            {
                return Fail(response, LedgerProblem.Types.Kind.SequenceGap, expected, "",
                    $"Entry {expected} is missing: the next entry stored is {row.Sequence}.");
            }

            if (row.PreviousHash != previous)
            {
                return Fail(response, LedgerProblem.Types.Kind.ChainBroken, row.Sequence, row.Subject,
                    $"Entry {row.Sequence} says the previous hash is {row.PreviousHash}, but entry {row.Sequence - 1} hashes to {previous}.");
            }

            var intact = LedgerChain.TryEntryHash(previous, row.Sequence, row.Time, row.Actor, row.Action, row.Subject, row.Changes, hash)
                && Convert.TryToHexStringLower(hash, hex, out _) && hex.AsSpan().SequenceEqual(row.EntryHash);
            if (!intact && Recheck(row, previous) is { } problem)
            {
                return Fail(response, LedgerProblem.Types.Kind.HashMismatch, row.Sequence, row.Subject, problem);
            }

            if (query.DigestSequence == row.Sequence && query.DigestHash != row.EntryHash)
            {
                return Fail(response, LedgerProblem.Types.Kind.DigestMismatch, row.Sequence, row.Subject,
                    $"Entry {row.Sequence} hashes to {row.EntryHash}, but the digest says {query.DigestHash}: history before the digest was rewritten.");
            }

            return null;
        }

        /// <summary>
        /// The general path, for entries the fast hash did not confirm: parse the changes, canonicalise the entry and
        /// hash it. Returns what is wrong, or null if the entry is intact after all.
        /// </summary>
        private static string? Recheck(LedgerRow row, string previous)
        {
            JsonNode? changes;
            try
            {
                changes = JsonNode.Parse(row.Changes);
            }
            catch (JsonException)
            {
                return $"Entry {row.Sequence}'s changes are not valid JSON.";
            }

            string hash;
            try
            {
                hash = LedgerChain.EntryHash(previous, LedgerChain.CanonicalEntry(row.Sequence, row.Time, row.Actor, row.Action, row.Subject, changes));
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException)
            {
                // The stored content cannot even be canonicalised (a decimal, an out-of-range integer, a lone surrogate):
                // the ledger never writes such values, so the entry was altered.
                return $"Entry {row.Sequence}'s changes cannot be canonicalised ({e.Message}): it was changed after it was written.";
            }

            return hash == row.EntryHash && CanonicalJson.ToText(changes) == row.Changes
                ? null
                : $"Entry {row.Sequence}'s content hashes to {hash}, not to its recorded {row.EntryHash}: it was changed after it was written.";
        }

        private DbCommand Command(DbConnection connection, string sql)
        {
            var command = connection.CreateCommand();
            command.CommandText = sql;
            command.Transaction = _transaction;
            return command;
        }

        private static VerifyLedgerResponse Fail(VerifyLedgerResponse response, LedgerProblem.Types.Kind kind, long sequence, string subject, string description)
        {
            response.Valid = false;
            response.FirstProblem = new LedgerProblem { Kind = kind, Sequence = sequence, Subject = subject, Description = description };
            return response;
        }
    }
}
