namespace ClaimLedger.IntegrationTests.Infrastructure;

/// <summary>
/// A fact about the SQLite engine itself (its file, its pragmas, its triggers' syntax…), which has no PostgreSQL
/// equivalent to check: it runs in the SQLite build and shows as skipped, with the reason, in the PostgreSQL build.
/// </summary>
/// <param name="reason">Why the test is SQLite-specific (shown after "SQLite-specific: ").</param>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SqliteOnlyFactAttribute(string reason) : FactAttribute
{
    /// <summary>Why the test is SQLite-specific.</summary>
    public string Reason { get; } = reason;

    /// <inheritdoc cref="FactAttribute.Skip" />
    public override string? Skip
    {
        get => base.Skip ?? (TestEngine.IsPostgreSql ? "SQLite-specific: " + Reason : null);
        set => base.Skip = value;
    }
}

/// <summary>A theory about the SQLite engine itself: runs in the SQLite build, skipped with the reason in the PostgreSQL build.</summary>
/// <param name="reason">Why the test is SQLite-specific (shown after "SQLite-specific: ").</param>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SqliteOnlyTheoryAttribute(string reason) : TheoryAttribute
{
    /// <summary>Why the test is SQLite-specific.</summary>
    public string Reason { get; } = reason;

    /// <inheritdoc cref="FactAttribute.Skip" />
    public override string? Skip
    {
        get => base.Skip ?? (TestEngine.IsPostgreSql ? "SQLite-specific: " + Reason : null);
        set => base.Skip = value;
    }
}

/// <summary>A fact about the PostgreSQL engine itself: runs in the PostgreSQL build, skipped with the reason in the SQLite build.</summary>
/// <param name="reason">Why the test is PostgreSQL-specific (shown after "PostgreSQL-specific: ").</param>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PostgresFactAttribute(string reason) : FactAttribute
{
    /// <summary>Why the test is PostgreSQL-specific.</summary>
    public string Reason { get; } = reason;

    /// <inheritdoc cref="FactAttribute.Skip" />
    public override string? Skip
    {
        get => base.Skip ?? (TestEngine.IsPostgreSql ? null : "PostgreSQL-specific: " + Reason);
        set => base.Skip = value;
    }
}

/// <summary>A theory about the PostgreSQL engine itself: runs in the PostgreSQL build, skipped with the reason in the SQLite build.</summary>
/// <param name="reason">Why the test is PostgreSQL-specific (shown after "PostgreSQL-specific: ").</param>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PostgresTheoryAttribute(string reason) : TheoryAttribute
{
    /// <summary>Why the test is PostgreSQL-specific.</summary>
    public string Reason { get; } = reason;

    /// <inheritdoc cref="FactAttribute.Skip" />
    public override string? Skip
    {
        get => base.Skip ?? (TestEngine.IsPostgreSql ? null : "PostgreSQL-specific: " + Reason);
        set => base.Skip = value;
    }
}
