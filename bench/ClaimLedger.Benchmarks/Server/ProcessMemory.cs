using System.Globalization;

namespace ClaimLedger.Benchmarks.Server;

/// <summary>
/// Resident memory of a process from /proc/&lt;pid&gt;/status: current (VmRSS) and peak (VmHWM), in bytes, and what the
/// current one is made of: anonymous memory (heaps, caches, stacks), mapped files (code) and shared memory (the
/// runtime's double-mapped JIT code).
/// </summary>
public sealed record ProcessMemory(long RssBytes, long PeakRssBytes)
{
    public long AnonymousBytes { get; init; }

    public long FileBytes { get; init; }

    public long SharedBytes { get; init; }

    public static ProcessMemory? Read(int pid)
    {
        var path = $"/proc/{pid}/status";
        if (!OperatingSystem.IsLinux() || !File.Exists(path))
        {
            return null;
        }

        try
        {
            long rss = 0, hwm = 0, anonymous = 0, file = 0, shared = 0;
            foreach (var line in File.ReadLines(path))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    rss = Kilobytes(line) * 1024;
                }
                else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    hwm = Kilobytes(line) * 1024;
                }
                else if (line.StartsWith("RssAnon:", StringComparison.Ordinal))
                {
                    anonymous = Kilobytes(line) * 1024;
                }
                else if (line.StartsWith("RssFile:", StringComparison.Ordinal))
                {
                    file = Kilobytes(line) * 1024;
                }
                else if (line.StartsWith("RssShmem:", StringComparison.Ordinal))
                {
                    shared = Kilobytes(line) * 1024;
                }
            }

            return new ProcessMemory(rss, hwm) { AnonymousBytes = anonymous, FileBytes = file, SharedBytes = shared };
        }
        catch (IOException)
        {
            return null; // the process exited while we read
        }
    }

    // "VmRSS:\t  123456 kB"
    private static long Kilobytes(string line) =>
        long.Parse(line.AsSpan(line.IndexOf(':') + 1).Trim().TrimEnd("kB").Trim(), NumberStyles.None, CultureInfo.InvariantCulture);
}

/// <summary>Samples a process's VmRSS every <c>interval</c> until disposed; keeps the minimum, maximum and count.</summary>
public sealed class MemorySampler : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public MemorySampler(int pid, TimeSpan interval)
    {
        _loop = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(interval);
            do
            {
                if (ProcessMemory.Read(pid) is { } m)
                {
                    Samples++;
                    MaxRssBytes = Math.Max(MaxRssBytes, m.RssBytes);
                    MinRssBytes = MinRssBytes == 0 ? m.RssBytes : Math.Min(MinRssBytes, m.RssBytes);
                }
            }
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false));
        });
    }

    public long MaxRssBytes { get; private set; }

    public long MinRssBytes { get; private set; }

    public int Samples { get; private set; }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }
}
