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

    private sealed record ClaimState(string? Status, string? VerdictName, string? Rating, long Sequence);

    private sealed record StoredClaim(string Id, string Status, string? VerdictId, string? Rating);

    internal sealed class Handler(DbSession db) : IRequestHandler<Query, VerifyLedgerResponse>
    {
        private const string EntriesSql = $"SELECT {LedgerRow.Columns} FROM ledger_entries ORDER BY sequence";

        private const string ClaimsSql = """
            SELECT c.id AS Id, c.status AS Status, c.verdict_id AS VerdictId, v.rating AS Rating
            FROM claims c LEFT JOIN verdicts v ON v.id = c.verdict_id
            ORDER BY c.seq
            """;

        public async Task<VerifyLedgerResponse> Handle(Query query, CancellationToken ct)
        {
            var response = new VerifyLedgerResponse { HeadHash = LedgerChain.GenesisHash };
            var claims = new Dictionary<string, ClaimState>(StringComparer.Ordinal);
            var previous = LedgerChain.GenesisHash;
            long expected = 1;

            await foreach (var row in db.StreamAsync<LedgerRow>(EntriesSql, null, ct))
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

                JsonNode? changes;
                try
                {
                    changes = JsonNode.Parse(row.Changes);
                }
                catch (JsonException)
                {
                    return Fail(response, LedgerProblem.Types.Kind.HashMismatch, row.Sequence, row.Subject,
                        $"Entry {row.Sequence}'s changes are not valid JSON.");
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
                    return Fail(response, LedgerProblem.Types.Kind.HashMismatch, row.Sequence, row.Subject,
                        $"Entry {row.Sequence}'s changes cannot be canonicalised ({e.Message}): it was changed after it was written.");
                }

                if (hash != row.EntryHash || CanonicalJson.ToText(changes) != row.Changes)
                {
                    return Fail(response, LedgerProblem.Types.Kind.HashMismatch, row.Sequence, row.Subject,
                        $"Entry {row.Sequence}'s content hashes to {hash}, not to its recorded {row.EntryHash}: it was changed after it was written.");
                }

                if (query.DigestSequence == row.Sequence && query.DigestHash != row.EntryHash)
                {
                    return Fail(response, LedgerProblem.Types.Kind.DigestMismatch, row.Sequence, row.Subject,
                        $"Entry {row.Sequence} hashes to {row.EntryHash}, but the digest says {query.DigestHash}: history before the digest was rewritten.");
                }

                if (row.Subject.StartsWith("claims/", StringComparison.Ordinal) && row.Subject.IndexOf('/', 7) < 0 && changes is JsonObject c)
                {
                    var verdict = c["verdict"] as JsonObject;
                    claims[row.Subject] = new ClaimState(
                        c["status"]?.GetValue<string>(), verdict?["name"]?.GetValue<string>(), verdict?["rating"]?.GetValue<string>(), row.Sequence);
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

            await foreach (var stored in db.StreamAsync<StoredClaim>(ClaimsSql, null, ct))
            {
                var name = $"claims/{stored.Id}";
                if (!claims.Remove(name, out var state))
                {
                    return Fail(response, LedgerProblem.Types.Kind.StateMismatch, 0, name, $"{name} exists but no ledger entry records it.");
                }

                var storedVerdict = stored.VerdictId is null ? null : $"{name}/verdicts/{stored.VerdictId}";
                if (state.Status != stored.Status || state.VerdictName != storedVerdict || state.Rating != stored.Rating)
                {
                    return Fail(response, LedgerProblem.Types.Kind.StateMismatch, state.Sequence, name,
                        $"{name} is stored as {stored.Status} with verdict {storedVerdict ?? "none"} ({stored.Rating ?? "-"}), " +
                        $"but its last ledger entry {state.Sequence} says {state.Status} with verdict {state.VerdictName ?? "none"} ({state.Rating ?? "-"}).");
                }

                response.ClaimsChecked++;
            }

            if (claims.Count > 0)
            {
                var (name, state) = claims.OrderBy(kv => kv.Value.Sequence).First();
                return Fail(response, LedgerProblem.Types.Kind.StateMismatch, state.Sequence, name,
                    $"{name} is recorded in the ledger (last at entry {state.Sequence}) but is missing from the claims table.");
            }

            response.Valid = true;
            return response;
        }

        private static VerifyLedgerResponse Fail(VerifyLedgerResponse response, LedgerProblem.Types.Kind kind, long sequence, string subject, string description)
        {
            response.Valid = false;
            response.FirstProblem = new LedgerProblem { Kind = kind, Sequence = sequence, Subject = subject, Description = description };
            return response;
        }
    }
}
