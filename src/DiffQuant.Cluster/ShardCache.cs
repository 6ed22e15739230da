using DiffQuant.Learning.Data;
using DiffQuant.Learning.Training;

namespace DiffQuant.Cluster;

/// <summary>
/// The data set and shards of the latest run a silo serves, loaded once and shared by the worker grains of that run on
/// this silo: eight workers of Fashion-MNIST on one machine otherwise load and shuffle 188 MB eight times. One entry,
/// keyed by data spec, seed and worker count; another run's key replaces it.
/// </summary>
public sealed class ShardCache
{
    private readonly Lock _gate = new();
    private (string Key, Task<(Dataset Train, Dataset[] Shards)> Load)? _latest;

    public (Dataset Train, Dataset[] Shards) Get(string spec, TrainOptions options)
    {
        var key = $"{spec}|{options.Seed}|{options.Workers}";
        Task<(Dataset, Dataset[])> load;
        lock (_gate)
        {
            if (_latest is not { } latest || latest.Key != key || latest.Load.IsFaulted)
            {
                _latest = (key, Task.Run(() =>
                {
                    var train = DataSpec.Load(spec, options.Seed).Train;
                    return (train, Trainer.Shards(train, options));
                }));
            }

            load = _latest.Value.Load;
        }

        return load.GetAwaiter().GetResult();
    }
}
