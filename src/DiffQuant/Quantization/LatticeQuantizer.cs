using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using DiffQuant.Bits;

namespace DiffQuant.Quantization;

/// <summary>
/// The rotated gain–shape code with lattice blocks (<see cref="E8Lattice"/>, <see cref="D8Lattice"/>) instead of scalar
/// cells, named after its lattice ("e8", "d8"). Like <see cref="RotatedQuantizer"/> it codes chunks of
/// <see cref="RotatedQuantizer.ChunkLength"/> coordinates (the last one shorter), each with its own rotation
/// (v = Θ_m u_c, the chunk's <see cref="HadamardRotation"/> of message m) zero-padded to whole blocks of 8, so a chunk
/// stays in the caches from the rotation to the inverse map. A chunk's payload opens with its 5-bit gain σ
/// (<see cref="RotatedQuantizer.Gain"/> of its RMS); then block j with b_j bits a coordinate sends the Voronoi index
/// (<see cref="BlockLattice.ToIndex(ReadOnlySpan{long}, int, Span{long})"/>, 8·b_j bits) of λ, the lattice point
/// nearest v_j/Δ, Δ = σ·<see cref="BlockLattice.Steps"/>[b_j]. The budget after the gains, floor(n·R) − 5·⌈n/4096⌉, is
/// spent in whole bytes (one bit a coordinate of a block): they go to the chunks in proportion to their blocks
/// (<see cref="BitAllocation.Share"/>) and within a chunk evenly, the extra byte on its first blocks; the bits left
/// over (fewer than 8) close the message as zeros. A point outside the Voronoi cell of 2^b·Λ would decode
/// to the wrong side (a Voronoi code wraps), so the encoder clips instead: it shrinks v_j by powers of 0.9, from about
/// where the unshrunk point's distance from the cell says (<see cref="CodeBlocks"/>), until the point decodes to itself
/// (an overload, counted per coordinate). A block with 0 bits decodes to 0, so rates below one bit
/// a coordinate keep a random subspace of every chunk. q = Θ_mᵀ(Δ·λ), chunk by chunk.
/// </summary>
[SkipLocalsInit] // its buffers are written before they are read; see DiffQuant.csproj
public sealed class LatticeQuantizer : RotatedCode
{
    /// <summary>The most bits a coordinate may take.</summary>
    public const int MaxBitsPerCoordinate = 16;

    /// <summary>The sign mask of a register whose lanes are all set (masks are compared by their signs: as floats they are NaN).</summary>
    private const uint AllLanes = (1 << BlockLattice.Lanes) - 1;

    /// <summary>Blocks the encoder codes before packing them (a multiple of <see cref="BlockLattice.Lanes"/>).</summary>
    private const int BatchBlocks = 256;

    /// <summary>Blocks of a whole chunk (<see cref="RotatedQuantizer.ChunkLength"/> is a multiple of 8, so no block spans two chunks).</summary>
    private const int ChunkBlocks = RotatedQuantizer.ChunkLength / BlockLattice.Dimension;

    /// <summary>Each pass of the encoder's clipping shrinks the block by this factor.</summary>
    private const float Shrink = 0.9f;

    /// <summary>
    /// A point whose reach (<see cref="BlockLattice.Reach"/>) is below 2M·this lies in (1 − 2^−16)·V, V the Voronoi cell
    /// of M·Λ: every other point of M·Λ is then farther by at least 2^−15·M², far beyond the binary32 rounding of the
    /// decoder's distances, so it decodes to itself without a decoding to tell.
    /// </summary>
    private const float Clearance = 1 - (1f / (1 << 16));

    private readonly double[] _padded;

    /// <summary>The Voronoi indices of a batch of blocks, block-major, and the batch's blocks that need clipping with their first pass's reaches.</summary>
    private readonly int[] _fields = new int[BatchBlocks * BlockLattice.Dimension];
    private readonly int[] _pending = new int[BatchBlocks];
    private readonly float[] _reaches = new float[BatchBlocks];

