using DiffQuant.Bits;

namespace DiffQuant.Transport;

/// <summary>
/// The rate-limited link between one worker and the server. It copies every payload into the receiver's
/// own buffer (the receiver never sees sender memory), reads the envelope to split information from
/// framing bits, refuses a message whose body is longer than its budget (the iteration budget, or the
/// protocol's setup size for a setup) or with non-zero padding (padding could smuggle bits), and counts
/// what it carried. The algorithm never reports its own cost: these meters are the record.
/// </summary>
public sealed class Link
{
    private byte[] _uplinkInbox = new byte[64];
    private byte[] _downlinkInbox = new byte[64];

    /// <param name="id">The worker's index k.</param>
    /// <param name="uplinkBudgetBits">floor(n·R_k): the most body bits one worker-to-server iteration message may hold.</param>
    /// <param name="setupBudgetBits">The most body bits the worker's setup message may hold (its protocol's setup size).</param>
    public Link(int id, long uplinkBudgetBits, long setupBudgetBits)
    {
        if (uplinkBudgetBits < 0 || setupBudgetBits < 0)
        {
            Guard.Throw($"the uplink budgets must be non-negative, got {uplinkBudgetBits} bits per message and {setupBudgetBits} per setup.");
        }

        Id = id;
        UplinkBudgetBits = uplinkBudgetBits;
        SetupBudgetBits = setupBudgetBits;
    }

    public int Id { get; }

    public long UplinkBudgetBits { get; }

    public long SetupBudgetBits { get; }

    /// <summary>The longest worker-to-server message this link carries, envelope included, in whole bytes (what a transport may refuse unread beyond).</summary>
    public long LargestUplinkBytes => Payload.ByteCount(Envelope.HeaderBits + Math.Max(UplinkBudgetBits, SetupBudgetBits));

    public LinkMeter Uplink { get; } = new();

    public LinkMeter Downlink { get; } = new();

    /// <summary>Carries a worker-to-server message; returns it as the server receives it.</summary>
    public Payload SendUplink(Payload payload)
    {
        var envelope = Envelope.Peek(payload);
        if (!MessageKinds.IsUplink(envelope.Kind))
        {
            Guard.Throw($"link {Id}: a {envelope.Kind} message cannot travel from a worker to the server.");
        }

        var body = payload.BitLength - Envelope.HeaderBits;
        var setup = MessageKinds.IsSetup(envelope.Kind);
        if (body > (setup ? SetupBudgetBits : UplinkBudgetBits))
        {
            Guard.Throw(setup
                ? $"link {Id}: uplink setup of {body} bits exceeds the setup's {SetupBudgetBits} bits."
                : $"link {Id}: uplink payload of {body} bits exceeds the budget of {UplinkBudgetBits} bits per message.");
        }

        var delivered = Deliver(payload, ref _uplinkInbox, "uplink");
        Count(Uplink, envelope.Kind, payload.BitLength);
        return delivered;
    }

    /// <summary>Carries a server-to-worker message; returns it as the worker receives it.</summary>
    public Payload SendDownlink(Payload payload)
    {
        var envelope = Envelope.Peek(payload);
        if (MessageKinds.IsUplink(envelope.Kind))
        {
            Guard.Throw($"link {Id}: a {envelope.Kind} message cannot travel from the server to a worker.");
        }

        var delivered = Deliver(payload, ref _downlinkInbox, "downlink");
        Count(Downlink, envelope.Kind, payload.BitLength);
        return delivered;
    }

    /// <summary>Both meters, for snapshots.</summary>
    public (LinkMeterState Uplink, LinkMeterState Downlink) MeterStates => (Uplink.State, Downlink.State);

    /// <summary>Sets both meters, when a run continues from a snapshot.</summary>
    public void RestoreMeters(LinkMeterState uplink, LinkMeterState downlink)
    {
        Uplink.Restore(uplink);
        Downlink.Restore(downlink);
    }

    private static void Count(LinkMeter meter, MessageKind kind, long bits)
    {
        var framing = Envelope.HeaderBits - Envelope.InformationHeaderBits(kind);
        meter.Count(bits - framing, framing, MessageKinds.IsSetup(kind));
    }

    private Payload Deliver(Payload payload, ref byte[] inbox, string direction)
    {
        var byteCount = Payload.ByteCount(payload.BitLength);
        if (payload.Bytes.Length < byteCount)
        {
            Guard.Throw($"link {Id}: {direction} payload declares {payload.BitLength} bits but holds only {payload.Bytes.Length} bytes.");
        }

        var source = payload.Bytes.Span[..byteCount];
        var spare = (int)(((long)byteCount * 8) - payload.BitLength);
        if (spare > 0 && (source[^1] & ((1 << spare) - 1)) != 0)
        {
            Guard.Throw($"link {Id}: {direction} payload has non-zero padding after bit {payload.BitLength}.");
        }

        if (inbox.Length < byteCount)
        {
            inbox = new byte[Math.Max(byteCount, inbox.Length * 2)];
        }

        source.CopyTo(inbox);
        return new Payload(inbox.AsMemory(0, byteCount), payload.BitLength);
    }
}
