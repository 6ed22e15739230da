namespace DiffQuant.Cluster;

/// <summary>A payload of the core's channel as it crosses the cluster: its bytes and its exact length in bits.</summary>
[GenerateSerializer]
[Alias("DiffQuant.Cluster.WireMessage")]
public sealed class WireMessage
{
    [Id(0)]
    public byte[] Bytes { get; init; } = [];

    [Id(1)]
    public long BitLength { get; init; }
}

/// <summary>The running sum and count of a worker's mini-batch losses (for curves; not channel information).</summary>
[GenerateSerializer]
[Alias("DiffQuant.Cluster.LossTally")]
public readonly record struct LossTally([property: Id(0)] double Sum, [property: Id(1)] long Count)
{
    public static LossTally Of(DiffQuant.Methods.IWorker worker) =>
        worker is Learning.Training.ITrainingWorker w ? new LossTally(w.LossSum, w.LossCount) : default;
}

/// <summary>A worker's answer with what the experimenter watches of it (loss tallies, overloads, compute time; not channel information).</summary>
[GenerateSerializer]
[Alias("DiffQuant.Cluster.WorkerReply")]
public sealed class WorkerReply
{
    [Id(0)]
    public UplinkMessage Message { get; init; } = new();

    [Id(1)]
    public LossTally Losses { get; init; }

    /// <summary>The worker's saturated coordinates so far.</summary>
    [Id(2)]
    public long Overloads { get; init; }

    /// <summary>Seconds the grain spent on this payload.</summary>
    [Id(3)]
    public double Seconds { get; init; }
}

/// <summary>
/// What a worker grain builds: the kind of run, its index, and either the training options (as JSON) with where the
/// data is, or (for `dq run`) the command's own arguments, which the worker's silo parses like the command does.
/// </summary>
[GenerateSerializer]
[Alias("DiffQuant.Cluster.WorkerSetup")]
public sealed record WorkerSetup
{
    [Id(3)]
    public string Kind { get; init; } = TrainingWorkerBuilder.Kind;

    [Id(4)]
    public string[] Arguments { get; init; } = [];

    /// <summary><see cref="Learning.Training.TrainOptions"/> as JSON.</summary>
    [Id(0)]
    public string Options { get; init; } = string.Empty;

    /// <summary>A <see cref="DataSpec"/>: the data set every machine can read.</summary>
    [Id(1)]
    public string Data { get; init; } = string.Empty;

    [Id(2)]
    public int Index { get; init; }
}