    /// <summary>The budget's whole bytes after the gains: one bit a coordinate of one block each.</summary>
    private readonly long _units;

    /// <summary>Chunk c's bits: each of its blocks has Low or Low + 1 bits a coordinate; its first High blocks take Low + 1.</summary>
    private readonly (int Low, int High)[] _split;

    private readonly BlockLattice _lattice;

    public LatticeQuantizer(BlockLattice lattice, int dimension, double rate, ulong seed)
        : base(dimension, rate, seed, RotatedQuantizer.ChunkLength)
    {
        _lattice = lattice;
        var blocks = BlocksOf(dimension);
        var gainBits = RotatedQuantizer.GainBits(dimension);
        _units = Math.Max(0, BudgetBits - gainBits) / BlockLattice.Dimension;
        if (dimension > 0 && _units == 0)
        {
            Guard.Throw($"rate {rate} gives floor(n·R) = {BudgetBits} bits per message for n = {dimension}; the {lattice.Name} code needs its {gainBits} bits of gains ({RotatedQuantizer.ScaleBits} a chunk of up to {RotatedQuantizer.ChunkLength} coordinates) and 8 bits for a block (a rate of at least {(gainBits + 8.0) / dimension:G4}).");
        }

        _split = new (int, int)[Rotations.Length];
        for (var c = 0; c < _split.Length && dimension > 0; c++)
        {
            var chunkBlocks = BlocksOf(Rotations[c].Dimension);
            var share = BitAllocation.Share(_units, c * ChunkBlocks, (c * ChunkBlocks) + chunkBlocks, blocks);
            _split[c] = ((int)(share / chunkBlocks), (int)(share % chunkBlocks));
            if (_split[c].Low + (_split[c].High > 0 ? 1 : 0) > MaxBitsPerCoordinate)
            {
                Guard.Throw($"the {lattice.Name} code takes at most {MaxBitsPerCoordinate} bits a coordinate; rate {rate} asks for {_split[c].Low + 1}.");
            }
        }

        _padded = new double[blocks * BlockLattice.Dimension];
    }

    public override string Name => _lattice.Name.ToLowerInvariant();

    public override int Encode(ReadOnlySpan<double> u, in QuantizerContext context, BitWriter writer, Span<double> q)
    {
        CheckInput(u, context, q);
        if (Dimension == 0)
        {
            return 0;
        }

        var packer = default(FieldPacker);
        var overloads = 0;
        Span<int> bits = stackalloc int[BlockLattice.Lanes];
        for (var c = 0; c < Rotations.Length; c++)
        {
            var (start, length, first, coded) = ChunkOf(c);
            var v = _padded.AsSpan(start, BlocksOf(length) * BlockLattice.Dimension);
            var k = RotatedQuantizer.GainIndex(Rms(u.Slice(start, length)), context.Range);
            Rotations[c].Forward(u.Slice(start, length), v[..length], context.Step);
            v[Math.Min(length, coded * BlockLattice.Dimension)..].Clear(); // the last block's padding, and blocks with 0 bits, which decode to 0
            var sigma = RotatedQuantizer.Gain(context.Range, k);
            packer.Put(writer, (ulong)k, RotatedQuantizer.ScaleBits);
            for (var batch = 0; batch < coded; batch += BatchBlocks)
            {
                var count = Math.Min(BatchBlocks, coded - batch);
                overloads += CodeBatch(_padded, first + batch, count, sigma);
                for (var block = 0; block < count; block += BlockLattice.Lanes)
                {
                    var lanes = GroupBits(first + batch + block, first + batch + count, bits);
                    PutGroup(writer, ref packer, GroupFields(block), bits[..lanes]);
                }
            }

            Rotations[c].Inverse(v[..length], q.Slice(start, length), context.Step);
        }

        Pad(writer, ref packer);
        packer.Flush(writer);
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
        Span<int> fields = stackalloc int[BlockLattice.Dimension * BlockLattice.Lanes];
        fields.Clear(); // a group of fewer than eight blocks leaves lanes unfilled
        Span<int> bits = stackalloc int[BlockLattice.Lanes];
        for (var c = 0; c < Rotations.Length; c++)
        {
            var (start, length, first, coded) = ChunkOf(c);
            var sigma = RotatedQuantizer.Gain(context.Range, (int)unpacker.Take(ref reader, RotatedQuantizer.ScaleBits));
            var v = _padded.AsSpan(start, BlocksOf(length) * BlockLattice.Dimension);
            v[(coded * BlockLattice.Dimension)..].Clear();
            for (var j = 0; j < coded; j += BlockLattice.Lanes)
            {
                var count = GroupBits(first + j, first + coded, bits);
                TakeGroup(ref reader, ref unpacker, fields, bits[..count]);
                DecodeBlocks(_lattice, v.Slice(j * BlockLattice.Dimension, count * BlockLattice.Dimension), bits, sigma, fields);
            }

            Rotations[c].Inverse(v[..length], q.Slice(start, length), context.Step);
        }

        for (var rest = PaddingBits; rest > 0; rest -= 32)
        {
            unpacker.Take(ref reader, (int)Math.Min(rest, 32));
        }
    }

