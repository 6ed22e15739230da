using DiffQuant.Bits;

namespace DiffQuant.Methods;

/// <summary>
/// The end of a link that holds the data. It answers each server message with exactly one message;
/// the payloads it returns are valid until its next call.
/// </summary>
public interface IWorker
{
    /// <summary>Handles one downlink message and returns the uplink reply.</summary>
    Payload Handle(Payload downlink);

    /// <summary>Coordinates that fell outside the quantizer's range so far (a diagnostic, never sent).</summary>
    long Overloads { get; }
}
