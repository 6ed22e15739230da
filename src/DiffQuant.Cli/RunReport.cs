namespace DiffQuant.Cli;

/// <summary>The summary of one run as `dq run --json` prints it. Bits are as the channel measured them.</summary>
internal sealed record RunReport
{
    public required string Method { get; init; }

    /// <summary>Silo processes the workers ran on (`--silos`); null in-process.</summary>
    public int? Silos { get; init; }

    /// <summary>The cluster the workers ran on (`--cluster`); null otherwise.</summary>
    public string? Cluster { get; init; }

    /// <summary>The silo the server grain ran on (the last one, after recoveries); null in-process.</summary>
    public string? ServerSilo { get; init; }

    /// <summary>Servers lost with their silos and replaced from a checkpoint; null in-process.</summary>
    public int? ServerRecoveries { get; init; }

    /// <summary>Bytes Orleans sent from the server's silo process during the run (to the worker grains and the submitting process), framing and all; null in-process.</summary>
    public long? WireBytesSent { get; init; }

    /// <summary>Bytes Orleans received there; null in-process.</summary>
    public long? WireBytesReceived { get; init; }

    public required string Quantizer { get; init; }

    public required string Problem { get; init; }

    public required int N { get; init; }

    public required int M { get; init; }

    public required long Seed { get; init; }

    public required double L { get; init; }

    public required double Mu { get; init; }

    public required double Kappa { get; init; }

    public required int Workers { get; init; }

    /// <summary>The range policy the method ran under ("none" for floats).</summary>
    public required string Range { get; init; }

    public required string Allocation { get; init; }

    public required string Mode { get; init; }

    public required double StepSize { get; init; }

    public required double Gamma { get; init; }

    public required double Sigma { get; init; }

    public required double RateBits { get; init; }

    /// <summary>The ramp C of the link's rates (<see cref="Methods.RateRamp"/>; 0: every message at R).</summary>
    public required double RampBits { get; init; }

    /// <summary>ρ, the quantizer's covering efficiency; null for float codecs.</summary>
    public required double? Rho { get; init; }

    public required string ExitReason { get; init; }

    public required int Iterations { get; init; }

    public required long BitsTotal { get; init; }

    public required long SetupBits { get; init; }

    public required long BitsPerIteration { get; init; }

    public required double BitsPerCoordinate { get; init; }

    public required long DownlinkBitsTotal { get; init; }

    /// <summary>Envelope bits the receivers could check against their own state, both directions (not information).</summary>
    public required long FramingBitsTotal { get; init; }

    public required double RelativeError { get; init; }

    public required double EmpiricalRate { get; init; }

    /// <summary>f(x̂_T), from the evaluator.</summary>
    public required double? Loss { get; init; }

    /// <summary>f(x̂_T) − f(x*), when x* is known.</summary>
    public required double? LossGap { get; init; }

    /// <summary>The rate the range policy guarantees (see Bounds.Guaranteed); null where none is derived, see <see cref="BoundNote"/>.</summary>
    public required double? Bound { get; init; }

    /// <summary>Why <see cref="Bound"/> is null, or which bound it is.</summary>
    public required string? BoundNote { get; init; }

    /// <summary>The paper's stated bound for DQ-GD and NQ-GD; null for other methods.</summary>
    public required double? PaperBound { get; init; }

    public required double Converse { get; init; }

    public required long Overloads { get; init; }

    /// <summary>Seconds of the setup exchange (x̂_0 down, setups up).</summary>
    public required double SetupSeconds { get; init; }

    /// <summary>Wall seconds of the rounds after the setup.</summary>
    public required double RoundSeconds { get; init; }

    /// <summary>Of those, seconds in the server (decode, update, encode).</summary>
    public required double ServerSeconds { get; init; }

    /// <summary>Seconds the session waited for worker answers, summed over workers (compute plus, on a cluster, transport).</summary>
    public required double WorkerSeconds { get; init; }

    /// <summary>Seconds the workers computed, summed (on a cluster as their grains measured it; in-process equal to <see cref="WorkerSeconds"/>).</summary>
    public required double WorkerComputeSeconds { get; init; }

    /// <summary>Each worker's link meters.</summary>
    public required IReadOnlyList<Running.LinkReport> Links { get; init; }
}