    /// <summary>⌈n/8⌉ blocks of 8 coordinates, the last one zero-padded.</summary>
    private static int BlocksOf(int coordinates) => (coordinates + BlockLattice.Dimension - 1) / BlockLattice.Dimension;

    /// <summary>Chunk c's first coordinate, its length, its first block, and its blocks with at least one bit: all, or its first ones when b = 0.</summary>
    private (int Start, int Length, int FirstBlock, int Coded) ChunkOf(int c)
    {
        var length = Rotations[c].Dimension;
        var (low, high) = _split[c];
        return (c * RotatedQuantizer.ChunkLength, length, c * ChunkBlocks, low > 0 ? BlocksOf(length) : high);
    }

    private int BlockBits(int block)
    {
        var (low, high) = _split[block / ChunkBlocks];
        return block % ChunkBlocks < high ? low + 1 : low;
    }

    /// <summary>The Voronoi indices of the group holding the batch's block <paramref name="block"/> (64 slots, coordinate-major).</summary>
    private Span<int> GroupFields(int block) => _fields.AsSpan(block / BlockLattice.Lanes * BlockLattice.Dimension * BlockLattice.Lanes, BlockLattice.Dimension * BlockLattice.Lanes);

    /// <summary>The bits of the group of blocks from <paramref name="first"/>; returns how many blocks it has.</summary>
    private int GroupBits(int first, int end, Span<int> bits)
    {
        var count = Math.Min(BlockLattice.Lanes, end - first);
        for (var lane = 0; lane < count; lane++)
        {
            bits[lane] = BlockBits(first + lane);
        }

        return count;
    }

