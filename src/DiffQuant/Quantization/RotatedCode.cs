using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using DiffQuant.Bits;

namespace DiffQuant.Quantization;

/// <summary>
/// What the codes after a random rotation share (<see cref="RotatedQuantizer"/>, <see cref="EntropyCodedRotatedQuantizer"/>,
/// <see cref="LatticeQuantizer"/>): n, R and the budget floor(n·R); the link's rotation from the shared seed; no
/// worst-case bound (they clip or saturate, so they run under adaptive ranges); and the checks of a message.
/// </summary>
public abstract class RotatedCode : IQuantizer
{
    /// <param name="chunkLength">Coordinates each rotation covers (a multiple of 64; <see cref="WholeVector"/> for one).</param>
    /// <param name="portable">Whether the inverse maps keep to plain stores at every length (a test's reference path); else a vector of at least <see cref="HadamardRotation.StreamedLength"/> is written past the caches.</param>
    private protected RotatedCode(int dimension, double rate, ulong seed, int chunkLength, bool portable = false)
    {
        if (dimension < 0)
        {
            Guard.Throw($"the dimension must be non-negative, got {dimension}.");
        }

        BitAllocation.ValidateRate(rate);
        Dimension = dimension;
        Rate = rate;
        BudgetBits = BitAllocation.Budget(dimension, rate);
        var work = new AlignedFloats(Math.Min(dimension, chunkLength));
        var streams = !portable && dimension >= HadamardRotation.StreamedLength;
        Rotations = [.. Enumerable.Range(0, ChunkCount(dimension, chunkLength))
            .Select(c => new HadamardRotation(Math.Min(chunkLength, dimension - (c * chunkLength)), seed, c * chunkLength, work, streams))];
    }

    /// <summary>The chunk length of a code that rotates the whole vector at once.</summary>
    private protected const int WholeVector = int.MaxValue / 64 * 64;

    /// <summary>⌈n/B⌉ chunks of B coordinates (the last one shorter), at least one (of 0 coordinates when n = 0).</summary>
    private protected static int ChunkCount(int dimension, int chunkLength) => Math.Max(1, (dimension / chunkLength) + (dimension % chunkLength == 0 ? 0 : 1));

    public abstract string Name { get; }

    public int Dimension { get; }

    public double Rate { get; }

    public long BudgetBits { get; }

    public bool UsesRange => true;

    public double CoveringEfficiency => double.NaN;

    /// <summary>
    /// The link's rotations Θ_m, one per message step, chunk by chunk: chunk c covers coordinates c·B … (c+1)·B − 1
    /// (B the chunk length) and draws its signs from those coordinates' bits of the step's random words.
    /// </summary>
    private protected HadamardRotation[] Rotations { get; }

    /// <summary>The rotation of a code in one chunk (<see cref="WholeVector"/>).</summary>
    private protected HadamardRotation Rotation => Rotations[0];

    /// <summary>NaN: the code clips or saturates, so no bound holds for every input of a range.</summary>
    public double CoveringRadius(double range) => double.NaN;

    /// <summary>NaN, as <see cref="CoveringRadius"/>.</summary>
    public double CoordinateErrorBound(double range) => double.NaN;

    public abstract int Encode(ReadOnlySpan<double> u, in QuantizerContext context, BitWriter writer, Span<double> q);

    public abstract void Decode(ref BitReader reader, in QuantizerContext context, Span<double> q);

    /// <summary>σ̂ = ‖u‖₂/√n after an encode's checks: the lengths, the range and the budget (see <see cref="Rms"/>).</summary>
    private protected double CheckedRms(ReadOnlySpan<double> u, in QuantizerContext context, Span<double> q)
    {
        CheckInput(u, context, q);
        return Rms(u);
    }

    /// <summary>An encode's checks of the lengths, the range and the budget.</summary>
    private protected void CheckInput(ReadOnlySpan<double> u, in QuantizerContext context, Span<double> q)
    {
        Guard.SameLength(u.Length, Dimension, "the quantizer input");
        CheckOutput(context, q);
    }

