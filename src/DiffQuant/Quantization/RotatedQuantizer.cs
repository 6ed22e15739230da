using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using DiffQuant.Bits;

namespace DiffQuant.Quantization;

/// <summary>
/// Gain–shape coding after a random rotation, chunk by chunk: coordinates c·B … (c+1)·B − 1 (B =
/// <see cref="ChunkLength"/>, the last chunk shorter) form chunk c, and v = Θ_m u_c with Θ_m the chunk's
/// <see cref="HadamardRotation"/> of message m, so v's coordinates are near-Gaussian with RMS σ̂ = ‖u_c‖₂/√|c|. A chunk's
/// payload opens with its gain: k in <see cref="ScaleBits"/> bits, σ = r·2^((k − <see cref="ScaleOffset"/>)/4), the
/// quarter-octave nearest σ̂ relative to the range r both ends hold (so a gain costs 5 bits, not a float). Then each
/// coordinate i of the chunk with b_i bits is coded on the midrise grid of 2^b_i cells of width Δ_b·σ (the cell decided
/// in binary32 on the rotation's binary32 output, see <see cref="Grid"/>), Δ_b the
/// mean-square-optimal uniform step for N(0, 1) (<see cref="GaussianSteps"/>): the code clips at ±2^(b−1)·Δ_b·σ
/// rather than covering the largest coordinate, and the clipped coordinates saturate (overloads, counted; DQ's error
/// feedback carries what they lost into the next message). The rest of the budget, T = floor(n·R) − 5·⌈n/B⌉, goes to
/// the chunks in proportion to their lengths (<see cref="BitAllocation.Share"/>: chunk [s, e) gets
/// floor(T·e/n) − floor(T·s/n) bits) and within a chunk evenly, its extra bits on its first coordinates. A coordinate
/// with 0 bits decodes to 0, so rates below one bit per coordinate keep a random subspace of every chunk. q = Θ_mᵀ(decoded v). No worst-case covering radius holds (it clips), so
/// it runs under backward-adaptive ranges. A vector of at most B coordinates is one chunk.
/// </summary>
public sealed class RotatedQuantizer : RotatedCode
{
    /// <summary>Bits of the gain k.</summary>
    public const int ScaleBits = 5;

    /// <summary>k = 28 is σ = r; k spans 2^−7·r … 2^0.75·r (a message's RMS sits well below its range's peak bound).</summary>
    public const int ScaleOffset = 28;

    /// <summary>The most bits a coordinate may take (the last entry of <see cref="GaussianSteps"/>).</summary>
    public const int MaxBitsPerCoordinate = 16;

    /// <summary>
    /// Δ_b for b = 1…16: the step of the uniform 2^b-level midrise quantizer minimizing E(X − Q(X))² for X ~ N(0, 1)
    /// (Max 1960; a test recomputes each optimum). Part of the code: both ends must use these values.
    /// </summary>
    public static ReadOnlySpan<double> GaussianSteps =>
        [1.596, 0.9957, 0.586, 0.3352, 0.1881, 0.1041, 0.05687, 0.03076, 0.0165, 0.008785, 0.00465, 0.002448, 0.001284, 0.0006705, 0.0003491, 0.0001812];

    /// <summary>
    /// Coordinates of a chunk: a longer vector is coded chunk by chunk, each with its own rotation and gain, so that a
    /// chunk's binary32 values stay in the caches from the load to the inverse map and no power-of-two block spans
    /// more than a chunk (2^12 binary32 values, 16 KB: the transforms' first-level-cache block, <see cref="FastHadamard.BlockLength"/>).
    /// </summary>
    public const int ChunkLength = 4096;

    private readonly double[] _cells;

    /// <summary>A chunk's packed fields on their way from <see cref="Grid.QuantizeInto"/>'s vector loop to the packer (one for every eight coordinates at most).</summary>
    private readonly ulong[] _fields = new ulong[ChunkLength / 8];
    private readonly bool _portable;

