using DiffQuant.Problems;

namespace DiffQuant.Objectives;

/// <summary>
/// Draws mini-batches of <see cref="BatchSize"/> indices uniformly from [0, N) with replacement, so every batch
/// gradient is unbiased. Draw d comes from its own xoshiro256** stream seeded by (seed, d), so the sampler's whole
/// state is <see cref="Draws"/>: a snapshot stores one number and a restored sampler continues the same sequence.
/// </summary>
public sealed class MiniBatchSampler
{
    private readonly ulong _seed;
    private readonly int[] _batch;

    public MiniBatchSampler(int samples, int batchSize, ulong seed)
    {
        if (samples <= 0)
        {
            Guard.Throw($"a sampler needs at least one sample, got {samples}.");
        }

        if (batchSize <= 0)
        {
            Guard.Throw($"the batch size must be positive, got {batchSize}.");
        }

        Samples = samples;
        BatchSize = batchSize;
        _seed = seed;
        _batch = new int[batchSize];
    }

    public int Samples { get; }

    public int BatchSize { get; }

    /// <summary>Batches drawn so far; set it to restore a sampler.</summary>
    public long Draws { get; set; }

    /// <summary>The next batch (valid until the next call).</summary>
    public ReadOnlySpan<int> Next()
    {
        var random = new Xoshiro256(_seed ^ (0xD1B54A32D192ED03UL * (ulong)(Draws + 1)));
        for (var k = 0; k < _batch.Length; k++)
        {
            _batch[k] = (int)random.NextBelow((ulong)Samples);
        }

        Draws++;
        return _batch;
    }
}
