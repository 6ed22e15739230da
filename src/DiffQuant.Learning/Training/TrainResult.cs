namespace DiffQuant.Learning.Training;

/// <summary>One evaluation of the server's model during a run.</summary>
/// <param name="Step">Updates completed.</param>
/// <param name="Epoch">Epochs completed (fractional).</param>
/// <param name="UplinkBits">Uplink information bits of all workers so far, setups included.</param>
/// <param name="TrainLoss">The mean of the workers' mini-batch losses since the previous point.</param>
public sealed record TrainPoint(int Step, double Epoch, long UplinkBits, long DownlinkBits, double TrainLoss, double TestLoss, double TestAccuracy);

/// <summary>The outcome of one training run, with the bits the links measured.</summary>
public sealed record TrainResult
{
    public required string Method { get; init; }

    public required string Model { get; init; }

    public required string Data { get; init; }

    public required int Parameters { get; init; }

    public required int Workers { get; init; }

    public required int Epochs { get; init; }

    public required int Batch { get; init; }

    public required double LearningRate { get; init; }

    public required long Seed { get; init; }

    public required int Steps { get; init; }

    public required double TestAccuracy { get; init; }

    public required double TestLoss { get; init; }

    /// <summary>Mean cross-entropy of the final model on the whole training set.</summary>
    public required double TrainLoss { get; init; }

    public required long UplinkBitsTotal { get; init; }

    public required long DownlinkBitsTotal { get; init; }

    /// <summary>Envelope bits the receivers could check (kind and round), both directions; not information.</summary>
    public required long FramingBitsTotal { get; init; }

    /// <summary>Uplink bits of binary32 gradients over the same steps (setups included) ÷ this run's uplink bits.</summary>
    public required double CompressionRatio { get; init; }

    /// <summary>Uplink gradient bits per coordinate per message, on average.</summary>
    public required double BitsPerCoordinate { get; init; }

    public required double WallSeconds { get; init; }

    /// <summary>Seconds of <see cref="WallSeconds"/> spent building the server and the workers (loading their shards).</summary>
    public double SetupSeconds { get; init; }

    /// <summary>Times a cluster run lost a worker and resumed from its last checkpoint; null in-process.</summary>
    public int? Recoveries { get; init; }

    /// <summary>
    /// Times a cluster run's server was lost with its silo and a new server continued on another silo from the last
    /// checkpoint the old one returned: <see cref="Recoveries"/> counts the last server's lost workers, <see
    /// cref="StepsRedone"/> also the updates a lost server had reported past that checkpoint; the uplink bits of a lost
    /// server's ledger died with it and are not in <see cref="UplinkBitsDiscarded"/>. Null in-process.
    /// </summary>
    public int? ServerRecoveries { get; init; }

    /// <summary>Updates made again after those recoveries (made since the checkpoint each resumed from).</summary>
    public int? StepsRedone { get; init; }

    /// <summary>
    /// Uplink information bits that were sent and then rolled back by recoveries: not in <see cref="UplinkBitsTotal"/>
    /// (the ledger of the run as applied), reported so that no bit sent goes uncounted.
    /// </summary>
    public long? UplinkBitsDiscarded { get; init; }

    /// <summary>Bytes of worker state a cluster run's server fetched and sent for checkpoints and restores (part of the wire bytes, not information).</summary>
    public long? StateBytes { get; init; }

    /// <summary>
    /// Bytes of checkpoints a cluster run's server returned to the submitting process, which keeps the latest to start a
    /// new server from when the server's silo dies (only without a --checkpoint store, which a new server reads instead;
    /// part of the wire bytes sent, not information).
    /// </summary>
    public long? CheckpointBytesReturned { get; init; }

    /// <summary>The largest staleness of an applied asynchronous gradient; null for synchronous runs.</summary>
    public int? MaxStaleness { get; init; }

    /// <summary>Asynchronous messages in flight at epoch barriers: sent and counted, not applied; null for synchronous runs.</summary>
    public long? Dropped { get; init; }

    /// <summary>The order of an asynchronous run's arrivals: "simulated", "live" or "replay"; null for synchronous runs.</summary>
    public string? ArrivalOrder { get; init; }

    /// <summary>
    /// The worker of each arrival of a live or replayed run (what `--arrivals FILE` replays: the same run, bit for bit,
    /// on any transport); null when the order is simulated from the seed.
    /// </summary>
    public IReadOnlyList<int>? Arrivals { get; init; }

    /// <summary>Silo processes the server and the workers ran on; null in-process.</summary>
    public int? Silos { get; init; }

    /// <summary>The cluster the server and the workers ran on (`--cluster redis://…`); null otherwise.</summary>
    public string? Cluster { get; init; }

    /// <summary>
    /// Bytes Orleans sent from the server's process (a cluster run's server silo: the messages to the worker grains,
    /// framing and all, and its reports and checkpoints to the submitting process); null in-process.
    /// </summary>
    public long? WireBytesSent { get; init; }

    /// <summary>Bytes Orleans received there (the workers' answers, the worker state fetched for checkpoints); null in-process.</summary>
    public long? WireBytesReceived { get; init; }

    public required IReadOnlyList<TrainPoint> Curve { get; init; }
}
