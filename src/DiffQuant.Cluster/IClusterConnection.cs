namespace DiffQuant.Cluster;

/// <summary>A client connected to a cluster: where grains are called, and the silo worker grains should avoid.</summary>
public interface IClusterConnection : IAsyncDisposable
{
    IGrainFactory Grains { get; }

    /// <summary>The silo port of a silo that holds the membership table (a loopback cluster's primary); null when Redis holds it.</summary>
    int? ReservedSiloPort { get; }
}
