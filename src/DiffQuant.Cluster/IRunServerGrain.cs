namespace DiffQuant.Cluster;

/// <summary>
/// `dq run`'s server on a silo: it re-reads the command's arguments as its worker grains do, places them, runs the
/// in-process server, links and session against them, and answers the run's report. Keyed by run.
/// </summary>
[Alias("DiffQuant.Cluster.IRunServerGrain")]
public interface IRunServerGrain : IGrainWithStringKey
{
    /// <summary>The longest a run may take (the submitting process watches the server's silo and fails at once if it dies).</summary>
    const string RunTimeout = "7.00:00:00";

    /// <param name="progress">Hears each iteration's relative error (null: nobody listens).</param>
    [Alias("Run")]
    [ResponseTimeout(RunTimeout)]
    Task<RunServerAnswer> Run(RunServerSetup setup, IRunProgress? progress);
}

/// <summary>What hears a `dq run` server grain's progress and checkpoints: the submitting process.</summary>
[Alias("DiffQuant.Cluster.IRunProgress")]
public interface IRunProgress : IGrainObserver
{
    [Alias("Progress")]
    [Orleans.Concurrency.OneWay]
    void Progress(int iteration, double relativeError);

    /// <summary>The run's whole state after <paramref name="iteration"/> (a session snapshot, workers' state included), and the relative errors of iterations 0..iteration.</summary>
    [Alias("Checkpoint")]
    [Orleans.Concurrency.OneWay]
    void Checkpoint(int iteration, byte[] snapshot, double[] errors);
}

/// <summary>What a `dq run` server grain runs: the command's arguments (without the cluster options).</summary>
[GenerateSerializer]
[Alias("DiffQuant.Cluster.RunServerSetup")]
public sealed record RunServerSetup
{
    /// <summary>Names the run's worker grains.</summary>
    [Id(0)]
    public string RunId { get; init; } = string.Empty;

    [Id(1)]
    public string[] Arguments { get; init; } = [];

    [Id(2)]
    public TimeSpan WorkerTimeout { get; init; }

    /// <summary>A loopback cluster's primary silo port, kept free of workers.</summary>
    [Id(3)]
    public int? ReservedSiloPort { get; init; }

    /// <summary>Iterations between checkpoints sent to the observer (0: none).</summary>
    [Id(4)]
    public int CheckpointEvery { get; init; }

    /// <summary>The checkpoint a replacement server continues from (null: the start).</summary>
    [Id(5)]
    public byte[]? Checkpoint { get; init; }

    /// <summary>The relative errors of iterations 0..t of <see cref="Checkpoint"/>'s run.</summary>
    [Id(6)]
    public double[]? Errors { get; init; }
}

/// <summary>A `dq run` server grain's answer.</summary>
[GenerateSerializer]
[Alias("DiffQuant.Cluster.RunServerAnswer")]
public sealed record RunServerAnswer
{
    /// <summary>The run's report as `dq run --json` prints it.</summary>
    [Id(0)]
    public string Report { get; init; } = string.Empty;

    /// <summary>The silo the server ran on (<see cref="SiloAddress.ToParsableString"/>).</summary>
    [Id(1)]
    public string Silo { get; init; } = string.Empty;

    /// <summary>Bytes Orleans sent from the server's silo process during the run (<see cref="WireMeter"/>).</summary>
    [Id(2)]
    public long WireBytesSent { get; init; }

    /// <summary>Bytes Orleans received there.</summary>
    [Id(3)]
    public long WireBytesReceived { get; init; }

    /// <summary>Servers lost with their silos and replaced from a checkpoint (set by the submitting process).</summary>
    [Id(4)]
    public int ServerRecoveries { get; init; }
}
