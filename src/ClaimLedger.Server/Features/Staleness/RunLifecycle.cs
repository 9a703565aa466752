using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Infrastructure.Data;
using ClaimLedger.Server.Infrastructure.Ledger;
using ClaimLedger.Server.Infrastructure.Messaging;
using ClaimLedger.Server.Infrastructure.Security;
using MediatR;

namespace ClaimLedger.Server.Features.Staleness;

/// <summary>The job's bookkeeping: a run starts (created for a scheduled firing, or moved PENDING → RUNNING) and finishes.</summary>
public static class BeginStalenessRun
{
    /// <param name="RunId">The PENDING run to start, or empty to create a SCHEDULED one.</param>
    [Requires(Permission.Administer)]
    public sealed record Command(string RunId) : ICommand<StalenessRun>
    {
        public LedgerRecord Ledger(StalenessRun result) => StalenessRuns.Ledger("staleness_run.started", result);
    }

    internal sealed class Handler(DbSession db, TimeProvider clock, ICurrentActor actor) : IRequestHandler<Command, StalenessRun>
    {
        public async Task<StalenessRun> Handle(Command command, CancellationToken ct)
        {
            var now = DbTime.ToDb(clock.GetUtcNow());
            // Runs never overlap (the job is not concurrent), so a RUNNING one was cut off by a crash.
            await ResumeInterruptedRuns.MarkCutOffAsync(db, now, ct);

            var id = command.RunId;
            if (id.Length == 0)
            {
                id = ResourceNames.NewId();
                await db.ExecuteAsync("""
                    INSERT INTO staleness_runs (id, state, trigger_kind, checks, requested_by, create_time, start_time)
                    VALUES (@Id, 'RUNNING', 'SCHEDULED', @Checks, @Actor, @Now, @Now)
                    """, new { Id = id, Checks = StalenessRuns.FormatChecks(StalenessRuns.AllChecks), Actor = actor.Name, Now = now }, ct);
            }
            else
            {
                var row = await StalenessRuns.RowAsync(db, id, ct);
                if (row.State != "PENDING")
                {
                    throw new FailedPreconditionException("RUN_NOT_PENDING", $"{StalenessRuns.Name(id)} is {row.State}, not PENDING.", StalenessRuns.Name(id));
                }

                await db.ExecuteAsync("UPDATE staleness_runs SET state = 'RUNNING', start_time = @Now WHERE id = @Id", new { Id = id, Now = now }, ct);
            }

            return (await StalenessRuns.RowAsync(db, id, ct)).ToRun();
        }
    }
}

public static class FinishStalenessRun
{
    public sealed record Totals(long ClaimsExamined, long MarkedStale, long SourcesChecked, long SourcesOk, long SourcesMoved, long SourcesBroken,
        long SourcesChanged, long SourcesFailing, long UnsourcedFlagged, IReadOnlyList<string> Errors, long ErrorCount);

    public enum Outcome
    {
        Succeeded,
        Failed,
        /// <summary>Cut off by a server stop: it runs again after the next start (<see cref="ResumeInterruptedRuns"/>).</summary>
        Interrupted,
    }

    [Requires(Permission.Administer)]
    public sealed record Command(string RunId, Outcome Outcome, Totals Totals) : ICommand<StalenessRun>
    {
        public LedgerRecord Ledger(StalenessRun result) => StalenessRuns.Ledger("staleness_run.finished", result);
    }

