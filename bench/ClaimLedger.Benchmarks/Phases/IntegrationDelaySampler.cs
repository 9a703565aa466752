using System.Diagnostics;
using ClaimLedger.Contracts.V1;
using Grpc.Core;

namespace ClaimLedger.Benchmarks.Phases;

/// <summary>
/// How long after its reply an acknowledged write becomes provable: the time until a signed checkpoint covers its
/// ledger entry. p50/p95/max in ms over the samples; <see cref="Unresolved"/> samples were not covered within the wait.
/// </summary>
public sealed record IntegrationDelayResult(
    double P50,
    double P95,
    double Max,
    int Samples,
    int Unresolved,
    long Errors,
    int SampleEvery,
    double PollIntervalMs,
    IReadOnlyList<string> ErrorSamples);

/// <summary>
/// Samples the integration delay during a CreateClaim phase, from a client of its own (its own channel): every
/// <see cref="SampleEvery"/>th acknowledged write of the measured part is taken; its ledger entry's sequence is read with
/// ListLedgerEntries (subject = the claim: CreateClaim records exactly one entry), while a poller asks GetCheckpoint for
/// the latest checkpoint every <see cref="PollInterval"/>. A sample's delay is from its reply to the first poll answer
/// whose tree size covers its sequence, so it is late by up to one poll interval plus one GetCheckpoint round trip.
/// The same sampler, with <c>expectCoverage</c> false, runs during the phase with integration off, so that both phases
/// carry the same extra reads.
/// </summary>
public sealed class IntegrationDelaySampler
{
    public const int SampleEvery = 16;
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    private readonly BenchClient _client;
    private readonly long _acceptFrom;
    private readonly long _acceptUntil;
    private readonly bool _expectCoverage;
    private readonly ErrorLog _errors = new();
    private readonly List<Task> _lookups = [];
    private readonly List<(long Sequence, long Reply)> _pending = [];
    private readonly List<double> _delaysMs = [];

    /// <summary>Each time the latest checkpoint's tree size was seen to grow: when (Stopwatch timestamp) and to what.</summary>
    private readonly List<(long Time, long TreeSize)> _observations = [];

    private readonly CancellationTokenSource _stop;
    private readonly Task _poller;
    private long _accepted;
    private long _offered;

    /// <summary>Writes offered so far: every acknowledged write of the phase, warm-up included.</summary>
    public long Offered => Interlocked.Read(ref _offered);

    private IntegrationDelaySampler(BenchClient client, TimeSpan warmup, TimeSpan duration, bool expectCoverage, CancellationToken ct)
    {
        _client = client;
        _acceptFrom = Stopwatch.GetTimestamp() + Ticks(warmup);
        _acceptUntil = _acceptFrom + Ticks(duration);
        _expectCoverage = expectCoverage;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        _poller = Task.Run(() => PollAsync(_stop.Token), CancellationToken.None);
    }

    /// <summary>Starts polling; writes are sampled from <paramref name="warmup"/> on, for <paramref name="duration"/>, as the phase measures them.</summary>
    public static IntegrationDelaySampler Start(BenchClient client, TimeSpan warmup, TimeSpan duration, bool expectCoverage, CancellationToken ct) =>
        new(client, warmup, duration, expectCoverage, ct);

    /// <summary>Called right after a write's reply: takes it as a sample if it is the next one due. Does not block.</summary>
    public void Offer(string claimName)
    {
        Interlocked.Increment(ref _offered);
        var now = Stopwatch.GetTimestamp();
        if (now < _acceptFrom || now >= _acceptUntil || Interlocked.Increment(ref _accepted) % SampleEvery != 0)
        {
            return;
        }

        lock (_lookups)
        {
            _lookups.Add(LookUpAsync(claimName, now, _stop.Token));
        }
    }

    /// <summary>
    /// After the phase: waits for the lookups and, when coverage is expected, until every sample is covered or
    /// <paramref name="timeout"/> has passed; then stops polling.
    /// </summary>
    public async Task<IntegrationDelayResult> FinishAsync(TimeSpan timeout, CancellationToken ct)
    {
        Task[] lookups;
        lock (_lookups)
        {
            lookups = [.. _lookups];
        }

        await Task.WhenAll(lookups);
        var waited = Stopwatch.StartNew();
        while (_expectCoverage && waited.Elapsed < timeout && !_poller.IsCompleted)
        {
            lock (_pending)
            {
                if (_pending.Count == 0)
                {
                    break;
                }
            }

            await Task.Delay(PollInterval, ct);
        }

        await _stop.CancelAsync();
        await _poller;
        ct.ThrowIfCancellationRequested();
        lock (_pending)
        {
            var sorted = _delaysMs.Order().ToArray();
            return new IntegrationDelayResult(Percentile(sorted, 0.50), Percentile(sorted, 0.95), sorted.Length == 0 ? 0 : sorted[^1], sorted.Length,
                _expectCoverage ? _pending.Count : 0, _errors.Errors, SampleEvery, PollInterval.TotalMilliseconds, _errors.Samples);
        }
    }

    private async Task LookUpAsync(string claimName, long reply, CancellationToken ct)
    {
        try
        {
            var page = await _client.Ledger.ListLedgerEntriesAsync(new ListLedgerEntriesRequest { Subject = claimName, PageSize = 1 }, cancellationToken: ct);
            if (page.Entries.Count == 0)
            {
                throw new InvalidOperationException($"no ledger entry for {claimName}");
            }

            lock (_pending)
            {
                _pending.Add((page.Entries[0].Sequence, reply));
                Resolve();
            }
        }
        catch (Exception e) when (ct.IsCancellationRequested && e is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled })
        {
        }
        catch (Exception e) when (e is RpcException or InvalidOperationException or IOException or HttpRequestException)
        {
            _errors.Record(e);
        }
    }

    private async Task PollAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                long size;
                try
                {
                    size = (await _client.Ledger.GetCheckpointAsync(new GetCheckpointRequest(), cancellationToken: ct)).TreeSize;
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.FailedPrecondition)
                {
                    size = 0; // no checkpoint yet
                }

                var seen = Stopwatch.GetTimestamp();
                lock (_pending)
                {
                    if (_observations.Count == 0 || size > _observations[^1].TreeSize)
                    {
                        _observations.Add((seen, size));
                    }

                    Resolve();
                }

                await Task.Delay(PollInterval, ct);
            }
            catch (Exception e) when (ct.IsCancellationRequested && e is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled })
            {
                return;
            }
            catch (Exception e) when (e is RpcException or IOException or HttpRequestException)
            {
                _errors.Record(e);
            }
        }
    }

    /// <summary>Under the lock: every pending sample that an observed checkpoint covers gets its delay.</summary>
    private void Resolve()
    {
        if (!_expectCoverage || _observations.Count == 0)
        {
            return;
        }

        for (var i = _pending.Count - 1; i >= 0; i--)
        {
            var (sequence, reply) = _pending[i];
            var first = _observations.FindIndex(o => o.TreeSize >= sequence);
            if (first < 0)
            {
                continue;
            }

            _delaysMs.Add(Math.Max(0, Stopwatch.GetElapsedTime(reply, _observations[first].Time).TotalMilliseconds));
            _pending.RemoveAt(i);
        }
    }

    /// <summary>Nearest-rank percentile.</summary>
    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);
}
