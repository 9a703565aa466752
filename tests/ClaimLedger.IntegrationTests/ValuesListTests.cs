using ClaimLedger.IntegrationTests.Infrastructure;
using ClaimLedger.Server.Infrastructure.Data;
using Microsoft.Extensions.DependencyInjection;

namespace ClaimLedger.IntegrationTests;

/// <summary>
/// The multi-row statements of the bulk commands, on the service's own engine: rows beyond one statement's share go
/// in further statements, every value arrives as given (quotes, other scripts, nulls), and RETURNING gives every row.
/// </summary>
public sealed class ValuesListTests : IDisposable
{
    private readonly ClaimLedgerServer _server = new();

    [Fact]
    public async Task RowsSpanningSeveralStatements_AreEachInsertedOnce_WithTheirValues()
    {
        await using var scope = _server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbSession>();
        await db.ConnectionAsync(CancellationToken.None); // one connection for the temporary table
        await db.ExecuteAsync("CREATE TEMPORARY TABLE values_list_test (n BIGINT PRIMARY KEY, s TEXT NULL)", null, CancellationToken.None);
        var rows = Enumerable.Range(1, ValuesList.RowsPerStatement * 2 + 3)
            .Select(n => (N: (long)n, S: n % 7 == 0 ? null : $"row {n}: 'quoted' \"twice\" — проверка 核实 @N_{n} {{values}}"))
            .ToList();

        var returned = await ValuesList.QueryAsync<(long N, string? S), (long N, string? S)>(db,
            "INSERT INTO values_list_test (n, s) VALUES {values} RETURNING n AS N, s AS S", "(@N, @S)", rows, r => [r.N, r.S], CancellationToken.None);

        returned.OrderBy(r => r.N).ShouldBe(rows);
        (await db.QueryAsync<(long N, string? S)>("SELECT n AS N, s AS S FROM values_list_test ORDER BY n", null, CancellationToken.None)).ShouldBe(rows);
        var changed = await ValuesList.ExecuteAsync(db, "INSERT INTO values_list_test (n, s) VALUES {values}", "(@N, @S)",
            rows.Select(r => (N: r.N + 1000, r.S)).ToList(), r => [r.N, r.S], CancellationToken.None);
        changed.ShouldBe(rows.Count);
    }

    [Fact]
    public async Task ARowGivenTheWrongNumberOfValues_IsRefusedBeforeAnythingRuns()
    {
        await using var scope = _server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbSession>();

        await Should.ThrowAsync<ArgumentException>(() => ValuesList.ExecuteAsync(db, "INSERT INTO nowhere (a, b) VALUES {values}", "(@A, @B)",
            new[] { 1 }, _ => [1], CancellationToken.None));
    }

    public void Dispose() => _server.Dispose();
}
