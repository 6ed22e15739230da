namespace DiffQuant.Cluster;

/// <summary>The silos the cluster's membership has declared dead (what a caller waiting on the cluster wants to know).</summary>
public interface ISiloLiveness
{
    /// <summary>The dead silos as last learned, without asking.</summary>
    IReadOnlySet<SiloAddress> KnownDead { get; }

    /// <summary>Asks the membership again (at most once per <see cref="SiloWatch.Check"/>) and answers the dead silos.</summary>
    IReadOnlySet<SiloAddress> Dead();
}
