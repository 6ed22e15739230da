using System.Runtime.Intrinsics;
using DiffQuant.Bits;

namespace DiffQuant.Quantization;

/// <summary>
/// The rotated gain–shape code with lattice blocks (<see cref="E8Lattice"/>, <see cref="D8Lattice"/>) instead of scalar
/// cells, named after its lattice ("e8", "d8"). v = Θ_m u (the link's m-th <see cref="HadamardRotation"/>),
/// zero-padded to ⌈n/8⌉ blocks of 8; the payload opens with the rotated code's 5-bit gain σ
/// (<see cref="RotatedQuantizer.Gain"/>); then block j with b_j bits a coordinate (the budget floor(n·R) − 5 in whole
/// bytes spread evenly, the extra byte on the first blocks) sends the Voronoi index
/// (<see cref="BlockLattice.ToIndex(ReadOnlySpan{long}, int, Span{long})"/>, 8·b_j bits) of λ, the lattice point
/// nearest v_j/Δ, Δ = σ·<see cref="BlockLattice.Steps"/>[b_j]. A point outside the Voronoi cell of 2^b·Λ would decode
/// to the wrong side (a Voronoi code wraps), so the encoder clips instead: it shrinks v_j by 0.9 until the point
/// decodes to itself (an overload, counted per coordinate). A block with 0 bits decodes to 0, so rates below one bit
/// a coordinate keep a random subspace. q = Θ_mᵀ(Δ·λ).
/// </summary>
public sealed class LatticeQuantizer : RotatedCode
{
    /// <summary>The most bits a coordinate may take.</summary>
    public const int MaxBitsPerCoordinate = 16;

    /// <summary>The sign mask of a register whose four lanes are all set (masks are compared by their signs: as doubles they are NaN).</summary>
    private const uint AllLanes = (1 << BlockLattice.Lanes) - 1;

    /// <summary>Blocks the encoder codes before packing them (a multiple of <see cref="BlockLattice.Lanes"/>).</summary>
    private const int ChunkBlocks = 256;

    /// <summary>Each pass of the encoder's clipping shrinks the block by this factor.</summary>
    private const double Shrink = 0.9;

    private readonly double[] _padded;

    /// <summary>The Voronoi indices of a chunk of blocks, block-major, and the chunk's blocks that need clipping.</summary>
    private readonly long[] _fields = new long[ChunkBlocks * BlockLattice.Dimension];
    private readonly int[] _pending = new int[ChunkBlocks];
    private readonly int _blocks;

    /// <summary>b: every block has b or b + 1 bits a coordinate.</summary>
    private readonly int _lowBits;

    /// <summary>The first blocks, which take b + 1 bits a coordinate.</summary>
    private readonly int _highCount;

    private readonly BlockLattice _lattice;

    public LatticeQuantizer(BlockLattice lattice, int dimension, double rate, ulong seed)
        : base(dimension, rate, seed)
    {
        _lattice = lattice;
        _blocks = (dimension + BlockLattice.Dimension - 1) / BlockLattice.Dimension;
        var units = Math.Max(0, BudgetBits - RotatedQuantizer.ScaleBits) / BlockLattice.Dimension; // one bit a coordinate of one block
        if (dimension > 0 && units == 0)
        {
            Guard.Throw($"rate {rate} gives floor(n·R) = {BudgetBits} bits per message for n = {dimension}; the {lattice.Name} code needs its {RotatedQuantizer.ScaleBits}-bit gain and 8 bits for a block (a rate of at least {(RotatedQuantizer.ScaleBits + 8.0) / dimension:G4}).");
        }

        (_lowBits, _highCount) = dimension == 0 ? (0, 0) : ((int)(units / _blocks), (int)(units % _blocks));
        if (_lowBits + (_highCount > 0 ? 1 : 0) > MaxBitsPerCoordinate)
        {
            Guard.Throw($"the {lattice.Name} code takes at most {MaxBitsPerCoordinate} bits a coordinate; rate {rate} asks for {_lowBits + 1}.");
        }

        _padded = new double[_blocks * BlockLattice.Dimension];
    }

