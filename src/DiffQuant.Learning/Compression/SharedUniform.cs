using DiffQuant.Problems;
using DiffQuant.Quantization;

namespace DiffQuant.Learning.Compression;

/// <summary>
/// The shared randomness of stochastic rounding and random index sets: U(link seed, step t, coordinate i) in [0, 1),
/// a SplitMix64 hash of the three, so both ends draw the same numbers without sending any. The link seed is
/// the run's seed mixed with the worker index, so workers never share draws.
/// </summary>
public static class SharedUniform
{
    /// <summary>The shared seed of worker <paramref name="worker"/>'s link in a run seeded <paramref name="seed"/>.</summary>
    public static ulong LinkSeed(ulong seed, int worker) => seed ^ (0xA0761D6478BD642FUL * ((ulong)worker + 1));

    public static double Draw(in CompressionContext context, int index) => SharedRandom.Uniform(context.Seed, context.Step, index);

    /// <summary>
    /// The stream of message (link seed, step t): a xoshiro256** generator seeded by their hash, drawn in coordinate
    /// order. Codes whose randomness only the sender uses (stochastic rounding) draw from it: one draw a coordinate,
    /// reproducible from the seed, the step and the coordinate order.
    /// </summary>
    public static Xoshiro256 Stream(in CompressionContext context) =>
        new((ulong)(SharedRandom.Uniform(context.Seed, context.Step, -1) * (1UL << 53)) ^ context.Seed);
}
