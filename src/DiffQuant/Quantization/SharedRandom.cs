namespace DiffQuant.Quantization;

/// <summary>
/// Counter-based uniform numbers both ends of a link compute alike from a shared seed: the value
/// for (seed, step, index) is fixed, independent of call order or thread.
/// </summary>
public static class SharedRandom
{
    /// <summary>A uniform number in [0, 1) from the SplitMix64 finalizer of (seed, step, index).</summary>
    public static double Uniform(ulong seed, long step, int index) => (Bits(seed, step, index) >> 11) * (1.0 / (1UL << 53));

    /// <summary>64 uniform random bits: the SplitMix64 finalizer of (seed, step, index).</summary>
    public static ulong Bits(ulong seed, long step, long index)
    {
        var z = seed + (0x9E3779B97F4A7C15UL * ((ulong)step + 1)) + (0xD1B54A32D192ED03UL * ((ulong)index + 1));
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
