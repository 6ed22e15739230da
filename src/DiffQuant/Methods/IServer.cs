using DiffQuant.Bits;

namespace DiffQuant.Methods;

/// <summary>
/// The end of a link that holds the iterate. It speaks first, learns the problem only from the
/// uplink payloads, and answers each with the next downlink message.
/// </summary>
public interface IServer
{
    /// <summary>The first downlink message.</summary>
    Payload Open();

    /// <summary>Handles one uplink message and returns the next downlink message.</summary>
    Payload Handle(Payload uplink);

    /// <summary>The current iterate x̂_t.</summary>
    ReadOnlySpan<double> Iterate { get; }

    /// <summary>t: the number of updates applied.</summary>
    int Iterations { get; }

    /// <summary>Whether another iteration can run (false once a range schedule has under- or overflowed).</summary>
    bool CanContinue { get; }
}