    /// <summary>
    /// Codes the blocks [start, start + count) of v (blocks numbered over the whole vector) into <see cref="_fields"/> (by group, coordinate-major) and returns the overloaded
    /// coordinates. Groups of eight take one pass each; the blocks whose point did not decode to itself are then
    /// clipped eight at a time from copies, so the shrinking passes run on full groups.
    /// </summary>
    private int CodeBatch(Span<double> v, int start, int count, double sigma)
    {
        Span<int> bits = stackalloc int[BlockLattice.Lanes];
        Span<float> reaches = stackalloc float[BlockLattice.Lanes];
        var pending = 0;
        for (var j = start; j < start + count; j += BlockLattice.Lanes)
        {
            var lanes = GroupBits(j, start + count, bits);
            var blocks = v.Slice(j * BlockLattice.Dimension, lanes * BlockLattice.Dimension);
            var coded = CodeGroup(_lattice, blocks, bits, sigma, GroupFields(j - start), clip: false, reaches);
            for (var lane = 0; lane < lanes; lane++)
            {
                if ((coded >> lane & 1) == 0)
                {
                    (_pending[pending], _reaches[pending]) = (j + lane, reaches[lane]);
                    pending++;
                }
            }
        }

        Span<double> copies = stackalloc double[BlockLattice.Dimension * BlockLattice.Lanes];
        Span<int> fields = stackalloc int[BlockLattice.Dimension * BlockLattice.Lanes];
        var overloads = 0;
        for (var p = 0; p < pending; p += BlockLattice.Lanes)
        {
            var lanes = Math.Min(BlockLattice.Lanes, pending - p);
            reaches.Clear();
            for (var lane = 0; lane < lanes; lane++)
            {
                v.Slice(_pending[p + lane] * BlockLattice.Dimension, BlockLattice.Dimension).CopyTo(copies[(lane * BlockLattice.Dimension)..]);
                bits[lane] = BlockBits(_pending[p + lane]);
                reaches[lane] = _reaches[p + lane];
            }

            ClipGroup(_lattice, copies[..(lanes * BlockLattice.Dimension)], bits, sigma, fields, Vector256.Create<float>(reaches));
            for (var lane = 0; lane < lanes; lane++)
            {
                var block = _pending[p + lane];
                copies.Slice(lane * BlockLattice.Dimension, BlockLattice.Dimension).CopyTo(v[(block * BlockLattice.Dimension)..]);
                var target = GroupFields(block - start);
                var slot = (block - start) % BlockLattice.Lanes;
                for (var k = 0; k < BlockLattice.Dimension; k++)
                {
                    target[(k * BlockLattice.Lanes) + slot] = fields[(k * BlockLattice.Lanes) + lane];
                }

                overloads += Math.Clamp(Dimension - (block * BlockLattice.Dimension), 0, BlockLattice.Dimension);
            }
        }

        return overloads;
    }

    /// <summary>
    /// Codes one block of 8 or a group of up to eight (<paramref name="blocks"/>, block l with b_l =
    /// <paramref name="bits"/>[l] bits a coordinate at step Δ_l = σ·<see cref="BlockLattice.Steps"/>[b_l], σ =
    /// <paramref name="sigma"/>): λ_l is the lattice point
    /// nearest v_l/Δ_l, or, when that one does not decode to itself, nearest 0.9^j·v_l/Δ_l for the first j from
    /// <see cref="StartFactor"/> on at which it does; writes λ_l's Voronoi index to <paramref name="fields"/>[8k + l] (k = 0…7; 64 slots),
    /// replaces v_l by its reconstruction Δ_l·λ_l and returns the mask of the blocks that shrank (overloads). The blocks
    /// go through the lattice side by side, each lane on its own, so a block codes the same alone or in any group.
    /// </summary>
    internal static int CodeBlocks(BlockLattice lattice, Span<double> blocks, ReadOnlySpan<int> bits, double sigma, Span<int> fields) =>
        CodeGroup(lattice, blocks, bits, sigma, fields, clip: true, []);

    /// <summary>
    /// <see cref="CodeBlocks"/>. Without <paramref name="clip"/>, one pass: only the blocks whose point decodes to
    /// itself are coded, their mask is returned, and the others' reaches go to <paramref name="reaches"/>.
    /// </summary>
    private static int CodeGroup(BlockLattice lattice, Span<double> blocks, ReadOnlySpan<int> bits, double sigma, Span<int> fields, bool clip, Span<float> reaches)
    {
        var count = blocks.Length / BlockLattice.Dimension;
        var used = (1 << count) - 1;
        var (step, modulus) = LaneParameters(lattice, count, bits);
        Gather(blocks, sigma, out var y);
        var done = Attempt(lattice, y, Vector256<float>.One, step, modulus, out var point, out var index, out var reach);
        var coded = (int)done.ExtractMostSignificantBits() & used;
        if (!clip)
        {
            reach.CopyTo(reaches);
            Store(point, index, step, sigma, coded, blocks, fields);
            return coded;
        }

        Clip(lattice, y, StartFactor(reach, modulus), step, modulus, done, ref point, ref index);
        Store(point, index, step, sigma, used, blocks, fields);
        return ~coded & used;
    }

