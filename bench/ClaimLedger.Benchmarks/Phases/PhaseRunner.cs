using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Grpc.Core;

namespace ClaimLedger.Benchmarks.Phases;

/// <summary>Throughput, latency percentiles and errors of one phase.</summary>
public sealed record PhaseResult(
    string Name,
    long Calls,
    double Seconds,
    double PerSecond,
    double P50Ms,
    double P95Ms,
    double P99Ms,
    double MaxMs,
    long Errors,
    long Rejections,
    IReadOnlyList<string> ErrorSamples,
    string? Note = null);

/// <summary>
/// Non-OK statuses of a phase. A near-duplicate refusal of CreateClaim (ALREADY_EXISTS) is counted as a rejection;
/// everything else is an error. Both are kept with the first few distinct messages (ids replaced by "{id}").
/// </summary>
public sealed partial class ErrorLog
{
    private const int MaxSamples = 5;
    private readonly ConcurrentDictionary<string, int> _samples = new(StringComparer.Ordinal);
    private long _errors;
    private long _rejections;

    public long Errors => Interlocked.Read(ref _errors);

    public long Rejections => Interlocked.Read(ref _rejections);

    public IReadOnlyList<string> Samples => _samples.Keys.Order(StringComparer.Ordinal).ToList();

    public static bool IsRejection(RpcException e) => e.StatusCode == StatusCode.AlreadyExists;

    public void Record(Exception e)
    {
        var message = e is RpcException rpc ? $"{rpc.StatusCode}: {rpc.Status.Detail}" : $"{e.GetType().Name}: {e.Message}";
        if (e is RpcException r && IsRejection(r))
        {
            Interlocked.Increment(ref _rejections);
            message = "rejected as near-duplicate: " + message;
        }
        else
        {
            Interlocked.Increment(ref _errors);
        }

        if (_samples.Count < MaxSamples)
        {
            _samples.TryAdd(Ids().Replace(message, "{id}"), 0);
        }
    }

    [GeneratedRegex("[0-9a-f]{32}")]
    private static partial Regex Ids();
}

/// <summary>Runs the clients' loops and measures them.</summary>
public static class PhaseRunner
{
    /// <summary>
    /// Every client loops on <paramref name="call"/> for <paramref name="warmup"/> + <paramref name="duration"/>; calls
    /// started after the warm-up are measured. A call returning false means "no work left" (an exhausted pool) and
    /// stops that client; the phase then reports how far it got. Errors during the warm-up are counted too.
    /// </summary>
    public static async Task<PhaseResult> RunTimedAsync(
        string name,
        IReadOnlyList<BenchClient> clients,
        Func<BenchClient, CancellationToken, Task<bool>> call,
        TimeSpan warmup,
        TimeSpan duration,
        CancellationToken ct)
    {
        var errors = new ErrorLog();
        var latencies = new List<long>[clients.Count];
        var start = Stopwatch.GetTimestamp();
        var measureFrom = start + Ticks(warmup);
        var end = measureFrom + Ticks(duration);
        var exhausted = 0;
        var lastMeasuredEnd = measureFrom;

        await Task.WhenAll(clients.Select(client => Task.Run(async () =>
        {
            var mine = latencies[client.Index] = new List<long>(4096);
            long myLastEnd = 0;
            while (!ct.IsCancellationRequested)
            {
                var t0 = Stopwatch.GetTimestamp();
                if (t0 >= end)
                {
                    break;
                }

                bool more;
                try
                {
                    more = await call(client, ct);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception e) when (e is RpcException or InvalidOperationException or IOException or HttpRequestException)
                {
                    errors.Record(e);
                    more = true;
                }

                var t1 = Stopwatch.GetTimestamp();
                if (!more)
                {
                    Interlocked.Increment(ref exhausted);
                    break;
                }

                if (t0 >= measureFrom)
                {
                    mine.Add(t1 - t0);
                    myLastEnd = t1;
                }
            }

            lock (latencies)
            {
                lastMeasuredEnd = Math.Max(lastMeasuredEnd, myLastEnd);
            }
        }, ct)));
        ct.ThrowIfCancellationRequested();

        // A phase cut short by an exhausted pool is measured up to its last call, not to the planned end.
        var measuredEnd = exhausted > 0 ? Math.Min(end, lastMeasuredEnd) : end;
        var seconds = Math.Max(Stopwatch.GetElapsedTime(measureFrom, measuredEnd).TotalSeconds, 1e-6);
        var note = exhausted > 0 ? $"pool exhausted after {seconds:0.0} s of {duration.TotalSeconds:0.#} s" : null;
        return Summarise(name, latencies, seconds, errors, note);
    }

