using System.Globalization;

namespace ClaimLedger.Server.Infrastructure.Hosting;

/// <summary>
/// The garbage collector's first-generation budget (ADR 31): how much the server allocates between two collections.
/// The runtime sizes it from the processor's cache as the operating system reports it; where that report is missing
/// (virtual machines without cache topology in /sys, such as the benchmark's), it falls back to a budget of about a
/// megabyte, and VerifyLedger and the audit report then spend about half of their time collecting, a staleness sweep a
/// sixth. Only the environment variable <c>DOTNET_GCgen0size</c> (hexadecimal bytes), read before any code of ours runs,
/// changes it: the README's run command sets 32 MiB (launchSettings.json), as the benchmark does for the server it starts.
/// </summary>
public static class GarbageCollection
{
    /// <summary>The budget the README's command and the benchmark give the server: 32 MiB.</summary>
    public const string RecommendedGen0Size = "0x2000000";

    public const string Gen0SizeVariable = "DOTNET_GCgen0size";

    /// <summary>The start-up log's words for the budget in force, from the process's environment.</summary>
    public static string DescribeGen0Budget(Func<string, string?> environment)
    {
        var value = environment(Gen0SizeVariable) ?? environment("COMPlus_GCgen0size");
        if (string.IsNullOrWhiteSpace(value))
        {
            return $"the runtime's own (from the processor's cache; {Gen0SizeVariable}={RecommendedGen0Size} sets 32 MiB, ADR 31)";
        }

        var hex = value.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? value[2..] : value;
        return long.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var bytes) && bytes > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024.0):0.##} MiB ({Gen0SizeVariable})")
            : $"the runtime's own ({Gen0SizeVariable}={Shorten(value)} is not a hexadecimal byte count above zero)";
    }

    private static string Shorten(string value) => value.Length <= 32 ? value : value[..32] + "…";
}
