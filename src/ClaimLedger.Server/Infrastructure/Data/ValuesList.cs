using System.Text;
using System.Text.RegularExpressions;
using Dapper;

namespace ClaimLedger.Server.Infrastructure.Data;

/// <summary>
/// Many rows in one statement, in the SQL both engines speak: <c>VALUES (…), (…)</c> with a parameter per value. For
/// the set writes of a bulk command (a staleness sweep's batch), which would otherwise be a statement — on PostgreSQL
/// a round trip — per row. Rows are sent <see cref="RowsPerStatement"/> at a time, far below either engine's limit on
/// parameters (SQLite 32,766; PostgreSQL 65,535).
/// </summary>
internal static partial class ValuesList
{
    public const int RowsPerStatement = 128;

    /// <summary>
    /// Runs <paramref name="sql"/> (which holds <c>{values}</c> where the rows go) for <paramref name="rows"/>, a
    /// statement per <see cref="RowsPerStatement"/> rows. <paramref name="row"/> is one row's tuple with its parameters
    /// named <c>@Name</c>, and <paramref name="values"/> gives those parameters for an item; each row's copies are
    /// renamed <c>@Name_i</c>. Returns what the statements return (e.g. through RETURNING), in statement order.
    /// </summary>
    public static async Task<List<TResult>> QueryAsync<TItem, TResult>(DbSession db, string sql, string row, IReadOnlyList<TItem> rows,
        Func<TItem, object?[]> values, CancellationToken ct)
    {
        var names = ParameterName().Matches(row).Select(m => m.Groups[1].Value).Distinct().ToArray();
        var results = new List<TResult>(rows.Count);
        foreach (var chunk in rows.Chunk(RowsPerStatement))
        {
            var (text, parameters) = Build(sql, row, names, chunk, values);
            results.AddRange(await db.QueryAsync<TResult>(text, parameters, ct));
        }

        return results;
    }

    /// <summary>As <see cref="QueryAsync{TItem,TResult}"/>, for statements that return nothing; returns the rows changed.</summary>
    public static async Task<int> ExecuteAsync<TItem>(DbSession db, string sql, string row, IReadOnlyList<TItem> rows, Func<TItem, object?[]> values,
        CancellationToken ct)
    {
        var names = ParameterName().Matches(row).Select(m => m.Groups[1].Value).Distinct().ToArray();
        var changed = 0;
        foreach (var chunk in rows.Chunk(RowsPerStatement))
        {
            var (text, parameters) = Build(sql, row, names, chunk, values);
            changed += await db.ExecuteAsync(text, parameters, ct);
        }

        return changed;
    }

    private static (string Sql, DynamicParameters Parameters) Build<TItem>(string sql, string row, string[] names, TItem[] items, Func<TItem, object?[]> values)
    {
        var list = new StringBuilder();
        var parameters = new DynamicParameters();
        for (var i = 0; i < items.Length; i++)
        {
            var given = values(items[i]);
            if (given.Length != names.Length)
            {
                throw new ArgumentException($"The row names {names.Length} parameters ({string.Join(", ", names)}) but {given.Length} values were given.");
            }

            var suffix = $"_{i}";
            list.Append(i == 0 ? "" : ", ").Append(ParameterName().Replace(row, m => m.Value + suffix));
            for (var n = 0; n < names.Length; n++)
            {
                parameters.Add(names[n] + suffix, given[n]);
            }
        }

        return (sql.Replace("{values}", list.ToString(), StringComparison.Ordinal), parameters);
    }

    [GeneratedRegex(@"@([A-Za-z][A-Za-z0-9]*)\b")]
    private static partial Regex ParameterName();
}
