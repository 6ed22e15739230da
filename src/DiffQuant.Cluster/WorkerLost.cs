namespace DiffQuant.Cluster;

/// <summary>A worker grain that stopped answering: its silo died, the call timed out, or Orleans lost its activation.</summary>
public sealed class WorkerLost : DiffQuantException
{
    public WorkerLost()
    {
    }

    public WorkerLost(string message)
        : base(message)
    {
    }

    public WorkerLost(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <param name="silo">The silo to stop placing workers on (the dead one, where known).</param>
    public WorkerLost(int index, SiloAddress? silo, string reason)
        : base($"worker {index} was lost: {reason}")
    {
        Index = index;
        Silo = silo;
    }

    public int Index { get; }

    public SiloAddress? Silo { get; }
}