    internal sealed class Handler(DbSession db, TimeProvider clock) : IRequestHandler<Command, StalenessRun>
    {
        public async Task<StalenessRun> Handle(Command c, CancellationToken ct)
        {
            var t = c.Totals;
            await db.ExecuteAsync("""
                UPDATE staleness_runs SET
                    state = @State, end_time = @Now, claims_examined = @ClaimsExamined, marked_stale = @MarkedStale,
                    sources_checked = @SourcesChecked, sources_ok = @SourcesOk, sources_moved = @SourcesMoved,
                    sources_broken = @SourcesBroken, sources_changed = @SourcesChanged, sources_failing = @SourcesFailing,
                    unsourced_flagged = @UnsourcedFlagged, errors = @Errors, error_count = @ErrorCount
                WHERE id = @Id
                """, new
            {
                Id = c.RunId,
                State = c.Outcome switch { Outcome.Succeeded => "SUCCEEDED", Outcome.Interrupted => "INTERRUPTED", _ => "FAILED" },
                Now = DbTime.ToDb(clock.GetUtcNow()),
                t.ClaimsExamined, t.MarkedStale, t.SourcesChecked, t.SourcesOk, t.SourcesMoved, t.SourcesBroken, t.SourcesChanged,
                t.SourcesFailing, t.UnsourcedFlagged,
                Errors = System.Text.Json.JsonSerializer.Serialize(t.Errors.Take(50)),
                t.ErrorCount,
            }, ct);
            return (await StalenessRuns.RowAsync(db, c.RunId, ct)).ToRun();
        }
    }
}

/// <summary>
/// After a start (or when Quartz recovers the job of an instance that died): a RUNNING run left by a crash is
/// INTERRUPTED; every INTERRUPTED run that has not been re-run gets a PENDING RETRY run with the same checks (retry_of
/// names it), which the scheduler starts once this commits. With other instances sharing the database, a RUNNING run
/// may be another instance's live one: only the recovering job (which Quartz runs on one instance, never beside the
/// job it recovers) may call it cut off.
/// </summary>
public static class ResumeInterruptedRuns
{
    /// <param name="Recovering">Quartz is re-running the job of an instance that died: its RUNNING run is cut off.</param>
    [Requires(Permission.Administer)]
    public sealed record Command(bool Recovering = false) : ICommand<IReadOnlyList<StalenessRun>>
    {
        public LedgerRecord Ledger(IReadOnlyList<StalenessRun> result) => new("staleness_run.retries_requested", "stalenessRuns",
            new System.Text.Json.Nodes.JsonObject
            {
                ["retries"] = new System.Text.Json.Nodes.JsonArray(result.Select(r => (System.Text.Json.Nodes.JsonNode?)new System.Text.Json.Nodes.JsonObject
                {
                    ["run"] = r.Name, ["retry_of"] = r.RetryOf,
                }).ToArray()),
            });
    }

    internal static Task MarkCutOffAsync(DbSession db, string now, CancellationToken ct) => db.ExecuteAsync("""
        UPDATE staleness_runs SET state = 'INTERRUPTED', end_time = @Now
        WHERE state = 'RUNNING'
        """, new { Now = now }, ct);

    internal sealed class Handler(DbSession db, ISqlDialect dialect, TimeProvider clock, ICurrentActor actor, StalenessScheduler scheduler)
        : IRequestHandler<Command, IReadOnlyList<StalenessRun>>
    {
        public async Task<IReadOnlyList<StalenessRun>> Handle(Command command, CancellationToken ct)
        {
            var now = DbTime.ToDb(clock.GetUtcNow());
            if (command.Recovering || !dialect.SharedByInstances)
            {
                await MarkCutOffAsync(db, now, ct);
            }

            var interrupted = await db.QueryAsync<(string Id, string Checks)>("""
                SELECT r.id AS Id, r.checks AS Checks FROM staleness_runs r
                WHERE r.state = 'INTERRUPTED' AND NOT EXISTS (SELECT 1 FROM staleness_runs x WHERE x.retry_of = r.id)
                ORDER BY r.seq
                """, null, ct);
            var retries = new List<StalenessRun>();
            foreach (var (runId, checks) in interrupted)
            {
                var id = ResourceNames.NewId();
                await db.ExecuteAsync("""
                    INSERT INTO staleness_runs (id, state, trigger_kind, checks, requested_by, create_time, retry_of)
                    VALUES (@Id, 'PENDING', 'RETRY', @Checks, @Actor, @Now, @RetryOf)
                    """, new { Id = id, Checks = checks, Actor = actor.Name, Now = now, RetryOf = runId }, ct);
                if (!command.Recovering)
                {
                    db.OnAfterCommit(() => scheduler.TriggerNow(id));
                }

                retries.Add((await StalenessRuns.RowAsync(db, id, ct)).ToRun());
            }

            return retries;
        }
    }
}
