using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DiffQuant.Bits;

/// <summary>Reads values written by <see cref="BitWriter"/>, refusing to read past the message.</summary>
public ref struct BitReader
{
    private readonly ReadOnlySpan<byte> _bytes;
    private readonly long _bitLength;
    private long _position;

    public BitReader(Payload payload)
    {
        _bytes = payload.Bytes.Span;
        _bitLength = payload.BitLength;
        _position = 0;
    }

    /// <summary>Bits not yet read.</summary>
    public readonly long Remaining => _bitLength - _position;

    /// <summary>Reads <paramref name="count"/> bits (0 ≤ count ≤ 64) as an unsigned value.</summary>
    public ulong Read(int count)
    {
        if ((uint)count > 64)
        {
            Guard.Throw($"a bit field has 0 to 64 bits, got {count}.");
        }

        if (count > Remaining)
        {
            ThrowTooShort(count);
        }

        if (count > 56)
        {
            var high = ReadShort(count - 32);
            return (high << 32) | ReadShort(32);
        }

        return ReadShort(count);
    }

    /// <summary>
    /// <see cref="Read"/> of 0 ≤ <paramref name="count"/> ≤ 56 bits, inlined: an unpacker refills every few cells, and a
    /// call there would also spill the vector registers its loop holds (the calling convention keeps none).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ulong ReadField(int count)
    {
        if ((uint)count > 56 || count > Remaining)
        {
            ThrowBadField(count);
        }

        return ReadShort(count);
    }

    /// <summary>The refusal of a field <see cref="ReadField"/> cannot read, out of its inlined body.</summary>
    private readonly void ThrowBadField(int count)
    {
        if ((uint)count > 56)
        {
            Guard.Throw($"a field read in one window has 0 to 56 bits, got {count}.");
        }

        ThrowTooShort(count);
    }

    private readonly void ThrowTooShort(int count) => Guard.Throw($"message too short: wanted {count} bits at bit {_position}, only {Remaining} left.");

    public double ReadDouble() => BitConverter.Int64BitsToDouble((long)Read(64));

    /// <summary>Reads binary64 values into every slot of <paramref name="values"/>; byte-aligned spans at once.</summary>
    public void ReadDoubles(Span<double> values)
    {
        if ((_position & 7) != 0 || 64L * values.Length > Remaining)
        {
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = ReadDouble();
            }

            return;
        }

        var byteIndex = (int)(_position >> 3);
        BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<byte, long>(_bytes.Slice(byteIndex, 8 * values.Length)), MemoryMarshal.Cast<double, long>(values));
        _position += 64L * values.Length;
    }

    /// <summary>Reads binary32 values written by <see cref="BitWriter.WriteSingles"/>, byte-swapped in bulk when aligned.</summary>
    public void ReadSingles(Span<float> values)
    {
        if ((_position & 7) != 0 || 32L * values.Length > Remaining)
        {
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = ReadSingle();
            }

            return;
        }

        var byteIndex = (int)(_position >> 3);
        BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<byte, int>(_bytes.Slice(byteIndex, 4 * values.Length)), MemoryMarshal.Cast<float, int>(values));
        _position += 32L * values.Length;
    }

    public float ReadSingle() => BitConverter.UInt32BitsToSingle((uint)Read(32));

    /// <summary>Reads a field of at most 56 bits from one big-endian 64-bit window.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong ReadShort(int count)
    {
        if (count == 0)
        {
            return 0;
        }

        var byteIndex = (int)(_position >> 3);
        var shift = (int)(_position & 7);
        var window = byteIndex + 8 <= _bytes.Length ? BinaryPrimitives.ReadUInt64BigEndian(_bytes.Slice(byteIndex, 8)) : TailWindow(byteIndex);
        _position += count;
        return (window << shift) >> (64 - count);
    }

    /// <summary>Near the end of the message: the window assembled from the bytes that exist, zeros after them.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private readonly ulong TailWindow(int byteIndex)
    {
        ulong window = 0;
        for (var k = 0; k < 8; k++)
        {
            window = (window << 8) | (byteIndex + k < _bytes.Length ? _bytes[byteIndex + k] : 0u);
        }

        return window;
    }
}
