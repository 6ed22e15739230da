namespace DiffQuant.Cluster;

/// <summary>
/// A training run's server on some silo: it places the run's worker grains, runs the in-process server, links and
/// session against them, and checkpoints every few updates (returning each checkpoint, and writing it to the run's store
/// when one is given). The submitting process only drives it from checkpoint to checkpoint; when the server's silo dies
/// it starts a replacement elsewhere from the last checkpoint. Keyed by run and attempt.
/// </summary>
[Alias("DiffQuant.Cluster.IServerGrain")]
public interface IServerGrain : IGrainWithStringKey
{
    /// <summary>How long one stretch between checkpoints may take.</summary>
    const string AdvanceTimeout = "01:00:00";

    /// <summary>
    /// Builds the run (loads the test data, places and configures the workers) at the checkpoint given, if any; answers
    /// the update it is at. Called again (its answer lost), it answers without building anew.
    /// </summary>
    [Alias("Start")]
    [ResponseTimeout(IWorkerGrain.ConfigureTimeout)]
    Task<int> Start(ServerSetup setup, byte[]? checkpoint);

    /// <summary>
    /// Updates until the next checkpoint, the end, or (after one update at least) <paramref name="maxUpdates"/> updates or
    /// <paramref name="maxTime"/>; answers every report after <paramref name="acknowledged"/> (the caller's last), so a
    /// stretch whose answer was lost (its gateway died) is reported again, and the checkpoint when it is newer than
    /// <paramref name="checkpointStep"/>. A finished run answers its result without updating.
    /// </summary>
    [Alias("Advance")]
    [ResponseTimeout(AdvanceTimeout)]
    Task<ServerStretch> Advance(int maxUpdates, TimeSpan maxTime, long acknowledged, int checkpointStep);
}