    /// <summary>The clipping of <see cref="CodeBlocks"/> for blocks whose first pass, of the given reaches, failed.</summary>
    private static void ClipGroup(BlockLattice lattice, Span<double> blocks, ReadOnlySpan<int> bits, double sigma, Span<int> fields, Vector256<float> reach)
    {
        var count = blocks.Length / BlockLattice.Dimension;
        var (step, modulus) = LaneParameters(lattice, count, bits);
        Gather(blocks, sigma, out var y);
        var (point, index) = (default(BlockLanes), default(BlockIndexLanes));
        Clip(lattice, y, StartFactor(reach, modulus), step, modulus, Vector256<float>.Zero, ref point, ref index);
        Store(point, index, step, sigma, (1 << count) - 1, blocks, fields);
    }

    /// <summary>
    /// The lanes not <paramref name="done"/> take the point nearest y·f/Δ for f = <paramref name="factor"/>,
    /// f·<see cref="Shrink"/>, … — the first that decodes to itself (f → 0 gives 0, which does).
    /// </summary>
    private static void Clip(BlockLattice lattice, in BlockLanes y, Vector256<float> factor, Vector256<float> step, Vector256<float> modulus, Vector256<float> done, ref BlockLanes point, ref BlockIndexLanes index)
    {
        while (done.ExtractMostSignificantBits() != AllLanes)
        {
            var fits = Attempt(lattice, y, factor, step, modulus, out var candidate, out var candidateIndex, out _) & ~done;
            for (var k = 0; k < BlockLattice.Dimension; k++)
            {
                point[k] = Vector256.ConditionalSelect(fits, candidate[k], point[k]);
                index[k] = Vector256.ConditionalSelect(fits.AsInt32(), candidateIndex[k], index[k]);
            }

            done |= fits;
            factor = Vector256.ConditionalSelect(done, factor, factor * Shrink);
        }
    }

    /// <summary>
    /// The first shrink a clipped block tries: 0.9^(j−1) for j the first with 0.9^j·reach &lt; 2M (but at least 0.9),
    /// reach that of its unshrunk point. A point's reach grows about in proportion to the input, so the factors before
    /// would clip again; starting a step early keeps the chance of a point that clips less.
    /// </summary>
    private static Vector256<float> StartFactor(Vector256<float> reach, Vector256<float> modulus)
    {
        var limit = modulus + modulus;
        var start = Vector256.Create(Shrink);
        var next = start * Shrink;
        var beyond = Vector256.GreaterThanOrEqual(next * reach, limit);
        while (beyond != Vector256<float>.Zero)
        {
            start = Vector256.ConditionalSelect(beyond, next, start);
            next = Vector256.ConditionalSelect(beyond, next * Shrink, next);
            beyond = Vector256.GreaterThanOrEqual(next * reach, limit);
        }

        return start;
    }

    /// <summary>
    /// One pass of <see cref="CodeBlocks"/> at shrink <paramref name="factor"/>: the points 2λ nearest y·factor/Δ, their
    /// indices, and the mask of the lanes whose point decodes to itself. λ in V's interior with room to spare
    /// (<see cref="Clearance"/>) does; λ outside V cannot (or is refused, which only costs a shrink); only the lanes
    /// between are decoded to tell.
    /// </summary>
    private static Vector256<float> Attempt(BlockLattice lattice, in BlockLanes y, Vector256<float> factor, Vector256<float> step, Vector256<float> modulus, out BlockLanes point, out BlockIndexLanes index, out Vector256<float> reach)
    {
        Unsafe.SkipInit(out BlockLanes scaled);
        for (var k = 0; k < BlockLattice.Dimension; k++)
        {
            scaled[k] = y[k] * factor / step;
        }

        lattice.ClosestDoubled(scaled, out point);
        lattice.ToIndex(point, Vector256.ConvertToInt32Native(modulus) - Vector256<int>.One, out index);
        reach = lattice.Reach(point);
        var twice = modulus + modulus;
        var fits = Vector256.LessThan(reach, twice * Clearance);
        var near = Vector256.LessThanOrEqual(reach, twice) & ~fits;
        if (near != Vector256<float>.Zero)
        {
            lattice.FromIndex(index, modulus, out var decoded);
            var same = Vector256<float>.AllBitsSet;
            for (var k = 0; k < BlockLattice.Dimension; k++)
            {
                same &= Vector256.Equals(decoded[k], point[k]);
            }

            fits |= near & same;
        }

        return fits;
    }

