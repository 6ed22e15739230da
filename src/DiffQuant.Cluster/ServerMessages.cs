namespace DiffQuant.Cluster;

/// <summary>What a server grain builds its run from.</summary>
[GenerateSerializer]
[Alias("DiffQuant.Cluster.ServerSetup")]
public sealed record ServerSetup
{
    /// <summary>Names the run's worker grains (with the attempt, so a replacement server never meets its predecessor's).</summary>
    [Id(0)]
    public string RunId { get; init; } = string.Empty;

    /// <summary><see cref="Learning.Training.TrainOptions"/> as JSON.</summary>
    [Id(1)]
    public string Options { get; init; } = string.Empty;

    /// <summary>A <see cref="DataSpec"/>: the server reads only its test part (to evaluate), the workers their shards.</summary>
    [Id(2)]
    public string Data { get; init; } = string.Empty;

    [Id(3)]
    public int CheckpointEvery { get; init; }

    [Id(4)]
    public TimeSpan WorkerTimeout { get; init; }

    [Id(5)]
    public int MaxRecoveries { get; init; }

    /// <summary>Where checkpoints also go (<see cref="CheckpointStores"/>); null: only to the submitting process.</summary>
    [Id(6)]
    public string? Store { get; init; }

    /// <summary>A loopback cluster's primary silo port, kept free of workers.</summary>
    [Id(7)]
    public int? ReservedSiloPort { get; init; }

    /// <summary>The run's name on status pages (the same for every server of the run).</summary>
    [Id(8)]
    public string Run { get; init; } = string.Empty;

    /// <summary>What the status page calls the cluster (e.g. "2 loopback silos" or its Redis).</summary>
    [Id(9)]
    public string Cluster { get; init; } = string.Empty;

    /// <summary>How long the run had been going when this server was started (its status page counts on from there).</summary>
    [Id(10)]
    public TimeSpan Elapsed { get; init; }

    /// <summary>The recorded arrival order a replaying asynchronous run follows (null otherwise).</summary>
    [Id(11)]
    public int[]? Replay { get; init; }
}

/// <summary>A server grain's run from one checkpoint to the next.</summary>
[GenerateSerializer]
[Alias("DiffQuant.Cluster.ServerStretch")]
public sealed class ServerStretch
{
    /// <summary>The reports not yet acknowledged, in order: each update's progress and each line the server logged.</summary>
    [Id(0)]
    public List<ServerReport> Reports { get; init; } = [];

    /// <summary>The latest checkpoint, when newer than the caller's (null otherwise, and once the run is done).</summary>
    [Id(1)]
    public byte[]? Checkpoint { get; init; }

    /// <summary>The update <see cref="Checkpoint"/> was taken at.</summary>
    [Id(9)]
    public int CheckpointStep { get; init; }

    /// <summary>The finished run's <see cref="Learning.Training.TrainResult"/> as JSON; null until then.</summary>
    [Id(2)]
    public string? Result { get; init; }

    /// <summary>The silo each worker is on, by worker index (<see cref="SiloAddress.ToParsableString"/>).</summary>
    [Id(4)]
    public Dictionary<int, string> Placement { get; init; } = [];

    /// <summary>The silo the server runs on (<see cref="SiloAddress.ToParsableString"/>).</summary>
    [Id(5)]
    public string Silo { get; init; } = string.Empty;

    /// <summary>Bytes of worker state moved for checkpoints and restores so far.</summary>
    [Id(6)]
    public long StateBytes { get; init; }

    /// <summary>Bytes Orleans sent from the server's silo process since the server started (<see cref="WireMeter"/>).</summary>
    [Id(7)]
    public long WireBytesSent { get; init; }

    /// <summary>Bytes Orleans received there.</summary>
    [Id(8)]
    public long WireBytesReceived { get; init; }

    /// <summary>The status page of the server's silo showing this run (null when that silo serves none).</summary>
    [Id(10)]
    public string? StatusPage { get; init; }
}

/// <summary>One report of a server grain, numbered: an update's progress (<see cref="Learning.Training.TrainProgress"/> as JSON) or a logged line (checkpoints written, workers lost, resumptions).</summary>
[GenerateSerializer]
[Alias("DiffQuant.Cluster.ServerReport")]
public sealed record ServerReport([property: Id(0)] long Sequence, [property: Id(1)] string? Progress, [property: Id(2)] string? Line);
