namespace DiffQuant.Cluster;

/// <summary>
/// A grain's refusal (a <see cref="DiffQuantException"/>: bad bytes, an unconfigured grain, a server's error) as it crosses the cluster;
/// the core's exception type is not an Orleans type, so grains rethrow its message as this, and
/// <see cref="RemoteWorker"/> turns it back into a <see cref="DiffQuantException"/>.
/// </summary>
[GenerateSerializer]
[Alias("DiffQuant.Cluster.GrainFault")]
public sealed class GrainFault : Exception
{
    public GrainFault()
    {
    }

    public GrainFault(string message)
        : base(message)
    {
    }

    public GrainFault(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>
    /// The grain holds no worker: it was never configured, or its silo died and Orleans activated it afresh elsewhere
    /// (what a caller that had configured it reads as a lost worker).
    /// </summary>
    [Id(0)]
    public bool Unconfigured { get; init; }

    /// <summary>The grain failed because one of its worker grains was lost (a run server may be started again from a checkpoint).</summary>
    [Id(1)]
    public bool WorkerLost { get; init; }

    /// <summary>The silo the lost worker was on, when known (<see cref="SiloAddress.ToParsableString"/>).</summary>
    [Id(2)]
    public string? Silo { get; init; }

    /// <summary>
    /// Runs <paramref name="action"/>, rethrowing a <see cref="DiffQuantException"/> as a fault that crosses the cluster,
    /// its message prefixed by who refused (<paramref name="where"/>).
    /// </summary>
    public static T Guard<T>(string where, Func<T> action)
    {
        try
        {
            return action();
        }
        catch (DiffQuantException e)
        {
            throw new GrainFault($"{where}: {e.Message}");
        }
    }

    /// <summary>Waits for a grain call, turning a fault back into the core's exception.</summary>
    public static void Await(Task call)
    {
        try
        {
            call.GetAwaiter().GetResult();
        }
        catch (GrainFault e)
        {
            throw new DiffQuantException(e.Message);
        }
    }
}
