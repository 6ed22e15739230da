namespace DiffQuant.Cluster;

/// <summary>
/// A training worker on some silo: it loads its own shard and answers the server's payloads with the same worker
/// state machine an in-process run uses. Keyed by run and worker index.
/// </summary>
[Alias("DiffQuant.Cluster.IWorkerGrain")]
public interface IWorkerGrain : IGrainWithStringKey
{
    /// <summary>How long building a worker may take: loading a data set or generating a large problem, on a busy machine.</summary>
    const string ConfigureTimeout = "00:10:00";

    /// <summary>Builds the worker (loads the data, cuts its shard); must come first.</summary>
    [Alias("Configure")]
    [ResponseTimeout(ConfigureTimeout)]
    Task Configure(WorkerSetup setup);

    /// <summary>The worker's answer to one downlink payload.</summary>
    [Alias("Handle")]
    Task<WorkerReply> Handle(WireMessage downlink);

    [Alias("Snapshot")]
    Task<byte[]> Snapshot();

    /// <summary>Restores the worker's state; answers its loss tallies as restored.</summary>
    [Alias("Restore")]
    Task<LossTally> Restore(byte[] snapshot);
}
