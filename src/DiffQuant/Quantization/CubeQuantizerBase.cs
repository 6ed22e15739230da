using DiffQuant.Bits;

namespace DiffQuant.Quantization;

/// <summary>
/// Shared machinery of the scalar quantizers of the cube [−r, r]ⁿ: the per-coordinate bit
/// allocation, range checks, saturation counting and the bit packing. A subclass defines the grid:
/// the cell index of a value and the value of a cell.
/// </summary>
public abstract class CubeQuantizerBase : IQuantizer
{
    private readonly byte[] _bits;
    private readonly double _radiusPerUnitRange;

    protected CubeQuantizerBase(int dimension, double rate)
    {
        if (dimension < 0)
        {
            Guard.Throw($"the dimension must be non-negative, got {dimension}.");
        }

        Dimension = dimension;
        Rate = rate;
        _bits = BitAllocation.Spread(dimension, rate);
        BudgetBits = BitAllocation.Budget(dimension, rate);
        double sum = 0;
        foreach (var b in _bits)
        {
            var e = CellRadius(b);
            sum += e * e;
        }

        _radiusPerUnitRange = Math.Sqrt(sum);
        CoveringEfficiency = dimension == 0 ? 1 : _radiusPerUnitRange / Math.Pow(2, -rate);
    }

    public abstract string Name { get; }

    public int Dimension { get; }

    public double Rate { get; }

    public long BudgetBits { get; }

    public bool UsesRange => true;

    public double CoveringEfficiency { get; }

    /// <summary>Bits of coordinate i.</summary>
    public ReadOnlySpan<byte> BitsPerCoordinate => _bits;

    /// <summary>r·sqrt(Σ_i c(b_i)²) where c(b) is the worst per-coordinate error of a unit range.</summary>
    public double CoveringRadius(double range) => range * _radiusPerUnitRange;

    public int Encode(ReadOnlySpan<double> u, double range, long step, BitWriter writer, Span<double> q)
    {
        Guard.SameLength(u.Length, Dimension, "the quantizer input");
        Guard.SameLength(q.Length, Dimension, "the quantizer output");
        CheckRange(range);
        var overloads = 0;
        for (var i = 0; i < u.Length; i++)
        {
            var value = u[i];
            if (double.IsNaN(value))
            {
                Guard.Throw($"quantizer input [{i}] is NaN.");
            }

            if (Math.Abs(value) > range)
            {
                overloads++;
            }

            int b = _bits[i];
            if (b == 0)
            {
                q[i] = 0;
                continue;
            }

            var cell = Cell(value, range, b, step, i);
            writer.Write(cell, b);
            q[i] = Value(cell, range, b, step, i);
        }

        return overloads;
    }

    public void Decode(ref BitReader reader, double range, long step, Span<double> q)
    {
        Guard.SameLength(q.Length, Dimension, "the quantizer output");
        CheckRange(range);
        for (var i = 0; i < q.Length; i++)
        {
            int b = _bits[i];
            q[i] = b == 0 ? 0 : Value(reader.Read(b), range, b, step, i);
        }
    }

    /// <summary>The worst |Q(u) − u| of one coordinate with b bits and range 1, for |u| ≤ 1.</summary>
    protected abstract double CellRadius(int bits);

    /// <summary>The saturated cell index in [0, 2^b) of <paramref name="value"/>.</summary>
    protected abstract ulong Cell(double value, double range, int bits, long step, int index);

    /// <summary>The reconstruction of cell <paramref name="cell"/>.</summary>
    protected abstract double Value(ulong cell, double range, int bits, long step, int index);

    /// <summary>Clamps a real cell coordinate to a valid index of a 2^b-cell grid.</summary>
    protected static ulong Saturate(double position, int bits)
    {
        var last = (double)((1UL << bits) - 1);
        return position <= 0 ? 0 : position >= last ? (ulong)last : (ulong)position;
    }

    private static void CheckRange(double range)
    {
        if (!(range > 0) || !double.IsFinite(range))
        {
            Guard.Throw($"the quantizer range must be a positive finite number, got {range}.");
        }
    }
}
