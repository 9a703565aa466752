using ClaimLedger.IntegrationTests.Infrastructure;
using ClaimLedger.Server.Infrastructure.Data;
using Microsoft.Extensions.DependencyInjection;

namespace ClaimLedger.IntegrationTests;

/// <summary>
/// Many rows sent as one parameter and read as a table (the bulk commands' set writes), on the service's own engine:
/// every value arrives exactly as given — quotes, escapes, control characters, other scripts, emoji, nulls, the
/// largest integers — in inserts and in an UPDATE … FROM.
/// </summary>
public sealed class JsonRowsTests : IDisposable
{
    private readonly ClaimLedgerServer _server = new();

    private static readonly string[] Texts =
    [
        "plain", "", "'single' \"double\" \\back\\slash", "tab\tnew\nline\rreturn \u0001\u001f", "проверка фактов", "核实声明", "تحقق",
        "emoji 🧾✅ and a surrogate pair 𝄞", "{\"looks\":\"like json\"}", "r.value ->> 0; DROP TABLE claims; --",
        "line\u2028separator, paragraph\u2029separator, delete \u007f, no-break\u00a0space", "\\u0041 is not A",
    ];

    [Fact]
    public async Task RowsSentAsOneParameter_ArriveExactlyAsGiven()
    {
        await using var scope = _server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbSession>();
        await db.ConnectionAsync(CancellationToken.None); // one connection for the temporary table
        await db.ExecuteAsync("CREATE TEMPORARY TABLE json_rows_test (n BIGINT PRIMARY KEY, s TEXT NULL, t TEXT NULL)", null, CancellationToken.None);
        var rows = Enumerable.Range(0, 300)
            .Select(i => (N: i == 0 ? long.MaxValue : i == 1 ? long.MinValue : (long)i, S: i % 11 == 10 ? null : Texts[i % Texts.Length], T: (string?)$"row {i}"))
            .ToList();

        var inserted = await db.ExecuteAsync($"""
            INSERT INTO json_rows_test (n, s, t)
            SELECT CAST(r.value ->> 0 AS BIGINT), r.value ->> 1, r.value ->> 2 FROM {db.JsonRows("@Rows", "r")}
            """, new { Rows = JsonRows.Of(rows, r => [r.N, r.S, r.T]) }, CancellationToken.None);
        var updated = await db.ExecuteAsync($"""
            UPDATE json_rows_test SET t = r.value ->> 1
            FROM {db.JsonRows("@Rows", "r")}
            WHERE json_rows_test.n = CAST(r.value ->> 0 AS BIGINT)
            """, new { Rows = JsonRows.Of(rows.Where(r => r.N % 2 == 0), r => [r.N, r.S]) }, CancellationToken.None);

        inserted.ShouldBe(rows.Count);
        updated.ShouldBe(rows.Count(r => r.N % 2 == 0));
        var expected = rows.Select(r => (r.N, r.S, T: r.N % 2 == 0 ? r.S : r.T)).OrderBy(r => r.N).ToList();
        (await db.QueryAsync<(long N, string? S, string? T)>("SELECT n AS N, s AS S, t AS T FROM json_rows_test", null, CancellationToken.None))
            .OrderBy(r => r.N).ToList().ShouldBe(expected);
    }

    [Fact]
    public void AValueThatIsNeitherTextNorAnIntegerNorNull_IsRefused()
    {
        Should.Throw<ArgumentException>(() => JsonRows.Of([1.5], v => [v]));
        Should.Throw<ArgumentException>(() => JsonRows.Of(["lone \ud800 surrogate"], v => [v]));
        JsonRows.Of([("a\"b", 7L, (string?)null)], r => [r.Item1, r.Item2, r.Item3]).ShouldBe("[[\"a\\\"b\",7,null]]");
        // The measured length holds at the edges: no rows, a row of no values, negative and extreme integers.
        JsonRows.Of(Array.Empty<int>(), v => [v]).ShouldBe("[]");
        JsonRows.Of([1, 2], _ => []).ShouldBe("[[],[]]");
        JsonRows.Of([long.MinValue], v => [v, -1, 0, int.MaxValue]).ShouldBe("[[-9223372036854775808,-1,0,2147483647]]");
    }

    public void Dispose() => _server.Dispose();
}