    /// <summary>Chunk c's bits: every coordinate has Low or Low + 1; the first High take Low + 1 (the rotation makes a chunk's coordinates exchangeable, so its extra bits go in one run).</summary>
    private readonly (int Low, int High)[] _split;

    public RotatedQuantizer(int dimension, double rate, ulong seed)
        : this(dimension, rate, seed, portable: false)
    {
    }

    /// <param name="portable">Whether to keep to the path without AVX2 (through an array of cells, with plain stores) where AVX2 is supported (for the tests).</param>
    internal RotatedQuantizer(int dimension, double rate, ulong seed, bool portable)
        : base(dimension, rate, seed, ChunkLength, portable)
    {
        _portable = portable;
        var gainBits = GainBits(dimension);
        if (dimension > 0 && BudgetBits <= gainBits)
        {
            Guard.Throw($"rate {rate} gives floor(n·R) = {BudgetBits} bits per message for n = {dimension}; the rotated code needs more than its {gainBits} bits of gains ({ScaleBits} a chunk of up to {ChunkLength} coordinates; a rate of at least {(gainBits + 1.0) / dimension:G4}).");
        }

        var coded = Math.Max(0, BudgetBits - gainBits);
        _split = new (int, int)[Rotations.Length];
        for (var c = 0; c < _split.Length && dimension > 0; c++)
        {
            var (start, length) = (c * ChunkLength, Rotations[c].Dimension);
            var share = BitAllocation.Share(coded, start, start + length, dimension);
            _split[c] = ((int)(share / length), (int)(share % length));
            if (_split[c].Low + (_split[c].High > 0 ? 1 : 0) > MaxBitsPerCoordinate)
            {
                Guard.Throw($"the rotated code takes at most {MaxBitsPerCoordinate} bits a coordinate; rate {rate} asks for {_split[c].Low + 1}.");
            }
        }

        _cells = new double[dimension];
    }

    public override string Name => "rotated";

    /// <summary>The bits of the gains of an n-coordinate message: <see cref="ScaleBits"/> for each of its ⌈n/<see cref="ChunkLength"/>⌉ chunks (0 for n = 0).</summary>
    public static long GainBits(int dimension) => dimension == 0 ? 0 : (long)ScaleBits * ChunkCount(dimension, ChunkLength);

    public override unsafe int Encode(ReadOnlySpan<double> u, in QuantizerContext context, BitWriter writer, Span<double> q)
    {
        CheckInput(u, context, q);
        if (Dimension == 0)
        {
            return 0; // the budget floor(0·R) is 0 bits: not even a gain
        }

        var packer = default(FieldPacker);
        var overloads = 0;
        fixed (double* input = u, output = q)
        {
            for (var c = 0; c < Rotations.Length; c++)
            {
                var (start, length) = (c * ChunkLength, Rotations[c].Dimension);
                var next = start + length < Dimension ? input + start + length : null;
                var ahead = Dimension < Lookahead.MinLength ? default : new Lookahead(next, Math.Min(ChunkLength, Dimension - start - length), Rotations[c].Streams ? null : output + start, length);
                overloads += EncodeChunk(Rotations[c], _split[c], start, u.Slice(start, length), context, writer, ref packer, ref ahead, q.Slice(start, length));
            }
        }

        packer.Flush(writer);
        return overloads;
    }

