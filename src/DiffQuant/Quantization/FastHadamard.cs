using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DiffQuant.Quantization;

/// <summary>
/// The Walsh–Hadamard transform x ← H_P x of a power-of-two length P in binary32, in place, in O(P log P). H_P is
/// Sylvester's ±1 matrix, H_P[i, j] = (−1)^popcount(i AND j): symmetric, H_P·H_P = P·I, so H_P/√P is orthogonal and its
/// own inverse (the caller scales; <see cref="HadamardRotation"/> folds 1/√P into its conversions). The butterfly passes
/// (a, b) → (a + b, a − b) run three at a time: the half-widths 1, 2 and 4 inside one 8-lane register, the others on
/// eight registers at offsets 0, h, …, 7h (radix 8; at h = 8 on registers whose first three passes are done as they
/// load, so passes 1 … 32 take one sweep), so a long vector crosses memory a third as often; passes whose
/// butterflies stay inside a block of <see cref="BlockLength"/> values run block by block in the first-level cache,
/// and those inside a run of <see cref="RunLength"/> run by run in the second, so a vector of 2^23 crosses memory
/// three times (the runs, then two sweeps of three passes) rather than five. Every path does the
/// same additions on the same pairs, pass after pass, so the SIMD and the scalar paths agree bit for bit (both ends of a
/// link may run either). binary32 rather than binary64: twice the lanes and half the memory traffic, and its rounding
/// (a few 2^−24 of a coordinate's size) is far below any code's step; both ends compute the same rounding.
/// </summary>
public static class FastHadamard
{
    /// <summary>Values a cache-resident block holds (16 KB of binary32).</summary>
    public const int BlockLength = 4096;

    /// <summary>Values a second-level-cache-resident run holds (512 KB of binary32).</summary>
    public const int RunLength = 1 << 17;

    /// <summary>Lanes of one SIMD register; the SIMD path needs P ≥ this.</summary>
    private static readonly int Lanes = Vector256<float>.Count;

    /// <summary>x ← H_P x (length a power of two, or 0); <paramref name="scalar"/> forces the portable path.</summary>
    public static void Transform(Span<float> x, bool scalar = false)
    {
        var p = x.Length;
        if (p <= 1)
        {
            return;
        }

        if (!BitOperations.IsPow2(p))
        {
            Guard.Throw($"a Hadamard transform needs a power-of-two length, got {p}.");
        }

        if (scalar || !Vector256.IsHardwareAccelerated || p < Lanes)
        {
            for (var h = 1; h < p; h *= 2)
            {
                Radix2Scalar(x, h);
            }

            return;
        }

        var (run, block) = (Math.Min(p, RunLength), Math.Min(p, BlockLength));
        for (var first = 0; first < p; first += run)
        {
            var values = x.Slice(first, run);
            for (var start = 0; start < run; start += block)
            {
                var piece = values.Slice(start, block);
                if (block < 8 * Lanes)
                {
                    InRegister(piece);
                    Passes(piece, Lanes, block);
                    continue;
                }

                Radix8<InRegisterFirst>(piece, Lanes); // passes 1 … 32 in one sweep
                Passes(piece, 8 * Lanes, block);
            }

            Passes(values, block, run);
        }

        Passes(x, run, p);
    }

    /// <summary>
    /// The passes of half-widths h = <paramref name="from"/>, 2h, … below <paramref name="to"/> (h ≥ 8), three at a time.
    /// Each pass is a call of its own (a few a transform): inlined through the transform into a large caller, a pass
    /// met the JIT's inlining budget there and called its additions and loads one register at a time (seen in a
    /// profile of the rotated encoder).
    /// </summary>
    private static void Passes(Span<float> x, int from, int to)
    {
        var h = from;
        for (; 8 * h <= to; h *= 8)
        {
            Radix8<Plain>(x, h);
        }

        if (4 * h <= to)
        {
            Radix4(x, h);
            h *= 4;
        }

        if (2 * h <= to)
        {
            Radix2(x, h);
        }
    }

