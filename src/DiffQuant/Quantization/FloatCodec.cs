using DiffQuant.Bits;

namespace DiffQuant.Quantization;

/// <summary>
/// Full-precision floats on the wire (IEEE-754 binary64 or binary32 per coordinate), so that the
/// unquantized methods pay their bits through the same channel. binary64 is lossless.
/// </summary>
public sealed class FloatCodec : IQuantizer
{
    public FloatCodec(int dimension, int bitsPerCoordinate = 64)
    {
        if (dimension < 0)
        {
            Guard.Throw($"the dimension must be non-negative, got {dimension}.");
        }

        if (bitsPerCoordinate is not (32 or 64))
        {
            Guard.Throw($"full-precision floats have 32 or 64 bits, got {bitsPerCoordinate}.");
        }

        Dimension = dimension;
        Rate = bitsPerCoordinate;
    }

    public string Name => Rate == 64 ? "float64" : "float32";

    public int Dimension { get; }

    public double Rate { get; }

    public long BudgetBits => (long)Dimension * (long)Rate;

    public bool UsesRange => false;

    public double CoveringEfficiency => double.NaN;

    /// <summary>0 for binary64; NaN for binary32, whose error is relative, not bounded by a range.</summary>
    public double CoveringRadius(double range) => Rate == 64 ? 0 : double.NaN;

    /// <summary>0 for binary64; NaN for binary32.</summary>
    public double CoordinateErrorBound(double range) => CoveringRadius(range);

    public int Encode(ReadOnlySpan<double> u, in QuantizerContext context, BitWriter writer, Span<double> q)
    {
        CheckBudget(context.BudgetBits);
        Guard.SameLength(u.Length, Dimension, "the codec input");
        Guard.SameLength(q.Length, Dimension, "the codec output");
        if (Rate == 64)
        {
            writer.WriteDoubles(u);
            u.CopyTo(q);
            return 0;
        }

        var overloads = 0;
        for (var i = 0; i < u.Length; i++)
        {
            var single = (float)u[i];
            if (float.IsInfinity(single) && double.IsFinite(u[i]))
            {
                overloads++;
            }

            writer.WriteSingle(single);
            q[i] = single;
        }

        return overloads;
    }

    public void Decode(ref BitReader reader, in QuantizerContext context, Span<double> q)
    {
        CheckBudget(context.BudgetBits);
        Guard.SameLength(q.Length, Dimension, "the codec output");
        if (Rate == 64)
        {
            reader.ReadDoubles(q);
            return;
        }

        for (var i = 0; i < q.Length; i++)
        {
            q[i] = reader.ReadSingle();
        }
    }

    private void CheckBudget(long budget)
    {
        if (budget < BudgetBits)
        {
            Guard.Throw($"a {Name} code of {BudgetBits} bits does not fit this message's budget of {budget} bits.");
        }
    }
}