    /// <summary>One chunk's gain and cells, and its part of q; returns its overloads.</summary>
    private int EncodeChunk(HadamardRotation rotation, (int Low, int High) split, int start, ReadOnlySpan<double> u, in QuantizerContext context, BitWriter writer, ref FieldPacker packer, ref Lookahead ahead, Span<double> q)
    {
        // v = Θu is quantized where the rotation leaves it, in binary32 (v_i = w_i·scale): no binary64 copy of v; the
        // load also sums the squares, so σ̂ costs no pass of its own.
        var up = rotation.LoadWork(u, context.Step, out var moments);
        var rms = PlainRms(moments, u.Length) ?? Rms(u);
        var scales = rotation.RotateWork(up);
        var w = rotation.Work;
        var k = GainIndex(rms, context.Range);
        var sigma = Gain(context.Range, k);
        var (high, low, highCount) = (new Grid(sigma, split.Low + 1), new Grid(sigma, split.Low), split.High);
        packer.Put(writer, (ulong)k, ScaleBits);
        var packed = Packs(split.Low, high, low, highCount, u.Length);
        var cells = _cells.AsSpan(start, u.Length);
        var overloads = 0;
        ReadOnlySpan<int> ends = [Math.Min(highCount, scales.Split), Math.Max(highCount, scales.Split), u.Length];
        for (int part = 0, from = 0; part < ends.Length; from = ends[part++])
        {
            var scale = from < scales.Split ? scales.Head : scales.Tail;
            var grid = from < highCount ? high : low;
            overloads += packed
                ? grid.QuantizeInto(w[from..ends[part]], scale, _fields, writer, ref packer, ref ahead)
                : grid.Quantize(w[from..ends[part]], scale, cells[from..ends[part]]);
        }

        if (packed)
        {
            rotation.InverseFromWork(q, context.Step);
            return overloads;
        }

        Pack(writer, ref packer, cells[..highCount], split.Low + 1);
        Pack(writer, ref packer, cells[highCount..], split.Low);
        Inverse(rotation, high, low, highCount, cells, q, context.Step, reconstructed: true);
        return overloads;
    }

    public override unsafe void Decode(ref BitReader reader, in QuantizerContext context, Span<double> q)
    {
        CheckOutput(context, q);
        if (Dimension == 0)
        {
            return;
        }

        var unpacker = new FieldUnpacker(BudgetBits);
        for (var c = 0; c < Rotations.Length; c++)
        {
            var (rotation, start) = (Rotations[c], c * ChunkLength);
            var length = rotation.Dimension;
            var sigma = Gain(context.Range, (int)unpacker.Take(ref reader, ScaleBits));
            var (lowBits, highCount) = _split[c];
            var (high, low) = (new Grid(sigma, lowBits + 1), new Grid(sigma, lowBits));
            var chunk = q.Slice(start, length);
            if (Packs(lowBits, high, low, highCount, length))
            {
                var w = rotation.Work;
                fixed (double* output = chunk)
                {
                    var ahead = Dimension < Lookahead.MinLength ? default : new Lookahead(null, 0, rotation.Streams ? null : output, length);
                    high.TakeInto(ref reader, ref unpacker, w[..highCount], ref ahead);
                    low.TakeInto(ref reader, ref unpacker, w[highCount..], ref ahead);
                }

                rotation.InverseFromWork(chunk, context.Step);
                continue;
            }

            var cells = _cells.AsSpan(start, length);
            Unpack(ref reader, ref unpacker, cells[..highCount], lowBits + 1);
            Unpack(ref reader, ref unpacker, cells[highCount..], lowBits);
            Inverse(rotation, high, low, highCount, cells, chunk, context.Step, reconstructed: false);
        }
    }

    /// <summary>
    /// Whether a chunk's cells go straight between the packer and the rotation's binary32 buffer, sixteen or eight a field,
    /// without an array of cells (AVX2, b + 1 ≤ <see cref="Grid.MaxPackedBits"/>, reconstructions that load as they
    /// are; not when <see cref="_portable"/>): the same payload and output as the path through the array.
    /// </summary>
    private bool Packs(int lowBits, in Grid high, in Grid low, int highCount, int length) =>
        !_portable && Avx2.IsSupported && lowBits + 1 <= Grid.MaxPackedBits && high.LoadsAsIs(highCount) && low.LoadsAsIs(length - highCount);