    public override string Name => _lattice.Name.ToLowerInvariant();

    public override int Encode(ReadOnlySpan<double> u, in QuantizerContext context, BitWriter writer, Span<double> q)
    {
        var energy = CheckedEnergy(u, context, q);
        if (Dimension == 0)
        {
            return 0;
        }

        var v = _padded.AsSpan();
        u.CopyTo(v);
        v[Dimension..].Clear(); // the last block's padding (the previous message left its reconstruction there)
        var rotated = v[..Dimension];
        Rotation.Forward(rotated, context.Step);
        var k = RotatedQuantizer.GainIndex(Math.Sqrt(energy / Math.Max(1, Dimension)), context.Range);
        var sigma = RotatedQuantizer.Gain(context.Range, k);
        var packer = default(FieldPacker);
        packer.Put(writer, (ulong)k, RotatedQuantizer.ScaleBits);
        var coded = CodedBlocks;
        v[(coded * BlockLattice.Dimension)..].Clear(); // blocks with 0 bits decode to 0
        var overloads = 0;
        for (var start = 0; start < coded; start += ChunkBlocks)
        {
            var count = Math.Min(ChunkBlocks, coded - start);
            overloads += CodeChunk(v, start, count, sigma);
            for (var block = 0; block < count; block++)
            {
                PutFields(writer, ref packer, _fields.AsSpan(block * BlockLattice.Dimension, BlockLattice.Dimension), BlockBits(start + block));
            }
        }

        Pad(writer, ref packer);
        packer.Flush(writer);
        rotated.CopyTo(q);
        Rotation.Inverse(q, context.Step);
        return overloads;
    }

    public override void Decode(ref BitReader reader, in QuantizerContext context, Span<double> q)
    {
        CheckOutput(context, q);
        if (Dimension == 0)
        {
            return;
        }

        var unpacker = new FieldUnpacker(BudgetBits);
        var sigma = RotatedQuantizer.Gain(context.Range, (int)unpacker.Take(ref reader, RotatedQuantizer.ScaleBits));
        var v = _padded.AsSpan();
        var coded = CodedBlocks;
        v[(coded * BlockLattice.Dimension)..].Clear();
        Span<long> fields = stackalloc long[BlockLattice.Dimension * BlockLattice.Lanes];
        Span<int> bits = stackalloc int[BlockLattice.Lanes];
        Span<double> steps = stackalloc double[BlockLattice.Lanes];
        for (var j = 0; j < coded; j += BlockLattice.Lanes)
        {
            var count = GroupParameters(j, coded, sigma, bits, steps);
            for (var lane = 0; lane < count; lane++)
            {
                TakeFields(ref reader, ref unpacker, fields.Slice(lane * BlockLattice.Dimension, BlockLattice.Dimension), bits[lane]);
            }

            DecodeBlocks(_lattice, v.Slice(j * BlockLattice.Dimension, count * BlockLattice.Dimension), bits, steps, fields);
        }

        for (var rest = PaddingBits; rest > 0; rest -= 32)
        {
            unpacker.Take(ref reader, (int)Math.Min(rest, 32));
        }

        v[..Dimension].CopyTo(q);
        Rotation.Inverse(q, context.Step);
    }

    private int BlockBits(int block) => block < _highCount ? _lowBits + 1 : _lowBits;

    /// <summary>The blocks with at least one bit: all, or the first ones when b = 0.</summary>
    private int CodedBlocks => _lowBits > 0 ? _blocks : _highCount;

    /// <summary>The bits and steps of the group of blocks from <paramref name="first"/>; returns how many blocks it has.</summary>
    private int GroupParameters(int first, int end, double sigma, Span<int> bits, Span<double> steps)
    {
        var count = Math.Min(BlockLattice.Lanes, end - first);
        for (var lane = 0; lane < count; lane++)
        {
            (bits[lane], steps[lane]) = BlockParameters(first + lane, sigma);
        }

        return count;
    }

    private (int Bits, double Step) BlockParameters(int block, double sigma)
    {
        var bits = BlockBits(block);
        return (bits, sigma * _lattice.Steps[bits - 1]);
    }