    /// <summary>The decoder's side of <see cref="CodeBlocks"/>: the blocks' reconstructions Δ_l·λ_l from their indices (field k of block l at [8k + l]).</summary>
    private static void DecodeBlocks(BlockLattice lattice, Span<double> blocks, ReadOnlySpan<int> bits, double sigma, ReadOnlySpan<int> fields)
    {
        var count = blocks.Length / BlockLattice.Dimension;
        var (step, modulus) = LaneParameters(lattice, count, bits);
        Unsafe.SkipInit(out BlockIndexLanes index);
        for (var k = 0; k < BlockLattice.Dimension; k++)
        {
            index[k] = Vector256.Create<int>(fields.Slice(k * BlockLattice.Lanes, BlockLattice.Lanes)); // coordinate-major; lanes past count: not stored
        }

        lattice.FromIndex(index, modulus, out var point);
        Store(point, index, step, sigma, (1 << count) - 1, blocks, []);
    }

    /// <summary>Δ_l/σ and M_l = 2^b_l lane by lane; lanes past <paramref name="count"/> repeat the first block's.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<float> Step, Vector256<float> Modulus) LaneParameters(BlockLattice lattice, int count, ReadOnlySpan<int> bits)
    {
        // All but the one group where b + 1 bits give way to b: two broadcasts.
        var first = bits[0];
        return IsUniform(bits[..count]) ? (Vector256.Create((float)lattice.Steps[first - 1]), Vector256.Create((float)(1 << first))) : MixedLaneParameters(lattice, count, bits);
    }

    /// <summary><see cref="LaneParameters"/> of the group whose blocks differ in bits (apart: a method with buffers is not inlined).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (Vector256<float> Step, Vector256<float> Modulus) MixedLaneParameters(BlockLattice lattice, int count, ReadOnlySpan<int> bits)
    {
        var steps = lattice.Steps;
        Span<float> step = stackalloc float[BlockLattice.Lanes];
        Span<float> modulus = stackalloc float[BlockLattice.Lanes];
        for (var lane = 0; lane < BlockLattice.Lanes; lane++)
        {
            var b = bits[lane < count ? lane : 0];
            (step[lane], modulus[lane]) = ((float)steps[b - 1], 1 << b);
        }

        return (Vector256.Create<float>(step), Vector256.Create<float>(modulus));
    }

    /// <summary>
    /// The group's blocks in units of σ (so binary32 holds them whatever the scale of the doubles), coordinate-major;
    /// lanes past its blocks hold 0.
    /// </summary>
    private static void Gather(scoped ReadOnlySpan<double> blocks, double sigma, out BlockLanes y)
    {
        Unsafe.SkipInit(out y);
        const int Full = BlockLattice.Dimension * BlockLattice.Lanes;
        Span<double> padded = stackalloc double[Full];
        if (blocks.Length < Full)
        {
            blocks.CopyTo(padded);
            padded[blocks.Length..].Clear();
            blocks = padded;
        }

        var inverse = 1 / sigma;
        if (double.IsNormal(inverse))
        {
            var factor = Vector256.Create(inverse);
            for (var l = 0; l < BlockLattice.Lanes; l++)
            {
                var block = blocks.Slice(l * BlockLattice.Dimension, BlockLattice.Dimension);
                y[l] = Vector256.Narrow(Vector256.Create(block) * factor, Vector256.Create(block[4..]) * factor);
            }
        }
        else
        {
            Span<float> units = stackalloc float[BlockLattice.Dimension];
            for (var l = 0; l < BlockLattice.Lanes; l++)
            {
                for (var k = 0; k < BlockLattice.Dimension; k++)
                {
                    units[k] = (float)(blocks[(l * BlockLattice.Dimension) + k] / sigma); // a subnormal σ: its inverse overflows
                }

                y[l] = Vector256.Create<float>(units);
            }
        }

        BlockLanes.Transpose(ref y); // block l in register l → coordinate k in register k
    }