    /// <summary>
    /// The clients share <paramref name="count"/> work items; each item is attempted until one call succeeds (a
    /// rejected or failed attempt is counted and retried with a fresh attempt number, up to 5 times). Every attempt
    /// is measured; throughput is successful items per second of wall time.
    /// </summary>
    public static async Task<PhaseResult> RunCountedAsync(
        string name,
        IReadOnlyList<BenchClient> clients,
        long count,
        Func<BenchClient, long, CancellationToken, Task> call,
        Action<string>? progress,
        CancellationToken ct)
    {
        const int maxAttempts = 5;
        var errors = new ErrorLog();
        var latencies = new List<long>[clients.Count];
        long next = -1, done = 0, abandoned = 0;
        var start = Stopwatch.GetTimestamp();
        using var reporter = progress is null ? null : new Timer(_ =>
        {
            var d = Interlocked.Read(ref done);
            var elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
            progress($"{name}: {d:N0}/{count:N0} ({d / Math.Max(elapsed, 1e-3):N0}/s, {errors.Errors:N0} errors, {errors.Rejections:N0} rejections)");
        }, null, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10));

        await Task.WhenAll(clients.Select(client => Task.Run(async () =>
        {
            var mine = latencies[client.Index] = new List<long>(1024);
            while (!ct.IsCancellationRequested)
            {
                var item = Interlocked.Increment(ref next);
                if (item >= count)
                {
                    break;
                }

                for (var attempt = 0; ; attempt++)
                {
                    var t0 = Stopwatch.GetTimestamp();
                    try
                    {
                        await call(client, item, ct);
                        mine.Add(Stopwatch.GetTimestamp() - t0);
                        Interlocked.Increment(ref done);
                        break;
                    }
                    catch (OperationCanceledException) when (ct.IsCancellationRequested)
                    {
                        return;
                    }
                    catch (Exception e) when (e is RpcException or InvalidOperationException or IOException or HttpRequestException)
                    {
                        mine.Add(Stopwatch.GetTimestamp() - t0);
                        errors.Record(e);
                        if (attempt + 1 >= maxAttempts)
                        {
                            Interlocked.Increment(ref abandoned);
                            break;
                        }
                    }
                }
            }
        }, ct)));
        ct.ThrowIfCancellationRequested();

        var seconds = Math.Max(Stopwatch.GetElapsedTime(start).TotalSeconds, 1e-6);
        var result = Summarise(name, latencies, seconds, errors, abandoned > 0 ? $"{abandoned:N0} items abandoned after {maxAttempts} attempts" : null);
        return result with { Calls = done, PerSecond = done / seconds };
    }

    private static PhaseResult Summarise(string name, List<long>[] perClient, double seconds, ErrorLog errors, string? note)
    {
        var all = new long[perClient.Sum(l => l?.Count ?? 0)];
        var offset = 0;
        foreach (var list in perClient)
        {
            if (list is null)
            {
                continue;
            }

            list.CopyTo(all, offset);
            offset += list.Count;
        }

        Array.Sort(all);
        return new PhaseResult(
            name,
            all.Length,
            seconds,
            all.Length / seconds,
            Percentile(all, 0.50),
            Percentile(all, 0.95),
            Percentile(all, 0.99),
            all.Length == 0 ? 0 : Ms(all[^1]),
            errors.Errors,
            errors.Rejections,
            errors.Samples,
            note);
    }

    /// <summary>Nearest-rank percentile, in milliseconds.</summary>
    private static double Percentile(long[] sorted, double p) =>
        sorted.Length == 0 ? 0 : Ms(sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)]);

    private static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    private static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);
}
