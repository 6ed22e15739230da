using DiffQuant.Bits;
using DiffQuant.Transport;

namespace DiffQuant.Methods;

/// <summary>
/// The body of a relay downlink (<see cref="DownlinkContent.Relay"/>): for every link j but the receiver's, in link
/// order, the length of j's message body in ⌈log2(B_j + 1)⌉ bits (B_j: the link's body budget, which both ends know)
/// and the body's bits. A body is stored as it arrived, after its envelope (whose kind and round the receiver knows).
/// </summary>
public static class RelayedMessages
{
    /// <summary>Bits of the length field of a link whose bodies hold at most <paramref name="budgetBits"/> bits.</summary>
    public static int LengthBits(long budgetBits) => 64 - System.Numerics.BitOperations.LeadingZeroCount((ulong)budgetBits);

    /// <summary>The body of <paramref name="message"/> (all after its envelope), copied out of the sender's buffer.</summary>
    public static Payload Body(Payload message)
    {
        // The envelope is 40 bits, a whole number of bytes: the body is a byte-aligned slice.
        var skip = Envelope.HeaderBits / 8;
        return new Payload(message.Bytes[skip..].ToArray(), message.BitLength - Envelope.HeaderBits);
    }

    /// <summary>Appends <paramref name="body"/> with its length to <paramref name="writer"/>.</summary>
    public static void Write(BitWriter writer, Payload body, long budgetBits)
    {
        if (body.BitLength > budgetBits)
        {
            Guard.Throw($"a relayed body of {body.BitLength} bits exceeds its link's budget of {budgetBits} bits.");
        }

        writer.Write((ulong)body.BitLength, LengthBits(budgetBits));
        var reader = new BitReader(body);
        for (var left = body.BitLength; left > 0; left -= 64)
        {
            var count = (int)Math.Min(64, left);
            writer.Write(reader.Read(count), count);
        }
    }

    /// <summary>Reads one relayed body and rebuilds the message it came in: an envelope of <paramref name="kind"/> and <paramref name="version"/>, then the body.</summary>
    public static Payload Read(ref BitReader reader, long budgetBits, MessageKind kind, int version, BitWriter into)
    {
        var length = (long)reader.Read(LengthBits(budgetBits));
        if (length > budgetBits || length > reader.Remaining)
        {
            Guard.Throw($"a relayed body claims {length} bits; its link's budget is {budgetBits} and {reader.Remaining} bits are left.");
        }

        Envelope.Begin(into, kind, version);
        for (var left = length; left > 0; left -= 64)
        {
            var count = (int)Math.Min(64, left);
            into.Write(reader.Read(count), count);
        }

        return into.ToPayload();
    }
}
