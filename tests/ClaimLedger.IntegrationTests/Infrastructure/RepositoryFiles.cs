namespace ClaimLedger.IntegrationTests.Infrastructure;

/// <summary>Files of the repository the tests run in (the README, migrations, deployment samples).</summary>
public static class RepositoryFiles
{
    /// <summary>The full path of <paramref name="relative"/> under the repository root (the folder of ClaimLedger.sln).</summary>
    public static string PathOf(string relative)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "ClaimLedger.sln")))
            {
                return System.IO.Path.Combine(directory.FullName, relative);
            }
        }

        throw new InvalidOperationException("The tests run outside the repository: ClaimLedger.sln not found above " + AppContext.BaseDirectory);
    }
}
