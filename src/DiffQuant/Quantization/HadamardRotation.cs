using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DiffQuant.Quantization;

/// <summary>
/// Random orthogonal maps of ℝⁿ both ends draw from a shared seed, a fresh one for each step:
/// Θ_t = (H_B/√P) S_B (H_A/√P) S_A, where S_A and S_B flip the signs of random coordinates (64 signs from each 64 random
/// bits) and H_A and H_B are Hadamard transforms (<see cref="FastHadamard"/>) of the first and the last P coordinates,
/// P the largest power of two ≤ n (one block when n is a power of two). The two overlapping blocks cover every
/// coordinate without padding, so Θ_t keeps n and ‖u‖₂ and costs O(n log n). After it the coordinates of any fixed u
/// are near-Gaussian with variance ‖u‖²/n. A fresh Θ_t each step matters under error feedback: an error a code left in
/// one coordinate returns in the next input, and the same rotation would put it back in that coordinate.
/// <para>
/// The transforms run in binary32 on x·2^−e, 2^e the power of two at x's largest magnitude (exact scalings, so any
/// finite double range works), and the result returns to binary64: Θ_t is orthogonal to within a few 2^−24 of a
/// coordinate, and both ends compute the same map bit for bit, so what the rounding moves is part of the code's error,
/// which the methods' error feedback carries.
/// </para>
/// </summary>
public sealed class HadamardRotation
{
    private readonly int _dimension;
    private readonly ulong _seed;

    /// <summary>The random word of coordinate 0's sign bits: offset/64 (see the internal constructor).</summary>
    private readonly long _firstWord;
    private readonly int _block;
    private readonly AlignedFloats _work;

    /// <summary>The sign bits of S_A and S_B for the current step: bit i mod 8 of byte i/8 for coordinate i (each 64 from one random word, little-endian).</summary>
    private readonly byte[] _signsA;
    private readonly byte[] _signsB;
    private long? _drawnStep;

    public HadamardRotation(int dimension, ulong seed)
        : this(dimension, seed, 0, new AlignedFloats(dimension), dimension >= StreamedLength)
    {
    }

    /// <summary>
    /// The map of coordinates <paramref name="offset"/> … offset + n − 1 of a longer vector rotated block by block
    /// (<see cref="RotatedQuantizer"/>'s chunks): its sign bits are those coordinates' bits of the same random words, so
    /// the blocks of one step are independent, and its binary32 buffer is <paramref name="work"/>'s first n values,
    /// which the blocks share (one block's values are in the caches while they are used).
    /// </summary>
    /// <param name="offset">A multiple of 64.</param>
    /// <param name="streams">Whether the inverse map writes its output with non-temporal stores (<see cref="StoreStreaming"/>): for the blocks of a vector of at least <see cref="StreamedLength"/>.</param>
    internal HadamardRotation(int dimension, ulong seed, int offset, AlignedFloats work, bool streams)
    {
        if (offset % 64 != 0 || work.Length < dimension)
        {
            Guard.Throw($"a block of a rotation starts at a multiple of 64 with a buffer of its length, got offset {offset} and a buffer of {work.Length} for {dimension}.");
        }

        _dimension = dimension;
        _seed = seed;
        _firstWord = offset / 64;
        _block = dimension == 0 ? 0 : 1 << BitOperations.Log2((uint)dimension);
        _work = work;
        Streams = streams;
        _signsA = new byte[8 * ((dimension + 63) / 64)];
        _signsB = new byte[_signsA.Length];
    }

    /// <summary>
    /// The shortest vector whose inverse map writes past the caches (<see cref="StoreStreaming"/>): 2^19 coordinates,
    /// 4 MB of doubles, a core's share of a server processor's last-level cache (Zen 4: 32 MB for a complex of eight cores), past
    /// which glibc's memcpy also stores non-temporally (it switches at ¾ of that share). A shorter output may still be
    /// in the caches when its reader gets to it.
    /// </summary>
    internal const int StreamedLength = 1 << 19;

    public int Dimension => _dimension;

    /// <summary>Whether the inverse map's output goes past the caches (a code then fetches none of it ahead).</summary>
    internal bool Streams { get; }

