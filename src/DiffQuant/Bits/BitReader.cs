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
            Guard.Throw($"message too short: wanted {count} bits at bit {_position}, only {Remaining} left.");
        }

        ulong value = 0;
        var remaining = count;
        while (remaining > 0)
        {
            var byteIndex = (int)(_position >> 3);
            var bitInByte = (int)(_position & 7);
            var available = 8 - bitInByte;
            var take = Math.Min(available, remaining);
            var chunk = (_bytes[byteIndex] >> (available - take)) & ((1 << take) - 1);
            value = (value << take) | (uint)chunk;
            _position += take;
            remaining -= take;
        }

        return value;
    }

    public double ReadDouble() => BitConverter.Int64BitsToDouble((long)Read(64));

    public float ReadSingle() => BitConverter.UInt32BitsToSingle((uint)Read(32));
}