    /// <summary>Passes 1, 2 and 4 on each eight consecutive values (<see cref="InRegisterFirst"/>), for a block shorter than 64.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // see Passes
    private static void InRegister(Span<float> x)
    {
        ref var r = ref x[0];
        for (nuint i = 0; i < (nuint)x.Length; i += 8)
        {
            InRegisterFirst.Load(ref r, i).StoreUnsafe(ref r, i);
        }
    }

    /// <summary>How <see cref="Radix8{TLoad}"/> loads its eight registers: as they are, or with passes 1, 2 and 4 done first.</summary>
    private interface ILoad
    {
        static abstract Vector256<float> Load(ref float r, nuint i);
    }

    /// <summary>The eight values at i as they are.</summary>
    private readonly struct Plain : ILoad
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Load(ref float r, nuint i) => Vector256.LoadUnsafe(ref r, i);
    }

    /// <summary>
    /// The eight values at i after passes 1, 2 and 4 inside the register: swap within pairs, quads, octets and add the
    /// register with the signs of the pass, s·v + swapped (s = ±1), as one fused multiply-add where there is one: s·v
    /// is exact, so it rounds as the addition a + b or a − b does, in a third fewer instructions than a sign flip and an
    /// addition. Radix 8 at h = 8 over registers loaded so does passes 1 … 32 in one sweep: a quarter fewer loads and
    /// stores than a sweep of its own for these three.
    /// </summary>
    private readonly struct InRegisterFirst : ILoad
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Load(ref float r, nuint i)
        {
            var v = Vector256.LoadUnsafe(ref r, i);
            v = SignedSum(v, Vector256.Create(1f, -1f, 1f, -1f, 1f, -1f, 1f, -1f), Vector256.Shuffle(v, Vector256.Create(1, 0, 3, 2, 5, 4, 7, 6))); // (a + b, a − b, …)
            v = SignedSum(v, Vector256.Create(1f, 1f, -1f, -1f, 1f, 1f, -1f, -1f), Vector256.Shuffle(v, Vector256.Create(2, 3, 0, 1, 6, 7, 4, 5)));
            return SignedSum(v, Vector256.Create(1f, 1f, 1f, 1f, -1f, -1f, -1f, -1f), Vector256.Shuffle(v, Vector256.Create(4, 5, 6, 7, 0, 1, 2, 3)));
        }
    }

    /// <summary>s·v + w for signs s = ±1: fused where the processor has it, else a product (exact) and a sum, the same bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> SignedSum(Vector256<float> v, Vector256<float> signs, Vector256<float> w) =>
        Fma.IsSupported ? Fma.MultiplyAdd(v, signs, w) : (v * signs) + w;

    /// <summary>The passes h, 2h and 4h at once on the eight values at offsets 0, h, …, 7h of each group of 8h, loaded by <typeparamref name="TLoad"/>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // see Passes
    private static void Radix8<TLoad>(Span<float> x, int h)
        where TLoad : struct, ILoad
    {
        ref var r = ref x[0];
        var w = (nuint)h;
        for (nuint i = 0; i < (nuint)x.Length; i += 8 * w)
        {
            for (var j = i; j < i + w; j += 8)
            {
                var (a0, a1, a2, a3) = (TLoad.Load(ref r, j), TLoad.Load(ref r, j + w), TLoad.Load(ref r, j + (2 * w)), TLoad.Load(ref r, j + (3 * w)));
                var (a4, a5, a6, a7) = (TLoad.Load(ref r, j + (4 * w)), TLoad.Load(ref r, j + (5 * w)), TLoad.Load(ref r, j + (6 * w)), TLoad.Load(ref r, j + (7 * w)));
                var (b0, b1, b2, b3, b4, b5, b6, b7) = (Add(a0, a1), Subtract(a0, a1), Add(a2, a3), Subtract(a2, a3), Add(a4, a5), Subtract(a4, a5), Add(a6, a7), Subtract(a6, a7));
                var (c0, c1, c2, c3, c4, c5, c6, c7) = (Add(b0, b2), b1 + b3, Subtract(b0, b2), b1 - b3, Add(b4, b6), b5 + b7, Subtract(b4, b6), b5 - b7);
                (c0 + c4).StoreUnsafe(ref r, j);
                (c1 + c5).StoreUnsafe(ref r, j + w);
                (c2 + c6).StoreUnsafe(ref r, j + (2 * w));
                (c3 + c7).StoreUnsafe(ref r, j + (3 * w));
                (c0 - c4).StoreUnsafe(ref r, j + (4 * w));
                (c1 - c5).StoreUnsafe(ref r, j + (5 * w));
                (c2 - c6).StoreUnsafe(ref r, j + (6 * w));
                (c3 - c7).StoreUnsafe(ref r, j + (7 * w));
            }
        }
    }

    /// <summary>
    /// a + b on the multipliers: fma(b, 1, a), which rounds the exact sum once, as an addition does (the same bits),
    /// but runs where the processor multiplies. Where additions and fused multiply-adds take different units (AMD's
    /// Zen: two of each), a pass split between them adds twice as fast; elsewhere it costs nothing.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => Fma.IsSupported ? Fma.MultiplyAdd(b, Vector256<float>.One, a) : a + b;

    /// <summary>a − b on the multipliers: fma(b, −1, a) (see <see cref="Add"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Subtract(Vector256<float> a, Vector256<float> b) => Fma.IsSupported ? Fma.MultiplyAdd(b, Vector256.Create(-1f), a) : a - b;

    /// <summary>The passes h and 2h at once: (a, b, c, d) at offsets 0, h, 2h, 3h become (a+b)±(c+d) and (a−b)±(c−d).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // see Passes
    private static void Radix4(Span<float> x, int h)
    {
        ref var r = ref x[0];
        var w = (nuint)h;
        for (nuint i = 0; i < (nuint)x.Length; i += 4 * w)
        {
            for (var j = i; j < i + w; j += 8)
            {
                var (a0, a1, a2, a3) = (Vector256.LoadUnsafe(ref r, j), Vector256.LoadUnsafe(ref r, j + w), Vector256.LoadUnsafe(ref r, j + (2 * w)), Vector256.LoadUnsafe(ref r, j + (3 * w)));
                var (b0, b1, b2, b3) = (a0 + a1, a0 - a1, a2 + a3, a2 - a3);
                (b0 + b2).StoreUnsafe(ref r, j);
                (b1 + b3).StoreUnsafe(ref r, j + w);
                (b0 - b2).StoreUnsafe(ref r, j + (2 * w));
                (b1 - b3).StoreUnsafe(ref r, j + (3 * w));
            }
        }
    }

    /// <summary>One pass of half-width h (the last, when the passes left are not a multiple of three).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // see Passes
    private static void Radix2(Span<float> x, int h)
    {
        ref var r = ref x[0];
        var w = (nuint)h;
        for (nuint i = 0; i < (nuint)x.Length; i += 2 * w)
        {
            for (var j = i; j < i + w; j += 8)
            {
                var (a, b) = (Vector256.LoadUnsafe(ref r, j), Vector256.LoadUnsafe(ref r, j + w));
                (a + b).StoreUnsafe(ref r, j);
                (a - b).StoreUnsafe(ref r, j + w);
            }
        }
    }

    /// <summary>One pass of half-width h, one value at a time: the portable path, and the reference the SIMD path matches.</summary>
    private static void Radix2Scalar(Span<float> x, int h)
    {
        for (var i = 0; i < x.Length; i += 2 * h)
        {
            for (var j = i; j < i + h; j++)
            {
                (x[j], x[j + h]) = (x[j] + x[j + h], x[j] - x[j + h]);
            }
        }
    }
}
