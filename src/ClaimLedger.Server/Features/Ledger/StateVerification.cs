using System.Data.Common;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Features.Access;
using ClaimLedger.Server.Features.Claims;
using ClaimLedger.Server.Features.Evidence;
using ClaimLedger.Server.Features.Sources;
using ClaimLedger.Server.Features.Staleness;
using ClaimLedger.Server.Infrastructure.Data;
using Kind = ClaimLedger.Contracts.V1.LedgerProblem.Types.Kind;

namespace ClaimLedger.Server.Features.Ledger;

/// <summary>
/// The second pass of VerifyLedger: every row of record against what the ledger says of it (docs/ledger-format.md,
/// "What an entry covers"), so that a direct edit of any readable field — a claim's text, a verdict's reviewer, an
/// evidence item's stance, a source's title, a history event's actor, a key's role — is caught and named. Claims are
/// read in pages of ids, each with the entries of its subject range (the claim and its evidence), its evidence,
/// timeline, verdicts and findings, so memory stays constant; then sources, API keys and the review policy.
/// </summary>
internal sealed class StateVerification(DbSession db, int pageSize = StateVerification.DefaultPageSize)
{
    public const int DefaultPageSize = 1024;

    private readonly int _pageSize = Math.Max(1, pageSize);

    private const string EntriesSql = """
        SELECT sequence, time, actor, action, subject, changes FROM ledger_entries
        WHERE subject >= @Lower AND subject < @Upper
        ORDER BY subject, sequence
        """;

    public sealed record Problem(Kind Kind, long Sequence, string Subject, string Description);

    private readonly Dictionary<string, (long Sequence, JsonObject State)> _createdSources = new(StringComparer.Ordinal);

    public long ClaimsChecked { get; private set; }

    public long RowsChecked { get; private set; }

    /// <returns>The first problem, or null when every row agrees with the ledger.</returns>
    public async Task<Problem?> RunAsync(CancellationToken ct) =>
        await ClaimsAsync(ct) ?? await SourcesAsync(ct) ?? await ApiKeysAsync(ct) ?? await PolicyAsync(ct);

    // ---- claims and everything under them

    private sealed record EventRow(string ClaimId, long Sequence, string Type, string? FromStatus, string? ToStatus, string? VerdictId,
        string? EvidenceId, string Actor, string Time, string Detail)
    {
        public static EventRow Read(DbDataReader r) => new(r.GetString(0), r.GetInt64(1), r.GetString(2), Nullable(r, 3), Nullable(r, 4),
            Nullable(r, 5), Nullable(r, 6), r.GetString(7), r.GetString(8), r.GetString(9));
    }

