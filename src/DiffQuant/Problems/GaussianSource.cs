namespace DiffQuant.Problems;

/// <summary>Reproducible i.i.d. standard normal draws: one xoshiro256** stream per (seed, purpose), sampled by <see cref="NormalZiggurat"/>.</summary>
public static class GaussianSource
{
    /// <summary>Stream names that keep a problem's parts independent of each other.</summary>
    public enum Stream
    {
        Matrix = 1,
        Target = 2,
        InitialPoint = 3,
        Solution = 4,
        Pattern = 5,
        Krylov = 6,
    }

    /// <summary>A vector of <paramref name="length"/> i.i.d. N(0, 1) entries.</summary>
    public static double[] Vector(int length, long seed, Stream stream)
    {
        var values = new double[length];
        var random = Generator(seed, stream);
        NormalZiggurat.Fill(ref random, values);
        return values;
    }

    /// <summary>The generator of (seed, stream), for draws other than normal vectors.</summary>
    public static Xoshiro256 Generator(long seed, Stream stream) => new(Derive(seed, stream));

    /// <summary>The generator seed of (seed, stream); the generator's own SplitMix64 seeding decorrelates them.</summary>
    private static ulong Derive(long seed, Stream stream) => (ulong)seed ^ ((ulong)stream << 56);
}