    /// <summary>
    /// Writes the reconstructions Δ_l·λ_l = σ·((Δ_l/σ)·(2λ_l)/2) of the blocks in <paramref name="lanes"/> (a mask),
    /// the bracket in binary32, and all eight lanes' indices to <paramref name="fields"/>[8k + l] unless it is empty.
    /// </summary>
    private static void Store(in BlockLanes point, in BlockIndexLanes index, Vector256<float> step, double sigma, int lanes, Span<double> blocks, Span<int> fields)
    {
        Unsafe.SkipInit(out BlockLanes values);
        for (var k = 0; k < BlockLattice.Dimension; k++)
        {
            values[k] = point[k] * 0.5f * step;
            if (!fields.IsEmpty)
            {
                index[k].CopyTo(fields[(k * BlockLattice.Lanes)..]);
            }
        }

        BlockLanes.Transpose(ref values); // coordinate k in register k → block l in register l
        var factor = Vector256.Create(sigma);
        for (var l = 0; l < BlockLattice.Lanes; l++)
        {
            if ((lanes >> l & 1) != 0)
            {
                var (low, high) = Vector256.Widen(values[l]);
                var block = blocks.Slice(l * BlockLattice.Dimension, BlockLattice.Dimension);
                (low * factor).CopyTo(block);
                (high * factor).CopyTo(block[4..]);
            }
        }
    }

    /// <summary>Fields of one block in a chunk of the packer: eight b-bit fields, MSB first, in as few puts as fit.</summary>
    private static int FieldsPerPut(int bits) => 52 / bits >= 8 ? 8 : 52 / bits >= 4 ? 4 : 2;

    /// <summary>
    /// The fields of a group's blocks (one per entry of <paramref name="bits"/>), block after block as
    /// <see cref="PutFields"/> puts them. When the blocks have the same b, the puts of all of them are built at once,
    /// lane-wise: a put's value is Σ field_t·2^(b(k + per − 1 − t)) over its fields t = k … k + per − 1.
    /// </summary>
    private static void PutGroup(BitWriter writer, ref FieldPacker packer, ReadOnlySpan<int> fields, ReadOnlySpan<int> bits)
    {
        if (!IsUniform(bits))
        {
            for (var lane = 0; lane < bits.Length; lane++)
            {
                PutFields(writer, ref packer, fields, lane, bits[lane]);
            }

            return;
        }

        var (b, per) = (bits[0], FieldsPerPut(bits[0]));
        Span<ulong> puts = stackalloc ulong[BlockLattice.Dimension * BlockLattice.Lanes / 2]; // put c of block l at [8c + l]
        for (int k = 0, c = 0; k < BlockLattice.Dimension; k += per, c += BlockLattice.Lanes)
        {
            var (low, high) = (Vector256<ulong>.Zero, Vector256<ulong>.Zero);
            for (var t = k; t < k + per; t++)
            {
                var (lowField, highField) = Vector256.Widen(Vector256.Create<int>(fields.Slice(t * BlockLattice.Lanes, BlockLattice.Lanes)).AsUInt32());
                low = Vector256.ShiftLeft(low, b) | lowField;
                high = Vector256.ShiftLeft(high, b) | highField;
            }

            low.CopyTo(puts[c..]);
            high.CopyTo(puts[(c + 4)..]);
        }

        for (var lane = 0; lane < bits.Length; lane++)
        {
            for (var c = 0; c < BlockLattice.Dimension / per; c++)
            {
                packer.Put(writer, puts[(c * BlockLattice.Lanes) + lane], per * b);
            }
        }
    }

