namespace DiffQuant.Bits;

/// <summary>
/// Reads a code written by <see cref="RangeEncoder"/> from a byte span, as zeros past its end. The caller asks for the
/// target (<see cref="GetTarget"/>), finds the symbol whose interval holds it, and then calls <see cref="Consume"/> with
/// that symbol's interval. A corrupt code decodes to some sequence of valid symbols; it never fails.
/// </summary>
public ref struct RangeDecoder
{
    private const uint Top = 1u << 24;

    private readonly ReadOnlySpan<byte> _bytes;
    private int _position;
    private uint _code;
    private uint _range;
    private uint _r;

    public RangeDecoder(ReadOnlySpan<byte> bytes)
    {
        _bytes = bytes;
        _range = uint.MaxValue;
        for (var i = 0; i < 4; i++)
        {
            _code = (_code << 8) | Next();
        }
    }

    /// <summary>The position of the next symbol within 2^totalBits (clamped to 2^totalBits − 1).</summary>
    public uint GetTarget(int totalBits)
    {
        _r = _range >> totalBits;
        return Math.Min(_code / _r, (1u << totalBits) - 1);
    }

    /// <summary>Removes the symbol [cumulative, cumulative + frequency) found from <see cref="GetTarget"/>.</summary>
    public void Consume(uint cumulative, uint frequency)
    {
        _code -= _r * cumulative;
        _range = _r * frequency;
        while (_range < Top)
        {
            _code = (_code << 8) | Next();
            _range <<= 8;
        }
    }

    /// <summary>Reads <paramref name="bits"/> equiprobable bits written by <see cref="RangeEncoder.EncodeBits"/>.</summary>
    public uint DecodeBits(int bits)
    {
        if (bits == 0)
        {
            return 0;
        }

        var value = GetTarget(bits);
        Consume(value, 1);
        return value;
    }

    private uint Next() => _position < _bytes.Length ? _bytes[_position++] : 0u;
}