    /// <summary>
    /// A chunk's q = Θ_mᵀ(decoded v), the same bits at both ends: from the binary32 reconstructions in the rotation's
    /// work buffer when they load as they are (written there by the encoder's <see cref="Grid.Quantize"/> if
    /// <paramref name="reconstructed"/>, here otherwise), which is what the inverse map would load from binary64 ones;
    /// else (gains at the ends of the doubles) through binary64 reconstructions in q.
    /// </summary>
    private void Inverse(HadamardRotation rotation, in Grid high, in Grid low, int highCount, ReadOnlySpan<double> cells, Span<double> q, long step, bool reconstructed)
    {
        if (high.LoadsAsIs(highCount) && low.LoadsAsIs(cells.Length - highCount))
        {
            if (!reconstructed)
            {
                var w = rotation.Work;
                high.Reconstruct(cells[..highCount], w[..highCount]);
                low.Reconstruct(cells[highCount..], w[highCount..]);
            }

            rotation.InverseFromWork(q, step);
            return;
        }

        high.Reconstruct(cells[..highCount], q[..highCount]);
        low.Reconstruct(cells[highCount..], q[highCount..]);
        rotation.Inverse(q, step);
    }

    private static void Pack(BitWriter writer, ref FieldPacker packer, ReadOnlySpan<double> cells, int bits)
    {
        if (bits == 0)
        {
            return;
        }

        packer.PutCells(writer, cells, bits);
    }

    private static void Unpack(ref BitReader reader, ref FieldUnpacker unpacker, Span<double> cells, int bits)
    {
        if (bits == 0)
        {
            cells.Clear();
            return;
        }

        unpacker.TakeCells(ref reader, cells, bits);
    }

    /// <summary>k, the quarter-octave of σ̂ = <paramref name="rms"/> relative to the range (0 for σ̂ = 0; clamped to 0…31).</summary>
    public static int GainIndex(double rms, double range) =>
        rms > 0 ? (int)Math.Clamp(Math.Round(4 * Math.Log2(rms / range)) + ScaleOffset, 0, (1 << ScaleBits) - 1) : 0;

    /// <summary>σ = r·2^((k − offset)/4), exactly as both ends compute it.</summary>
    public static double Gain(double range, int k) => OctaveScale.Scale(range, k - ScaleOffset, 4);

