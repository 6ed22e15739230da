namespace DiffQuant.Running;

/// <summary>When the server stops; every limit that is set applies, the first one met ends the run.</summary>
public readonly record struct StopRule
{
    public StopRule()
    {
    }

    /// <summary>The most iterations (gradient messages).</summary>
    public int MaxIterations { get; init; } = 10_000;

    /// <summary>The most uplink bits, setup included; null for no limit.</summary>
    public long? MaxUplinkBits { get; init; }

    /// <summary>Stop once ‖x̂_t − x*‖/‖x̂_0 − x*‖ ≤ this (needs a referee that knows x*); null for no target.</summary>
    public double? TargetRelativeError { get; init; }

    /// <summary>
    /// Stop once the relative error has not reached a new minimum for this many iterations
    /// (needs a referee); null to never stop on a stall.
    /// </summary>
    public int? StallWindow { get; init; }

    public void Validate()
    {
        if (MaxIterations < 0)
        {
            Guard.Throw($"the iteration budget must be non-negative, got {MaxIterations}.");
        }

        if (MaxUplinkBits is < 0)
        {
            Guard.Throw($"the bit budget must be non-negative, got {MaxUplinkBits}.");
        }

        if (TargetRelativeError is { } eps && (!(eps > 0) || !double.IsFinite(eps)))
        {
            Guard.Throw($"the target relative error must be a positive finite number, got {eps}.");
        }

        if (StallWindow is <= 0)
        {
            Guard.Throw($"the stall window must be positive, got {StallWindow}.");
        }
    }
}