    /// <summary>x ← Θ_step x.</summary>
    public void Forward(Span<double> x, long step, bool scalar = false) => Forward(x, x, step, scalar);

    /// <summary>y = Θ_step x (<paramref name="y"/> may be <paramref name="x"/>).</summary>
    public void Forward(ReadOnlySpan<double> x, Span<double> y, long step, bool scalar = false)
    {
        var w = ForwardToWork(x, step, out var scales, scalar);
        Guard.SameLength(y.Length, _dimension, "the rotation's output");
        Store(w, y, 0, scales.Split, scales.Head, null, scalar);
        Store(w, y, scales.Split, _dimension, scales.Tail, null, scalar);
    }

    /// <summary>
    /// Θ_step x left in the binary32 work buffer, for a code that quantizes it where it lies: the forward map is
    /// y_i = (double)w_i·<paramref name="scales"/>.Head for i &lt; Split and (double)w_i·Tail from there, which is what
    /// <see cref="Forward(ReadOnlySpan{double}, Span{double}, long, bool)"/> stores. Empty for n = 0.
    /// </summary>
    internal Span<float> ForwardToWork(ReadOnlySpan<double> x, long step, out WorkScales scales, bool scalar = false)
    {
        var up = LoadWork(x, step, out _, scalar);
        scales = RotateWork(up, scalar);
        return Work;
    }

    /// <summary>
    /// The first half of <see cref="ForwardToWork"/>: S_A x/2^e into the work buffer in binary32 (see <see cref="Load"/>),
    /// returning 2^e; <paramref name="moments"/> are those of x met on the way, so a code needs no pass of its own.
    /// </summary>
    internal double LoadWork(ReadOnlySpan<double> x, long step, out Moments moments, bool scalar = false)
    {
        Guard.SameLength(x.Length, _dimension, "the rotated vector");
        moments = default;
        if (_dimension == 0)
        {
            return 1;
        }

        DrawSigns(step);
        return Load(x, Work, _signsA, scalar, out moments);
    }

    /// <summary>The second half of <see cref="ForwardToWork"/>: the transforms of the loaded buffer, which held x/<paramref name="up"/>.</summary>
    internal WorkScales RotateWork(double up, bool scalar = false)
    {
        if (_dimension == 0)
        {
            return default;
        }

        var w = Work;
        FastHadamard.Transform(w[.._block], scalar);
        var unit = up / Math.Sqrt(_block);
        if (_block == _dimension)
        {
            return new WorkScales(0, up, unit);
        }

        Rescale(w, 0, _block, _signsB, scalar);
        FastHadamard.Transform(w[^_block..], scalar);
        return new WorkScales(_dimension - _block, up, unit);
    }

    /// <summary>
    /// max|x_i| and Σx_i² of a loaded vector, the sum in binary64 as the load met the coordinates (not finite when a
    /// coordinate is not finite or the squares overflow; underflowed squares when max|x_i| is tiny: a caller checks).
    /// </summary>
    internal readonly record struct Moments(double Largest, double SumOfSquares);

    /// <summary>y_i = (double)w_i·Head for i &lt; Split, (double)w_i·Tail from Split on: how the work buffer holds Θx after <see cref="ForwardToWork"/>.</summary>
    internal readonly record struct WorkScales(int Split, double Head, double Tail);

    /// <summary>x ← Θ_stepᵀ x (the steps of <see cref="Forward(ReadOnlySpan{double}, Span{double}, long, bool)"/> in reverse, each its own inverse).</summary>
    public void Inverse(Span<double> x, long step, bool scalar = false) => Inverse(x, x, step, scalar);

    /// <summary>y = Θ_stepᵀ x (<paramref name="y"/> may be <paramref name="x"/>).</summary>
    public void Inverse(ReadOnlySpan<double> x, Span<double> y, long step, bool scalar = false)
    {
        Guard.SameLength(x.Length, _dimension, "the rotated vector");
        Guard.SameLength(y.Length, _dimension, "the rotation's output");
        if (_dimension == 0)
        {
            return;
        }

        InverseOfWork(y, step, Load(x, Work, null, scalar, out _), scalar);
    }

