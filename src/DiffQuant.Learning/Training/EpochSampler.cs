using DiffQuant.Problems;

namespace DiffQuant.Learning.Training;

/// <summary>
/// Mini-batches that visit every sample of a shard once per epoch: epoch e is a permutation drawn from (seed, e) and
/// cut into consecutive batches (the last one shorter). Its whole state is the number of batches drawn.
/// </summary>
public sealed class EpochSampler
{
    private readonly int _samples;
    private readonly ulong _seed;
    private readonly int[] _order;
    private int _orderEpoch = -1;

    public EpochSampler(int samples, int batchSize, ulong seed)
    {
        if (samples <= 0 || batchSize <= 0)
        {
            Guard.Throw($"an epoch sampler needs samples and a batch size above 0, got {samples} and {batchSize}.");
        }

        _samples = samples;
        BatchSize = batchSize;
        _seed = seed;
        _order = new int[samples];
    }

    public int BatchSize { get; }

    /// <summary>Batches per epoch: ⌈samples / batch⌉.</summary>
    public int BatchesPerEpoch => (_samples + BatchSize - 1) / BatchSize;

    /// <summary>Batches drawn so far; set it to restore a sampler.</summary>
    public long Draws { get; set; }

    public ReadOnlySpan<int> Next()
    {
        var epoch = (int)(Draws / BatchesPerEpoch);
        var position = (int)(Draws % BatchesPerEpoch) * BatchSize;
        if (epoch != _orderEpoch)
        {
            Shuffle(epoch);
        }

        Draws++;
        return _order.AsSpan(position, Math.Min(BatchSize, _samples - position));
    }

    private void Shuffle(int epoch)
    {
        new Xoshiro256(_seed ^ (0x9E3779B97F4A7C15UL * (ulong)(epoch + 1))).Permutation(_order);
        _orderEpoch = epoch;
    }
}
