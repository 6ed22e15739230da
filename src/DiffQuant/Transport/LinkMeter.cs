namespace DiffQuant.Transport;

/// <summary>What one direction of a <see cref="Channel"/> has carried, measured from the payloads.</summary>
public sealed class LinkMeter
{
    /// <summary>Messages carried, setup included.</summary>
    public long Messages { get; private set; }

    /// <summary>All bits carried, setup included.</summary>
    public long TotalBits { get; private set; }

    /// <summary>Bits carried by one-time setup messages (part of <see cref="TotalBits"/>).</summary>
    public long SetupBits { get; private set; }

    /// <summary>The longest per-iteration message, in bits.</summary>
    public long MaxMessageBits { get; private set; }

    internal void Count(long bits, bool setup)
    {
        Messages++;
        TotalBits += bits;
        if (setup)
        {
            SetupBits += bits;
        }
        else if (bits > MaxMessageBits)
        {
            MaxMessageBits = bits;
        }
    }
}
