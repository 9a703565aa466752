using System.Data.Common;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Infrastructure.Data;
using ClaimLedger.Server.Infrastructure.Ledger;
using ClaimLedger.Server.Infrastructure.Messaging;
using ClaimLedger.Server.Infrastructure.Security;
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
    /// Verifies the ledger of another database file (a backup snapshot) on a connection the caller opened, with the same
    /// checks as the RPC.
    /// </summary>
    internal static Task<VerifyLedgerResponse> VerifyAsync(DbConnection connection, CancellationToken ct) =>
        new Handler(null).RunAsync(connection, null, new Query(0, ""), ct);

    internal sealed class Handler(DbSession? db) : IRequestHandler<Query, VerifyLedgerResponse>
    {
        private DbTransaction? _transaction;

        private const string EntriesSql = $"SELECT {LedgerRow.Columns} FROM ledger_entries ORDER BY sequence";

        // Both in subject order, merged: each claim beside the last ledger entry about it (its max(sequence), looked up
        // by primary key). Evidence subjects (claims/x/evidence/y) are skipped. Read in keyset pages, one page of each
        // at a time: a connection has one open reader on PostgreSQL, and memory stays constant on both engines.
        private const string ClaimsSql = """
            SELECT c.id, c.status, c.verdict_id, v.rating
            FROM claims c LEFT JOIN verdicts v ON v.id = c.verdict_id
            WHERE c.id > @After
            ORDER BY c.id
            LIMIT @Limit
            """;

        private const string LastClaimEntriesSql = """
            SELECT l.subject, l.sequence, l.changes
            FROM (SELECT subject, max(sequence) AS last FROM ledger_entries
                  WHERE subject > @After AND subject < 'claims0'
                  GROUP BY subject
                  ORDER BY subject
                  LIMIT @Limit) m
            JOIN ledger_entries l ON l.sequence = m.last
            ORDER BY l.subject
            """;

        private const int PageSize = 2048;

        private const int CancellationCheckInterval = 4096;

        public async Task<VerifyLedgerResponse> Handle(Query query, CancellationToken ct)
        {
            // One snapshot for both passes: a commit in between cannot make the claims disagree with the entries read.
            await db!.BeginReadSnapshotAsync(ct);
            return await RunAsync(await db.ConnectionAsync(ct), db.Transaction, query, ct);
        }

        internal async Task<VerifyLedgerResponse> RunAsync(DbConnection connection, DbTransaction? transaction, Query query, CancellationToken ct)
        {
            _transaction = transaction;
            var response = new VerifyLedgerResponse { HeadHash = LedgerChain.GenesisHash };
            return await VerifyChainAsync(connection, query, response, ct) ?? await VerifyClaimsAsync(connection, response, ct);
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

        /// <summary>Every claim's stored status and verdict against its last ledger entry, in constant memory.</summary>
        private async Task<VerifyLedgerResponse> VerifyClaimsAsync(DbConnection connection, VerifyLedgerResponse response, CancellationToken ct)
        {
            var claims = new Pages<StoredClaim>(this, connection, ClaimsSql, "",
                r => new StoredClaim("claims/" + r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3)),
                c => c.Name["claims/".Length..]);
            var entries = new Pages<ClaimEntry>(this, connection, LastClaimEntriesSql, "claims/",
                r => new ClaimEntry(r.GetString(0), r.GetInt64(1), r.GetString(2)), e => e.Subject);
            var claim = await claims.NextAsync(ct);
            var entry = await NextClaimEntryAsync(entries, ct);
            while (claim is not null || entry is not null)
            {
                if (response.ClaimsChecked % CancellationCheckInterval == 0)
                {
                    ct.ThrowIfCancellationRequested();
                }

                var order = claim is null ? 1 : entry is null ? -1 : string.CompareOrdinal(claim.Name, entry.Subject);
                if (order < 0)
                {
                    return Fail(response, LedgerProblem.Types.Kind.StateMismatch, 0, claim!.Name, $"{claim.Name} exists but no ledger entry records it.");
                }

                if (order > 0)
                {
                    return Fail(response, LedgerProblem.Types.Kind.StateMismatch, entry!.Sequence, entry.Subject,
                        $"{entry.Subject} is recorded in the ledger (last at entry {entry.Sequence}) but is missing from the claims table.");
                }

                var name = claim!.Name;
                var state = LedgerClaimState.Read(entry!.Changes);
                var storedVerdict = claim.VerdictId is null ? null : $"{name}/verdicts/{claim.VerdictId}";
                if (state.Status != claim.Status || state.VerdictName != storedVerdict || state.Rating != claim.Rating)
                {
                    return Fail(response, LedgerProblem.Types.Kind.StateMismatch, entry.Sequence, name,
                        $"{name} is stored as {claim.Status} with verdict {storedVerdict ?? "none"} ({claim.Rating ?? "-"}), " +
                        $"but its last ledger entry {entry.Sequence} says {state.Status} with verdict {state.VerdictName ?? "none"} ({state.Rating ?? "-"}).");
                }

                response.ClaimsChecked++;
                claim = await claims.NextAsync(ct);
                entry = await NextClaimEntryAsync(entries, ct);
            }

            response.Valid = true;
            return response;
        }

        private sealed record StoredClaim(string Name, string Status, string? VerdictId, string? Rating);

        private sealed record ClaimEntry(string Subject, long Sequence, string Changes);

        private static async Task<ClaimEntry?> NextClaimEntryAsync(Pages<ClaimEntry> entries, CancellationToken ct)
        {
            while (await entries.NextAsync(ct) is { } entry)
            {
                if (entry.Subject.IndexOf('/', 7) < 0)
                {
                    return entry;
                }
            }

            return null;
        }

        /// <summary>
        /// One ordered query read a page at a time, each page read to its end before the next query: the caller can
        /// interleave two of these on a single connection.
        /// </summary>
        private sealed class Pages<T>(Handler handler, DbConnection connection, string sql, string after, Func<DbDataReader, T> read, Func<T, string> key)
            where T : class
        {
            private readonly Queue<T> _page = new();
            private string _after = after;
            private bool _exhausted;

            public async Task<T?> NextAsync(CancellationToken ct)
            {
                if (_page.Count == 0 && !_exhausted)
                {
                    await using var command = handler.Command(connection, sql);
                    Add(command, "After", _after);
                    Add(command, "Limit", PageSize);
                    await using (var reader = await command.ExecuteReaderAsync(ct))
                    {
                        while (await reader.ReadAsync(ct))
                        {
                            _page.Enqueue(read(reader));
                        }
                    }

                    _exhausted = _page.Count < PageSize;
                    if (_page.Count > 0)
                    {
                        _after = key(_page.Last());
                    }
                }

                return _page.TryDequeue(out var next) ? next : null;
            }

            private static void Add(DbCommand command, string name, object value)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = name;
                parameter.Value = value;
                command.Parameters.Add(parameter);
            }
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
