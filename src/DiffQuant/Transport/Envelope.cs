using DiffQuant.Bits;

namespace DiffQuant.Transport;

/// <summary>
/// The header every message starts with: its kind (8 bits) and the iteration or model version it belongs
/// to (32 bits), 40 bits so the body starts on a byte boundary. Receivers check both against their own
/// state and refuse a mismatch. Whether the version is information or framing depends on the kind
/// (<see cref="MessageKinds.VersionIsInformation"/>); the kind itself is always framing.
/// </summary>
public readonly record struct Envelope(MessageKind Kind, int Version)
{
    public const int KindBits = 8;
    public const int VersionBits = 32;
    public const int HeaderBits = KindBits + VersionBits;

    /// <summary>Header bits of a message of <paramref name="kind"/> that carry information.</summary>
    public static int InformationHeaderBits(MessageKind kind) => MessageKinds.VersionIsInformation(kind) ? VersionBits : 0;

    /// <summary>Starts a message: resets <paramref name="writer"/> and writes the header.</summary>
    public static void Begin(BitWriter writer, MessageKind kind, int version)
    {
        if (version < 0)
        {
            Guard.Throw($"a message version must be non-negative, got {version}.");
        }

        writer.Reset();
        writer.Write((ulong)kind, KindBits);
        writer.Write((ulong)version, VersionBits);
    }

    /// <summary>Reads the header of <paramref name="payload"/>, refusing a message too short to hold one or of an unknown kind.</summary>
    public static Envelope Peek(Payload payload)
    {
        if (payload.BitLength < HeaderBits)
        {
            Guard.Throw($"a message of {payload.BitLength} bits is shorter than its {HeaderBits}-bit envelope.");
        }

        var reader = new BitReader(payload);
        return ReadHeader(ref reader);
    }

    /// <summary>Reads the header and checks it is of <paramref name="expected"/> kind; the reader is left at the body.</summary>
    public static Envelope Open(ref BitReader reader, MessageKind expected, string receiver)
    {
        if (reader.Remaining < HeaderBits)
        {
            Guard.Throw($"{receiver}: a message of {reader.Remaining} bits is shorter than its {HeaderBits}-bit envelope.");
        }

        var envelope = ReadHeader(ref reader);
        if (envelope.Kind != expected)
        {
            Guard.Throw($"{receiver}: expected a {expected} message, got {envelope.Kind} (version {envelope.Version}).");
        }

        return envelope;
    }

    /// <summary>Checks that a message's version is the one the receiver expects (a synchronous, in-order protocol).</summary>
    public void ExpectVersion(int expected, string receiver)
    {
        if (Version != expected)
        {
            Guard.Throw($"{receiver}: {Kind} message for version {Version} arrived while at version {expected}.");
        }
    }

    private static Envelope ReadHeader(ref BitReader reader)
    {
        var kind = (MessageKind)reader.Read(KindBits);
        var version = reader.Read(VersionBits);
        if (!MessageKinds.IsDefined(kind))
        {
            Guard.Throw($"unknown message kind {(int)kind}.");
        }

        if (version > int.MaxValue)
        {
            Guard.Throw($"message version {version} is out of range.");
        }

        return new Envelope(kind, (int)version);
    }
}
