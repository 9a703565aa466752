using Microsoft.Data.Sqlite;

namespace ClaimLedger.IntegrationTests.Infrastructure;

/// <summary>Direct reads of the server's SQLite file, to prove what was (or was not) written.</summary>
public static class Db
{
    public static long Scalar(string databasePath, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={databasePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Changes the file behind the service's back, as an attacker with write access or a test injecting a fault would.
    /// Busy-waits on the service's write lock like any other writer.
    /// </summary>
    public static void Execute(string databasePath, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={databasePath};Pooling=False;Default Timeout=30");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>Row counts of every table that a write can touch, to compare before and after a failed request.</summary>
    public static string Snapshot(string databasePath) => string.Join(", ",
        new[] { "claims", "claim_topics", "sources", "evidence", "verdicts", "verdict_evidence", "claim_events", "idempotency_keys", "ledger_entries", "api_keys", "published_reviews" }
            .Select(t => $"{t}={Scalar(databasePath, $"SELECT count(*) FROM {t}")}"))
        + $", revisions={Scalar(databasePath, "SELECT coalesce(sum(revision), 0) FROM claims")}";
}
