namespace ClaimLedger.Server.Features.Transparency;

/// <summary>The "Ledger:Integration" and "Ledger:Checkpoints" settings (docs/ledger-format.md, ADR 20).</summary>
public sealed class TransparencyOptions
{
    /// <summary>
    /// Whether this instance runs the integrator at all (default true). Off, it adds nothing to the Merkle tree and signs
    /// no checkpoint; it still serves the checkpoints and proofs already made. For measuring the write path without the
    /// integrator beside it (bench/README.md), or for instances that should never integrate.
    /// </summary>
    public bool IntegrationEnabled { get; set; } = true;

    /// <summary>
    /// How often, at most, the integrator adds committed entries to the Merkle tree: an entry is in the tree within
    /// about this long of its commit (a commit wakes the integrator; it then waits out the rest of this interval so
    /// that a busy ledger is integrated in batches, not entry by entry).
    /// </summary>
    public TimeSpan IntegrationDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Most entries integrated in one transaction (catching up an upgraded ledger takes several).</summary>
    public int IntegrationBatch { get; set; } = 4096;

    /// <summary>A new checkpoint when the tree has grown and this much time has passed since the last (0: after every integration).</summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A new checkpoint as soon as the tree has grown by this many entries since the last.</summary>
    public long CheckpointMaxEntries { get; set; } = 4096;

    /// <summary>The checkpoints' origin and key name; default "claimledger.local/" + 8 hex digits of SHA-256(public key).</summary>
    public string? Origin { get; set; }

    /// <summary>The private signing key as text (e.g. from a secret store); else <see cref="SigningKeyFile"/>.</summary>
    public string? SigningKey { get; set; }

    /// <summary>The private signing key file (owner-only), relative to the data directory; created on first start.</summary>
    public string SigningKeyFile { get; set; } = "checkpoint-signing-key";

    public static TransparencyOptions Bind(IConfiguration configuration)
    {
        var options = new TransparencyOptions();
        var integration = configuration.GetSection("Ledger:Integration");
        var checkpoints = configuration.GetSection("Ledger:Checkpoints");
        options.IntegrationEnabled = integration.GetValue("Enabled", options.IntegrationEnabled);
        options.IntegrationDelay = integration.GetValue("Delay", options.IntegrationDelay);
        options.IntegrationBatch = integration.GetValue("BatchSize", options.IntegrationBatch);
        options.CheckpointInterval = checkpoints.GetValue("Interval", options.CheckpointInterval);
        options.CheckpointMaxEntries = checkpoints.GetValue("MaxEntries", options.CheckpointMaxEntries);
        options.Origin = checkpoints["Origin"];
        options.SigningKey = checkpoints["SigningKey"];
        options.SigningKeyFile = checkpoints["SigningKeyFile"] ?? options.SigningKeyFile;
        return options;
    }
}
