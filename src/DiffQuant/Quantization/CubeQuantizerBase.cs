using System.Numerics.Tensors;
using DiffQuant.Bits;

namespace DiffQuant.Quantization;

/// <summary>
/// Shared machinery of the scalar quantizers of the cube [−r, r]ⁿ: the per-coordinate bit allocation,
/// range checks, saturation counting and the bit packing. A subclass supplies the grid of a coordinate
/// with b bits (at most two distinct b per vector: floor(R) and ceil(R)).
/// </summary>
public abstract class CubeQuantizerBase<TGrid> : IQuantizer
    where TGrid : struct, ICubeGrid
{
    /// <summary>Coordinates quantized as one run before their fields are packed.</summary>
    private const int Run = 256;

    private readonly byte[] _bits;
    private readonly int _lowBits;

    /// <summary>Whether every coordinate has the same b ≥ 1 bits (floor(n·R) a multiple of n).</summary>
    private readonly bool _uniform;
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
        _lowBits = dimension == 0 ? 0 : _bits.Min();
        _uniform = dimension > 0 && _lowBits > 0 && _bits.Max() == _lowBits;
        BudgetBits = BitAllocation.Budget(dimension, rate);
        if (BudgetBits == 0 && dimension > 0)
        {
            Guard.Throw($"rate {rate} bits per coordinate gives floor(n·R) = 0 bits per message for n = {dimension}; use a rate of at least 1/n = {1.0 / dimension:G4}.");
        }

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

    /// <summary>r·c(b_min): the coarsest coordinate's worst error.</summary>
    public double CoordinateErrorBound(double range) => range * CellRadius(_lowBits);

    public int Encode(ReadOnlySpan<double> u, in QuantizerContext context, BitWriter writer, Span<double> q)
    {
        Guard.SameLength(u.Length, Dimension, "the quantizer input");
        Guard.SameLength(q.Length, Dimension, "the quantizer output");
        var (range, step) = (context.Range, context.Step);
        context.Check(this);
        var low = Grid(range, _lowBits, step);
        if (_uniform && QuantizesInRuns)
        {
            return EncodeRuns(low, range, u, writer, q);
        }

        var overloads = Overloads(u, range);
        var packer = default(FieldPacker);

        if (_uniform)
        {
            // Every coordinate has the same b ≥ 1 bits (integer R): one grid, no per-coordinate branch.
            var b = _lowBits;
            for (var i = 0; i < u.Length; i++)
            {
                var cell = low.Cell(u[i], i);
                q[i] = low.Value(cell, i);
                packer.Put(writer, cell, b);
            }

            packer.Flush(writer);
            return overloads;
        }

        var high = Grid(range, _lowBits + 1, step);
        for (var i = 0; i < u.Length; i++)
        {
            int b = _bits[i];
            if (b == 0)
            {
                q[i] = 0;
                continue;
            }

            ulong cell;
            if (b == _lowBits)
            {
                cell = low.Cell(u[i], i);
                q[i] = low.Value(cell, i);
            }
            else
            {
                cell = high.Cell(u[i], i);
                q[i] = high.Value(cell, i);
            }

            packer.Put(writer, cell, b);
        }

        packer.Flush(writer);
        return overloads;
    }

    public void Decode(ref BitReader reader, in QuantizerContext context, Span<double> q)
    {
        Guard.SameLength(q.Length, Dimension, "the quantizer output");
        var (range, step) = (context.Range, context.Step);
        context.Check(this);
        var low = Grid(range, _lowBits, step);
        var unpacker = new FieldUnpacker(BudgetBits);
        if (_uniform && QuantizesInRuns)
        {
            DecodeRuns(low, ref reader, ref unpacker, q);
            return;
        }

        if (_uniform)
        {
            // One pass: for a grid without a vectorized form, unpacking and reconstructing fused beat two passes.
            var b = _lowBits;
            for (var i = 0; i < q.Length; i++)
            {
                q[i] = low.Value(unpacker.Take(ref reader, b), i);
            }

            return;
        }

        var high = Grid(range, _lowBits + 1, step);
        for (var i = 0; i < q.Length; i++)
        {
            int b = _bits[i];
            q[i] = b == 0 ? 0 : b == _lowBits ? low.Value(unpacker.Take(ref reader, b), i) : high.Value(unpacker.Take(ref reader, b), i);
        }
    }

    /// <summary>
    /// The coordinates outside [−r, r] (they saturate to an end cell); a NaN is refused. One SIMD pass finds the
    /// largest magnitude, so the common in-range vector is not compared coordinate by coordinate.
    /// </summary>
    private static int Overloads(ReadOnlySpan<double> u, double range)
    {
        var peak = u.IsEmpty ? 0 : Math.Abs(TensorPrimitives.MaxMagnitude(u));
        if (!double.IsNaN(peak) && peak <= range)
        {
            return 0;
        }

        var overloads = 0;
        for (var i = 0; i < u.Length; i++)
        {
            overloads += Overload(u[i], i, range);
        }

        return overloads;
    }

    /// <summary>
    /// Integer rate, every coordinate b ≥ 1 bits: runs quantized at once, then packed; returns the overloads, counted
    /// run by run (a long vector is read once, not once more for the check; a NaN is refused where its run meets it,
    /// the message unfinished and unsent). Apart from <see cref="Encode"/> so that its stack buffer does not weigh on
    /// the fused loop there.
    /// </summary>
    private int EncodeRuns(in TGrid grid, double range, ReadOnlySpan<double> u, BitWriter writer, Span<double> q)
    {
        var b = _lowBits;
        var packer = default(FieldPacker);
        var overloads = 0;
        Span<double> cells = stackalloc double[Run];
        for (var start = 0; start < u.Length; start += Run)
        {
            var length = Math.Min(Run, u.Length - start);
            overloads += QuantizeRun(grid, range, u.Slice(start, length), start, cells[..length], q.Slice(start, length));
            packer.PutCells(writer, cells[..length], b);
        }

        packer.Flush(writer);
        return overloads;
    }

    /// <summary>
    /// Integer rate, every coordinate b ≥ 1 bits, a grid with a vectorized form: runs of cells unpacked at once
    /// (<see cref="FieldUnpacker.TakeCells(ref BitReader, Span{double}, int)"/>), then reconstructed by
    /// <see cref="ReconstructRun"/> while they are in the first-level cache.
    /// </summary>
    private void DecodeRuns(in TGrid grid, ref BitReader reader, ref FieldUnpacker unpacker, Span<double> q)
    {
        Span<double> cells = stackalloc double[Run];
        for (var start = 0; start < q.Length; start += Run)
        {
            var length = Math.Min(Run, q.Length - start);
            unpacker.TakeCells(ref reader, cells[..length], _lowBits);
            ReconstructRun(grid, cells[..length], start, q.Slice(start, length));
        }
    }

    /// <summary>
    /// q[j] = Value(cells[j], start + j) for a run of cells (exact integers held as doubles); a grid with a vectorized
    /// form overrides this with the same results bit for bit.
    /// </summary>
    protected virtual void ReconstructRun(in TGrid grid, ReadOnlySpan<double> cells, int start, Span<double> q)
    {
        for (var j = 0; j < cells.Length; j++)
        {
            q[j] = grid.Value((ulong)cells[j], start + j);
        }
    }

    /// <summary>
    /// Whether integer-rate encoding quantizes runs of coordinates with <see cref="QuantizeRun"/> before packing them,
    /// and decoding unpacks runs before <see cref="ReconstructRun"/> (a grid with a vectorized form); otherwise one
    /// fused loop each, faster for a grid without one.
    /// </summary>
    protected virtual bool QuantizesInRuns => false;

    /// <summary>
    /// cells[j] = Cell(u[j], start + j) (exact integers held as doubles) and q[j] = Value(cells[j], start + j) for a run
    /// of coordinates, returning how many lie outside [−r, r] (a NaN is refused, as <see cref="Encode"/> does); a grid
    /// with a vectorized form overrides this with the same results bit for bit.
    /// </summary>
    protected virtual int QuantizeRun(in TGrid grid, double range, ReadOnlySpan<double> u, int start, Span<double> cells, Span<double> q)
    {
        var overloads = 0;
        for (var j = 0; j < u.Length; j++)
        {
            overloads += Overload(u[j], start + j, range);
            var cell = grid.Cell(u[j], start + j);
            cells[j] = cell;
            q[j] = grid.Value(cell, start + j);
        }

        return overloads;
    }

    /// <summary>1 when |x| &gt; r, 0 inside; a NaN at coordinate <paramref name="index"/> is refused.</summary>
    private protected static int Overload(double x, int index, double range)
    {
        if (double.IsNaN(x))
        {
            Guard.Throw($"quantizer input [{index}] is NaN.");
        }

        return Math.Abs(x) > range ? 1 : 0;
    }

    /// <summary>The worst |Q(u) − u| of one coordinate with b bits and range 1, for |u| ≤ 1.</summary>
    protected abstract double CellRadius(int bits);

    /// <summary>The grid of a coordinate with <paramref name="bits"/> bits (≥ 0) at this range and step.</summary>
    protected abstract TGrid Grid(double range, int bits, long step);

    /// <summary>Clamps a real cell coordinate to a valid index of a 2^b-cell grid.</summary>
    internal static ulong Saturate(double position, double last) =>
        position <= 0 ? 0 : position >= last ? (ulong)last : (ulong)position;
}
