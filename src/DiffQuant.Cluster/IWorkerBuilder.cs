using DiffQuant.Methods;

namespace DiffQuant.Cluster;

/// <summary>
/// Builds the worker a grain hosts from its <see cref="WorkerSetup"/>, where the data is. A silo uses the one its host
/// registers, else <see cref="TrainingWorkerBuilder"/>; `dq silo` registers one that also knows `dq run`'s workers.
/// </summary>
public interface IWorkerBuilder
{
    IWorker Build(WorkerSetup setup);
}

/// <summary>Builds `dq train` workers: the run's options and data spec, shard k cut where the data is loaded.</summary>
public sealed class TrainingWorkerBuilder : IWorkerBuilder
{
    public const string Kind = "train";

    private readonly LatestCache<(Learning.Data.DataSplit Data, Learning.Data.Dataset[] Shards)> _data = new();

    public static TrainingWorkerBuilder Instance { get; } = new();

    /// <summary>The run's data and shards as this silo loaded them (once per run: its workers and its server share them).</summary>
    public (Learning.Data.DataSplit Data, Learning.Data.Dataset[] Shards) Data(string spec, Learning.Training.TrainOptions options) =>
        _data.Get($"{spec}|{options.Seed}|{options.Workers}", () =>
        {
            var loaded = DataSpec.Load(spec, options.Seed);
            return (loaded, Learning.Training.Trainer.Shards(loaded.Train, options));
        });

    public IWorker Build(WorkerSetup setup)
    {
        if (setup.Kind != Kind)
        {
            throw new DiffQuantException($"this silo builds '{Kind}' workers, not '{setup.Kind}'; start it with `dq silo`.");
        }

        var options = ClusterOptions.Parse(setup.Options);
        options.Validate();
        var (data, shards) = Data(setup.Data, options);
        return Learning.Training.Trainer.CreateWorker(data.Train, shards, options, setup.Index);
    }
}
