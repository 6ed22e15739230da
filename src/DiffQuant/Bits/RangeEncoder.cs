namespace DiffQuant.Bits;

/// <summary>
/// A 32-bit range coder (the carry-propagating byte-wise design of LZMA's coder) for symbols with integer frequencies
/// out of a power-of-two total: each symbol narrows [low, low + range) to its share, r = ⌊range / 2^totalBits⌋, so a
/// symbol of frequency f costs about totalBits − log2 f bits. Integer arithmetic only, so the code is the same on
/// every machine. <see cref="Finish"/> ends the code with the fewest bits that identify it when the decoder reads zeros
/// after them; <see cref="RangeDecoder"/> reads it back. Reusable: <see cref="Reset"/> keeps the buffer.
/// </summary>
public sealed class RangeEncoder
{
    /// <summary>Frequencies are out of 2^totalBits with totalBits at most this (r stays at least 2^8).</summary>
    public const int MaxTotalBits = 16;

    private const uint Top = 1u << 24;

    private byte[] _bytes = new byte[64];
    private int _count;
    private ulong _low;
    private uint _range;
    private byte _cache;
    private long _cacheSize;

    public RangeEncoder() => Reset();

    /// <summary>Bytes emitted so far, including the leading byte that is always 0 and is never sent.</summary>
    public int EmittedBytes => _count + (int)Math.Min(_cacheSize, int.MaxValue);

    /// <summary>Starts a new code.</summary>
    public void Reset()
    {
        _count = 0;
        _low = 0;
        _range = uint.MaxValue;
        _cache = 0;
        _cacheSize = 1;
    }

    /// <summary>Codes the symbol occupying [cumulative, cumulative + frequency) of 2^totalBits (frequency ≥ 1).</summary>
    public void Encode(uint cumulative, uint frequency, int totalBits)
    {
        var r = _range >> totalBits;
        _low += (ulong)r * cumulative;
        _range = r * frequency;
        while (_range < Top)
        {
            _range <<= 8;
            ShiftLow();
        }
    }

    /// <summary>Codes the low <paramref name="bits"/> bits of <paramref name="value"/> as equiprobable (bits ≤ 16).</summary>
    public void EncodeBits(uint value, int bits)
    {
        if (bits > 0)
        {
            Encode(value & ((1u << bits) - 1), 1, bits);
        }
    }

    /// <summary>
    /// Ends the code: picks the number in [low, low + range) with the most trailing zero bits, emits it and returns
    /// the code's length in bits without its trailing zeros (and without the leading 0 byte). <see cref="CopyTo"/>
    /// writes those bits.
    /// </summary>
    public long Finish()
    {
        for (var bits = 1; bits <= 32; bits++)
        {
            var unit = 1UL << (32 - bits);
            var candidate = (_low + unit - 1) & ~(unit - 1);
            if (candidate - _low < _range)
            {
                _low = candidate;
                break;
            }
        }

        for (var i = 0; i < 5; i++)
        {
            ShiftLow();
        }

        var last = _count - 1;
        while (last > 0 && _bytes[last] == 0)
        {
            last--;
        }

        return last <= 0 ? 0 : (8L * (last - 1)) + 8 - System.Numerics.BitOperations.TrailingZeroCount(_bytes[last]);
    }

    /// <summary>Writes the first <paramref name="bits"/> bits of the finished code (as <see cref="Finish"/> returned).</summary>
    public void CopyTo(BitWriter writer, long bits)
    {
        var whole = (int)(bits / 8);
        for (var i = 0; i < whole; i++)
        {
            writer.Write(_bytes[i + 1], 8);
        }

        var rest = (int)(bits % 8);
        if (rest > 0)
        {
            writer.Write((ulong)(_bytes[whole + 1] >> (8 - rest)), rest);
        }
    }

    private void ShiftLow()
    {
        if ((uint)_low < 0xFF000000u || (_low >> 32) != 0)
        {
            var carry = (byte)(_low >> 32);
            var pending = _cache;
            do
            {
                Put((byte)(pending + carry));
                pending = 0xFF;
            }
            while (--_cacheSize != 0);
            _cache = (byte)(_low >> 24);
        }

        _cacheSize++;
        _low = (_low & 0x00FFFFFFu) << 8;
    }

    private void Put(byte value)
    {
        if (_count == _bytes.Length)
        {
            Array.Resize(ref _bytes, _bytes.Length * 2);
        }

        _bytes[_count++] = value;
    }
}