    /// <summary>
    /// The buffer <see cref="InverseFromWork"/> maps: a code fills w_i = (float)x_i there, where max|x_i| is 0 or
    /// <see cref="LoadsAsIs">loads as it is</see> — what <see cref="Inverse(ReadOnlySpan{double}, Span{double}, long, bool)"/>
    /// would load — to map x without a binary64 copy of it.
    /// </summary>
    internal Span<float> Work => _work.Slice(0, _dimension);

    /// <summary>y = Θ_stepᵀ x for the x whose binary32 values a code wrote in <see cref="Work"/>.</summary>
    internal void InverseFromWork(Span<double> y, long step)
    {
        Guard.SameLength(y.Length, _dimension, "the rotation's output");
        if (_dimension > 0)
        {
            InverseOfWork(y, step, 1, scalar: false);
        }
    }

    /// <summary>Whether a vector whose largest magnitude is <paramref name="largest"/> loads without rescaling (see <see cref="Load"/>).</summary>
    internal static bool LoadsAsIs(double largest) => largest == 0 || (largest >= SafeLow && largest <= SafeHigh);

    /// <summary>The inverse map of the loaded work buffer (x/<paramref name="up"/> in binary32) into y.</summary>
    private void InverseOfWork(Span<double> y, long step, double up, bool scalar)
    {
        DrawSigns(step);
        var w = Work;
        var unit = up / Math.Sqrt(_block);
        if (_block == _dimension)
        {
            FastHadamard.Transform(w, scalar);
            Store(w, y, 0, _dimension, unit, _signsA, scalar, Streams);
            return;
        }

        FastHadamard.Transform(w[^_block..], scalar);
        Rescale(w, _dimension - _block, _dimension, _signsB, scalar);
        FastHadamard.Transform(w[.._block], scalar);
        Store(w, y, 0, _block, unit, _signsA, scalar, Streams);
        Store(w, y, _block, _dimension, up, _signsA, scalar, Streams);
    }

    /// <summary>
    /// Loads x into w in binary32 (<see cref="Convert"/>) and returns the power of two 2^e it divided x by: 1 while
    /// max|x_i| lies in [2^−64, 2^64], where binary32 holds every coordinate that matters and the transforms cannot
    /// overflow; else 2^e ≤ max|x_i| &lt; 2^(e+1) (e ≥ −1022 keeps 2^−e finite), a second pass at the ends of the doubles.
    /// </summary>
    private static double Load(ReadOnlySpan<double> x, Span<float> w, byte[]? signs, bool scalar, out Moments moments)
    {
        moments = Convert(x, w, 1, signs, scalar);
        var largest = moments.Largest;
        if (LoadsAsIs(largest) || double.IsNaN(moments.SumOfSquares) || double.IsInfinity(largest))
        {
            return 1; // loaded as it is, or a coordinate is not finite (the caller refuses the vector)
        }

        var e = Math.Max(Math.ILogB(largest), -1022);
        Convert(x, w, Math.ScaleB(1.0, -e), signs, scalar);
        return Math.ScaleB(1.0, e);
    }

    /// <summary>2^∓64: the largest magnitudes loaded as they are.</summary>
    private static readonly double SafeLow = Math.ScaleB(1.0, -64), SafeHigh = Math.ScaleB(1.0, 64);

    /// <summary>Fills the sign bits of <paramref name="step"/> unless they are the ones held (an encoder's forward and inverse maps share them).</summary>
    private void DrawSigns(long step)
    {
        if (step == _drawnStep)
        {
            return;
        }

        var a = MemoryMarshal.Cast<byte, ulong>(_signsA.AsSpan());
        var b = MemoryMarshal.Cast<byte, ulong>(_signsB.AsSpan());
        for (var k = 0; k < a.Length; k++)
        {
            a[k] = LittleEndian(SharedRandom.Bits(_seed, 2 * step, _firstWord + k));
            if (_block < _dimension)
            {
                b[k] = LittleEndian(SharedRandom.Bits(_seed, (2 * step) + 1, _firstWord + k));
            }
        }

        _drawnStep = step;
    }

