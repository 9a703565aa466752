using System.Collections.Concurrent;
using System.Diagnostics;
using ClaimLedger.Benchmarks.Dataset;
using ClaimLedger.Benchmarks.Reporting;
using ClaimLedger.Benchmarks.Server;
using ClaimLedger.Contracts.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace ClaimLedger.Benchmarks.Phases;

/// <summary>The RPC workloads: what each phase's clients call, and the untimed preparation some phases need.</summary>
public sealed class Workloads(IReadOnlyList<BenchClient> clients, DatasetState state, TimeSpan warmup, TimeSpan duration, Action<string> log)
{
    private static readonly PingRequest Ping = new();
    private static readonly ClaimStatus[] ListedStatuses = [ClaimStatus.Unverified, ClaimStatus.InReview, ClaimStatus.Verified, ClaimStatus.Stale];

    private DatasetGenerator Generator => state.Generator;

    /// <summary>The timed phases whose measured window is profiled (--profile): the goals of issue 14.</summary>
    private static readonly HashSet<string> ProfiledPhases = new(StringComparer.Ordinal) { "CreateClaim", "GetClaim", "SearchClaims" };

    /// <summary>With --profile: starts a CPU profile of a phase after the given delay; disposing it ends the profile.</summary>
    public Func<string, TimeSpan, IAsyncDisposable>? Profile { get; init; }

    private IAsyncDisposable? Profiling(string phase, TimeSpan delay) => Profile?.Invoke(phase, delay);

    /// <summary>A claim that is IN_REVIEW and has a SUPPORTS or REFUTES evidence item, ready for a verdict.</summary>
    public sealed record ReviewItem(long Index, string Claim, string Evidence, string Etag);

    public async Task CreateSourcesAsync(CancellationToken ct)
    {
        var names = new string[DatasetGenerator.SourceCount];
        var result = await PhaseRunner.RunCountedAsync("CreateSource", clients, names.Length, async (c, i, token) =>
        {
            var source = await c.Sources.CreateSourceAsync(
                new CreateSourceRequest { Source = Generator.Source((int)i), RequestId = $"bench-{state.RunId}-source-{i}" }, cancellationToken: token);
            names[i] = source.Name;
        }, log, ct);
        Require(result, names.All(n => n is not null), "creating the source pool");
        state.SourceNames = names;
        log($"Created {names.Length:N0} sources ({result.PerSecond:N0}/s)");
    }

    /// <summary>
    /// CreateClaim (one ORIGIN evidence) until <paramref name="count"/> more claims are recorded; with
    /// <paramref name="allowDuplicates"/> the server skips its near-duplicate check.
    /// </summary>
    public Task<PhaseResult> LoadAsync(long count, bool allowDuplicates, CancellationToken ct) =>
        PhaseRunner.RunCountedAsync("Load (CreateClaim)", clients, count, (c, _, token) => CreateClaimAsync(c, allowDuplicates, token), log, ct);

    public Task<PhaseResult> PingAsync(CancellationToken ct) => Timed("Ping", async (c, token) =>
    {
        await c.Diagnostics.PingAsync(Ping, cancellationToken: token);
        return true;
    }, ct);

    /// <summary>CreateClaim with the near-duplicate check; each reply is offered to <paramref name="sampler"/>, which may take it as a sample.</summary>
    public Task<PhaseResult> CreateClaimAsync(string name, IntegrationDelaySampler? sampler, CancellationToken ct) => Timed(name, async (c, token) =>
    {
        var claim = await CreateClaimAsync(c, false, token);
        sampler?.Offer(claim);
        return true;
    }, ct);

    /// <summary>
    /// Untimed, after a restart: FindSimilarClaims with the texts of <paramref name="count"/> generated claims that are
    /// never recorded (indexes far beyond the dataset's), at full concurrency. The near-duplicate check behind it is
    /// CreateClaim's, so this refills what a restart empties (the cached counts of the words' claims) without adding claims.
    /// </summary>
    public async Task<PhaseResult> PrimeNearDuplicateCheckAsync(int count, CancellationToken ct)
    {
        const long FirstIndex = 1L << 40;
        var result = await PhaseRunner.RunCountedAsync("Near-duplicate check primed (FindSimilarClaims)", clients, count, async (c, i, token) =>
        {
            var text = Generator.Claim(FirstIndex + i, state.SourceNames, state.RunId).Claim.Text;
            await c.Claims.FindSimilarClaimsAsync(new FindSimilarClaimsRequest { Text = text }, cancellationToken: token);
        }, null, ct);
        log(Describe(result));
        return result;
    }

