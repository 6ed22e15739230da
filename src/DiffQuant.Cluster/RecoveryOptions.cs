using DiffQuant.State;

namespace DiffQuant.Cluster;

/// <summary>How a cluster run survives lost workers: what it checkpoints, how often, and how long it waits.</summary>
public readonly record struct RecoveryOptions
{
    public RecoveryOptions()
    {
    }

    /// <summary>Updates between checkpoints (the most a recovery makes again).</summary>
    public int CheckpointEvery { get; init; } = 100;

    /// <summary>How long one worker call may take before the worker counts as lost.</summary>
    public TimeSpan WorkerTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Losses a run survives before it fails with the last one's error.</summary>
    public int MaxRecoveries { get; init; } = 3;

    /// <summary>Where checkpoints also go (replaced atomically), so a restarted server resumes; null: memory only.</summary>
    public ICheckpointStore? File { get; init; }

    public void Validate()
    {
        if (WorkerTimeout <= TimeSpan.Zero)
        {
            throw new DiffQuantException($"--worker-timeout must be positive, got {WorkerTimeout.TotalSeconds} s.");
        }

        if (MaxRecoveries < 0)
        {
            throw new DiffQuantException($"the recovery limit must be at least 0, got {MaxRecoveries}.");
        }
    }
}
