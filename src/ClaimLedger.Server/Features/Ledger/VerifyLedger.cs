using System.Data.Common;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Infrastructure.Data;
using ClaimLedger.Server.Infrastructure.Ledger;
using ClaimLedger.Server.Infrastructure.Messaging;
using ClaimLedger.Server.Infrastructure.Security;
using ClaimLedger.Transparency;
using FluentValidation;
using MediatR;

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
        return await new Handler(session).RunAsync(session, new Query(0, ""), ct);
    }

    internal sealed class Handler(DbSession db) : IRequestHandler<Query, VerifyLedgerResponse>
    {
        private DbTransaction? _transaction;

        private const string EntriesSql = $"SELECT {LedgerRow.Columns} FROM ledger_entries ORDER BY sequence";

        private const int CancellationCheckInterval = 4096;

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
            if (await VerifyChainAsync(await session.ConnectionAsync(ct), query, response, ct) is { } broken)
            {
                return broken;
            }

            // Every row of record against what the ledger says of it.
            var state = new StateVerification(session);
            var problem = await state.RunAsync(ct);
            response.ClaimsChecked = state.ClaimsChecked;
            if (problem is not null)
            {
                return Fail(response, problem.Kind, problem.Sequence, problem.Subject, problem.Description);
            }

            response.Valid = true;
            return response;
        }

        /// <returns>The failed response, or null when the chain is intact.</returns>
        private async Task<VerifyLedgerResponse?> VerifyChainAsync(DbConnection connection, Query query, VerifyLedgerResponse response, CancellationToken ct)
        {
            var previous = LedgerChain.GenesisHash;
            long expected = 1;
            var hash = new byte[32];
            var hex = new char[64];

            await using var command = Command(connection, EntriesSql);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (reader.Read())
            {
                if (expected % CancellationCheckInterval == 0)
                {
                    ct.ThrowIfCancellationRequested();
                }

                var row = new LedgerRow
                {
                    Sequence = reader.GetInt64(0),
                    Time = reader.GetString(1),
                    Actor = reader.GetString(2),
                    Action = reader.GetString(3),
                    Subject = reader.GetString(4),
                    Changes = reader.GetString(5),
                    PreviousHash = reader.GetString(6),
                    EntryHash = reader.GetString(7),
                };

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

                previous = row.EntryHash;
                response.EntriesChecked++;
                response.HeadSequence = row.Sequence;
                response.HeadHash = row.EntryHash;
                expected++;
            }

            if (query.DigestSequence > response.HeadSequence)
            {
                return Fail(response, LedgerProblem.Types.Kind.DigestMismatch, query.DigestSequence, "",
                    $"The digest names entry {query.DigestSequence}, but the ledger ends at {response.HeadSequence}: entries were removed.");
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
