using System.Numerics.Tensors;
using DiffQuant.Bits;

namespace DiffQuant.Quantization;

/// <summary>
/// The rotated gain–shape code with E8 lattice blocks instead of scalar cells. v = Θ_m u (the link's m-th
/// <see cref="HadamardRotation"/>), zero-padded to ⌈n/8⌉ blocks of 8; the payload opens with the rotated code's 5-bit
/// gain σ (<see cref="RotatedQuantizer.Gain"/>); then block j with b_j bits a coordinate (the budget floor(n·R) − 5
/// in whole bytes spread evenly, the extra byte on the first blocks) sends the Voronoi index
/// (<see cref="E8Lattice.ToIndex"/>, 8·b_j bits) of λ, the E8 point nearest v_j/Δ, Δ = σ·<see cref="Steps"/>[b_j].
/// A point outside the Voronoi cell of 2^b·E8 would decode to the wrong side (a Voronoi code wraps), so the encoder
/// clips instead: it shrinks v_j by 0.9 until the point decodes to itself (an overload, counted per coordinate).
/// A block with 0 bits decodes to 0, so rates below one bit a coordinate keep a random subspace. q = Θ_mᵀ(Δ·λ).
/// </summary>
public sealed class E8Quantizer : IQuantizer
{
    /// <summary>The most bits a coordinate may take.</summary>
    public const int MaxBitsPerCoordinate = 16;

    /// <summary>Each pass of the encoder's clipping shrinks the block by this factor.</summary>
    private const double Shrink = 0.9;

    /// <summary>
    /// Δ_b/σ for b = 1…16: the scale of E8 in the code of b bits a coordinate that minimizes the mean-square error of
    /// N(0, I₈) blocks with clipping as above (found by a golden-section search on 20,000 blocks; a test checks that 15% either side is worse). Part
    /// of the code: both ends must use these values.
    /// </summary>
    public static ReadOnlySpan<double> Steps =>
        [1.657, 1.048, 0.5775, 0.3186, 0.175, 0.09495, 0.05262, 0.02759, 0.01434, 0.007161, 0.003582, 0.00179, 0.0008952, 0.0004479, 0.0002239, 0.0001119];

    private readonly HadamardRotation _rotation;
    private readonly double[] _padded;
    private readonly int _blocks;

    /// <summary>b: every block has b or b + 1 bits a coordinate.</summary>
    private readonly int _lowBits;

    /// <summary>The first blocks, which take b + 1 bits a coordinate.</summary>
    private readonly int _highCount;

    public E8Quantizer(int dimension, double rate, ulong seed)
    {
        if (dimension < 0)
        {
            Guard.Throw($"the dimension must be non-negative, got {dimension}.");
        }

        BitAllocation.ValidateRate(rate);
        Dimension = dimension;
        Rate = rate;
        BudgetBits = BitAllocation.Budget(dimension, rate);
        _blocks = (dimension + E8Lattice.Dimension - 1) / E8Lattice.Dimension;
        var units = Math.Max(0, BudgetBits - RotatedQuantizer.ScaleBits) / E8Lattice.Dimension; // one bit a coordinate of one block
        if (dimension > 0 && units == 0)
        {
            Guard.Throw($"rate {rate} gives floor(n·R) = {BudgetBits} bits per message for n = {dimension}; the E8 code needs its {RotatedQuantizer.ScaleBits}-bit gain and 8 bits for a block (a rate of at least {(RotatedQuantizer.ScaleBits + 8.0) / dimension:G4}).");
        }

        (_lowBits, _highCount) = dimension == 0 ? (0, 0) : ((int)(units / _blocks), (int)(units % _blocks));
        if (_lowBits + (_highCount > 0 ? 1 : 0) > MaxBitsPerCoordinate)
        {
            Guard.Throw($"the E8 code takes at most {MaxBitsPerCoordinate} bits a coordinate; rate {rate} asks for {_lowBits + 1}.");
        }

        _rotation = new HadamardRotation(dimension, seed);
        _padded = new double[_blocks * E8Lattice.Dimension];
    }

    public string Name => "e8";

    public int Dimension { get; }

    public double Rate { get; }

    public long BudgetBits { get; }

    public bool UsesRange => true;

    public double CoveringEfficiency => double.NaN;

    /// <summary>NaN: the code clips, so no bound holds for every input of a range.</summary>
    public double CoveringRadius(double range) => double.NaN;

    /// <summary>NaN, as <see cref="CoveringRadius"/>.</summary>
    public double CoordinateErrorBound(double range) => double.NaN;