    /// <summary>
    /// Codes the blocks [start, start + count) of v into <see cref="_fields"/> (block-major) and returns the overloaded
    /// coordinates. Groups of four take one pass each; the blocks whose point did not decode to itself are then
    /// clipped four at a time from copies, so the shrinking passes run on full groups.
    /// </summary>
    private int CodeChunk(Span<double> v, int start, int count, double sigma)
    {
        Span<int> bits = stackalloc int[BlockLattice.Lanes];
        Span<double> steps = stackalloc double[BlockLattice.Lanes];
        var pending = 0;
        for (var j = start; j < start + count; j += BlockLattice.Lanes)
        {
            var lanes = GroupParameters(j, start + count, sigma, bits, steps);
            var blocks = v.Slice(j * BlockLattice.Dimension, lanes * BlockLattice.Dimension);
            var coded = CodeGroup(_lattice, blocks, bits, steps, _fields.AsSpan((j - start) * BlockLattice.Dimension, lanes * BlockLattice.Dimension), Vector256<double>.One, clip: false);
            for (var lane = 0; lane < lanes; lane++)
            {
                if ((coded >> lane & 1) == 0)
                {
                    _pending[pending++] = j + lane;
                }
            }
        }

        Span<double> copies = stackalloc double[BlockLattice.Dimension * BlockLattice.Lanes];
        Span<long> fields = stackalloc long[BlockLattice.Dimension * BlockLattice.Lanes];
        var overloads = 0;
        for (var p = 0; p < pending; p += BlockLattice.Lanes)
        {
            var lanes = Math.Min(BlockLattice.Lanes, pending - p);
            for (var lane = 0; lane < lanes; lane++)
            {
                v.Slice(_pending[p + lane] * BlockLattice.Dimension, BlockLattice.Dimension).CopyTo(copies[(lane * BlockLattice.Dimension)..]);
                (bits[lane], steps[lane]) = BlockParameters(_pending[p + lane], sigma);
            }

            // The first pass (factor 1) failed for these: resume at the next factor.
            CodeGroup(_lattice, copies[..(lanes * BlockLattice.Dimension)], bits, steps, fields, Vector256.Create(Shrink), clip: true);
            for (var lane = 0; lane < lanes; lane++)
            {
                var block = _pending[p + lane];
                copies.Slice(lane * BlockLattice.Dimension, BlockLattice.Dimension).CopyTo(v[(block * BlockLattice.Dimension)..]);
                fields.Slice(lane * BlockLattice.Dimension, BlockLattice.Dimension).CopyTo(_fields.AsSpan((block - start) * BlockLattice.Dimension));
                overloads += Math.Clamp(Dimension - (block * BlockLattice.Dimension), 0, BlockLattice.Dimension);
            }
        }

        return overloads;
    }

    /// <summary>
    /// Codes one block of 8 or a group of up to four (<paramref name="blocks"/>, block l with b_l =
    /// <paramref name="bits"/>[l] bits a coordinate at step Δ_l = <paramref name="steps"/>[l]): λ_l is the lattice point
    /// nearest v_l/Δ_l, v_l shrunk by 0.9 until λ_l decodes to itself; writes λ_l's Voronoi index to
    /// <paramref name="fields"/>[8l …], replaces v_l by its reconstruction Δ_l·λ_l and returns the mask of the blocks
    /// that shrank (overloads). The blocks go through the lattice side by side, each lane on its own, so a block codes
    /// the same alone or in any group.
    /// </summary>
    internal static int CodeBlocks(BlockLattice lattice, Span<double> blocks, ReadOnlySpan<int> bits, ReadOnlySpan<double> steps, Span<long> fields) =>
        CodeGroup(lattice, blocks, bits, steps, fields, Vector256<double>.One, clip: true);

