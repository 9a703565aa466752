using ClaimLedger.Benchmarks.Ceilings;
using ClaimLedger.Benchmarks.Dataset;
using Microsoft.Data.Sqlite;
using Shouldly;

namespace ClaimLedger.UnitTests.Benchmarks;

/// <summary>
/// The raw-storage ceiling's fill (bench/README.md): at quick sizes it grows its database while the SubmitVerdict pool
/// is prepared and stops when the pool is ready; the rest is filled before the ceiling is measured, so the database
/// measured holds exactly the dataset's number of claims however early the first fill was stopped.
/// </summary>
public sealed class StorageCeilingFillTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"claimledger-ceiling-{Guid.NewGuid():N}.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        foreach (var file in new[] { _path, _path + "-wal", _path + "-shm" })
        {
            File.Delete(file);
        }
    }

    private static string SqliteMigrations()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ClaimLedger.sln")))
        {
            directory = directory.Parent;
        }

        return Path.Combine(directory.ShouldNotBeNull("the repository holding the tests").FullName, "migrations", "sqlite");
    }

    private long ClaimsInTheFile()
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _path, Mode = SqliteOpenMode.ReadOnly }.ToString());
        connection.Open();
        using var count = connection.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM claims";
        return (long)count.ExecuteScalar()!;
    }

    [Fact]
    public async Task AFillStoppedWhenThePoolIsReady_IsCompletedLater_ToExactlyTheDatasetsClaims()
    {
        const long target = 3 * StorageCeiling.BatchSize + 250;
        using var ceiling = StorageCeiling.Create(_path, SqliteMigrations(), new DatasetGenerator(20260101));

        // A pool already ready: nothing is written beside it.
        using (var ready = new CancellationTokenSource())
        {
            await ready.CancelAsync();
            ceiling.FillTo(target, CancellationToken.None, ready.Token);
            ceiling.Claims.ShouldBe(0);
        }

        // The pool becomes ready while the fill runs (after its first batch): the fill stops at the end of a batch.
        using (var poolReady = new CancellationTokenSource())
        {
            var fill = Task.Run(() => ceiling.FillTo(target, CancellationToken.None, poolReady.Token));
            while (ceiling.Claims == 0 && !fill.IsCompleted)
            {
                await Task.Delay(1);
            }

            await poolReady.CancelAsync();
            var seconds = await fill;
            seconds.ShouldBeGreaterThan(0);
            ceiling.Claims.ShouldBeGreaterThan(0);
            (ceiling.Claims % StorageCeiling.BatchSize == 0 || ceiling.Claims == target).ShouldBeTrue($"{ceiling.Claims} claims: whole batches, or done");
        }

        ClaimsInTheFile().ShouldBe(ceiling.Claims);

        // Before the ceiling is measured, the rest: exactly the dataset's claims, never more.
        ceiling.FillTo(target, CancellationToken.None);
        ceiling.Claims.ShouldBe(target);
        ClaimsInTheFile().ShouldBe(target);
        ceiling.FillTo(target, CancellationToken.None);
        ClaimsInTheFile().ShouldBe(target);
    }
}