    /// <summary>An inclusion proof of a random entry 1 … <paramref name="treeSize"/> in the latest checkpoint's tree.</summary>
    public Task<PhaseResult> GetInclusionProofAsync(long treeSize, CancellationToken ct) => Timed("GetInclusionProof", async (c, token) =>
    {
        await c.Ledger.GetInclusionProofAsync(new GetInclusionProofRequest { Sequence = 1 + c.Random.NextInt64(treeSize) }, cancellationToken: token);
        return true;
    }, ct);

    /// <summary>The proof bundle of a random existing claim against the latest checkpoint.</summary>
    public Task<PhaseResult> GetClaimProofAsync(CancellationToken ct)
    {
        var names = state.SnapshotClaims();
        return Timed("GetClaimProof", async (c, token) =>
        {
            await c.Ledger.GetClaimProofAsync(new GetClaimProofRequest { Name = names[c.Random.Next(names.Length)] }, cancellationToken: token);
            return true;
        }, ct);
    }

    /// <summary>The latest checkpoint, or null while there is none.</summary>
    public async Task<Checkpoint?> LatestCheckpointAsync(CancellationToken ct)
    {
        try
        {
            return await clients[0].Ledger.GetCheckpointAsync(new GetCheckpointRequest(), cancellationToken: ct);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.FailedPrecondition)
        {
            return null;
        }
    }

    /// <summary>The sequence of the last committed ledger entry.</summary>
    public async Task<long> LedgerHeadAsync(CancellationToken ct) =>
        (await clients[0].Ledger.GetLedgerDigestAsync(new GetLedgerDigestRequest(), cancellationToken: ct)).HeadSequence;

    /// <summary>
    /// Polls GetCheckpoint every 10 ms until the latest checkpoint covers <paramref name="sequence"/> or
    /// <paramref name="timeout"/> passes; returns the last checkpoint seen and the Stopwatch timestamp it was seen at.
    /// </summary>
    public async Task<(Checkpoint? Checkpoint, long SeenAt, bool Covered)> WaitForCheckpointAsync(long sequence, TimeSpan timeout, CancellationToken ct)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var checkpoint = await LatestCheckpointAsync(ct);
            var seen = Stopwatch.GetTimestamp();
            if ((checkpoint?.TreeSize ?? 0) >= sequence || waited.Elapsed >= timeout)
            {
                return (checkpoint, seen, (checkpoint?.TreeSize ?? 0) >= sequence);
            }