    /// <summary>
    /// <see cref="CodeBlocks"/> from shrink <paramref name="factor"/> on. Without <paramref name="clip"/>, one pass:
    /// only the blocks whose point decodes to itself are coded, and their mask is returned.
    /// </summary>
    private static int CodeGroup(BlockLattice lattice, Span<double> blocks, ReadOnlySpan<int> bits, ReadOnlySpan<double> steps, Span<long> fields, Vector256<double> factor, bool clip)
    {
        var count = blocks.Length / BlockLattice.Dimension;
        var used = (1 << count) - 1;
        var (step, modulus) = LaneParameters(count, bits, steps);
        Gather(blocks, out var y);
        var done = Attempt(lattice, y, factor, step, modulus, out var point, out var index);
        if (!clip)
        {
            var coded = (int)done.ExtractMostSignificantBits() & used;
            Store(point, index, step, coded, blocks, fields);
            return coded;
        }

        while (done.ExtractMostSignificantBits() != AllLanes)
        {
            factor = Vector256.ConditionalSelect(done, factor, factor * Shrink);
            var fits = Attempt(lattice, y, factor, step, modulus, out var candidate, out var candidateIndex) & ~done;
            for (var k = 0; k < BlockLattice.Dimension; k++)
            {
                point[k] = Vector256.ConditionalSelect(fits, candidate[k], point[k]);
                index[k] = Vector256.ConditionalSelect(fits.AsInt64(), candidateIndex[k], index[k]);
            }

            done |= fits;
        }

        Store(point, index, step, used, blocks, fields);
        return (int)Vector256.LessThan(factor, Vector256<double>.One).ExtractMostSignificantBits() & used;
    }

    /// <summary>
    /// One pass of <see cref="CodeBlocks"/> at shrink <paramref name="factor"/>: the points 2λ nearest y·factor/Δ, their
    /// indices, and the mask of the lanes whose point decodes to itself. A point with ‖λ‖² &lt; M²/2 lies strictly inside
    /// the packing ball of M·Λ around 0 (the packing radius of E8 and of D8 is 1/√2), so it needs no decoding to tell.
    /// </summary>
    private static Vector256<double> Attempt(BlockLattice lattice, in BlockLanes y, Vector256<double> factor, Vector256<double> step, Vector256<double> modulus, out BlockLanes point, out BlockIndexLanes index)
    {
        var scaled = default(BlockLanes);
        for (var k = 0; k < BlockLattice.Dimension; k++)
        {
            scaled[k] = y[k] * factor / step;
        }

        lattice.ClosestDoubled(scaled, out point);
        lattice.ToIndex(point, Vector256.ConvertToInt64(modulus) - Vector256<long>.One, out index);
        var norm = Vector256<double>.Zero;
        for (var k = 0; k < BlockLattice.Dimension; k++)
        {
            norm += point[k] * point[k]; // ‖2λ‖²: exact integers
        }

        var fits = Vector256.LessThan(norm, 2 * modulus * modulus);
        if (fits.ExtractMostSignificantBits() != AllLanes)
        {
            lattice.FromIndex(index, modulus, out var decoded);
            var same = Vector256<double>.AllBitsSet;
            for (var k = 0; k < BlockLattice.Dimension; k++)
            {
                same &= Vector256.Equals(decoded[k], point[k]);
            }

            fits |= same;
        }

        return fits;
    }

    /// <summary>The decoder's side of <see cref="CodeBlocks"/>: the blocks' reconstructions Δ_l·λ_l from their indices.</summary>
    private static void DecodeBlocks(BlockLattice lattice, Span<double> blocks, ReadOnlySpan<int> bits, ReadOnlySpan<double> steps, ReadOnlySpan<long> fields)
    {
        var count = blocks.Length / BlockLattice.Dimension;
        var (step, modulus) = LaneParameters(count, bits, steps);
        var index = default(BlockIndexLanes);
        for (var k = 0; k < BlockLattice.Dimension; k++)
        {
            index[k] = Vector256.Create(fields[k], fields[k + 8], fields[k + 16], fields[k + 24]); // lanes past count: not stored
        }

        lattice.FromIndex(index, modulus, out var point);
        Store(point, index, step, (1 << count) - 1, blocks, []);
    }

