namespace DiffQuant.Cluster;

/// <summary>A server grain that stopped answering (its silo died, the call failed in transport) or answered without its run (Orleans activated it afresh).</summary>
public sealed class ServerLost : DiffQuantException
{
    public ServerLost()
    {
    }

    public ServerLost(string message)
        : base(message)
    {
    }

    public ServerLost(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <param name="silo">The dead silo to stop placing the server on; null when the server lost its state on a live silo.</param>
    public ServerLost(SiloAddress? silo, string reason)
        : base(reason) => Silo = silo;

    public SiloAddress? Silo { get; }
}
