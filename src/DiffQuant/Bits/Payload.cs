namespace DiffQuant.Bits;

/// <summary>
/// One message on the wire: <see cref="BitLength"/> meaningful bits packed most-significant-bit
/// first into <see cref="Bytes"/>; the padding bits of the last byte are zero.
/// </summary>
public readonly record struct Payload(ReadOnlyMemory<byte> Bytes, long BitLength)
{
    /// <summary>The zero-bit message (a "go on" signal whose content is implied by the protocol).</summary>
    public static Payload Empty => new(ReadOnlyMemory<byte>.Empty, 0);

    /// <summary>Bytes needed to hold <paramref name="bits"/> bits: ceil(bits / 8).</summary>
    public static int ByteCount(long bits) => checked((int)((bits + 7) >> 3));
}