    /// <summary>Δ_l and M_l = 2^b_l lane by lane; lanes past <paramref name="count"/> repeat the first block's.</summary>
    private static (Vector256<double> Step, Vector256<double> Modulus) LaneParameters(int count, ReadOnlySpan<int> bits, ReadOnlySpan<double> steps)
    {
        var (l1, l2, l3) = (count > 1 ? 1 : 0, count > 2 ? 2 : 0, count > 3 ? 3 : 0);
        return (Vector256.Create(steps[0], steps[l1], steps[l2], steps[l3]),
            Vector256.Create((double)(1L << bits[0]), 1L << bits[l1], 1L << bits[l2], 1L << bits[l3]));
    }

    /// <summary>The group's blocks coordinate-major; lanes past its blocks hold 0.</summary>
    private static void Gather(scoped ReadOnlySpan<double> blocks, out BlockLanes y)
    {
        y = default;
        const int Full = BlockLattice.Dimension * BlockLattice.Lanes;
        Span<double> padded = stackalloc double[Full];
        if (blocks.Length < Full)
        {
            blocks.CopyTo(padded);
            blocks = padded;
        }

        for (var k = 0; k < BlockLattice.Dimension; k++)
        {
            y[k] = Vector256.Create(blocks[k], blocks[k + 8], blocks[k + 16], blocks[k + 24]);
        }
    }

    /// <summary>
    /// Writes the reconstructions Δ_l·λ_l = Δ_l·(2λ_l)/2 of the blocks in <paramref name="lanes"/> (a mask), and their
    /// indices to <paramref name="fields"/>[8l …] unless it is empty.
    /// </summary>
    private static void Store(in BlockLanes point, in BlockIndexLanes index, Vector256<double> step, int lanes, Span<double> blocks, Span<long> fields)
    {
        for (var k = 0; k < BlockLattice.Dimension; k++)
        {
            var value = point[k] * 0.5 * step;
            for (var lane = 0; lane < BlockLattice.Lanes; lane++)
            {
                if ((lanes >> lane & 1) != 0)
                {
                    blocks[(lane * BlockLattice.Dimension) + k] = value[lane];
                    if (!fields.IsEmpty)
                    {
                        fields[(lane * BlockLattice.Dimension) + k] = index[k][lane];
                    }
                }
            }
        }
    }

    /// <summary>Fields of one block in a chunk of the packer: eight b-bit fields, MSB first, in as few puts as fit.</summary>
    private static int FieldsPerPut(int bits) => 52 / bits >= 8 ? 8 : 52 / bits >= 4 ? 4 : 2;

    private static void PutFields(BitWriter writer, ref FieldPacker packer, ReadOnlySpan<long> fields, int bits)
    {
        var per = FieldsPerPut(bits);
        for (var k = 0; k < BlockLattice.Dimension; k += per)
        {
            ulong chunk = 0;
            foreach (var field in fields.Slice(k, per))
            {
                chunk = (chunk << bits) | (ulong)field;
            }

            packer.Put(writer, chunk, per * bits);
        }
    }

    private static void TakeFields(ref BitReader reader, ref FieldUnpacker unpacker, scoped Span<long> fields, int bits)
    {
        var per = FieldsPerPut(bits);
        var mask = (1UL << bits) - 1;
        for (var k = 0; k < BlockLattice.Dimension; k += per)
        {
            var chunk = unpacker.Take(ref reader, per * bits);
            for (var t = k + per - 1; t >= k; t--)
            {
                fields[t] = (long)(chunk & mask);
                chunk >>= bits;
            }
        }
    }

    /// <summary>The budget's bits after the gain and the blocks' whole bytes (fewer than 8), sent as zeros.</summary>
    private long PaddingBits => Dimension == 0 ? 0 : BudgetBits - RotatedQuantizer.ScaleBits - ((long)BlockLattice.Dimension * ((_blocks * _lowBits) + _highCount));

    private void Pad(BitWriter writer, ref FieldPacker packer)
    {
        for (var rest = PaddingBits; rest > 0; rest -= 32)
        {
            packer.Put(writer, 0, (int)Math.Min(rest, 32));
        }
    }
}
