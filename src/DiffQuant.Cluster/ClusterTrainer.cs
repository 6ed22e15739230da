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

        // The K workers of a round are waited for at once (one thread each: they compute elsewhere); those blocked
        // threads come from the pool the Orleans client answers on, so the pool starts with room for them.
        options = options with { Threads = options.Workers };
        EnsureThreads(options.Workers);
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

    /// <summary>Raises the thread pool's minimum so that <paramref name="blocked"/> waiting threads never starve the pool's other work.</summary>
    private static void EnsureThreads(int blocked)
    {
        ThreadPool.GetMinThreads(out var workers, out var io);
        var wanted = blocked + (2 * Environment.ProcessorCount) + 4;
        if (workers < wanted)
        {
            ThreadPool.SetMinThreads(wanted, io);
        }
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
