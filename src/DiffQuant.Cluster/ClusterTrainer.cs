using DiffQuant.Learning.Data;
using DiffQuant.Learning.Training;

namespace DiffQuant.Cluster;

/// <summary>
/// Distributed training with the workers as grains: each worker grain loads its shard from the data spec itself; the
/// server, the links and the session are the in-process run's objects, so bit counts and results are the same as
/// <see cref="Trainer.Run"/>'s. The run checkpoints every few updates; when a worker is lost the server keeps running,
/// re-places the workers on healthy silos (the lost ones' shards reload there) and resumes every worker and itself
/// from the last checkpoint (<see cref="CheckpointedTraining"/>): error memories come back as they were then.
/// </summary>
public static class ClusterTrainer
{
    /// <param name="data">The data the experimenter evaluates the server's model on (the protocol never reads it).</param>
    /// <param name="log">Hears resumptions, losses and recoveries.</param>
    public static Task<TrainResult> Run(WorkerPlacement placement, string dataSpec, DataSplit data, TrainOptions options, RecoveryOptions recovery, Action<TrainProgress>? progress = null, TextWriter? log = null)
    {
        recovery.Validate();

        // The K workers of a round are waited for at once (one thread each: they compute elsewhere).
        options = options with { Threads = options.Workers };
        var setup = new WorkerSetup { Options = ClusterOptions.Format(options), Data = dataSpec };
        var workers = new RemoteWorker?[options.Workers];
        return Task.Run(() =>
        {
            var result = CheckpointedTraining.Run(
                () => new TrainingRun(data, options, (k, _) => workers[k] ??= placement.Place(k, setup with { Index = k })),
                recovery.CheckpointEvery,
                recovery.File,
                e => e is WorkerLost lost && Forget(lost, workers, placement),
                recovery.MaxRecoveries,
                progress,
                log);
            return result with { StateBytes = placement.Traffic.Bytes };
        });
    }

    /// <summary>
    /// Suspects the lost worker's silo and forgets every worker, so the rebuild places them all afresh: a dead silo takes
    /// its part of Orleans' grain directory with it, and a surviving worker whose entry was there would later be
    /// activated anew, empty. The survivors' silos still hold their shards (<see cref="ShardCache"/>), so only the lost
    /// workers' shards load again.
    /// </summary>
    private static bool Forget(WorkerLost lost, RemoteWorker?[] workers, WorkerPlacement placement)
    {
        if (lost.Silo is { } silo)
        {
            placement.Suspect(silo);
        }

        Array.Clear(workers);
        return true;
    }
}
