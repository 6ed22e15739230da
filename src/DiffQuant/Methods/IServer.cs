using DiffQuant.Bits;

namespace DiffQuant.Methods;

/// <summary>To whom the server's answer to a message goes.</summary>
public enum ReplyTarget
{
    /// <summary>Nobody yet (a synchronous round waits for the other workers).</summary>
    None,

    /// <summary>The worker that sent the message (asynchronous mode).</summary>
    Sender,

    /// <summary>Every worker; each one's message is <see cref="IServer.Outgoing"/>(k).</summary>
    All,
}

/// <summary>
/// The end of the K links that holds the iterate. It speaks first, learns the problem only from the uplink
/// payloads, and answers them with downlink messages.
/// </summary>
public interface IServer
{
    /// <summary>K, the number of links.</summary>
    int Workers { get; }

    /// <summary>The first downlink message, the same for every link.</summary>
    Payload Open();

    /// <summary>Handles one uplink message from link <paramref name="link"/> and says who is answered.</summary>
    ReplyTarget Handle(int link, Payload uplink);

    /// <summary>The current message for link <paramref name="link"/>; valid until the next call.</summary>
    Payload Outgoing(int link);

    /// <summary>The current iterate x̂_t.</summary>
    ReadOnlySpan<double> Iterate { get; }

    /// <summary>t: the number of updates applied.</summary>
    int Iterations { get; }

    /// <summary>Whether another message can be coded (false once a range has under- or overflowed).</summary>
    bool CanContinue { get; }

    /// <summary>The server's whole state as versioned bytes.</summary>
    byte[] Snapshot();

    /// <summary>Restores a <see cref="Snapshot"/> into this freshly built server of the same configuration.</summary>
    void Restore(ReadOnlySpan<byte> snapshot);
}
