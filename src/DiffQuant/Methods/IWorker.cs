using DiffQuant.Bits;

namespace DiffQuant.Methods;

/// <summary>
/// The end of a link that holds the data. It answers each server message with exactly one message; the
/// payloads it returns are valid until its next call.
/// </summary>
public interface IWorker
{
    /// <summary>Handles one downlink message and returns the uplink reply.</summary>
    Payload Handle(Payload downlink);

    /// <summary>Coordinates that fell outside the quantizer's range so far (a diagnostic, never sent).</summary>
    long Overloads { get; }

    /// <summary>The worker's whole state as versioned bytes (its data is not part of it).</summary>
    byte[] Snapshot();

    /// <summary>Restores a <see cref="Snapshot"/> into this freshly built worker of the same configuration and data.</summary>
    void Restore(ReadOnlySpan<byte> snapshot);
}
