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
}
