using System.Text.Json;
using System.Text.Json.Nodes;
using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Infrastructure.Data;
using ClaimLedger.Server.Infrastructure.Ledger;

namespace ClaimLedger.Server.Features.Staleness;

internal sealed class RunRow
{
    public long Seq { get; init; }
    public string Id { get; init; } = "";
    public string State { get; init; } = "";
    public string TriggerKind { get; init; } = "";
    public string Checks { get; init; } = "";
    public string RequestedBy { get; init; } = "";
    public string CreateTime { get; init; } = "";
    public string? StartTime { get; init; }
    public string? EndTime { get; init; }
    public long ClaimsExamined { get; init; }
    public long MarkedStale { get; init; }
    public long SourcesChecked { get; init; }
    public long SourcesOk { get; init; }
    public long SourcesMoved { get; init; }
    public long SourcesBroken { get; init; }
    public long SourcesChanged { get; init; }
    public long SourcesFailing { get; init; }
    public long UnsourcedFlagged { get; init; }
    public string Errors { get; init; } = "[]";
    public long ErrorCount { get; init; }
    public string? RetryOf { get; init; }

    public const string Columns = """
        seq, id, state, trigger_kind, checks, requested_by, create_time, start_time, end_time, claims_examined, marked_stale,
        sources_checked, sources_ok, sources_moved, sources_broken, sources_changed, sources_failing, unsourced_flagged, errors, error_count,
        retry_of
        """;

    public StalenessRun ToRun()
    {
        var run = new StalenessRun
        {
            Name = StalenessRuns.Name(Id),
            State = DbEnum.Parse<StalenessRun.Types.State>(State),
            Trigger = DbEnum.Parse<StalenessRun.Types.Trigger>(TriggerKind),
            RequestedBy = RequestedBy,
            CreateTime = DbTime.ToTimestamp(CreateTime),
            StartTime = DbTime.ToTimestamp(StartTime),
            EndTime = DbTime.ToTimestamp(EndTime),
            ClaimsExamined = ClaimsExamined,
            MarkedStale = MarkedStale,
            SourcesChecked = SourcesChecked,
            SourcesOk = SourcesOk,
            SourcesMoved = SourcesMoved,
            SourcesBroken = SourcesBroken,
            SourcesChanged = SourcesChanged,
            SourcesFailing = SourcesFailing,
            UnsourcedFlagged = UnsourcedFlagged,
            ErrorCount = ErrorCount,
            RetryOf = RetryOf is null ? "" : StalenessRuns.Name(RetryOf),
        };
        run.Checks.AddRange(StalenessRuns.ParseChecks(Checks));
        run.Errors.AddRange(JsonSerializer.Deserialize<string[]>(Errors) ?? []);
        return run;
    }
}

internal static class StalenessRuns
{
    public static readonly StalenessCheck[] AllChecks = [StalenessCheck.VerdictExpiry, StalenessCheck.SourceHealth, StalenessCheck.UnsourcedClaims];

    public static string Name(string id) => $"stalenessRuns/{id}";

    public static bool TryParse(string? name, out string id)
    {
        id = name is not null && name.StartsWith("stalenessRuns/", StringComparison.Ordinal) ? name["stalenessRuns/".Length..] : "";
        return id.Length == 32 && id.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');
    }

    public static string FormatChecks(IEnumerable<StalenessCheck> checks) => string.Join(",", checks.Select(DbEnum.ToDb));

    public static IReadOnlyList<StalenessCheck> ParseChecks(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(DbEnum.Parse<StalenessCheck>).ToList();

    public static async Task<RunRow> RowAsync(DbSession db, string id, CancellationToken ct) =>
        await db.QuerySingleOrDefaultAsync<RunRow>($"SELECT {RunRow.Columns} FROM staleness_runs WHERE id = @Id", new { Id = id }, ct)
        ?? throw new NotFoundException(Name(id));

    public static LedgerRecord Ledger(string action, StalenessRun run) => new(action, run.Name, new JsonObject
    {
        ["state"] = DbEnum.ToDb(run.State),
        ["trigger"] = DbEnum.ToDb(run.Trigger),
        ["checks"] = new JsonArray(run.Checks.Select(c => (JsonNode?)DbEnum.ToDb(c)).ToArray()),
        ["claims_examined"] = run.ClaimsExamined,
        ["marked_stale"] = run.MarkedStale,
        ["sources_checked"] = run.SourcesChecked,
        ["sources_broken"] = run.SourcesBroken,
        ["sources_changed"] = run.SourcesChanged,
        ["unsourced_flagged"] = run.UnsourcedFlagged,
        ["error_count"] = run.ErrorCount,
        ["retry_of"] = run.RetryOf.Length == 0 ? null : run.RetryOf,
    });
}
