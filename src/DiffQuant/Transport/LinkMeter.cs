namespace DiffQuant.Transport;

/// <summary>
/// What one direction of a <see cref="Link"/> has carried, measured from the payloads. Information bits are
/// everything the receiver could not know (bodies, and header fields the kind marks as information);
/// framing bits are the header fields it checks against its own state.
/// </summary>
public sealed class LinkMeter
{
    /// <summary>Messages carried, setup included.</summary>
    public long Messages { get; private set; }

    /// <summary>Information bits carried, setup included; framing is not in this count.</summary>
    public long TotalBits { get; private set; }

    /// <summary>Information bits of one-time setup messages (part of <see cref="TotalBits"/>).</summary>
    public long SetupBits { get; private set; }

    /// <summary>Envelope bits the receiver could check against its own state (kind, in-order versions).</summary>
    public long FramingBits { get; private set; }

    /// <summary>The most information bits of one per-iteration message.</summary>
    public long MaxMessageBits { get; private set; }

    internal void Count(long informationBits, long framingBits, bool setup)
    {
        Messages++;
        TotalBits += informationBits;
        FramingBits += framingBits;
        if (setup)
        {
            SetupBits += informationBits;
        }
        else if (informationBits > MaxMessageBits)
        {
            MaxMessageBits = informationBits;
        }
    }

    /// <summary>The counters as one record, for snapshots and reports.</summary>
    public LinkMeterState State => new(Messages, TotalBits, SetupBits, FramingBits, MaxMessageBits);

    internal void Restore(LinkMeterState state) =>
        (Messages, TotalBits, SetupBits, FramingBits, MaxMessageBits) = (state.Messages, state.TotalBits, state.SetupBits, state.FramingBits, state.MaxMessageBits);
}

/// <summary>A <see cref="LinkMeter"/>'s counters.</summary>
public readonly record struct LinkMeterState(long Messages, long TotalBits, long SetupBits, long FramingBits, long MaxMessageBits);
