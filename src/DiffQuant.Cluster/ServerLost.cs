namespace DiffQuant.Cluster;

/// <summary>A server grain that stopped answering: its silo died or the call failed in transport.</summary>
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

    public ServerLost(SiloAddress silo, string reason)
        : base(reason) => Silo = silo;

    /// <summary>The silo to stop placing the server on.</summary>
    public SiloAddress Silo { get; } = SiloAddress.Zero;
}
