using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Features.Claims;
using ClaimLedger.Server.Infrastructure.Data;
using ClaimLedger.Server.Infrastructure.Ledger;
using ClaimLedger.Server.Infrastructure.Messaging;
using ClaimLedger.Server.Infrastructure.Security;
using FluentValidation;
using MediatR;

namespace ClaimLedger.Server.Features.Staleness;

/// <summary>
/// Records a PENDING run and, once that is committed, asks the scheduler to run it now. The run itself happens in the
/// background (StalenessCheckJob) and is never concurrent with another run; poll GetStalenessRun.
/// </summary>
public static class RunStalenessCheck
{
    /// <summary>There are three checks; a few repeats are harmless, a long list is a mistake (one violation, not one per item).</summary>
    public const int MaxChecks = 10;

    [Requires(Permission.Administer)]
    public sealed record Command(IReadOnlyList<StalenessCheck> Checks, string RequestId) : ICommand<StalenessRun>, IIdempotentCommand
    {
        public LedgerRecord Ledger(StalenessRun result) => StalenessRuns.Ledger("staleness_run.requested", result);
    }

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator()
        {
            RuleFor(c => c.Checks).Must(c => c.Count <= MaxChecks).OverridePropertyName("checks").WithMessage($"must have at most {MaxChecks} items");
            RuleForEach(c => c.Checks).Must(c => c != StalenessCheck.Unspecified && Enum.IsDefined(c)).When(c => c.Checks.Count <= MaxChecks)
                .OverridePropertyName("checks")
                .WithMessage("must be VERDICT_EXPIRY, SOURCE_HEALTH or UNSOURCED_CLAIMS");
            RuleFor(c => c.RequestId).RequestId().OverridePropertyName("request_id");
        }
    }

    internal sealed class Handler(DbSession db, TimeProvider clock, ICurrentActor actor, StalenessScheduler scheduler) : IRequestHandler<Command, StalenessRun>
    {
        public async Task<StalenessRun> Handle(Command command, CancellationToken ct)
        {
            var id = ResourceNames.NewId();
            var checks = command.Checks.Count == 0 ? StalenessRuns.AllChecks : command.Checks.Distinct().Order().ToArray();
            await db.ExecuteAsync("""
                INSERT INTO staleness_runs (id, state, trigger_kind, checks, requested_by, create_time)
                VALUES (@Id, 'PENDING', 'MANUAL', @Checks, @Actor, @Now)
                """, new { Id = id, Checks = StalenessRuns.FormatChecks(checks), Actor = actor.Name, Now = DbTime.ToDb(clock.GetUtcNow()) }, ct);
            db.OnAfterCommit(() => scheduler.TriggerNow(id));
            return (await StalenessRuns.RowAsync(db, id, ct)).ToRun();
        }
    }
}
