namespace DiffQuant.Problems;

/// <summary>
/// xoshiro256** (Blackman and Vigna, 2018): 256 bits of state, period 2^256 − 1, seeded through SplitMix64 so
/// nearby seeds give unrelated streams. Written here (ten lines) because the Gaussian sampler needs raw 64-bit
/// outputs without the virtual calls and the thread-safety locks of a <see cref="System.Random"/> subclass.
/// </summary>
public struct Xoshiro256
{
    /// <summary>2^−53, the spacing of the 53-bit uniforms.</summary>
    private const double UnitStep = 1.0 / (1UL << 53);

    private ulong _s0;
    private ulong _s1;
    private ulong _s2;
    private ulong _s3;

    public Xoshiro256(ulong seed)
    {
        _s0 = SplitMix(ref seed);
        _s1 = SplitMix(ref seed);
        _s2 = SplitMix(ref seed);
        _s3 = SplitMix(ref seed);
    }

    /// <summary>The next 64 uniformly random bits.</summary>
    public ulong Next()
    {
        var result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>A uniform double in (0, 1): the top 53 bits, offset by half a step so 0 never occurs.</summary>
    public double NextOpenUnit() => ((Next() >> 11) + 0.5) * UnitStep;

    /// <summary>A uniform integer in [0, <paramref name="bound"/>), exactly (Lemire's multiply-and-reject).</summary>
    public ulong NextBelow(ulong bound)
    {
        if (bound == 0)
        {
            Guard.Throw("the bound of a uniform integer must be positive.");
        }

        var product = (UInt128)Next() * bound;
        if ((ulong)product < bound)
        {
            // Reject the low products that would make small results one draw more likely.
            var threshold = (0 - bound) % bound;
            while ((ulong)product < threshold)
            {
                product = (UInt128)Next() * bound;
            }
        }

        return (ulong)(product >> 64);
    }

    /// <summary>Fills <paramref name="values"/> with 0..n−1 in a uniformly random order (Fisher–Yates).</summary>
    public void Permutation(Span<int> values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = i;
        }

        for (var i = values.Length - 1; i > 0; i--)
        {
            var j = (int)NextBelow((ulong)(i + 1));
            (values[i], values[j]) = (values[j], values[i]);
        }
    }

    private static ulong SplitMix(ref ulong state)
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
