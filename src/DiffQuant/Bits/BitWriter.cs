using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace DiffQuant.Bits;

/// <summary>
/// Packs values most-significant-bit first into a reusable buffer. The buffer grows on demand and
/// keeps eight spare bytes so a field is OR-ed in with one 64-bit read-modify-write; a writer reused
/// across iterations does not allocate once it has reached its working size.
/// </summary>
public sealed class BitWriter
{
    private const int Slack = 8;
    private byte[] _buffer;
    private long _bitLength;

    public BitWriter(int initialBytes = 64) => _buffer = new byte[Math.Max(initialBytes, 8) + Slack];

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

        if (count > 56)
        {
            WriteShort(value >> 32, count - 32);
            WriteShort(value & uint.MaxValue, 32);
            return;
        }

        WriteShort(count == 0 ? 0 : value & (ulong.MaxValue >> (64 - count)), count);
    }

    /// <summary>Writes the IEEE-754 binary64 bits of <paramref name="value"/>.</summary>
    public void WriteDouble(double value) => Write((ulong)BitConverter.DoubleToInt64Bits(value), 64);

    /// <summary>Writes the IEEE-754 binary32 bits of <paramref name="value"/>.</summary>
    public void WriteSingle(float value) => Write(BitConverter.SingleToUInt32Bits(value), 32);

    /// <summary>
    /// Writes the binary64 bits of every value, 64 bits each; when the writer sits on a byte boundary the
    /// whole span is byte-swapped into place at once.
    /// </summary>
    public void WriteDoubles(ReadOnlySpan<double> values)
    {
        if ((_bitLength & 7) != 0)
        {
            foreach (var value in values)
            {
                WriteDouble(value);
            }

            return;
        }

        var byteIndex = (int)(_bitLength >> 3);
        var needed = byteIndex + (8 * values.Length) + Slack;
        if (needed > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(needed, _buffer.Length * 2));
        }

        BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<double, long>(values), MemoryMarshal.Cast<byte, long>(_buffer.AsSpan(byteIndex, 8 * values.Length)));
        _bitLength += 64L * values.Length;
    }

    /// <summary>Appends binary32 values big-endian, byte-swapped in bulk when the writer is on a byte boundary.</summary>
    public void WriteSingles(ReadOnlySpan<float> values)
    {
        if ((_bitLength & 7) != 0)
        {
            foreach (var value in values)
            {
                WriteSingle(value);
            }

            return;
        }

        var byteIndex = (int)(_bitLength >> 3);
        var needed = byteIndex + (4 * values.Length) + Slack;
        if (needed > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(needed, _buffer.Length * 2));
        }

        BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<float, int>(values), MemoryMarshal.Cast<byte, int>(_buffer.AsSpan(byteIndex, 4 * values.Length)));
        _bitLength += 32L * values.Length;
    }

    /// <summary>The message written so far; valid until the next <see cref="Reset"/> or write.</summary>
    public Payload ToPayload() => new(_buffer.AsMemory(0, Payload.ByteCount(_bitLength)), _bitLength);

    /// <summary>
    /// Writes 64 bits: one big-endian store of eight bytes that never reads a byte the previous word's stores only
    /// partly wrote (a 64-bit read-modify-write after one would wait for the store to retire): off a byte boundary the
    /// word's first byte keeps the bits already there, read alone, and its last bits go in the ninth byte.
    /// </summary>
    public void WriteWord(ulong word)
    {
        var byteIndex = (int)(_bitLength >> 3);
        if (byteIndex + 8 + Slack > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(byteIndex + 8 + Slack, _buffer.Length * 2));
        }

        var shift = (int)(_bitLength & 7);
        if (shift == 0)
        {
            BinaryPrimitives.WriteUInt64BigEndian(_buffer.AsSpan(byteIndex, 8), word);
        }
        else
        {
            BinaryPrimitives.WriteUInt64BigEndian(_buffer.AsSpan(byteIndex, 8), ((ulong)_buffer[byteIndex] << 56) | (word >> shift));
            _buffer[byteIndex + 8] = (byte)(word << (8 - shift));
        }

        _bitLength += 64;
    }

    /// <summary>ORs a masked field of at most 56 bits into place with one big-endian 64-bit word.</summary>
    private void WriteShort(ulong value, int count)
    {
        if (count == 0)
        {
            return;
        }

        var byteIndex = (int)(_bitLength >> 3);
        if (byteIndex + Slack > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(byteIndex + Slack, _buffer.Length * 2));
        }

        var shift = (int)(_bitLength & 7);
        var slot = _buffer.AsSpan(byteIndex, 8);
        BinaryPrimitives.WriteUInt64BigEndian(slot, BinaryPrimitives.ReadUInt64BigEndian(slot) | (value << (64 - shift - count)));
        _bitLength += count;
    }
}
