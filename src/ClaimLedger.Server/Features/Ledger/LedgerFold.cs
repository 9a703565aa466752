using System.Text.Json;
using System.Text.Json.Nodes;

namespace ClaimLedger.Server.Features.Ledger;

/// <summary>A ledger entry as the folds read it: its fields and its parsed changes.</summary>
internal sealed record FoldEntry(long Sequence, string Time, string Actor, string Action, string Subject, JsonObject Changes)
{
    public static FoldEntry Parse(long sequence, string time, string actor, string action, string subject, string changes) =>
        new(sequence, time, actor, action, subject, JsonNode.Parse(changes) as JsonObject ?? []);
}

/// <summary>
/// What the ledger says about one resource: the union of the state members of its entries, in sequence order, a later
/// entry's member replacing an earlier one's (docs/ledger-format.md, "What an entry covers"). Entries written before a
/// member was recorded simply lack it, so older history is checked on what it recorded.
/// </summary>
internal static class LedgerState
{
    /// <summary>Members of a claim entry that describe the command, not the claim.</summary>
    public static readonly HashSet<string> ClaimNonState = new(StringComparer.Ordinal)
    {
        "note", "updated_fields", "evidence", "sources", "created_sources", "run", "findings", "events", "verdict_applied", "claim",
    };

    /// <summary>Members of an evidence, source, key or policy entry that describe the command or other resources.</summary>
    public static readonly HashSet<string> OtherNonState = new(StringComparer.Ordinal) { "events", "claim", "run", "name" };

    /// <summary>Copies <paramref name="changes"/>' members, except <paramref name="skip"/>, over <paramref name="state"/>.</summary>
    public static JsonObject Overlay(JsonObject? state, JsonObject changes, IReadOnlySet<string> skip)
    {
        state ??= [];
        foreach (var (key, value) in changes)
        {
            if (!skip.Contains(key))
            {
                state[key] = value?.DeepClone();
            }
        }

        return state;
    }

    /// <summary>
    /// The first member of <paramref name="stored"/> (the row, rendered as entries render it) that the ledger's state
    /// records differently: (path, ledger's value, stored value); null when all agree. Members the ledger never recorded
    /// are not compared.
    /// </summary>
    public static (string Path, JsonNode? Ledger, JsonNode? Stored)? FirstDifference(JsonObject ledger, JsonObject stored, string prefix = "")
    {
        foreach (var (key, storedValue) in stored)
        {
            if (!ledger.TryGetPropertyValue(key, out var ledgerValue))
            {
                continue;
            }

            if (ledgerValue is JsonObject ledgerObject && storedValue is JsonObject storedObject)
            {
                if (FirstDifference(ledgerObject, storedObject, prefix + key + ".") is { } nested)
                {
                    return nested;
                }
            }
            else if (!SameValue(ledgerValue, storedValue))
            {
                return (prefix + key, ledgerValue, storedValue);
            }
        }

        return null;
    }

    /// <summary>
    /// JsonNode.DeepEquals, with the common case first: a string the row rendered against the ledger's parsed string,
    /// compared on the parsed UTF-8 without making a string of it.
    /// </summary>
    private static bool SameValue(JsonNode? ledger, JsonNode? stored)
    {
        if (ledger is JsonValue ledgerValue && stored is JsonValue storedValue
            && storedValue.TryGetValue<string>(out var storedText)
            && ledgerValue.TryGetValue<JsonElement>(out var element))
        {
            return element.ValueKind == JsonValueKind.String && element.ValueEquals(storedText);
        }

        return JsonNode.DeepEquals(ledger, stored);
    }

    /// <summary>A string member's value, or null (absent, null or not a string).</summary>
    public static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    /// <summary>A value for a problem description: JSON text, shortened.</summary>
    public static string Show(JsonNode? value) => Text(value) is { } text
        ? Domain.ClientText.Quote(text) // a string once quoted, not as JSON inside quotes
        : Domain.ClientText.Clean(value?.ToJsonString() ?? "null", Domain.ClientText.MaxQuotedLength);
}

