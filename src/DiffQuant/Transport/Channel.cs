using DiffQuant.Bits;

namespace DiffQuant.Transport;

/// <summary>
/// The rate-limited link between one worker and the server. It copies every payload into the
/// receiver's own buffer (the receiver never sees sender memory), refuses an iteration message
/// longer than the budget or with non-zero padding (padding could smuggle bits), and counts
/// what it carried. The algorithm never reports its own cost: these meters are the record.
/// </summary>
public sealed class Channel
{
    private byte[] _uplinkInbox = new byte[64];
    private byte[] _downlinkInbox = new byte[64];

    /// <param name="uplinkBudgetBits">floor(n·R): the most bits one worker-to-server iteration message may hold.</param>
    public Channel(long uplinkBudgetBits)
    {
        if (uplinkBudgetBits < 0)
        {
            Guard.Throw($"the uplink budget must be non-negative, got {uplinkBudgetBits} bits.");
        }

        UplinkBudgetBits = uplinkBudgetBits;
    }

    public long UplinkBudgetBits { get; }

    public LinkMeter Uplink { get; } = new();

    public LinkMeter Downlink { get; } = new();

    /// <summary>Carries a worker-to-server message; returns it as the server receives it.</summary>
    public Payload SendUplink(Payload payload, bool setup = false)
    {
        if (!setup && payload.BitLength > UplinkBudgetBits)
        {
            Guard.Throw($"uplink payload of {payload.BitLength} bits exceeds the budget of {UplinkBudgetBits} bits per message.");
        }

        var delivered = Deliver(payload, ref _uplinkInbox, "uplink");
        Uplink.Count(payload.BitLength, setup);
        return delivered;
    }

    /// <summary>Carries a server-to-worker message; returns it as the worker receives it.</summary>
    public Payload SendDownlink(Payload payload, bool setup = false)
    {
        var delivered = Deliver(payload, ref _downlinkInbox, "downlink");
        Downlink.Count(payload.BitLength, setup);
        return delivered;
    }

    private static Payload Deliver(Payload payload, ref byte[] inbox, string link)
    {
        if (payload.BitLength < 0)
        {
            Guard.Throw($"{link} payload has a negative length ({payload.BitLength} bits).");
        }

        var byteCount = Payload.ByteCount(payload.BitLength);
        if (payload.Bytes.Length < byteCount)
        {
            Guard.Throw($"{link} payload declares {payload.BitLength} bits but holds only {payload.Bytes.Length} bytes.");
        }

        var source = payload.Bytes.Span[..byteCount];
        var spare = (int)(((long)byteCount * 8) - payload.BitLength);
        if (spare > 0 && (source[^1] & ((1 << spare) - 1)) != 0)
        {
            Guard.Throw($"{link} payload has non-zero padding after bit {payload.BitLength}.");
        }

        if (inbox.Length < byteCount)
        {
            inbox = new byte[Math.Max(byteCount, inbox.Length * 2)];
        }

        source.CopyTo(inbox);
        return new Payload(inbox.AsMemory(0, byteCount), payload.BitLength);
    }
}
