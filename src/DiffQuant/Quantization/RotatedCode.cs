using System.Numerics.Tensors;
using DiffQuant.Bits;

namespace DiffQuant.Quantization;

/// <summary>
/// What the codes after a random rotation share (<see cref="RotatedQuantizer"/>, <see cref="EntropyCodedRotatedQuantizer"/>,
/// <see cref="LatticeQuantizer"/>): n, R and the budget floor(n·R); the link's rotation from the shared seed; no
/// worst-case bound (they clip or saturate, so they run under adaptive ranges); and the checks of a message.
/// </summary>
public abstract class RotatedCode : IQuantizer
{
    private protected RotatedCode(int dimension, double rate, ulong seed)
    {
        if (dimension < 0)
        {
            Guard.Throw($"the dimension must be non-negative, got {dimension}.");
        }

        BitAllocation.ValidateRate(rate);
        Dimension = dimension;
        Rate = rate;
        BudgetBits = BitAllocation.Budget(dimension, rate);
        Rotation = new HadamardRotation(dimension, seed);
    }

    public abstract string Name { get; }

    public int Dimension { get; }

    public double Rate { get; }

    public long BudgetBits { get; }

    public bool UsesRange => true;

    public double CoveringEfficiency => double.NaN;

    /// <summary>The link's rotations Θ_m, one per message step.</summary>
    private protected HadamardRotation Rotation { get; }

    /// <summary>NaN: the code clips or saturates, so no bound holds for every input of a range.</summary>
    public double CoveringRadius(double range) => double.NaN;

    /// <summary>NaN, as <see cref="CoveringRadius"/>.</summary>
    public double CoordinateErrorBound(double range) => double.NaN;

    public abstract int Encode(ReadOnlySpan<double> u, in QuantizerContext context, BitWriter writer, Span<double> q);

    public abstract void Decode(ref BitReader reader, in QuantizerContext context, Span<double> q);

    /// <summary>
    /// σ̂ = ‖u‖₂/√n (= ‖Θu‖₂/√n; 0 for n = 0) after an encode's checks: the lengths, the range and the budget, finite
    /// coordinates. Where ‖u‖² would underflow or overflow (largest |u_i| outside 2^±500) it is summed over u/2^e, 2^e
    /// at the largest, so the gain is right at every scale of the doubles.
    /// </summary>
    private protected double CheckedRms(ReadOnlySpan<double> u, in QuantizerContext context, Span<double> q)
    {
        Guard.SameLength(u.Length, Dimension, "the quantizer input");
        CheckOutput(context, q);
        var largest = u.IsEmpty ? 0 : Math.Abs(TensorPrimitives.MaxMagnitude(u));
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

    /// <summary>2^∓500: largest magnitudes whose squares a sum holds without underflow or overflow.</summary>
    private static readonly double MinPlainScale = Math.ScaleB(1.0, -500), MaxPlainScale = Math.ScaleB(1.0, 500);

    /// <summary>A decode's checks (and an encode's for its output): the output's length, the range and the budget.</summary>
    private protected void CheckOutput(in QuantizerContext context, Span<double> q)
    {
        Guard.SameLength(q.Length, Dimension, "the quantizer output");
        context.Check(this);
    }
}