/// <summary>
/// The ledger's account of one claim and everything under it: the claim's state, each evidence item's state, the
/// timeline events, every verdict it was given, the staleness findings and the sources its imports registered, folded
/// from the entries whose subject is the claim or lies under it, in sequence order. VerifyLedger compares it with the
/// rows; "as of" reads stop the fold at a sequence.
/// </summary>
internal sealed class ClaimFold(string claim)
{
    public string Claim { get; } = claim;

    /// <summary>The claim's state (null before its first entry).</summary>
    public JsonObject? State { get; private set; }

    /// <summary>The entry that last changed the claim's state.</summary>
    public long StateSequence { get; private set; }

    public Dictionary<string, (long Sequence, JsonObject State)> Evidence { get; } = new(StringComparer.Ordinal);

    /// <summary>Evidence a claim entry created before entries named it (no "name"), in order.</summary>
    public List<(long Sequence, JsonObject Input)> UnnamedEvidence { get; } = [];

    /// <summary>Timeline events recorded by entries ("events"), with the entry's actor, by their per-claim sequence.</summary>
    public SortedDictionary<long, (long Entry, string Actor, JsonObject Event)> Events { get; } = [];

    public Dictionary<string, (long Sequence, JsonObject Verdict)> Verdicts { get; } = new(StringComparer.Ordinal);

    public List<(long Sequence, JsonObject Finding, string Run)> Findings { get; } = [];

    public Dictionary<string, (long Sequence, JsonObject State)> CreatedSources { get; } = new(StringComparer.Ordinal);

    public void Add(FoldEntry e)
    {
        var c = e.Changes;
        if (e.Subject == Claim)
        {
            State = LedgerState.Overlay(State, c, LedgerState.ClaimNonState);
            StateSequence = e.Sequence;
            if (c["verdict"] is JsonObject verdict && LedgerState.Text(verdict["name"]) is { } verdictName)
            {
                Verdicts[verdictName] = (e.Sequence, (JsonObject)verdict.DeepClone());
            }

            if (e.Action == "claim.marked_stale" && c["findings"] is JsonArray findings)
            {
                var run = LedgerState.Text(c["run"]) ?? "";
                Findings.AddRange(findings.OfType<JsonObject>().Select(f => (e.Sequence, f, run)));
            }

            if (c["evidence"] is JsonArray created)
            {
                foreach (var item in created.OfType<JsonObject>())
                {
                    if (LedgerState.Text(item["name"]) is { } name)
                    {
                        Evidence[name] = (e.Sequence, LedgerState.Overlay(Evidence.GetValueOrDefault(name).State, item, LedgerState.OtherNonState));
                    }
                    else
                    {
                        UnnamedEvidence.Add((e.Sequence, item));
                    }
                }
            }
        }
        else
        {
            Evidence[e.Subject] = (e.Sequence, LedgerState.Overlay(Evidence.GetValueOrDefault(e.Subject).State, c, LedgerState.OtherNonState));
        }

        if (c["claim"] is JsonObject sideEffect && LedgerState.Text(sideEffect["name"]) == Claim && State is not null)
        {
            State = LedgerState.Overlay(State, sideEffect, LedgerState.OtherNonState);
            StateSequence = e.Sequence;
        }

        if (c["events"] is JsonArray events)
        {
            foreach (var item in events.OfType<JsonObject>())
            {
                if (LedgerState.Text(item["claim"]) == Claim && item["sequence"] is JsonValue sequence && sequence.TryGetValue<long>(out var number))
                {
                    Events[number] = (e.Sequence, e.Actor, item);
                }
            }
        }

        if (c["created_sources"] is JsonArray sources)
        {
            foreach (var item in sources.OfType<JsonObject>())
            {
                if (LedgerState.Text(item["name"]) is { } name)
                {
                    CreatedSources[name] = (e.Sequence, item);
                }
            }
        }
    }
}
