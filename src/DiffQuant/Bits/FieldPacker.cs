using System.Runtime.Intrinsics;

namespace DiffQuant.Bits;

/// <summary>
/// Gathers short fields (at most 52 bits each) MSB-first in a register and hands them to a <see cref="BitWriter"/>
/// 56 bits at a time: the same bits as one <see cref="BitWriter.Write"/> per field, with one call per chunk.
/// Call <see cref="Flush"/> once after the last field.
/// </summary>
public struct FieldPacker
{
    private const int Chunk = 56;
    private ulong _pending;
    private int _count;

    /// <param name="value">Already below 2^<paramref name="bits"/>.</param>
    public void Put(BitWriter writer, ulong value, int bits)
    {
        if (_count + bits > Chunk)
        {
            writer.Write(_pending, _count);
            (_pending, _count) = (0, 0);
        }

        _pending = (_pending << bits) | value;
        _count += bits;
    }

    /// <summary>
    /// Puts b-bit cells held as exact integers in doubles, MSB first, as <see cref="Put"/> one by one would: m =
    /// 4·⌊13/b⌋ cells make one field Σ_k cell_k·2^(b(m−1−k)) of at most <see cref="ExactBits"/> bits, four products a
    /// register — exact, since the terms occupy disjoint bits below 2^52.
    /// </summary>
    public void PutCells(BitWriter writer, ReadOnlySpan<double> cells, int bits)
    {
        var perChunk = CellsPerChunk(bits);
        var i = 0;
        if (Vector256.IsHardwareAccelerated && perChunk > 0)
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

    /// <summary>Cells of b bits in one chunk of <see cref="PutCells"/>: a multiple of four (0 when b &gt; 13).</summary>
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
            _buffer = (_buffer << count) | reader.Read(count);
            _available += count;
            _left -= count;
        }

        _available -= bits;
        return (_buffer >> _available) & (ulong.MaxValue >> (64 - bits));
    }

    /// <summary>
    /// Takes b-bit cells into doubles, as <see cref="Take"/> one by one would: the chunks of
    /// <see cref="FieldPacker.PutCells"/> split four cells a register, cell_k = ⌊x/2^(b(m−1−k))⌋ mod 2^b in exact
    /// double arithmetic.
    /// </summary>
    public void TakeCells(ref BitReader reader, Span<double> cells, int bits)
    {
        var perChunk = FieldPacker.CellsPerChunk(bits);
        var i = 0;
        if (Vector256.IsHardwareAccelerated && perChunk > 0)
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