    /// <summary>
    /// σ̂ = ‖u‖₂/√n (= ‖Θu‖₂/√n; 0 for n = 0) of finite coordinates (a NaN or infinite one is refused). Where ‖u‖²
    /// would underflow or overflow (largest |u_i| outside 2^±500) it is summed over u/2^e, 2^e at the largest, so the
    /// gain is right at every scale of the doubles.
    /// </summary>
    private protected double Rms(ReadOnlySpan<double> u)
    {
        var largest = LargestMagnitude(u);
        if (!double.IsFinite(largest))
        {
            Guard.Throw($"the {Name} quantizer's input has a NaN or infinite coordinate (max |u_i| = {largest}).");
        }

        var n = Math.Max(1, u.Length);
        if (largest == 0 || (largest >= MinPlainScale && largest <= MaxPlainScale))
        {
            return Math.Sqrt(TensorPrimitives.SumOfSquares(u) / n);
        }

        var e = Math.ILogB(largest);
        var sum = 0.0;
        foreach (var x in u)
        {
            var scaled = Math.ScaleB(x, -e);
            sum += scaled * scaled;
        }

        return Math.ScaleB(Math.Sqrt(sum / n), e);
    }

    /// <summary>
    /// max |u_i| (0 when empty), or a non-finite value when a coordinate is NaN or infinite: four running maxima and a
    /// running sum of u_i·0 (NaN exactly when some u_i is not finite) in one pass, where TensorPrimitives.MaxMagnitude's
    /// NaN and signed-zero rules cost more than twice as much.
    /// </summary>
    internal static double LargestMagnitude(ReadOnlySpan<double> u)
    {
        var (i, largest, check) = (0, 0.0, 0.0);
        if (Vector256.IsHardwareAccelerated && u.Length >= 16)
        {
            var (a, b, c, d, zeros) = (Vector256<double>.Zero, Vector256<double>.Zero, Vector256<double>.Zero, Vector256<double>.Zero, Vector256<double>.Zero);
            ref var source = ref MemoryMarshal.GetReference(u);
            for (; i <= u.Length - 16; i += 16)
            {
                var (w, x, y, z) = (Vector256.LoadUnsafe(ref source, (nuint)i), Vector256.LoadUnsafe(ref source, (nuint)i + 4), Vector256.LoadUnsafe(ref source, (nuint)i + 8), Vector256.LoadUnsafe(ref source, (nuint)i + 12));
                (a, b, c, d) = (Vector256.MaxNative(a, Vector256.Abs(w)), Vector256.MaxNative(b, Vector256.Abs(x)), Vector256.MaxNative(c, Vector256.Abs(y)), Vector256.MaxNative(d, Vector256.Abs(z)));
                zeros += ((w * 0) + (x * 0)) + ((y * 0) + (z * 0));
            }

            var both = Vector256.MaxNative(Vector256.MaxNative(a, b), Vector256.MaxNative(c, d));
            largest = Math.Max(Math.Max(both[0], both[1]), Math.Max(both[2], both[3]));
            check = Vector256.Sum(zeros);
        }

        for (; i < u.Length; i++)
        {
            largest = Math.Max(largest, Math.Abs(u[i]));
            check += u[i] * 0;
        }

        return double.IsNaN(check) ? Math.Abs(TensorPrimitives.MaxMagnitude(u)) : largest;
    }

    /// <summary>
    /// σ̂ = √(Σu_i²/n) from the moments a rotation met loading u, when they hold it as a plain sum would (finite, largest
    /// |u_i| 0 or within 2^±500); null otherwise, for <see cref="Rms"/> to refuse or rescale.
    /// </summary>
    private protected static double? PlainRms(HadamardRotation.Moments moments, int n) =>
        double.IsFinite(moments.SumOfSquares) && (moments.Largest == 0 || (moments.Largest >= MinPlainScale && moments.Largest <= MaxPlainScale))
            ? Math.Sqrt(moments.SumOfSquares / Math.Max(1, n))
            : null;

    /// <summary>2^∓500: largest magnitudes whose squares a sum holds without underflow or overflow.</summary>
    private static readonly double MinPlainScale = Math.ScaleB(1.0, -500), MaxPlainScale = Math.ScaleB(1.0, 500);

    /// <summary>A decode's checks (and an encode's for its output): the output's length, the range and the budget.</summary>
    private protected void CheckOutput(in QuantizerContext context, Span<double> q)
    {
        Guard.SameLength(q.Length, Dimension, "the quantizer output");
        context.Check(this);
    }
}
