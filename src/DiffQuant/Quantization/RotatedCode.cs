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

    /// <summary>‖u‖² (= ‖Θu‖²) after an encode's checks: the lengths, the range and the budget, a finite norm.</summary>
    private protected double CheckedEnergy(ReadOnlySpan<double> u, in QuantizerContext context, Span<double> q)
    {
        Guard.SameLength(u.Length, Dimension, "the quantizer input");
        CheckOutput(context, q);
        var energy = TensorPrimitives.SumOfSquares(u);
        if (!double.IsFinite(energy))
        {
            Guard.Throw($"the {Name} quantizer's input has a NaN, infinite or overflowing norm (‖u‖² = {energy}).");
        }

        return energy;
    }

    /// <summary>A decode's checks (and an encode's for its output): the output's length, the range and the budget.</summary>
    private protected void CheckOutput(in QuantizerContext context, Span<double> q)
    {
        Guard.SameLength(q.Length, Dimension, "the quantizer output");
        context.Check(this);
    }
}
