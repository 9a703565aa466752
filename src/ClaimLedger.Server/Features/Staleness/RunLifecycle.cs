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
            // Runs never overlap (the job is not concurrent), so a RUNNING one was cut off by a stop or a crash.
            await db.ExecuteAsync("""
                UPDATE staleness_runs SET state = 'FAILED', end_time = @Now, error_count = error_count + 1,
                       errors = json_insert(errors, '$[#]', 'interrupted: the server stopped during the run')
                WHERE state = 'RUNNING'
                """, new { Now = now }, ct);

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

    [Requires(Permission.Administer)]
    public sealed record Command(string RunId, bool Succeeded, Totals Totals) : ICommand<StalenessRun>
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
                State = c.Succeeded ? "SUCCEEDED" : "FAILED",
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
