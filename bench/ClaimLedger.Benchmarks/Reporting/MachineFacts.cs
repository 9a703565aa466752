using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace ClaimLedger.Benchmarks.Reporting;

/// <summary>What the numbers were measured on. Client and server share this machine.</summary>
public sealed record MachineFacts(
    string Cpu,
    int LogicalCores,
    long MemoryBytes,
    string Os,
    string Runtime,
    string TempFilesystem,
    string? GitCommit,
    bool? GitDirty)
{
    public static MachineFacts Collect(string repoRoot, string tempDirectory) => new(
        CpuModel(),
        Environment.ProcessorCount,
        TotalMemory(),
        RuntimeInformation.OSDescription,
        $"{RuntimeInformation.FrameworkDescription} ({RuntimeInformation.RuntimeIdentifier})",
        Filesystem(tempDirectory),
        Git(repoRoot, "rev-parse", "HEAD"),
        Git(repoRoot, "status", "--porcelain", "--untracked-files=no") is { } status ? status.Length > 0 : null);

    private static string CpuModel()
    {
        const string path = "/proc/cpuinfo";
        if (File.Exists(path))
        {
            var model = File.ReadLines(path).FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            if (model is not null)
            {
                return model[(model.IndexOf(':') + 1)..].Trim();
            }
        }

        return RuntimeInformation.ProcessArchitecture.ToString();
    }

    private static long TotalMemory()
    {
        const string path = "/proc/meminfo";
        if (File.Exists(path))
        {
            var line = File.ReadLines(path).FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            if (line is not null && long.TryParse(line["MemTotal:".Length..].Replace("kB", "", StringComparison.Ordinal).Trim(),
                    NumberStyles.None, CultureInfo.InvariantCulture, out var kb))
            {
                return kb * 1024;
            }
        }

        return GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
    }

    /// <summary>The file system type of the mount holding <paramref name="directory"/> (from /proc/mounts), with its device.</summary>
    private static string Filesystem(string directory)
    {
        const string path = "/proc/mounts";
        if (!File.Exists(path))
        {
            return "unknown";
        }

        var full = Path.GetFullPath(directory);
        var best = (Mount: "", Description: "unknown");
        foreach (var line in File.ReadLines(path))
        {
            var parts = line.Split(' ');
            if (parts.Length < 3)
            {
                continue;
            }

            var mount = parts[1].Replace("\\040", " ", StringComparison.Ordinal);
            var covers = full == mount || full.StartsWith(mount.EndsWith('/') ? mount : mount + "/", StringComparison.Ordinal);
            if (covers && mount.Length >= best.Mount.Length)
            {
                best = (mount, $"{parts[2]} ({parts[0]} on {mount})");
            }
        }

        return best.Description;
    }

    private static string? Git(string repoRoot, params string[] args)
    {
        try
        {
            var psi = new ProcessStartInfo("git") { WorkingDirectory = repoRoot, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in args)
            {
                psi.ArgumentList.Add(arg);
            }

            using var git = Process.Start(psi);
            if (git is null)
            {
                return null;
            }

            var output = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return git.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // no git
        }
    }
}