    /// <summary>
    /// The reading counterpart of <see cref="PutGroup"/>: the fields of a group's blocks to [8k + l]; with one b, split
    /// lane-wise (field t = ⌊value/2^(b(k + per − 1 − t))⌋ mod 2^b). Lanes past the group's blocks are left as they were.
    /// </summary>
    private static void TakeGroup(ref BitReader reader, ref FieldUnpacker unpacker, scoped Span<int> fields, scoped ReadOnlySpan<int> bits)
    {
        if (!IsUniform(bits))
        {
            for (var lane = 0; lane < bits.Length; lane++)
            {
                TakeFields(ref reader, ref unpacker, fields, lane, bits[lane]);
            }

            return;
        }

        var (b, per) = (bits[0], FieldsPerPut(bits[0]));
        Span<ulong> takes = stackalloc ulong[BlockLattice.Dimension * BlockLattice.Lanes / 2]; // take c of block l at [8c + l]
        for (var lane = 0; lane < bits.Length; lane++)
        {
            for (var c = 0; c < BlockLattice.Dimension / per; c++)
            {
                takes[(c * BlockLattice.Lanes) + lane] = unpacker.Take(ref reader, per * b);
            }
        }

        var mask = Vector256.Create((1UL << b) - 1);
        for (int k = 0, c = 0; k < BlockLattice.Dimension; k += per, c += BlockLattice.Lanes)
        {
            var (low, high) = (Vector256.Create<ulong>(takes[c..]), Vector256.Create<ulong>(takes[(c + 4)..]));
            for (var t = k + per - 1; t >= k; t--)
            {
                var field = Vector256.Narrow(low & mask, high & mask).AsInt32();
                if (bits.Length == BlockLattice.Lanes)
                {
                    field.CopyTo(fields[(t * BlockLattice.Lanes)..]);
                }
                else
                {
                    for (var lane = 0; lane < bits.Length; lane++)
                    {
                        fields[(t * BlockLattice.Lanes) + lane] = field[lane];
                    }
                }

                low = Vector256.ShiftRightLogical(low, b);
                high = Vector256.ShiftRightLogical(high, b);
            }
        }
    }

    /// <summary>Whether every block of a group has the same bits.</summary>
    private static bool IsUniform(ReadOnlySpan<int> bits)
    {
        foreach (var b in bits)
        {
            if (b != bits[0])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The fields of the group's block <paramref name="lane"/> (coordinate-major: field k at [8k + lane]).</summary>
    private static void PutFields(BitWriter writer, ref FieldPacker packer, ReadOnlySpan<int> fields, int lane, int bits)
    {
        var per = FieldsPerPut(bits);
        for (var k = 0; k < BlockLattice.Dimension; k += per)
        {
            ulong chunk = 0;
            for (var t = k; t < k + per; t++)
            {
                chunk = (chunk << bits) | (uint)fields[(t * BlockLattice.Lanes) + lane];
            }

            packer.Put(writer, chunk, per * bits);
        }
    }

    /// <summary>The fields of the group's block <paramref name="lane"/>, coordinate-major: field k to [8k + lane], as <see cref="DecodeBlocks"/> loads them.</summary>
    private static void TakeFields(ref BitReader reader, ref FieldUnpacker unpacker, scoped Span<int> fields, int lane, int bits)
    {
        var per = FieldsPerPut(bits);
        var mask = (1UL << bits) - 1;
        for (var k = 0; k < BlockLattice.Dimension; k += per)
        {
            var chunk = unpacker.Take(ref reader, per * bits);
            for (var t = k + per - 1; t >= k; t--)
            {
                fields[(t * BlockLattice.Lanes) + lane] = (int)(chunk & mask);
                chunk >>= bits;
            }
        }
    }

    /// <summary>The budget's bits after the gains and the blocks' whole bytes (fewer than 8), sent as zeros.</summary>
    private long PaddingBits => Dimension == 0 ? 0 : BudgetBits - RotatedQuantizer.GainBits(Dimension) - (BlockLattice.Dimension * _units);

    private void Pad(BitWriter writer, ref FieldPacker packer)
    {
        for (var rest = PaddingBits; rest > 0; rest -= 32)
        {
            packer.Put(writer, 0, (int)Math.Min(rest, 32));
        }
    }
}