    private static string? Nullable(DbDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetString(ordinal);

    private sealed record FindingRow(string ClaimId, string? RunId, string Reason, string? SourceId, string? EvidenceId, string Detail, string Time);

    /// <summary>Everything one page of claims is compared with, read in one go.</summary>
    private sealed record ClaimPage(
        Dictionary<string, Claim> Claims,
        IReadOnlyList<EntryRow> Entries,
        ILookup<string, Contracts.V1.Evidence> Evidence,
        ILookup<string, EventRow> Events,
        ILookup<string, Verdict> Verdicts,
        Dictionary<string, string> Normalized,
        ILookup<string, FindingRow> Findings);

    /// <summary>What checking one page found: its first problem, and what it checked before it.</summary>
    private sealed class PageTally
    {
        public Problem? Problem { get; set; }

        public long Claims { get; set; }

        public long Rows { get; set; }

        public Dictionary<string, (long Sequence, JsonObject State)> CreatedSources { get; } = new(StringComparer.Ordinal);
    }

    /// <remarks>
    /// Pages are read on one thread (all the session's statements run there); each page's entries are folded and
    /// compared with its rows as a task of its own, several pages at once (<see cref="PagesInFlight"/>), so reading and
    /// checking overlap and checking uses every core. The tallies are merged in page order, so the first problem is still
    /// the first in claim order, the counts are those before it, and reading stops with it. Memory stays bounded by
    /// the pages in flight.
    /// </remarks>
    private async Task<Problem?> ClaimsAsync(CancellationToken ct)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var checks = Channel.CreateBounded<Task<PageTally>>(new BoundedChannelOptions(PagesInFlight) { SingleReader = true, SingleWriter = true });
        var reading = Task.Run(() => ReadPagesAsync(checks.Writer, stop.Token), stop.Token);
        try
        {
            await foreach (var check in checks.Reader.ReadAllAsync(ct))
            {
                var tally = await check;
                RowsChecked += tally.Rows;
                ClaimsChecked += tally.Claims;
                if (tally.Problem is not null)
                {
                    return tally.Problem;
                }

                KeepLatest(_createdSources, tally.CreatedSources);
            }

            return null;
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
                // stopped at a problem, or the call was cancelled
            }

            // Checks already started only compute: each is waited for, so none runs past the call, and its outcome is
            // observed (a problem or a failure past the first one is not reported).
            while (checks.Reader.TryRead(out var check))
            {
                try
                {
                    await check;
                }
                catch (Exception)
                {
                    // the first problem or failure has been returned or thrown already
                }
            }
        }
    }

    /// <summary>Sources registered by imports: for each, the state of the latest entry that created it.</summary>
    private static void KeepLatest(Dictionary<string, (long Sequence, JsonObject State)> into, Dictionary<string, (long Sequence, JsonObject State)> from)
    {
        foreach (var (source, created) in from)
        {
            if (!into.TryGetValue(source, out var known) || known.Sequence < created.Sequence)
            {
                into[source] = created;
            }
        }
    }

    /// <summary>Pages checked at once, beyond the one being read: a page is a few hundred KB of rows and folds.</summary>
    private static int PagesInFlight => Math.Clamp(Environment.ProcessorCount, 2, 8);

    private async Task ReadPagesAsync(ChannelWriter<Task<PageTally>> pages, CancellationToken ct)
    {
        try
        {
            var after = "";
            while (true)
            {
                ct.ThrowIfCancellationRequested();
                var (page, last) = await ReadPageAsync(after, ct);
                // Bounded: waits while the pages in flight are still being checked.
                await pages.WaitToWriteAsync(ct);
                await pages.WriteAsync(Task.Run(() => Check(page), CancellationToken.None), ct);
                if (last is null)
                {
                    break;
                }

                after = last;
            }

            pages.Complete();
        }
        catch (Exception e)
        {
            pages.Complete(e);
            throw;
        }
    }

    /// <summary>The page of claims after <paramref name="after"/>, and its last id (null when it is the last page).</summary>
    private async Task<(ClaimPage Page, string? Last)> ReadPageAsync(string after, CancellationToken ct)
    {
        var rows = await db.QueryAsync<ClaimRow>($"SELECT {ClaimReads.Columns} FROM claims c WHERE c.id > @After ORDER BY c.id LIMIT {_pageSize}",
            new { After = after }, ct);
        var last = rows.Count < _pageSize ? null : rows[^1].Id;
        var range = new { After = after, Last = last ?? "" };
        var upperBound = last is null ? "" : " AND claim_id <= @Last";
        // Topics and verdicts of the whole id range in range scans (not lists of ids); the verdicts serve both the claims'
        // current verdicts and the comparison of every verdict.
        var topics = (await db.QueryAsync<(long ClaimSeq, string Topic)>($"""
                SELECT ct.claim_seq AS ClaimSeq, ct.topic AS Topic FROM claims c JOIN claim_topics ct ON ct.claim_seq = c.seq
                WHERE c.id > @After{upperBound.Replace("claim_id", "c.id", StringComparison.Ordinal)} ORDER BY ct.topic
                """, range, ct))
            .ToLookup(t => t.ClaimSeq, t => t.Topic);
        var allVerdicts = await ClaimReads.VerdictsOfClaimRangeAsync(db, after, last, ct);
        var current = allVerdicts;
        if (rows.Where(r => r.VerdictId is not null && !allVerdicts.ContainsKey(r.VerdictId)).Select(r => r.VerdictId!).ToList() is { Count: > 0 } foreign)
        {
            // A claim naming a verdict of another claim (only an edit of the table does that): shown as it is, so that the
            // comparison names it.
            current = allVerdicts.Concat(await ClaimReads.VerdictsAsync(db, foreign, ct)).DistinctBy(v => v.Key).ToDictionary(StringComparer.Ordinal);
        }

        var claims = ClaimReads.ToClaims(rows, topics, current).ToDictionary(c => c.Name["claims/".Length..], StringComparer.Ordinal);
        var entries = await db.QueryAsync(EntriesSql, new
        {
            Lower = after.Length == 0 ? "claims/" : $"claims/{after}0",
            Upper = last is null ? "claims0" : $"claims/{last}0",
        }, EntryRow.Read, ct);
        var evidence = (await EvidenceReads.ToEvidenceAsync(db, await db.QueryAsync<EvidenceRow>(
                $"SELECT {EvidenceReads.Columns} FROM evidence e WHERE e.claim_id > @After{upperBound.Replace("claim_id", "e.claim_id", StringComparison.Ordinal)} ORDER BY e.claim_id, e.seq",
                range, ct), ct))
            .ToLookup(e => e.Name.Split('/')[1], StringComparer.Ordinal);
        var events = (await db.QueryAsync($"""
                SELECT claim_id, sequence, type, from_status, to_status, verdict_id, evidence_id, actor, time, detail
                FROM claim_events WHERE claim_id > @After{upperBound} ORDER BY claim_id, sequence
                """, range, EventRow.Read, ct))
            .ToLookup(e => e.ClaimId, StringComparer.Ordinal);
        var verdicts = allVerdicts.Values.ToLookup(v => v.Name.Split('/')[1], StringComparer.Ordinal);
        var normalized = (await db.QueryAsync<(string Id, string Text)>($"SELECT id, normalized_text FROM claims WHERE id > @After{upperBound.Replace("claim_id", "id", StringComparison.Ordinal)}",
                range, ct))
            .ToDictionary(r => r.Id, r => r.Text, StringComparer.Ordinal);
        var findings = (await db.QueryAsync<FindingRow>($"""
                SELECT claim_id AS ClaimId, run_id AS RunId, reason AS Reason, source_id AS SourceId, evidence_id AS EvidenceId,
                       detail AS Detail, time AS Time
                FROM stale_findings WHERE claim_id > @After{upperBound} ORDER BY claim_id, seq
                """, range, ct))
            .ToLookup(f => f.ClaimId, StringComparer.Ordinal);
        return (new ClaimPage(claims, entries, evidence, events, verdicts, normalized, findings), last);
    }

    /// <summary>One page's entries folded and its claims compared with their folds, in claim order.</summary>
    private static PageTally Check(ClaimPage page)
    {
        var folds = Folds(page.Entries);
        var tally = new PageTally();
        foreach (var id in page.Claims.Keys.Union(folds.Keys).Order(StringComparer.Ordinal))
        {
            var name = ResourceNames.Claim(id);
            if (!folds.TryGetValue(id, out var fold) || fold.State is null)
            {
                tally.Problem = new Problem(Kind.StateMismatch, 0, name, $"{name} exists but no ledger entry records it.");
                return tally;
            }

            if (!page.Claims.TryGetValue(id, out var claim))
            {
                tally.Problem = new Problem(Kind.StateMismatch, fold.StateSequence, name,
                    $"{name} is recorded in the ledger (last at entry {fold.StateSequence}) but is missing from the claims table.");
                return tally;
            }

            tally.Problem = CompareClaim(fold, claim, page.Normalized.GetValueOrDefault(id) ?? "", tally)
                ?? CompareEvidence(fold, page.Evidence[id], tally)
                ?? CompareEvents(fold, page.Events[id], tally)
                ?? CompareVerdicts(fold, page.Verdicts[id], tally)
                ?? CompareFindings(fold, page.Findings[id], tally);
            if (tally.Problem is not null)
            {
                return tally;
            }

            KeepLatest(tally.CreatedSources, fold.CreatedSources);

            tally.Claims++;
        }

        return tally;
    }

    /// <summary>The entries of a subject range (in subject, then sequence order), folded per claim (keyed by claim id).</summary>
    private static Dictionary<string, ClaimFold> Folds(IReadOnlyList<EntryRow> entries)
    {
        var folds = new Dictionary<string, ClaimFold>(StringComparer.Ordinal);
        var byClaim = entries.GroupBy(e => ClaimIdOf(e.Subject), StringComparer.Ordinal);
        foreach (var group in byClaim)
        {
            var fold = new ClaimFold(ResourceNames.Claim(group.Key));
            foreach (var e in group.OrderBy(e => e.Sequence))
            {
                fold.Add(FoldEntry.Parse(e.Sequence, e.Time, e.Actor, e.Action, e.Subject, e.Changes));
            }

            folds[group.Key] = fold;
        }

        return folds;
    }

    private static string ClaimIdOf(string subject)
    {
        var end = subject.IndexOf('/', "claims/".Length);
        return end < 0 ? subject["claims/".Length..] : subject["claims/".Length..end];
    }

    private sealed record EntryRow(long Sequence, string Time, string Actor, string Action, string Subject, string Changes)
    {
        public static EntryRow Read(DbDataReader r) => new(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5));
    }

    private static Problem? CompareClaim(ClaimFold fold, Claim claim, string normalizedText, PageTally tally)
    {
        tally.Rows++;
        var stored = LedgerPayloads.ForClaim("", claim).Changes;
        if (LedgerState.FirstDifference(fold.State!, stored) is { } d)
        {
            return Mismatch(fold.StateSequence, fold.Claim, d);
        }

        // Not shown, but what duplicate detection compares: it must still be the text's normalisation.
        return normalizedText == TextSimilarity.Normalize(claim.Text)
            ? null
            : new Problem(Kind.StateMismatch, fold.StateSequence, fold.Claim, $"{fold.Claim}'s normalized_text is not the normalisation of its text.");
    }

    private static Problem? CompareEvidence(ClaimFold fold, IEnumerable<Contracts.V1.Evidence> rows, PageTally tally)
    {
        var unnamed = new Queue<(long Sequence, JsonObject Input)>(fold.UnnamedEvidence);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in rows)
        {
            tally.Rows++;
            seen.Add(e.Name);
            var stored = LedgerPayloads.EvidenceState(e);
            if (fold.Evidence.TryGetValue(e.Name, out var ledger))
            {
                if (LedgerState.FirstDifference(ledger.State, stored) is { } d)
                {
                    return Mismatch(ledger.Sequence, e.Name, d);
                }
            }
            else if (unnamed.Count > 0)
            {
                // Evidence created with its claim before entries named it: matched in order of creation.
                var (sequence, input) = unnamed.Dequeue();
                if (LedgerState.FirstDifference(input, stored) is { } d)
                {
                    return Mismatch(sequence, e.Name, d);
                }
            }
            else
            {
                return new Problem(Kind.StateMismatch, 0, e.Name, $"{e.Name} exists but no ledger entry records it.");
            }
        }

        if (fold.Evidence.Keys.FirstOrDefault(name => !seen.Contains(name)) is { } missing)
        {
            return new Problem(Kind.StateMismatch, fold.Evidence[missing].Sequence, missing,
                $"{missing} is recorded in the ledger (last at entry {fold.Evidence[missing].Sequence}) but is missing from the evidence table.");
        }

        return unnamed.Count > 0
            ? new Problem(Kind.StateMismatch, unnamed.Peek().Sequence, fold.Claim,
                $"Entry {unnamed.Peek().Sequence} records evidence of {fold.Claim} that is missing from the evidence table.")
            : null;
    }

    private static Problem? CompareEvents(ClaimFold fold, IEnumerable<EventRow> rows, PageTally tally)
    {
        var firstRecorded = fold.Events.Count > 0 ? fold.Events.Keys.First() : long.MaxValue;
        var seen = new HashSet<long>();
        var claimId = fold.Claim["claims/".Length..];
        foreach (var r in rows)
        {
            tally.Rows++;
            seen.Add(r.Sequence);
            if (!fold.Events.TryGetValue(r.Sequence, out var recorded))
            {
                if (r.Sequence < firstRecorded)
                {
                    continue; // written before entries recorded events: checked through the claim's own state only
                }

                return new Problem(Kind.StateMismatch, 0, fold.Claim, $"{fold.Claim} history event {r.Sequence} is not recorded in the ledger.");
            }

            var stored = LedgerPayloads.Event(fold.Claim, r.Sequence, DbEnum.Parse<ClaimEvent.Types.Type>(r.Type),
                DbEnum.Parse<ClaimStatus>(r.FromStatus), DbEnum.Parse<ClaimStatus>(r.ToStatus),
                r.VerdictId is null ? null : ResourceNames.Verdict(claimId, r.VerdictId), r.EvidenceId is null ? null : ResourceNames.Evidence(claimId, r.EvidenceId),
                r.Time, r.Detail);
            // The event's members, then its actor: the entry's, whatever the event item says (compared without copying
            // the ledger's event).
            var d = LedgerState.FirstDifference(recorded.Event, stored);
            if (d is null && !string.Equals(recorded.Actor, r.Actor, StringComparison.Ordinal))
            {
                d = ("actor", JsonValue.Create(recorded.Actor), JsonValue.Create(r.Actor));
            }

            if (d is { } difference)
            {
                return new Problem(Kind.StateMismatch, recorded.Entry, fold.Claim,
                    $"{fold.Claim} history event {r.Sequence}: {difference.Path} is stored as {LedgerState.Show(difference.Stored)}, but ledger entry {recorded.Entry} says {LedgerState.Show(difference.Ledger)}.");
            }
        }

        return fold.Events.FirstOrDefault(e => !seen.Contains(e.Key)) is { Value.Event: not null } missing
            ? new Problem(Kind.StateMismatch, missing.Value.Entry, fold.Claim,
                $"{fold.Claim} history event {missing.Key} is recorded in ledger entry {missing.Value.Entry} but is missing from the claim's history.")
            : null;
    }

    private static Problem? CompareVerdicts(ClaimFold fold, IEnumerable<Verdict> rows, PageTally tally)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var v in rows)
        {
            tally.Rows++;
            seen.Add(v.Name);
            if (!fold.Verdicts.TryGetValue(v.Name, out var ledger))
            {
                return new Problem(Kind.StateMismatch, 0, v.Name, $"{v.Name} exists but no ledger entry records it.");
            }

            if (LedgerState.FirstDifference(ledger.Verdict, LedgerPayloads.Verdict(v)!) is { } d)
            {
                return Mismatch(ledger.Sequence, v.Name, d);
            }
        }

        return fold.Verdicts.Keys.FirstOrDefault(name => !seen.Contains(name)) is { } missing
            ? new Problem(Kind.StateMismatch, fold.Verdicts[missing].Sequence, missing,
                $"{missing} is recorded in ledger entry {fold.Verdicts[missing].Sequence} but is missing from the verdicts table.")
            : null;
    }

    private static Problem? CompareFindings(ClaimFold fold, IEnumerable<FindingRow> rows, PageTally tally)
    {
        var claimId = fold.Claim["claims/".Length..];
        var stored = rows.ToList();
        for (var i = 0; i < Math.Max(stored.Count, fold.Findings.Count); i++)
        {
            if (i >= stored.Count || i >= fold.Findings.Count)
            {
                var sequence = i < fold.Findings.Count ? fold.Findings[i].Sequence : 0;
                return new Problem(Kind.StateMismatch, sequence, fold.Claim,
                    $"{fold.Claim} has {stored.Count} staleness findings, but the ledger records {fold.Findings.Count}.");
            }

            tally.Rows++;
            var r = stored[i];
            var row = new JsonObject
            {
                ["reason"] = r.Reason,
                ["source"] = r.SourceId is null ? "" : ResourceNames.Source(r.SourceId),
                ["evidence"] = r.EvidenceId is null ? "" : ResourceNames.Evidence(claimId, r.EvidenceId),
                ["detail"] = r.Detail,
                ["time"] = r.Time,
                ["run"] = r.RunId is null ? "" : StalenessRuns.Name(r.RunId),
            };
            var (entry, finding, run) = fold.Findings[i];
            var ledger = (JsonObject)finding.DeepClone();
            ledger["run"] = run;
            if (LedgerState.FirstDifference(ledger, row) is { } d)
            {
                return new Problem(Kind.StateMismatch, entry, fold.Claim,
                    $"{fold.Claim} staleness finding {i + 1}: {d.Path} is stored as {LedgerState.Show(d.Stored)}, but ledger entry {entry} says {LedgerState.Show(d.Ledger)}.");
            }
        }

        return null;
    }

    // ---- sources, API keys, the review policy

    /// <summary>Rows of one kind against the entries of their subjects, page by page of names.</summary>
    private async Task<Problem?> SubjectsAsync<TRow>(string prefix, string table, string alias, string columns, Func<TRow, string> id, Func<TRow, JsonObject> render,
        Func<string, (long Sequence, JsonObject State)?> initial, CancellationToken ct)
    {
        var after = "";
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var rows = await db.QueryAsync<TRow>($"SELECT {columns} FROM {table} {alias} WHERE {alias}.id > @After ORDER BY {alias}.id LIMIT {_pageSize}",
                new { After = after }, ct);
            var last = rows.Count < _pageSize ? null : id(rows[^1]);
            var entries = (await db.QueryAsync(EntriesSql, new
                {
                    Lower = after.Length == 0 ? prefix : $"{prefix}{after}0",
                    Upper = last is null ? prefix[..^1] + "0" : $"{prefix}{last}0",
                }, EntryRow.Read, ct))
                .GroupBy(e => e.Subject, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.OrderBy(e => e.Sequence).ToList(), StringComparer.Ordinal);
            var byName = rows.ToDictionary(r => prefix + id(r), StringComparer.Ordinal);
            foreach (var name in byName.Keys.Union(entries.Keys).Order(StringComparer.Ordinal))
            {
                var state = initial(name);
                foreach (var e in entries.GetValueOrDefault(name) ?? [])
                {
                    if (state is null || e.Sequence > state.Value.Sequence)
                    {
                        state = (e.Sequence, LedgerState.Overlay(state?.State, FoldEntry.Parse(e.Sequence, e.Time, e.Actor, e.Action, e.Subject, e.Changes).Changes,
                            LedgerState.OtherNonState));
                    }
                }

                if (state is null)
                {
                    return new Problem(Kind.StateMismatch, 0, name, $"{name} exists but no ledger entry records it.");
                }

                if (!byName.TryGetValue(name, out var row))
                {
                    return new Problem(Kind.StateMismatch, state.Value.Sequence, name,
                        $"{name} is recorded in the ledger (last at entry {state.Value.Sequence}) but is missing from the {table} table.");
                }

                RowsChecked++;
                if (LedgerState.FirstDifference(state.Value.State, render(row)) is { } d)
                {
                    return Mismatch(state.Value.Sequence, name, d);
                }
            }

            if (last is null)
            {
                return null;
            }

            after = last;
        }
    }

    private Task<Problem?> SourcesAsync(CancellationToken ct) =>
        SubjectsAsync<SourceRow>("sources/", "sources", "s", SourceReads.Columns, r => r.Id,
            r => LedgerPayloads.SourceState(r.ToSource()), name => _createdSources.TryGetValue(name, out var created)
                ? (created.Sequence, LedgerState.Overlay(null, created.State, LedgerState.OtherNonState))
                : null, ct);

    private sealed class KeyRow
    {
        public string Id { get; init; } = "";
        public string DisplayName { get; init; } = "";
        public string Role { get; init; } = "";
        public string SecretSha256 { get; init; } = "";
        public string KeyPrefix { get; init; } = "";
        public string CreateTime { get; init; } = "";
        public string CreatedBy { get; init; } = "";
        public string? RevokeTime { get; init; }
        public string? RevokedBy { get; init; }
        public long Revision { get; init; }
    }

    private Task<Problem?> ApiKeysAsync(CancellationToken ct) =>
        SubjectsAsync<KeyRow>("apiKeys/", "api_keys", "k",
            "k.id, k.display_name, k.role, k.secret_sha256, k.key_prefix, k.create_time, k.created_by, k.revoke_time, k.revoked_by, k.revision", r => r.Id, r =>
            {
                var state = LedgerPayloads.ApiKeyState(new ApiKeyRow
                {
                    Id = r.Id, DisplayName = r.DisplayName, Role = r.Role, KeyPrefix = r.KeyPrefix, CreateTime = r.CreateTime, CreatedBy = r.CreatedBy,
                    RevokeTime = r.RevokeTime, RevokedBy = r.RevokedBy, Revision = r.Revision,
                }.ToApiKey());
                state["secret_sha256"] = r.SecretSha256;
                return state;
            }, _ => null, ct);

    private async Task<Problem?> PolicyAsync(CancellationToken ct)
    {
        var policy = await ReviewPolicyReads.LoadAsync(db, ct);
        var stored = LedgerPayloads.ReviewPolicyState(policy);
        JsonObject? ledger = null;
        long sequence = 0;
        foreach (var e in await db.QueryAsync(EntriesSql, new { Lower = policy.Name, Upper = policy.Name + "0" }, EntryRow.Read, ct))
        {
            if (e.Subject == policy.Name)
            {
                ledger = LedgerState.Overlay(ledger, FoldEntry.Parse(e.Sequence, e.Time, e.Actor, e.Action, e.Subject, e.Changes).Changes, LedgerState.OtherNonState);
                sequence = e.Sequence;
            }
        }

        RowsChecked++;
        // Never set: still the policy the migration created.
        ledger ??= new JsonObject
        {
            ["default_review_interval_seconds"] = 90L * 24 * 3600,
            ["unsourced_after_seconds"] = 7L * 24 * 3600,
            ["topic_review_intervals"] = new JsonObject(),
        };
        return LedgerState.FirstDifference(ledger, stored) is { } d ? Mismatch(sequence, policy.Name, d) : null;
    }

    private static Problem Mismatch(long sequence, string subject, (string Path, JsonNode? Ledger, JsonNode? Stored) d) =>
        new(Kind.StateMismatch, sequence, subject,
            $"{subject}: {d.Path} is stored as {LedgerState.Show(d.Stored)}, but its ledger entry {sequence} says {LedgerState.Show(d.Ledger)}.");
}
