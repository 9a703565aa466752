using System.Runtime.InteropServices;

namespace ClaimLedger.Server.Infrastructure.Hosting;

/// <summary>
/// The native heap's arenas (<c>Server:NativeHeapArenas</c>, ADR 27). glibc's malloc gives a thread that finds the heap
/// busy an arena of its own, up to eight per core, and each arena keeps the pages it once held. SQLite's page caches and
/// statements and the runtime's own native allocations are made from whichever thread runs them, so under many
/// concurrent calls they spread over every arena the process may have. A small cap keeps that memory in a few arenas.
/// </summary>
public static class NativeHeap
{
    /// <summary>The default cap: on 2 cores with 64 clients it moved no benchmark phase beyond the spread (ADR 27).</summary>
    public const int DefaultArenas = 2;

    public const string Setting = "Server:NativeHeapArenas";

    private const int M_ARENA_MAX = -8; // malloc.h

    [DllImport("libc", EntryPoint = "mallopt", ExactSpelling = true)]
    private static extern int MallOpt(int parameter, int value);

    /// <summary>
    /// Caps glibc's malloc arenas at <paramref name="arenas"/> for the rest of the process's life; 0 or less leaves
    /// glibc's default. True when the cap took effect; false where there is no glibc (other C libraries, other systems),
    /// where it changes nothing. glibc fixes its limit the first time it needs one, so call it early at start-up.
    /// </summary>
    public static bool TryLimitArenas(int arenas)
    {
        if (arenas <= 0 || !OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            return MallOpt(M_ARENA_MAX, arenas) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }
}
