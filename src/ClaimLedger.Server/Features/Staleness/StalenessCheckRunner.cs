using System.Collections.Concurrent;
using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Features.Staleness.Fetching;
using ClaimLedger.Server.Features.Verification;
using ClaimLedger.Server.Infrastructure.Security;
using MediatR;
using Microsoft.Extensions.Options;

namespace ClaimLedger.Server.Features.Staleness;

/// <summary>
/// One staleness run, as the scheduled job performs it. It reads and writes only through MediatR, like any client, in
/// scopes acting as "system:staleness", so every change it makes is validated, its own command per claim or source, and on the
/// ledger with its reason. A failure on one claim or source is counted and recorded in the run, and the run goes on.
/// </summary>
public sealed class StalenessCheckRunner(
    IServiceScopeFactory scopes,
    SourceFetcher fetcher,
    IOptions<StalenessOptions> options,
    IOptions<SourceFetchOptions> fetchOptions,
    TimeProvider clock,
    ILogger<StalenessCheckRunner> logger)
{
    public const string Actor = "staleness";

    /// <summary>Commands a run has in flight at once (see <see cref="ForEachConcurrentlyAsync{T}"/>).</summary>
    private const int ConcurrentCommands = 64;

    private sealed class Tally
    {
        public long ClaimsExamined;
        public long MarkedStale;
        public long SourcesChecked;
        public long Ok;
        public long Moved;
        public long Broken;
        public long Changed;
        public long Failing;
        public long UnsourcedFlagged;
        public long ErrorCount;
        public readonly ConcurrentQueue<string> Errors = new();

        public void Error(string message)
        {
            Interlocked.Increment(ref ErrorCount);
            if (Errors.Count < 50)
            {
                Errors.Enqueue(message);
            }
        }

        public FinishStalenessRun.Totals Totals() => new(ClaimsExamined, MarkedStale, SourcesChecked, Ok, Moved, Broken, Changed, Failing,
            UnsourcedFlagged, Errors.ToList(), ErrorCount);
    }

    /// <param name="runId">A PENDING run to carry out, or empty for a scheduled run.</param>
    public async Task<StalenessRun> RunAsync(string runId, CancellationToken ct)
    {
        var run = await SendAsync(new BeginStalenessRun.Command(runId), ct);
        StalenessRuns.TryParse(run.Name, out var id);
        var checks = run.Checks.ToHashSet();
        var tally = new Tally();
        logger.LogInformation("Staleness run {Run} started: {Checks}", run.Name, string.Join(",", checks));
        try
        {
            var counts = await SendAsync(new StalenessCandidates.ClaimCounts(), ct);
            var findings = new Dictionary<string, List<MarkStale.Finding>>(StringComparer.Ordinal);
            if (checks.Contains(StalenessCheck.SourceHealth))
            {
                tally.ClaimsExamined += counts.Verified;
                await CheckSourcesAsync(id, findings, tally, ct);
            }

            if (checks.Contains(StalenessCheck.VerdictExpiry))
            {
                tally.ClaimsExamined += checks.Contains(StalenessCheck.SourceHealth) ? 0 : counts.Verified;
                foreach (var expired in await SendAsync(new StalenessCandidates.ExpiredVerdicts(clock.GetUtcNow()), ct))
                {
                    var due = Infrastructure.Data.DbTime.FromDb(expired.VerdictTime).AddSeconds(expired.IntervalSeconds);
                    Add(findings, expired.ClaimId, new MarkStale.Finding(StaleReason.VerdictExpired, "", "",
                        $"review was due {due.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'} (interval {TimeSpan.FromSeconds(expired.IntervalSeconds)})"));
                }
            }

            await MarkStaleAsync(findings.Select(f => new MarkStale.Command(ResourceNames.Claim(f.Key), f.Value, id)).ToList(), tally, ct);

            if (checks.Contains(StalenessCheck.UnsourcedClaims))
            {
                tally.ClaimsExamined += counts.Unverified;
                await ForEachConcurrentlyAsync(await SendAsync(new StalenessCandidates.Unsourced(clock.GetUtcNow()), ct), async (claimId, token) =>
                {
                    try
                    {
                        await SendAsync(new FlagUnsourced.Command(claimId, id), token);
                        Interlocked.Increment(ref tally.UnsourcedFlagged);
                    }
                    catch (DomainException e)
                    {
                        tally.Error($"{ResourceNames.Claim(claimId)}: {e.Message}");
                    }
                }, ct);
            }

            var finished = await SendAsync(new FinishStalenessRun.Command(id, FinishStalenessRun.Outcome.Succeeded, tally.Totals()), CancellationToken.None);
            logger.LogInformation("Staleness run {Run} succeeded: {Examined} claims examined, {Stale} marked stale, {Sources} sources checked, {Errors} errors",
                run.Name, tally.ClaimsExamined, tally.MarkedStale, tally.SourcesChecked, tally.ErrorCount);
            return finished;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            logger.LogInformation("Staleness run {Run} interrupted by the server stopping; it runs again after the next start", run.Name);
            tally.Error("interrupted: the server stopped during the run; it runs again after the next start");
            await SendAsync(new FinishStalenessRun.Command(id, FinishStalenessRun.Outcome.Interrupted, tally.Totals()), CancellationToken.None);
            throw;
        }
        catch (Exception e)
        {
            logger.LogError(e, "Staleness run {Run} failed", run.Name);
            tally.Error($"run failed: {e.Message}");
            return await SendAsync(new FinishStalenessRun.Command(id, FinishStalenessRun.Outcome.Failed, tally.Totals()), CancellationToken.None);
        }
    }

    private async Task CheckSourcesAsync(string runId, Dictionary<string, List<MarkStale.Finding>> findings, Tally tally, CancellationToken ct)
    {
        var sources = await SendAsync(new StalenessCandidates.SourcesToCheck(), ct);
        var troubled = new ConcurrentBag<(string SourceId, SourceHealth Health, string? Sha, string Detail)>();
        await Parallel.ForEachAsync(sources, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, fetchOptions.Value.MaxConcurrency), CancellationToken = ct },
            async (source, token) =>
            {
                try
                {
                    var f = await fetcher.FetchAsync(source.Url, token);
                    var checkedSource = await SendAsync(new RecordSourceCheck.Command(source.Id, runId,
                        new RecordSourceCheck.Fetch(f.HttpStatus, f.FinalUrl, f.Redirects, f.ContentSha256, f.Error, (long)f.Elapsed.TotalMilliseconds),
                        options.Value.BrokenAfterFailures), token);
                    Interlocked.Increment(ref tally.SourcesChecked);
                    _ = checkedSource.Health switch
                    {
                        SourceHealth.Ok => Interlocked.Increment(ref tally.Ok),
                        SourceHealth.Moved => Interlocked.Increment(ref tally.Moved),
                        SourceHealth.Broken => Interlocked.Increment(ref tally.Broken),
                        SourceHealth.Changed => Interlocked.Increment(ref tally.Changed),
                        _ => Interlocked.Increment(ref tally.Failing),
                    };
                    if (checkedSource.Health is SourceHealth.Broken or SourceHealth.Changed)
                    {
                        var detail = checkedSource.Health == SourceHealth.Broken
                            ? $"{source.Url} failed {checkedSource.ConsecutiveFailures} checks in a row (last: {f.Error ?? $"HTTP {f.HttpStatus}"})"
                            : $"{source.Url} now has content {f.ContentSha256}";
                        troubled.Add((source.Id, checkedSource.Health, f.ContentSha256, detail));
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    tally.Error($"{ResourceNames.Source(source.Id)}: {e.Message}");
                }
            });

        foreach (var (sourceId, health, sha, detail) in troubled.OrderBy(t => t.SourceId, StringComparer.Ordinal))
        {
            foreach (var resting in await SendAsync(new StalenessCandidates.RestingOn(sourceId), ct))
            {
                if (health == SourceHealth.Broken)
                {
                    Add(findings, resting.ClaimId, new MarkStale.Finding(StaleReason.SourceBroken, sourceId, resting.EvidenceId, detail));
                }
                else if (resting.AttachedSha256 is { } attached && attached != sha)
                {
                    Add(findings, resting.ClaimId, new MarkStale.Finding(StaleReason.SourceChanged, sourceId, resting.EvidenceId,
                        $"{detail}; the evidence was attached when it had {attached}"));
                }
            }
        }
    }

    /// <summary>
    /// Marks the claims stale in batches of <see cref="StalenessOptions.MarkBatchSize"/>, one transaction and a few set
    /// statements each (<see cref="MarkStale.Batch"/>: each claim still with its own ledger entry). Each batch's plan
    /// (its reads and its entries, <see cref="MarkStale.PlanBatch"/>) is made while the batch before it writes. A batch
    /// that cannot be planned or fails writes nothing; its claims are then sent one by one, so a claim that cannot be
    /// marked is counted as an error and the others are marked.
    /// </summary>
    private async Task MarkStaleAsync(IReadOnlyList<MarkStale.Command> claims, Tally tally, CancellationToken ct)
    {
        var batches = claims.Chunk(Math.Max(1, options.Value.MarkBatchSize)).ToList();
        // On a thread of its own: the engine's calls may complete synchronously, and the plan must not wait for the write.
        var next = batches.Count > 0 ? Task.Run(() => PlanAsync(batches[0], ct), ct) : null;
        for (var k = 0; k < batches.Count; k++)
        {
            var plan = await next!;
            var following = k + 1;
            next = following < batches.Count ? Task.Run(() => PlanAsync(batches[following], ct), ct) : null;
            var batch = batches[k];
            if (plan is not null)
            {
                try
                {
                    var marked = await SendAsync(new MarkStale.Batch(batch, plan), ct);
                    Interlocked.Add(ref tally.MarkedStale, marked.Count);
                    continue;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogInformation("Staleness: a batch of {Count} claims failed ({Reason}); marking them one by one", batch.Length,
                        ClientText.Clean(e.Message, 512));
                }
            }

            await ForEachConcurrentlyAsync(batch, async (claim, token) =>
            {
                try
                {
                    await SendAsync(claim, token);
                    Interlocked.Increment(ref tally.MarkedStale);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    tally.Error($"{claim.Name}: {e.Message}");
                }
            }, ct);
        }
    }

    /// <summary>The plan of a batch of more than one claim, or null (then its claims are marked one by one).</summary>
    private async Task<MarkStale.BatchPlan?> PlanAsync(MarkStale.Command[] batch, CancellationToken ct)
    {
        if (batch.Length < 2)
        {
            return null;
        }

        try
        {
            return await SendAsync(new MarkStale.PlanBatch(batch), ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogInformation("Staleness: a batch of {Count} claims cannot be planned ({Reason}); marking them one by one", batch.Length,
                ClientText.Clean(e.Message, 512));
            return null;
        }
    }

    /// <summary>
    /// Each claim is still its own command (its own savepoint and ledger entry), but sent many at a time so that
    /// group commit puts them under shared fsyncs instead of one each.
    /// </summary>
    private static Task ForEachConcurrentlyAsync<T>(IEnumerable<T> items, Func<T, CancellationToken, ValueTask> body, CancellationToken ct) =>
        Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = ConcurrentCommands, CancellationToken = ct }, body);

    private static void Add(Dictionary<string, List<MarkStale.Finding>> findings, string claimId, MarkStale.Finding finding)
    {
        if (!findings.TryGetValue(claimId, out var list))
        {
            findings[claimId] = list = [];
        }

        list.Add(finding);
    }

    /// <summary>After a start: interrupted runs get their retries (see <see cref="ResumeInterruptedRuns"/>).</summary>
    public Task<IReadOnlyList<StalenessRun>> ResumeInterruptedAsync(CancellationToken ct) => SendAsync(new ResumeInterruptedRuns.Command(), ct);

    /// <summary>
    /// Quartz re-runs the job of an instance that died mid-run (clustered, PostgreSQL): its run is marked INTERRUPTED
    /// and its retry carried out here, now (the scheduled slot is not lost, and never runs twice).
    /// </summary>
    public async Task RecoverAsync(CancellationToken ct)
    {
        var retries = await SendAsync(new ResumeInterruptedRuns.Command(Recovering: true), ct);
        foreach (var retry in retries)
        {
            StalenessRuns.TryParse(retry.Name, out var id);
            logger.LogInformation("Recovering staleness run {Interrupted} of a stopped instance as {Run}", retry.RetryOf, retry.Name);
            await RunAsync(id, ct);
        }
    }

    private async Task<T> SendAsync<T>(IRequest<T> request, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<ICurrentActor>().ActAsSystem(Actor);
        return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(request, ct);
    }
}
