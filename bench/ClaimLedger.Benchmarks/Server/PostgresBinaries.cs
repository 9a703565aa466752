using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace ClaimLedger.Benchmarks.Server;

/// <summary>
/// Where the PostgreSQL programs the benchmark runs are (initdb, postgres, pgbench), and as whom it runs the server:
/// PostgreSQL refuses to run as root, so a benchmark running as root starts it as <c>nobody</c> through setpriv.
/// </summary>
public sealed class PostgresBinaries
{
    /// <summary>Environment variable naming the folder of initdb, postgres and pgbench (as for the integration tests).</summary>
    public const string BinDirectoryVariable = "CLAIMLEDGER_PG_BINDIR";

    /// <summary>Where Debian's postgresql package (PostgreSQL 15) puts the server binaries.</summary>
    public const string DefaultBinDirectory = "/usr/lib/postgresql/15/bin";

    private const string Unprivileged = "nobody";

    private PostgresBinaries(string binDirectory, string pgbench, string? setpriv, Account? runAs)
    {
        BinDirectory = binDirectory;
        PgBench = pgbench;
        Setpriv = setpriv;
        RunAs = runAs;
    }

    public string BinDirectory { get; }

    public string PgBench { get; }

    /// <summary>util-linux's setpriv: starts the server as another user and arms its parent-death signal.</summary>
    public string? Setpriv { get; }

    /// <summary>The account initdb and postgres run as when the benchmark runs as root; null when they run as the current user.</summary>
    public Account? RunAs { get; }

    /// <summary>
    /// The binaries of $CLAIMLEDGER_PG_BINDIR, else of /usr/lib/postgresql/15/bin (pgbench there or /usr/bin/pgbench);
    /// or a one-line reason why the benchmark cannot start PostgreSQL here and how to fix that.
    /// </summary>
    public static (PostgresBinaries? Binaries, string? Problem) Find()
    {
        const string Install = "install Debian's postgresql package (apt-get install postgresql)";
        var configured = Environment.GetEnvironmentVariable(BinDirectoryVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : null;
        var binDirectory = configured ?? DefaultBinDirectory;
        var missing = new[] { "initdb", "postgres" }.Where(p => !File.Exists(Path.Combine(binDirectory, p))).ToList();
        if (missing.Count > 0)
        {
            return (null, $"--database postgresql needs PostgreSQL's server binaries, but {string.Join(" and ", missing)} {(missing.Count == 1 ? "is" : "are")} not in {binDirectory}" +
                (configured is null ? $": {Install}, or set {BinDirectoryVariable} to a folder that has them." : $" ({BinDirectoryVariable}): point it at a folder that has them, or {Install}."));
        }

        var pgbench = new[] { Path.Combine(binDirectory, "pgbench"), "/usr/bin/pgbench" }.FirstOrDefault(File.Exists);
        if (pgbench is null)
        {
            return (null, $"--database postgresql needs pgbench (PostgreSQL's own write floor), not found in {binDirectory} nor /usr/bin: {Install}.");
        }

        var setpriv = new[] { "/usr/bin/setpriv", "/bin/setpriv" }.FirstOrDefault(File.Exists);
        if (GetEffectiveUserId() != 0)
        {
            return (new PostgresBinaries(binDirectory, pgbench, setpriv, null), null);
        }

        var account = FindAccount(Unprivileged);
        if (setpriv is null || account is null)
        {
            return (null, $"The benchmark runs as root, which PostgreSQL refuses, and cannot start it as '{Unprivileged}': " +
                (setpriv is null ? "setpriv (util-linux) is missing." : $"there is no user '{Unprivileged}'."));
        }

        return (new PostgresBinaries(binDirectory, pgbench, setpriv, account), null);
    }

    /// <summary>
    /// How to start <paramref name="program"/> (initdb, postgres, pgbench): as the server's account when
    /// <paramref name="asServerAccount"/>, with SIGQUIT on the parent's death when <paramref name="parentDeathSignal"/>,
    /// and without the caller's PG* variables (they must not point these programs elsewhere).
    /// </summary>
    public ProcessStartInfo StartInfo(string program, IEnumerable<string> arguments, string workingDirectory, bool asServerAccount, bool parentDeathSignal)
    {
        var start = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory, // the account may not be able to enter the benchmark's own working directory
        };
        var executable = program == "pgbench" ? PgBench : Path.Combine(BinDirectory, program);
        var account = asServerAccount ? RunAs : null;
        if (Setpriv is { } setpriv && (account is not null || parentDeathSignal))
        {
            start.FileName = setpriv;
            if (account is not null)
            {
                start.ArgumentList.Add($"--reuid={account.Uid}");
                start.ArgumentList.Add($"--regid={account.Gid}");
                start.ArgumentList.Add("--clear-groups");
            }

            if (parentDeathSignal)
            {
                start.ArgumentList.Add("--pdeathsig=SIGQUIT");
            }

            start.ArgumentList.Add("--");
            start.ArgumentList.Add(executable);
        }
        else
        {
            start.FileName = executable;
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("PG", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["LC_MESSAGES"] = "C";
        return start;
    }

    private static Account? FindAccount(string name)
    {
        if (!File.Exists("/etc/passwd"))
        {
            return null;
        }

        foreach (var line in File.ReadLines("/etc/passwd"))
        {
            var fields = line.Split(':');
            if (fields.Length >= 4 && fields[0] == name
                && int.TryParse(fields[2], CultureInfo.InvariantCulture, out var uid) && int.TryParse(fields[3], CultureInfo.InvariantCulture, out var gid))
            {
                return new Account(name, uid, gid);
            }
        }

        return null;
    }

    [DllImport("libc", EntryPoint = "geteuid")]
    private static extern int GetEffectiveUserId();

    /// <summary>An unprivileged account to run PostgreSQL as.</summary>
    public sealed record Account(string Name, int Uid, int Gid);
}
