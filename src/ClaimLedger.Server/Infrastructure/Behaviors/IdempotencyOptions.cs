namespace ClaimLedger.Server.Infrastructure.Behaviors;

/// <summary>The "Idempotency" settings: how long request ids are honoured, and how their expired records are purged (ADR 25).</summary>
public sealed class IdempotencyOptions
{
    public const string Section = "Idempotency";

    /// <summary>The shortest <see cref="Retention"/> accepted: a request id must outlive a client's retries across a restart.</summary>
    public static readonly TimeSpan MinRetention = TimeSpan.FromMinutes(1);

    /// <summary>The longest <see cref="Retention"/> accepted (ten years); for "forever", turn <see cref="Expire"/> off.</summary>
    public static readonly TimeSpan MaxRetention = TimeSpan.FromDays(3650);

    /// <summary>Whether request ids expire at all (default true). Off, every request id is honoured forever and nothing is purged.</summary>
    public bool Expire { get; set; } = true;

    /// <summary>
    /// How long after its first success a request id is honoured (default 7 days). A retry within it replays the first
    /// response; after it, the id is unknown again: the same request runs as a new one, whether or not its record has
    /// been purged yet.
    /// </summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often (wall-clock time) the purge looks for expired records (default 10 minutes).</summary>
    public TimeSpan PurgeInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Most records deleted in one write transaction (default 2000): one batch holds the writer for milliseconds.</summary>
    public int PurgeBatchSize { get; set; } = 2000;

    /// <summary>The oldest create_time still honoured at <paramref name="now"/>, or null when request ids never expire.</summary>
    public DateTimeOffset? Cutoff(DateTimeOffset now) => Expire ? now - Retention : null;

    /// <summary>Registers the options, refused at start when invalid.</summary>
    public static void Register(IServiceCollection services, IConfiguration configuration) =>
        services.AddOptions<IdempotencyOptions>()
            .Bind(configuration.GetSection(Section))
            .Validate(o => !o.Expire || (o.Retention >= MinRetention && o.Retention <= MaxRetention),
                $"Idempotency:Retention must be between {MinRetention:c} and {MaxRetention.Days} days (to keep request ids forever, set Idempotency:Expire to false).")
            .Validate(o => o.PurgeInterval >= TimeSpan.FromMilliseconds(10) && o.PurgeInterval <= TimeSpan.FromDays(1),
                "Idempotency:PurgeInterval must be between 00:00:00.010 and 1.00:00:00.")
            .Validate(o => o.PurgeBatchSize is >= 1 and <= 100_000, "Idempotency:PurgeBatchSize must be between 1 and 100000.")
            .ValidateOnStart();
}
