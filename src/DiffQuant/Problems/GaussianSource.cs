using MathNet.Numerics.Distributions;
using MathNet.Numerics.Random;

namespace DiffQuant.Problems;

/// <summary>Reproducible i.i.d. standard normal draws: one stream per (seed, purpose).</summary>
public static class GaussianSource
{
    /// <summary>Stream names that keep a problem's parts independent of each other.</summary>
    public enum Stream
    {
        Matrix = 1,
        Target = 2,
        InitialPoint = 3,
        Solution = 4,
    }

    /// <summary>A vector of <paramref name="length"/> i.i.d. N(0, 1) entries.</summary>
    public static double[] Vector(int length, long seed, Stream stream)
    {
        var values = new double[length];
        Normal.Samples(new MersenneTwister(Derive(seed, stream), threadSafe: false), values, 0, 1);
        return values;
    }

    private static int Derive(long seed, Stream stream)
    {
        var z = (ulong)seed + (0x9E3779B97F4A7C15UL * (ulong)stream);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (int)((z ^ (z >> 31)) & int.MaxValue);
    }
}
