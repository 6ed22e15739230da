namespace DiffQuant.Cluster;

/// <summary>
/// A worker's payload on its way to the server: the sending grain's key (which names its link), the payload's bytes and
/// its exact length in bits. Its codec (<see cref="UplinkMessageCodec"/>) reads the key and the body's length first and
/// refuses a body longer than the link carries without reading it: <see cref="Refusal"/> then says why and
/// <see cref="Bytes"/> is empty. Never changed once made (Orleans hands it on within a silo without copying), so the
/// limit applies where a message crosses the wire, the only place its length is not the receiver's own.
/// </summary>
[Immutable]
[Alias("DiffQuant.Cluster.UplinkMessage")]
public sealed class UplinkMessage
{
    /// <summary>The sending worker grain's key.</summary>
    public string Link { get; init; } = string.Empty;

    public byte[] Bytes { get; init; } = [];

    public long BitLength { get; init; }

    /// <summary>Set by the receiver only: why the body was refused unread (null: it was read).</summary>
    public string? Refusal { get; init; }
}
