namespace DiffQuant.Bits;

/// <summary>
/// Packs values most-significant-bit first into a reusable buffer. The buffer grows on demand,
/// so a writer reused across iterations does not allocate once it has reached its working size.
/// </summary>
public sealed class BitWriter
{
    private byte[] _buffer;
    private long _bitLength;

    public BitWriter(int initialBytes = 64) => _buffer = new byte[Math.Max(initialBytes, 8)];

    /// <summary>Bits written since the last <see cref="Reset"/>.</summary>
    public long BitLength => _bitLength;

    /// <summary>Starts a new message, keeping the buffer.</summary>
    public void Reset()
    {
        Array.Clear(_buffer, 0, Payload.ByteCount(_bitLength));
        _bitLength = 0;
    }

    /// <summary>Writes the low <paramref name="count"/> bits of <paramref name="value"/> (0 ≤ count ≤ 64).</summary>
    public void Write(ulong value, int count)
    {
        if ((uint)count > 64)
        {
            Guard.Throw($"a bit field has 0 to 64 bits, got {count}.");
        }

        if (count == 0)
        {
            return;
        }

        EnsureCapacity(_bitLength + count);
        if (count < 64)
        {
            value &= (1UL << count) - 1;
        }

        var remaining = count;
        while (remaining > 0)
        {
            var byteIndex = (int)(_bitLength >> 3);
            var freeInByte = 8 - (int)(_bitLength & 7);
            var take = Math.Min(freeInByte, remaining);
            var chunk = (byte)((value >> (remaining - take)) & ((1UL << take) - 1));
            _buffer[byteIndex] |= (byte)(chunk << (freeInByte - take));
            _bitLength += take;
            remaining -= take;
        }
    }

    /// <summary>Writes the IEEE-754 binary64 bits of <paramref name="value"/>.</summary>
    public void WriteDouble(double value) => Write((ulong)BitConverter.DoubleToInt64Bits(value), 64);

    /// <summary>Writes the IEEE-754 binary32 bits of <paramref name="value"/>.</summary>
    public void WriteSingle(float value) => Write(BitConverter.SingleToUInt32Bits(value), 32);

    /// <summary>The message written so far; valid until the next <see cref="Reset"/> or write.</summary>
    public Payload ToPayload() => new(_buffer.AsMemory(0, Payload.ByteCount(_bitLength)), _bitLength);

    private void EnsureCapacity(long bits)
    {
        var needed = Payload.ByteCount(bits);
        if (needed > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(needed, _buffer.Length * 2));
        }
    }
}