    /// <summary>The word whose bytes in memory are its little-endian bytes (bit i of the word in byte i/8).</summary>
    private static ulong LittleEndian(ulong word) => BitConverter.IsLittleEndian ? word : BinaryPrimitives.ReverseEndianness(word);

    /// <summary>
    /// w_i = ±(float)(x_i·<paramref name="scale"/>), negated where coordinate i's sign bit is set (no flips without
    /// signs); returns max|x_i| (exact on every path for finite x) and Σx_i² (summed in eight lanes, then the tail).
    /// </summary>
    private static Moments Convert(ReadOnlySpan<double> x, Span<float> w, double scale, byte[]? signs, bool scalar)
    {
        var i = 0;
        var (largest, sum) = (0.0, 0.0);
        if (!scalar && Vector256.IsHardwareAccelerated)
        {
            var factor = Vector256.Create(scale);
            var (low, high, lowSum, highSum) = (Vector256<double>.Zero, Vector256<double>.Zero, Vector256<double>.Zero, Vector256<double>.Zero);
            ref var source = ref MemoryMarshal.GetReference(x);
            ref var target = ref MemoryMarshal.GetReference(w);
            for (; i <= x.Length - 8; i += 8)
            {
                var (a, b) = (Vector256.LoadUnsafe(ref source, (nuint)i), Vector256.LoadUnsafe(ref source, (nuint)i + 4));
                (low, high) = (Vector256.MaxNative(low, Vector256.Abs(a)), Vector256.MaxNative(high, Vector256.Abs(b)));
                (lowSum, highSum) = (lowSum + (a * a), highSum + (b * b));
                (Vector256.Narrow(a * factor, b * factor) ^ Flips(signs, i)).StoreUnsafe(ref target, (nuint)i);
            }

            var both = Vector256.MaxNative(low, high);
            largest = Math.Max(Math.Max(both[0], both[1]), Math.Max(both[2], both[3]));
            sum = Vector256.Sum(lowSum + highSum);
        }

        for (; i < x.Length; i++)
        {
            largest = Math.Max(largest, Math.Abs(x[i]));
            sum += x[i] * x[i];
            w[i] = Flip((float)(x[i] * scale), signs, i);
        }

        return new Moments(largest, sum);
    }

    /// <summary>Between the transforms: w_i ×= (float)(1/√P) on [<paramref name="from"/>, <paramref name="to"/>) (the block just transformed), and every w_i takes S_B's sign.</summary>
    private void Rescale(Span<float> w, int from, int to, byte[] signs, bool scalar)
    {
        Flip(w, 0, from, 1, signs, scalar);
        Flip(w, from, to, (float)(1 / Math.Sqrt(_block)), signs, scalar);
        Flip(w, to, w.Length, 1, signs, scalar);
    }

    /// <summary>w_i = ±(w_i·<paramref name="scale"/>) on [<paramref name="from"/>, <paramref name="to"/>).</summary>
    private static void Flip(Span<float> w, int from, int to, float scale, byte[] signs, bool scalar)
    {
        var i = from;
        if (!scalar && Vector256.IsHardwareAccelerated)
        {
            for (; i < to && i % 8 != 0; i++) // to the first whole octet of sign bits
            {
                w[i] = Flip(w[i] * scale, signs, i);
            }

            var factor = Vector256.Create(scale);
            ref var values = ref MemoryMarshal.GetReference(w);
            for (; i <= to - 8; i += 8)
            {
                ((Vector256.LoadUnsafe(ref values, (nuint)i) * factor) ^ Flips(signs, i)).StoreUnsafe(ref values, (nuint)i);
            }
        }

        for (; i < to; i++)
        {
            w[i] = Flip(w[i] * scale, signs, i);
        }
    }