    public int Encode(ReadOnlySpan<double> u, in QuantizerContext context, BitWriter writer, Span<double> q)
    {
        Guard.SameLength(u.Length, Dimension, "the quantizer input");
        Guard.SameLength(q.Length, Dimension, "the quantizer output");
        context.Check(this);
        var energy = TensorPrimitives.SumOfSquares(u);
        if (!double.IsFinite(energy))
        {
            Guard.Throw($"the E8 quantizer's input has a NaN, infinite or overflowing norm (‖u‖² = {energy}).");
        }

        if (Dimension == 0)
        {
            return 0;
        }

        var v = _padded.AsSpan();
        u.CopyTo(v);
        v[Dimension..].Clear(); // the last block's padding (the previous message left its reconstruction there)
        var rotated = v[..Dimension];
        _rotation.Forward(rotated, context.Step);
        var k = RotatedQuantizer.GainIndex(Math.Sqrt(energy / Math.Max(1, Dimension)), context.Range);
        var sigma = RotatedQuantizer.Gain(context.Range, k);
        var packer = default(FieldPacker);
        packer.Put(writer, (ulong)k, RotatedQuantizer.ScaleBits);
        Span<double> scaled = stackalloc double[E8Lattice.Dimension];
        Span<long> point = stackalloc long[E8Lattice.Dimension];
        Span<long> index = stackalloc long[E8Lattice.Dimension];
        Span<long> check = stackalloc long[E8Lattice.Dimension];
        var overloads = 0;
        for (var j = 0; j < _blocks; j++)
        {
            var block = v.Slice(j * E8Lattice.Dimension, E8Lattice.Dimension);
            var bits = BlockBits(j);
            if (bits == 0)
            {
                block.Clear();
                continue;
            }

            var (step, modulus) = (sigma * Steps[bits - 1], 1L << bits);
            var shrink = 1.0;
            while (true)
            {
                for (var i = 0; i < E8Lattice.Dimension; i++)
                {
                    scaled[i] = block[i] * shrink / step;
                }

                E8Lattice.ClosestPoint(scaled, point);
                E8Lattice.ToIndex(point, modulus, index);
                E8Lattice.FromIndex(index, modulus, check);
                if (check.SequenceEqual(point))
                {
                    break;
                }

                shrink *= Shrink;
            }

            overloads += shrink < 1 ? Math.Min(E8Lattice.Dimension, Dimension - (j * E8Lattice.Dimension)) : 0;
            foreach (var field in index)
            {
                packer.Put(writer, (ulong)field, bits);
            }

            Reconstruct(point, step, block);
        }

        Pad(writer, ref packer);
        packer.Flush(writer);
        rotated.CopyTo(q);
        _rotation.Inverse(q, context.Step);
        return overloads;
    }

    public void Decode(ref BitReader reader, in QuantizerContext context, Span<double> q)
    {
        Guard.SameLength(q.Length, Dimension, "the quantizer output");
        context.Check(this);
        if (Dimension == 0)
        {
            return;
        }

        var unpacker = new FieldUnpacker(BudgetBits);
        var sigma = RotatedQuantizer.Gain(context.Range, (int)unpacker.Take(ref reader, RotatedQuantizer.ScaleBits));
        var v = _padded.AsSpan();
        Span<long> index = stackalloc long[E8Lattice.Dimension];
        Span<long> point = stackalloc long[E8Lattice.Dimension];
        for (var j = 0; j < _blocks; j++)
        {
            var block = v.Slice(j * E8Lattice.Dimension, E8Lattice.Dimension);
            var bits = BlockBits(j);
            if (bits == 0)
            {
                block.Clear();
                continue;
            }

            for (var i = 0; i < E8Lattice.Dimension; i++)
            {
                index[i] = (long)unpacker.Take(ref reader, bits);
            }

            E8Lattice.FromIndex(index, 1L << bits, point);
            Reconstruct(point, sigma * Steps[bits - 1], block);
        }

        for (var rest = PaddingBits; rest > 0; rest -= 32)
        {
            unpacker.Take(ref reader, (int)Math.Min(rest, 32));
        }

        v[..Dimension].CopyTo(q);
        _rotation.Inverse(q, context.Step);
    }

    private int BlockBits(int block) => block < _highCount ? _lowBits + 1 : _lowBits;

    /// <summary>The block's decoded value Δ·λ = Δ·(2λ)/2.</summary>
    private static void Reconstruct(ReadOnlySpan<long> doubled, double step, Span<double> block)
    {
        for (var i = 0; i < E8Lattice.Dimension; i++)
        {
            block[i] = doubled[i] * 0.5 * step;
        }
    }

    /// <summary>The budget's bits after the gain and the blocks' whole bytes (fewer than 8), sent as zeros.</summary>
    private long PaddingBits => Dimension == 0 ? 0 : BudgetBits - RotatedQuantizer.ScaleBits - ((long)E8Lattice.Dimension * ((_blocks * _lowBits) + _highCount));

    private void Pad(BitWriter writer, ref FieldPacker packer)
    {
        for (var rest = PaddingBits; rest > 0; rest -= 32)
        {
            packer.Put(writer, 0, (int)Math.Min(rest, 32));
        }
    }
}