            await Task.Delay(10, ct);
        }
    }

    /// <summary>Every checkpoint signed so far: tree size and signing time.</summary>
    public async Task<List<(long TreeSize, DateTimeOffset Time)>> ListCheckpointsAsync(CancellationToken ct)
    {
        var all = new List<(long, DateTimeOffset)>();
        var token = "";
        do
        {
            var page = await clients[0].Ledger.ListCheckpointsAsync(new ListCheckpointsRequest { PageSize = 100, PageToken = token }, cancellationToken: ct);
            all.AddRange(page.Checkpoints.Select(c => (c.TreeSize, c.CreateTime.ToDateTimeOffset())));
            token = page.NextPageToken;
        }
        while (token.Length > 0);

        return all;
    }

    /// <summary>
    /// After the servers restarted: every client pings until it gets an answer (its channel opens a new connection),
    /// so that no measured call pays for reconnecting or fails on the old connection.
    /// </summary>
    public async Task ReconnectAsync(CancellationToken ct)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        await Task.WhenAll(clients.Select(client => Task.Run(async () =>
        {
            while (true)
            {
                try
                {
                    await client.Diagnostics.PingAsync(Ping, deadline: DateTime.UtcNow.AddSeconds(5), cancellationToken: ct);
                    return;
                }
                catch (Exception e) when (e is RpcException or IOException or HttpRequestException && DateTime.UtcNow < deadline)
                {
                    await Task.Delay(50, ct);
                }
            }
        }, ct)));
    }

    public Task<PhaseResult> GetClaimAsync(CancellationToken ct)
    {
        var names = state.SnapshotClaims();
        return Timed("GetClaim", async (c, token) =>
        {
            await c.Claims.GetClaimAsync(new GetClaimRequest { Name = names[c.Random.Next(names.Length)] }, cancellationToken: token);
            return true;
        }, ct);
    }

    public Task<PhaseResult> ListClaimsAsync(CancellationToken ct) => Timed("ListClaims", async (c, token) =>
    {
        await c.Claims.ListClaimsAsync(new ListClaimsRequest { PageSize = 25 }, cancellationToken: token);
        return true;
    }, ct);

    public Task<PhaseResult> ListClaimsByTopicAsync(CancellationToken ct) => Timed("ListClaims topic=", async (c, token) =>
    {
        await c.Claims.ListClaimsAsync(new ListClaimsRequest { PageSize = 25, Topic = DatasetGenerator.RandomTopic(c.Random) }, cancellationToken: token);
        return true;
    }, ct);

    public Task<PhaseResult> ListClaimsByStatusAsync(CancellationToken ct) => Timed("ListClaims status=", async (c, token) =>
    {
        var status = ListedStatuses[c.Random.Next(ListedStatuses.Length)];
        await c.Claims.ListClaimsAsync(new ListClaimsRequest { PageSize = 25, Status = status }, cancellationToken: token);
        return true;
    }, ct);

    public Task<PhaseResult> SearchClaimsAsync(CancellationToken ct) => Timed("SearchClaims", async (c, token) =>
    {
        await c.Claims.SearchClaimsAsync(new SearchClaimsRequest { Query = Generator.SearchQuery(c.Random), PageSize = 10 }, cancellationToken: token);
        return true;
    }, ct);

    /// <summary>SearchClaims from only <see cref="LightClients"/> clients: its latency when the server is not saturated.</summary>
    public Task<PhaseResult> SearchClaimsLightAsync(CancellationToken ct) => Timed($"SearchClaims@{LightClients}", async (c, token) =>
    {
        await c.Claims.SearchClaimsAsync(new SearchClaimsRequest { Query = Generator.SearchQuery(c.Random), PageSize = 10 }, cancellationToken: token);
        return true;
    }, ct, LightClients);

    public const int LightClients = 4;

    /// <summary>
    /// Untimed: <paramref name="count"/> claims created with ORIGIN + SUPPORTS/REFUTES evidence (optionally with their
    /// own review interval), each moved to IN_REVIEW, and their SUPPORTS/REFUTES evidence name read back (CreateClaim
    /// returns the claim, not its evidence). These claims are created with allow_duplicate: their texts are as distinct
    /// as any, and the near-duplicate check is what the Load and CreateClaim phases measure, not what a preparation
    /// should wait for.
    /// </summary>
    public async Task<(ConcurrentQueue<ReviewItem> Items, PhaseResult Preparation)> PrepareReviewsAsync(
        string name, int count, TimeSpan? reviewInterval, CancellationToken ct)
    {
        var items = new ConcurrentQueue<ReviewItem>();
        var result = await PhaseRunner.RunCountedAsync(name, clients, count, async (c, _, token) =>
        {
            var index = state.NextClaimIndex();
            var request = Generator.ClaimWithStance(index, state.SourceNames, state.RunId, reviewInterval);
            request.AllowDuplicate = true;
            var claim = await c.Claims.CreateClaimAsync(request, cancellationToken: token);
            state.AddClaim(claim.Name);
            var reviewing = await c.Claims.StartReviewAsync(new StartReviewRequest
            {
                Name = claim.Name,
                Etag = claim.Etag,
                Note = "benchmark: review started",
                RequestId = $"bench-{state.RunId}-review-{index}",
            }, cancellationToken: token);
            var evidence = await c.Evidence.ListEvidenceAsync(new ListEvidenceRequest { Parent = claim.Name, PageSize = 10 }, cancellationToken: token);
            var decisive = evidence.Evidence.FirstOrDefault(e => e.Stance is Stance.Supports or Stance.Refutes)
                ?? throw new InvalidOperationException($"{claim.Name} was created with a SUPPORTS/REFUTES item, but ListEvidence does not show it.");
            items.Enqueue(new ReviewItem(index, claim.Name, decisive.Name, reviewing.Etag));
        }, log, ct);
        return (items, result);
    }

    /// <summary>Untimed: a verdict on every claim of <paramref name="items"/>, at full concurrency.</summary>
    public Task<PhaseResult> SubmitAllAsync(string name, ConcurrentQueue<ReviewItem> items, Action<Claim>? submitted, CancellationToken ct) =>
        PhaseRunner.RunCountedAsync(name, clients, items.Count, async (c, _, token) =>
        {
            if (items.TryDequeue(out var item))
            {
                var claim = await c.Claims.SubmitVerdictAsync(Generator.Verdict(item.Index, item.Claim, item.Evidence, item.Etag, state.RunId), cancellationToken: token);
                submitted?.Invoke(claim);
            }
        }, log, ct);

    /// <summary>Each call submits a verdict on the next prepared claim; stops when the pool is exhausted.</summary>
    public Task<PhaseResult> SubmitVerdictAsync(ConcurrentQueue<ReviewItem> pool, CancellationToken ct) => Timed("SubmitVerdict", async (c, token) =>
    {
        if (!pool.TryDequeue(out var item))
        {
            return false;
        }

        await c.Claims.SubmitVerdictAsync(Generator.Verdict(item.Index, item.Claim, item.Evidence, item.Etag, state.RunId), cancellationToken: token);
        return true;
    }, ct);

    /// <summary>
    /// Verdict expiry sweep: <paramref name="dueClaims"/> claims with a 1-second review interval get verdicts (untimed)
    /// and are left until they are due; then one VERDICT_EXPIRY run is started and polled to its end.
    /// </summary>
    public async Task<StalenessResult> StalenessSweepAsync(int dueClaims, string phase, CancellationToken ct)
    {
        var preparation = Stopwatch.StartNew();
        var (items, prepared) = await PrepareReviewsAsync("Staleness: prepare claims", dueClaims, TimeSpan.FromSeconds(1), ct);
        var latestDue = DateTimeOffset.MinValue;
        var verdicts = await SubmitAllAsync("Staleness: verdicts", items, claim =>
        {
            var due = claim.ReviewDueTime?.ToDateTimeOffset() ?? DateTimeOffset.UtcNow;
            lock (items)
            {
                latestDue = due > latestDue ? due : latestDue;
            }
        }, ct);
        var problems = prepared.ErrorSamples.Concat(verdicts.ErrorSamples).ToList();
        var due = verdicts.Calls;
        var wait = latestDue - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, ct);
        }

        preparation.Stop();

        var admin = clients[0];
        StalenessRun run;
        var timer = Stopwatch.StartNew();
        await using (Profiling(phase, TimeSpan.Zero))
        {
            run = await admin.Staleness.RunStalenessCheckAsync(new RunStalenessCheckRequest
            {
                Checks = { StalenessCheck.VerdictExpiry },
                RequestId = $"bench-{state.RunId}-staleness-{state.ClaimCount}",
            }, cancellationToken: ct);
            while (run.State is not (StalenessRun.Types.State.Succeeded or StalenessRun.Types.State.Failed))
            {
                await Task.Delay(25, ct);
                run = await admin.Staleness.GetStalenessRunAsync(new GetStalenessRunRequest { Name = run.Name }, cancellationToken: ct);
            }

            timer.Stop();
        }

        double? serverSeconds = run.StartTime is not null && run.EndTime is not null
            ? (run.EndTime.ToDateTimeOffset() - run.StartTime.ToDateTimeOffset()).TotalSeconds
            : null;
        return new StalenessResult(
            (int)due,
            preparation.Elapsed.TotalSeconds,
            timer.Elapsed.TotalSeconds,
            serverSeconds,
            run.State.ToString().ToUpperInvariant(),
            run.ClaimsExamined,
            run.MarkedStale,
            run.ErrorCount + prepared.Errors + verdicts.Errors,
            [.. problems, .. run.Errors.Take(5)]);
    }

    /// <summary>An HTML audit report over the whole run, streamed and counted, with the server's RSS sampled every 50 ms.</summary>
    public async Task<ReportResult> AuditReportAsync(ServerProcess server, DateTimeOffset runStart, CancellationToken ct)
    {
        var before = server.Memory()?.RssBytes ?? 0;
        long bytes = 0;
        var chunks = 0;
        string? error = null;
        var timer = Stopwatch.StartNew();
        var sampler = new MemorySampler(server.Pid, TimeSpan.FromMilliseconds(50));
        var profile = Profiling("Audit report", TimeSpan.Zero);
        try
        {
            using var call = clients[0].Reports.GenerateAuditReport(new GenerateAuditReportRequest
            {
                StartTime = Timestamp.FromDateTimeOffset(runStart.AddDays(-1)),
                EndTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddHours(1)),
                Format = ReportFormat.Html,
            }, cancellationToken: ct);
            await foreach (var chunk in call.ResponseStream.ReadAllAsync(ct))
            {
                bytes += chunk.Data.Length;
                chunks++;
            }
        }
        catch (RpcException e)
        {
            error = $"{e.StatusCode}: {e.Status.Detail}";
        }
        finally
        {
            timer.Stop();
            await sampler.DisposeAsync();
            if (profile is not null)
            {
                await profile.DisposeAsync();
            }
        }

        var after = server.Memory()?.RssBytes ?? 0;
        return new ReportResult(timer.Elapsed.TotalSeconds, bytes, chunks, before, Math.Max(sampler.MaxRssBytes, Math.Max(before, after)), after,
            sampler.Samples, error is null ? 0 : 1, error);
    }

    public async Task<VerifyResult> VerifyLedgerAsync(CancellationToken ct)
    {
        VerifyLedgerResponse response;
        var timer = Stopwatch.StartNew();
        await using (Profiling("VerifyLedger", TimeSpan.Zero))
        {
            response = await clients[0].Ledger.VerifyLedgerAsync(new VerifyLedgerRequest(), cancellationToken: ct);
            timer.Stop();
        }

        var seconds = timer.Elapsed.TotalSeconds;
        return new VerifyResult(seconds, response.Valid, response.EntriesChecked, response.ClaimsChecked, response.EntriesChecked / seconds,
            response.FirstProblem is { } p ? $"{p.Kind} at entry {p.Sequence} ({p.Subject}): {p.Description}" : null);
    }

    private async Task<string> CreateClaimAsync(BenchClient c, bool allowDuplicate, CancellationToken ct)
    {
        var index = state.NextClaimIndex();
        var request = Generator.Claim(index, state.SourceNames, state.RunId);
        request.AllowDuplicate = allowDuplicate;
        var claim = await c.Claims.CreateClaimAsync(request, cancellationToken: ct);
        state.AddClaim(claim.Name);
        return claim.Name;
    }

    private async Task<PhaseResult> Timed(string name, Func<BenchClient, CancellationToken, Task<bool>> call, CancellationToken ct, int? clientCount = null)
    {
        PhaseResult result;
        await using (ProfiledPhases.Contains(name) ? Profiling(name, warmup) : null)
        {
            result = await PhaseRunner.RunTimedAsync(name, clientCount is { } n ? clients.Take(n).ToList() : clients, call, warmup, duration, ct);
        }

        log(Describe(result));
        return result;
    }

    public static string Describe(PhaseResult r) =>
        $"{r.Name,-22} {r.PerSecond,10:N0}/s  p50 {r.P50Ms,7:0.00} ms  p95 {r.P95Ms,7:0.00} ms  p99 {r.P99Ms,7:0.00} ms  " +
        $"calls {r.Calls:N0}  errors {r.Errors:N0}" + (r.Rejections > 0 ? $"  rejections {r.Rejections:N0}" : "") + (r.Note is null ? "" : $"  ({r.Note})") +
        string.Concat(r.ErrorSamples.Select(s => $"{Environment.NewLine}      ! {s}"));

    private static void Require(PhaseResult result, bool ok, string what)
    {
        if (!ok || result.Errors > 0)
        {
            throw new BenchmarkFailedException($"{what} failed: {result.Errors} errors; {string.Join("; ", result.ErrorSamples)}");
        }
    }
}

/// <summary>A failure that makes the remaining measurements meaningless; the run stops and says why.</summary>
public sealed class BenchmarkFailedException(string message) : Exception(message);