    /// <summary>x_i = (double)(±w_i)·<paramref name="scale"/> on [<paramref name="from"/>, <paramref name="to"/>), past the caches if <paramref name="stream"/> (<see cref="StoreStreaming"/>).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // its own inlining budget (one call a run): inlined into the inverse map, a first form of the streamed loop ran its helper as a call
    private static unsafe void Store(ReadOnlySpan<float> w, Span<double> x, int from, int to, double scale, byte[]? signs, bool scalar, bool stream = false)
    {
        if ((uint)to > (uint)x.Length)
        {
            Guard.Throw($"a store up to {to} into {x.Length} values."); // the stores below are unchecked
        }

        var i = from;
        fixed (double* target = x)
        {
            if (!scalar && stream && Avx.IsSupported && ((nint)target & 7) == 0)
            {
                i = StoreStreaming(w, target, from, to, scale, signs);
            }
            else if (!scalar && Vector256.IsHardwareAccelerated)
            {
                for (; i < to && i % 8 != 0; i++) // to the first whole octet of sign bits
                {
                    x[i] = Flip(w[i], signs, i) * scale;
                }

                var factor = Vector256.Create(scale);
                ref var source = ref MemoryMarshal.GetReference(w);
                for (; i <= to - 8; i += 8)
                {
                    var values = Vector256.LoadUnsafe(ref source, (nuint)i) ^ Flips(signs, i);
                    (Vector256.WidenLower(values) * factor).Store(target + i);
                    (Vector256.WidenUpper(values) * factor).Store(target + i + 4);
                }
            }

            for (; i < to; i++)
            {
                x[i] = Flip(w[i], signs, i) * scale;
            }
        }
    }

    /// <summary>
    /// <see cref="Store"/>'s vector part with non-temporal stores, which write whole lines to memory without first
    /// reading them into the caches as a plain store does (on an output the caches cannot hold, that read doubles the
    /// traffic and evicts the work in progress). They need 32-byte-aligned addresses and a double array is only 8-byte
    /// aligned, so the octets start at the first x_i at the start of a 64-byte line (the sign bits of any eight
    /// coordinates, see <see cref="FlipsAt"/>): each line is then written whole by one octet's two stores, back to back,
    /// so its write-combining buffer fills at once rather than across two octets; returns where the scalar tail starts.
    /// Fenced: the stores are weakly ordered, and another thread may read x next.
    /// </summary>
    private static unsafe int StoreStreaming(ReadOnlySpan<float> w, double* x, int from, int to, double scale, byte[]? signs)
    {
        var i = from;
        for (; i < to && ((nint)(x + i) & 63) != 0; i++)
        {
            x[i] = Flip(w[i], signs, i) * scale;
        }

        var factor = Vector256.Create(scale);
        ref var source = ref MemoryMarshal.GetReference(w);
        for (; i <= to - 8; i += 8)
        {
            var values = Vector256.LoadUnsafe(ref source, (nuint)i) ^ FlipsAt(signs, i);
            Avx.StoreAlignedNonTemporal(x + i, Vector256.WidenLower(values) * factor);
            Avx.StoreAlignedNonTemporal(x + i + 4, Vector256.WidenUpper(values) * factor);
        }

        Sse.StoreFence();
        return i;
    }

    /// <summary>Sign-bit masks of eight binary32 lanes for each 8-bit pattern (lane k negated when bit k is set).</summary>
    private static readonly Vector256<float>[] LaneMasks = [.. Enumerable.Range(0, 256).Select(m =>
        Vector256.Create([.. Enumerable.Range(0, 8).Select(k => ((m >> k) & 1) == 1 ? 0x8000_0000u : 0u)]).AsSingle())];

    /// <summary>The lane mask of coordinates i … i + 7 (i a multiple of 8; zero without signs). Inlined: a call per octet cost more than the octet's work.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Flips(byte[]? signs, int i) => signs is null ? Vector256<float>.Zero : LaneMasks[signs[i >> 3]];

    /// <summary>The lane mask of coordinates i … i + 7 for any i (i + 7 within the signs): bits i mod 8 … of the two bytes they span.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> FlipsAt(byte[]? signs, int i) =>
        signs is null ? Vector256<float>.Zero : LaneMasks[((signs[i >> 3] | (signs[(i + 7) >> 3] << 8)) >> (i & 7)) & 0xFF];

    /// <summary>−v where coordinate i's sign bit is set: an exact sign-bit flip.</summary>
    private static float Flip(float v, byte[]? signs, int i) =>
        signs is null ? v : BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(v) ^ (((signs[i >> 3] >> (i & 7)) & 1) << 31));
}