    /// <summary>
    /// The midrise grid of 2^b cells of width Δ_b·σ centred on 0 (b = 0: every value decodes to 0). A cell is decided in
    /// binary32 on the rotation's binary32 value (<see cref="Cells"/>), eight a register; its reconstruction is
    /// computed in binary64 and rounded to binary32 (or looked up in a register of them, the same bits); the scalar
    /// tail does the same operations in the same order.
    /// </summary>
    private readonly struct Grid
    {
        private readonly double _width;
        private readonly double _inverse;
        private readonly double _offset;
        private readonly double _last;

        /// <summary>2^(b−1)·w, above every |reconstruction|.</summary>
        private readonly double _peak;

        /// <summary>The most bits a cell may have for eight cells to make one field of the packer (8b ≤ 52).</summary>
        public const int MaxPackedBits = 6;

        private readonly int _bits;

        /// <summary>2^(b−1) in binary32: a cell is ⌊v/w + 2^(b−1)⌋ before the clamp.</summary>
        private readonly float _shift;

        /// <summary>For b ≤ <see cref="TableBits"/>: lane c holds cell c's reconstruction in binary32, (float)((c + ½ − 2^(b−1))·w), as <see cref="Reconstruct(Vector256{double})"/> computes it.</summary>
        private readonly Vector256<float> _table;

        /// <summary>The most bits a cell may have for its reconstructions to fill one register (<see cref="_table"/>).</summary>
        private const int TableBits = 3;

        public Grid(double sigma, int bits)
        {
            _bits = bits;
            _width = bits is >= 1 and <= MaxBitsPerCoordinate ? GaussianSteps[bits - 1] * sigma : 0;
            _inverse = _width > 0 ? 1 / _width : 0;
            var half = Math.ScaleB(1.0, bits - 1);
            _offset = 0.5 - half;
            _shift = (float)half;
            _last = bits == 0 ? 0 : Math.ScaleB(1.0, bits) - 1;
            _peak = half * _width;
            _table = bits is >= 1 and <= TableBits ? Table(_offset, _width, (float)_last) : default;
        }

        /// <summary>
        /// The lanes of <see cref="_table"/>: (float)((c + <paramref name="offset"/>)·<paramref name="width"/>) for
        /// c ≤ <paramref name="last"/>, 0 above, computed in registers (the same roundings as one lane at a time): a
        /// grid is made twice a chunk, and an array there was a heap allocation wherever the JIT did not place it on
        /// the stack (a theory in QuantizerRoundTripTests holds a message's allocations at zero).
        /// </summary>
        private static Vector256<float> Table(double offset, double width, float last)
        {
            var (low, high) = (Vector256.Create(0.0, 1, 2, 3), Vector256.Create(4.0, 5, 6, 7));
            var (o, w) = (Vector256.Create(offset), Vector256.Create(width));
            var values = Vector256.Narrow((low + o) * w, (high + o) * w);
            return values & Vector256.LessThanOrEqual(Vector256.Narrow(low, high), Vector256.Create(last));
        }

        /// <summary>
        /// For the rotation's binary32 values w_i (v_i = w_i·<paramref name="scale"/>): cell_i = clamp(⌊w_i·c +
        /// 2^(b−1)⌋, 0, 2^b − 1) in binary32 (<see cref="Cells"/>, c = <see cref="Coefficient"/>), and
        /// w_i ← (float)((cell_i + ½ − 2^(b−1))·w), the reconstruction as the inverse map loads it; returns the clamped count.
        /// </summary>
        public int Quantize(Span<float> values, double scale, Span<double> cells)
        {
            var (agreed, i, coefficient) = (Vector256<int>.Zero, 0, Coefficient(scale));
            if (Vector256.IsHardwareAccelerated)
            {
                var (c, shift, last) = (Vector256.Create(coefficient), Vector256.Create(_shift), Vector256.Create((float)_last));
                for (; i <= values.Length - 8; i += 8)
                {
                    var cell = Cells(Vector256.Create<float>(values[i..]), c, shift, last, ref agreed);
                    var (lower, upper) = (Vector256.WidenLower(cell), Vector256.WidenUpper(cell));
                    lower.CopyTo(cells[i..]);
                    upper.CopyTo(cells[(i + 4)..]);
                    Vector256.Narrow(Reconstruct(lower), Reconstruct(upper)).CopyTo(values[i..]);
                }
            }

            var saturated = Clamped(i, agreed);
            for (; i < values.Length; i++)
            {
                var cell = Cell(values[i], coefficient, ref saturated);
                cells[i] = cell;
                values[i] = (float)((cell + _offset) * _width);
            }

            return saturated;
        }

        /// <summary>
        /// <see cref="Quantize(Span{float}, double, Span{double})"/> with each cell put in the packer (b bits, MSB first)
        /// instead of an array: sixteen cells a field of 16b bits while b ≤ <see cref="TableBits"/>, then eight a field
        /// of 8b bits (the same bits either way, MSB first), placed by AVX2 shifts in eight 32-bit lanes
        /// (b ≤ <see cref="MaxPackedBits"/>); a step of <paramref name="lookahead"/> for every eight coordinates. The
        /// fields go to <paramref name="fields"/> (at least one for every eight values) and from there to the packer in
        /// a loop of their own: with the packer's word writes in the vector loop, the JIT reloaded the loop's registers
        /// from the stack on every pass (the writes may call), as the disassembly showed.
        /// </summary>
        public int QuantizeInto(Span<float> values, double scale, Span<ulong> fields, BitWriter writer, ref FieldPacker packer, ref Lookahead lookahead)
        {
            if (_bits == 0)
            {
                values.Clear(); // every value decodes to +0, as the grid's reconstruction (0 + 0)·0
                return 0;
            }

            // The grid's constants in locals: read through `this` they were loaded again for every register, since
            // the stores to the values might have changed them.
            var (agreed, i, ahead, bits, coefficient) = (Vector256<int>.Zero, 0, lookahead, _bits, Coefficient(scale));
            var (c, shift, last, table) = (Vector256.Create(coefficient), Vector256.Create(_shift), Vector256.Create((float)_last), _table);
            var (offset, width) = (Vector256.Create(_offset), Vector256.Create(_width));
            ref var value = ref MemoryMarshal.GetReference(values);
            if (fields.Length < values.Length / 8)
            {
                Guard.Throw($"{values.Length} values make up to {values.Length / 8} fields; the buffer holds {fields.Length}."); // the writes below are unchecked
            }

            ref var field = ref MemoryMarshal.GetReference(fields);
            var wide = 0;
            if (bits <= TableBits)
            {
                var shifts = Vector256.Create(7u, 6, 5, 4, 3, 2, 1, 0) * (uint)bits; // cell k of eight at b(7 − k)
                for (; i <= values.Length - Wide; i += Wide)
                {
                    ahead.Step();
                    ahead.Step();
                    var x = Vector256.ConvertToInt32Native(Cells(Vector256.LoadUnsafe(ref value, (nuint)i), c, shift, last, ref agreed));
                    var y = Vector256.ConvertToInt32Native(Cells(Vector256.LoadUnsafe(ref value, (nuint)i + 8), c, shift, last, ref agreed));
                    Avx2.PermuteVar8x32(table, x).StoreUnsafe(ref value, (nuint)i);
                    Avx2.PermuteVar8x32(table, y).StoreUnsafe(ref value, (nuint)i + 8);
                    var (px, py) = (Avx2.ShiftLeftLogicalVariable(x.AsUInt32(), shifts), Avx2.ShiftLeftLogicalVariable(y.AsUInt32(), shifts));
                    var (high, low) = HalfFields(Avx2.Permute2x128(px, py, 0x20) | Avx2.Permute2x128(px, py, 0x31));
                    Unsafe.Add(ref field, wide++) = ((ulong)high << (8 * bits)) | low;
                }
            }

            var count = wide;
            var quarters = Vector256.Create(3u, 2, 1, 0, 3, 2, 1, 0) * (uint)bits; // cell k of each four at b(3 − k)
            for (; i <= values.Length - 8; i += 8)
            {
                ahead.Step();
                var cell = Cells(Vector256.LoadUnsafe(ref value, (nuint)i), c, shift, last, ref agreed);
                var cells = Vector256.ConvertToInt32Native(cell);
                var reconstructed = bits <= TableBits ? Avx2.PermuteVar8x32(table, cells)
                    : Vector256.Narrow(Reconstruct(Vector256.WidenLower(cell), offset, width), Reconstruct(Vector256.WidenUpper(cell), offset, width));
                reconstructed.StoreUnsafe(ref value, (nuint)i);
                var (high, low) = HalfFields(Avx2.ShiftLeftLogicalVariable(cells.AsUInt32(), quarters));
                Unsafe.Add(ref field, count++) = ((ulong)high << (4 * bits)) | low;
            }

            lookahead = ahead;
            var pack = packer;
            foreach (var f in fields[..wide])
            {
                pack.Put(writer, f, Wide * bits);
            }

            foreach (var f in fields[wide..count])
            {
                pack.Put(writer, f, 8 * bits);
            }

            packer = pack;

            var saturated = Clamped(i, agreed);
            for (; i < values.Length; i++)
            {
                var cell = Cell(values[i], coefficient, ref saturated);
                values[i] = (float)((cell + _offset) * _width);
                packer.Put(writer, (ulong)cell, _bits);
            }

            return saturated;
        }

        /// <summary>
        /// The OR of the four 32-bit lanes of each half of <paramref name="placed"/>, the bits its cells were shifted to:
        /// (lanes 0–3, the more significant cells; lanes 4–7).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static (uint High, uint Low) HalfFields(Vector256<uint> placed)
        {
            placed |= Vector256.Shuffle(placed, Vector256.Create(2u, 3, 0, 1, 6, 7, 4, 5));
            placed |= Vector256.Shuffle(placed, Vector256.Create(1u, 0, 3, 2, 5, 4, 7, 6));
            return (placed.ToScalar(), placed.GetUpper().ToScalar());
        }

        /// <summary>
        /// The decoder's side of <see cref="QuantizeInto"/>: takes the cells of the values' coordinates from the
        /// unpacker (fields of sixteen, then of eight, as it put them) and writes their reconstructions in binary32, as
        /// <see cref="Reconstruct(ReadOnlySpan{double}, Span{float})"/> does; a step of <paramref name="lookahead"/> for every eight coordinates.
        /// </summary>
        public void TakeInto(ref BitReader reader, ref FieldUnpacker unpacker, Span<float> values, ref Lookahead lookahead)
        {
            if (_bits == 0)
            {
                values.Clear();
                return;
            }

            var (i, ahead, bits) = (0, lookahead, _bits); // the grid's constants in locals, as in QuantizeInto
            var (cell, offset, width) = (Vector256.Create(ulong.MaxValue >> (64 - bits)), Vector256.Create(_offset), Vector256.Create(_width));
            ref var value = ref MemoryMarshal.GetReference(values);
            if (bits <= TableBits)
            {
                // Sixteen cells a field (16b ≤ 48 bits), eight in each 32-bit half: split by integer shifts in eight
                // lanes and looked up in the table, in place of four registers of binary64 arithmetic.
                var (table, shifts, mask) = (_table, Vector256.Create(7u, 6, 5, 4, 3, 2, 1, 0) * (uint)bits, Vector256.Create((uint)_last));
                for (; i <= values.Length - Wide; i += Wide)
                {
                    ahead.Step();
                    ahead.Step();
                    var wide = unpacker.Take(ref reader, Wide * bits);
                    Lookup(table, (uint)(wide >> (8 * bits)), shifts, mask).StoreUnsafe(ref value, (nuint)i);
                    Lookup(table, (uint)wide & ((1u << (8 * bits)) - 1), shifts, mask).StoreUnsafe(ref value, (nuint)i + 8);
                }
            }

            var (first, second) = FieldShifts();
            for (; i <= values.Length - 8; i += 8)
            {
                ahead.Step();
                var field = Vector256.Create(unpacker.Take(ref reader, 8 * bits));
                Vector256.Narrow(Reconstruct(CellLanes.Take(field, first, cell), offset, width), Reconstruct(CellLanes.Take(field, second, cell), offset, width)).StoreUnsafe(ref value, (nuint)i);
            }

            for (; i < values.Length; i++)
            {
                values[i] = (float)((unpacker.Take(ref reader, _bits) + _offset) * _width);
            }

            lookahead = ahead;
        }

        /// <summary>The reconstructions of the eight b-bit cells of <paramref name="field"/> (MSB first): cell k is field/2^(b(7−k)) mod 2^b, <paramref name="shifts"/> = b(7−k).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<float> Lookup(Vector256<float> table, uint field, Vector256<uint> shifts, Vector256<uint> mask) =>
            Avx2.PermuteVar8x32(table, (Avx2.ShiftRightLogicalVariable(Vector256.Create(field), shifts) & mask).AsInt32());

        /// <summary>Cells a wide field holds at b ≤ <see cref="TableBits"/> (16b ≤ 48 bits): one put or take for sixteen coordinates instead of two.</summary>
        private const int Wide = 16;

        /// <summary>Where cells k = 0 … 7 of a field of eight sit, four a register: b·(7 − k) bits up.</summary>
        private (Vector256<ulong> First, Vector256<ulong> Second) FieldShifts()
        {
            var b = (ulong)_bits;
            return (Vector256.Create(7UL, 6, 5, 4) * b, Vector256.Create(3UL, 2, 1, 0) * b);
        }

        /// <summary>The clamped ones of <paramref name="lanes"/> coordinates whose cells' agreements with their positions <see cref="Cells"/> summed (−1 a lane that agreed).</summary>
        private static int Clamped(int lanes, Vector256<int> agreed) => lanes + Vector256.Sum(agreed);

        /// <summary>
        /// c = (float)(scale·(1/w)), capped at float.MaxValue: w_i·c is v_i/w in binary32 (a product too large for it
        /// clamps to the last cell, as its double would).
        /// </summary>
        private float Coefficient(double scale) => (float)Math.Min(scale * _inverse, float.MaxValue);

        /// <summary>
        /// The cells of eight coordinates w, clamp(⌊(w·<paramref name="coefficient"/>) + <paramref name="shift"/>⌋, 0,
        /// <paramref name="last"/>) in binary32 (a product and a sum, each rounded; no fused multiply-add, so every
        /// processor decides alike) with the grid's c, 2^(b−1) and 2^b − 1; −1 in <paramref name="agreed"/> for each
        /// that was not clamped (<see cref="Clamped"/> counts the others). Binary32 rather than binary64: eight lanes,
        /// and no conversions; the rounding moves a cell's edge by a few 2^−24 of a step, far below any code's error.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<float> Cells(Vector256<float> w, Vector256<float> coefficient, Vector256<float> shift, Vector256<float> last, ref Vector256<int> agreed)
        {
            var position = Vector256.Floor((w * coefficient) + shift);
            // Native max and min (one instruction each): position is never NaN (w and c are finite; an overflow gives
            // ±∞) nor −0 (x + 2^(b−1) rounds an exact cancellation to +0), so they clamp as the IEEE ones do.
            var cell = Vector256.MinNative(Vector256.MaxNative(position, Vector256<float>.Zero), last);
            agreed += Vector256.Equals(cell, position).AsInt32();
            return cell;
        }

        /// <summary>The cell of one coordinate w (counted when clamped): the same operations as <see cref="Cells"/>.</summary>
        private float Cell(float w, float coefficient, ref int saturated)
        {
            var position = MathF.Floor((w * coefficient) + _shift);
            var cell = MathF.Min(MathF.Max(position, 0), (float)_last);
            saturated += cell == position ? 0 : 1;
            return cell;
        }

        /// <summary>
        /// Whether <paramref name="count"/> coordinates on this grid reconstruct to values the inverse map loads as
        /// they are: every |v_i| lies in [½w, 2^(b−1)·w] (b ≥ 1), or is 0 (b = 0, or no coordinates).
        /// </summary>
        public bool LoadsAsIs(int count) =>
            count == 0 || _width == 0 || (HadamardRotation.LoadsAsIs(0.5 * _width) && HadamardRotation.LoadsAsIs(_peak));

        /// <summary>v_i = (cell_i + ½ − 2^(b−1))·w, as <see cref="Quantize"/> reconstructs it.</summary>
        public void Reconstruct(ReadOnlySpan<double> cells, Span<double> v)
        {
            var i = 0;
            if (Vector256.IsHardwareAccelerated)
            {
                for (; i <= v.Length - 4; i += 4)
                {
                    Reconstruct(Vector256.Create<double>(cells[i..])).CopyTo(v[i..]);
                }
            }

            for (; i < v.Length; i++)
            {
                v[i] = (cells[i] + _offset) * _width;
            }
        }

        /// <summary>w_i = (float)v_i, v_i as <see cref="Reconstruct(ReadOnlySpan{double}, Span{double})"/> computes it.</summary>
        public void Reconstruct(ReadOnlySpan<double> cells, Span<float> w)
        {
            var i = 0;
            if (Vector256.IsHardwareAccelerated)
            {
                for (; i <= w.Length - 8; i += 8)
                {
                    Vector256.Narrow(Reconstruct(Vector256.Create<double>(cells[i..])), Reconstruct(Vector256.Create<double>(cells[(i + 4)..]))).CopyTo(w[i..]);
                }
            }

            for (; i < w.Length; i++)
            {
                w[i] = (float)((cells[i] + _offset) * _width);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private Vector256<double> Reconstruct(Vector256<double> cells) => Reconstruct(cells, Vector256.Create(_offset), Vector256.Create(_width));

        /// <summary>(cell + <paramref name="offset"/>)·<paramref name="width"/>, the grid's ½ − 2^(b−1) and w in locals.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<double> Reconstruct(Vector256<double> cells, Vector256<double> offset, Vector256<double> width) => (cells + offset) * width;
    }
}
