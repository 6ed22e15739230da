using DiffQuant.Learning.Data;
using DiffQuant.Learning.Training;

namespace DiffQuant.Cluster;

/// <summary>
/// Distributed training with the workers as grains: each worker grain loads its shard from the data spec
/// itself; the server, the links and the session are the in-process run's objects, so bit counts and results are the
/// same as <see cref="Trainer.Run"/>'s. The session runs on the thread pool, off the Orleans scheduler, because the
/// core's workers answer synchronously.
/// </summary>
public static class ClusterTrainer
{
    /// <param name="data">The data the experimenter evaluates the server's model on (the protocol never reads it).</param>
    public static Task<TrainResult> Run(IGrainFactory grains, string runId, string dataSpec, DataSplit data, TrainOptions options, Action<TrainProgress>? progress = null) =>
        Task.Run(() => Trainer.Run(data, options, progress, (k, _) =>
        {
            var grain = grains.GetGrain<IWorkerGrain>($"{runId}/{k}");
            WorkerFault.Await(grain.Configure(new WorkerSetup { Options = ClusterOptions.Format(options), Data = dataSpec, Index = k }));
            return new RemoteWorker(grain);
        }));
}
