using System.Text.Json.Nodes;
using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Infrastructure.Data;
using Google.Protobuf;

namespace ClaimLedger.Server.Features.Ledger;

/// <summary>
/// "As of" reads (issue 13): a claim and its timeline as the ledger says they were after a given entry, recomputed from
/// the entries (<see cref="ClaimFold"/>), not read from the current rows. The same entries, with proofs, are what
/// GetClaimProof returns for the same as_of_sequence, so an auditor can check the answer offline.
/// </summary>
internal static class AsOf
{
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

    /// <summary>The last entry at or before <paramref name="time"/>, or <paramref name="sequence"/>; 0 when neither is asked for.</summary>
    public static async Task<long> SequenceAsync(DbSession db, DateTimeOffset? time, long sequence, CancellationToken ct)
    {
        if (time is { } t)
        {
            return await db.ExecuteScalarAsync<long>("SELECT coalesce(max(sequence), 0) FROM ledger_entries WHERE time <= @Time",
                new { Time = DbTime.ToDb(t) }, ct);
        }

        return sequence;
    }

    /// <summary>The claim's entries (its own and its evidence's) up to <paramref name="sequence"/>, folded.</summary>
    public static async Task<ClaimFold> FoldAsync(DbSession db, string claim, long sequence, CancellationToken ct)
    {
        var rows = await db.QueryAsync<LedgerRow>($"""
            SELECT {LedgerRow.Columns} FROM ledger_entries
            WHERE (subject = @Claim OR (subject >= @Lower AND subject < @Upper)) AND sequence <= @Last
            ORDER BY sequence
            """, new { Claim = claim, Lower = claim + "/", Upper = claim + "0", Last = sequence }, ct);
        var fold = new ClaimFold(claim);
        foreach (var row in rows)
        {
            fold.Add(FoldEntry.Parse(row.Sequence, row.Time, row.Actor, row.Action, row.Subject, row.Changes));
        }

        if (fold.State is null)
        {
            throw new NotFoundException($"{claim} as of ledger entry {sequence}");
        }

        return fold;
    }

    /// <summary>The claim as its state members say (review_due_time, which follows the current review policy, is left out).</summary>
    public static Claim ToClaim(ClaimFold fold)
    {
        var state = (JsonObject)fold.State!.DeepClone();
        state["name"] = fold.Claim;
        if (state["review_interval_seconds"] is JsonValue seconds && seconds.TryGetValue<long>(out var s))
        {
            state["review_interval"] = $"{s}s";
        }

        state.Remove("review_interval_seconds");
        state.Remove("verdict");
        var claim = Parser.Parse<Claim>(state.ToJsonString());
        if (fold.State!["verdict"] is JsonObject verdict)
        {
            claim.Verdict = ToVerdict(verdict);
        }

        return claim;
    }

    public static Verdict ToVerdict(JsonObject verdict) => Parser.Parse<Verdict>(verdict.ToJsonString());

    /// <summary>The timeline events the entries recorded, in order, each with the actor of the entry that recorded it.</summary>
    public static IEnumerable<ClaimEvent> Events(ClaimFold fold)
    {
        foreach (var (number, (_, actor, e)) in fold.Events)
        {
            var evidence = LedgerState.Text(e["evidence"]);
            var verdict = LedgerState.Text(e["verdict"]);
            yield return new ClaimEvent
            {
                Sequence = number,
                Type = DbEnum.Parse<ClaimEvent.Types.Type>(LedgerState.Text(e["type"])),
                FromStatus = DbEnum.Parse<ClaimStatus>(LedgerState.Text(e["from_status"])),
                ToStatus = DbEnum.Parse<ClaimStatus>(LedgerState.Text(e["to_status"])),
                Verdict = verdict is not null && fold.Verdicts.TryGetValue(verdict, out var v) ? ToVerdict(v.Verdict) : null,
                Evidence = evidence is null ? "" : evidence.StartsWith("claims/", StringComparison.Ordinal) ? evidence
                    : ResourceNames.TryParseClaim(fold.Claim, out var claimId) ? ResourceNames.Evidence(claimId, evidence) : evidence,
                Actor = actor,
                Time = DbTime.ToTimestamp(LedgerState.Text(e["time"])),
                Detail = LedgerState.Text(e["detail"]) ?? "",
            };
        }
    }
}
