using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DiffQuant.Bits;

/// <summary>
/// Gathers short fields (at most 52 bits each) MSB-first in a register and hands them to a <see cref="BitWriter"/>
/// 64 bits at a time (<see cref="BitWriter.WriteWord"/>): the same bits as one <see cref="BitWriter.Write"/> per field,
/// with one store per word. Call <see cref="Flush"/> once after the last field.
/// </summary>
public struct FieldPacker
{
    /// <summary>The fields not yet written, in the low <see cref="_count"/> bits (0 … 63).</summary>
    private ulong _pending;
    private int _count;

    /// <param name="value">Already below 2^<paramref name="bits"/>.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Put(BitWriter writer, ulong value, int bits)
    {
        var total = _count + bits;
        if (total < 64)
        {
            _pending = (_pending << bits) | value;
            _count = total;
            return;
        }

        // A full word: the pending bits, then the value's high bits; its low `spill` bits stay pending.
        var spill = total - 64;
        writer.WriteWord((_pending << (bits - spill)) | (value >> spill));
        _pending = value & ((1UL << spill) - 1);
        _count = spill;
    }

    /// <summary>
    /// Puts b-bit cells held as exact integers in doubles, MSB first, as <see cref="Put"/> one by one would: m =
    /// 4·⌊13/b⌋ cells make one field Σ_k cell_k·2^(b(m−1−k)) of at most <see cref="ExactBits"/> bits, built four cells a
    /// register (with AVX2 by integer shifts, else by exact double products — the terms occupy disjoint bits below 2^52).
    /// </summary>
    public void PutCells(BitWriter writer, ReadOnlySpan<double> cells, int bits) => PutCells(writer, cells, bits, portable: false);

    /// <param name="portable">Whether to take the path without AVX2 even where it is supported (for the tests).</param>
    internal void PutCells(BitWriter writer, ReadOnlySpan<double> cells, int bits, bool portable)
    {
        var perChunk = CellsPerChunk(bits);
        var i = 0;
        if (Avx2.IsSupported && !portable && perChunk > 0)
        {
            Span<ulong> shifts = stackalloc ulong[perChunk];
            for (var k = 0; k < perChunk; k++)
            {
                shifts[k] = (ulong)(bits * (perChunk - 1 - k));
            }

            var mask = ulong.MaxValue >> (64 - (perChunk * bits));
            for (; i <= cells.Length - perChunk; i += perChunk)
            {
                var field = Vector256<ulong>.Zero;
                for (var k = 0; k < perChunk; k += 4)
                {
                    field |= CellLanes.Place(Vector256.Create(cells[(i + k)..]), Vector256.Create<ulong>(shifts[k..]));
                }

                Put(writer, CellLanes.Fold(field, mask), perChunk * bits);
            }
        }
        else if (Vector256.IsHardwareAccelerated && perChunk > 0)
        {
            Span<double> weights = stackalloc double[perChunk];
            for (var k = 0; k < perChunk; k++)
            {
                weights[k] = Math.ScaleB(1.0, bits * (perChunk - 1 - k));
            }

            for (; i <= cells.Length - perChunk; i += perChunk)
            {
                var sum = Vector256<double>.Zero;
                for (var k = 0; k < perChunk; k += 4)
                {
                    sum += Vector256.Create(cells[(i + k)..]) * Vector256.Create<double>(weights[k..]);
                }

                Put(writer, (ulong)((sum[0] + sum[1]) + (sum[2] + sum[3])), perChunk * bits);
            }
        }

        foreach (var cell in cells[i..])
        {
            Put(writer, (ulong)cell, bits);
        }
    }

    /// <summary>The most bits of a field that a double holds exactly with room for the cells' sums.</summary>
    internal const int ExactBits = 52;

    /// <summary>Cells of b bits in one chunk of <see cref="PutCells(BitWriter, ReadOnlySpan{double}, int)"/>: a multiple of four (0 when b &gt; 13).</summary>
    internal static int CellsPerChunk(int bits) => 4 * (ExactBits / 4 / bits);

    public void Flush(BitWriter writer)
    {
        writer.Write(_pending, _count);
        (_pending, _count) = (0, 0);
    }
}

/// <summary>
/// The reading counterpart of <see cref="FieldPacker"/>: takes fields of a block of <c>total</c> bits from a
/// <see cref="BitReader"/> in chunks of up to 56 bits, never reading past the block.
/// </summary>
public struct FieldUnpacker(long total)
{
    private const int Chunk = 56;
    private ulong _buffer;
    private int _available;
    private long _left = total;

    public ulong Take(ref BitReader reader, int bits)
    {
        if (_available < bits)
        {
            var count = (int)Math.Min(Chunk - _available, _left);
            _buffer = (_buffer << count) | reader.ReadField(count);
            _available += count;
            _left -= count;
        }

        _available -= bits;
        return (_buffer >> _available) & (ulong.MaxValue >> (64 - bits));
    }

    /// <summary>
    /// Takes b-bit cells into doubles, as <see cref="Take"/> one by one would: the chunks of
    /// <see cref="FieldPacker.PutCells(BitWriter, ReadOnlySpan{double}, int)"/> split four cells a register, cell_k =
    /// ⌊x/2^(b(m−1−k))⌋ mod 2^b (with AVX2 by integer shifts, else in exact double arithmetic).
    /// </summary>
    public void TakeCells(ref BitReader reader, scoped Span<double> cells, int bits) => TakeCells(ref reader, cells, bits, portable: false);

    /// <param name="portable">Whether to take the path without AVX2 even where it is supported (for the tests).</param>
    internal void TakeCells(ref BitReader reader, scoped Span<double> cells, int bits, bool portable)
    {
        var perChunk = FieldPacker.CellsPerChunk(bits);
        var i = 0;
        if (Avx2.IsSupported && !portable && perChunk > 0)
        {
            Span<ulong> shifts = stackalloc ulong[perChunk];
            for (var k = 0; k < perChunk; k++)
            {
                shifts[k] = (ulong)(bits * (perChunk - 1 - k));
            }

            var cell = Vector256.Create(ulong.MaxValue >> (64 - bits));
            for (; i <= cells.Length - perChunk; i += perChunk)
            {
                var chunk = Vector256.Create(Take(ref reader, perChunk * bits));
                for (var k = 0; k < perChunk; k += 4)
                {
                    CellLanes.Take(chunk, Vector256.Create<ulong>(shifts[k..]), cell).CopyTo(cells[(i + k)..]);
                }
            }
        }
        else if (Vector256.IsHardwareAccelerated && perChunk > 0)
        {
            Span<double> shifts = stackalloc double[perChunk];
            for (var k = 0; k < perChunk; k++)
            {
                shifts[k] = Math.ScaleB(1.0, -bits * (perChunk - 1 - k));
            }

            var (modulus, inverse) = (Vector256.Create(Math.ScaleB(1.0, bits)), Vector256.Create(Math.ScaleB(1.0, -bits)));
            for (; i <= cells.Length - perChunk; i += perChunk)
            {
                var chunk = Vector256.Create((double)Take(ref reader, perChunk * bits));
                for (var k = 0; k < perChunk; k += 4)
                {
                    var high = Vector256.Floor(chunk * Vector256.Create<double>(shifts[k..]));
                    (high - (Vector256.Floor(high * inverse) * modulus)).CopyTo(cells[(i + k)..]);
                }
            }
        }

        for (; i < cells.Length; i++)
        {
            cells[i] = Take(ref reader, bits);
        }
    }
}
