namespace DiffQuant.Running;

/// <summary>
/// When the server stops: the options of the composable <see cref="IStopCriterion"/>s (every limit that is set
/// applies; the first one met, in the order of <see cref="Criteria"/>, ends the run).
/// </summary>
public readonly record struct StopRule
{
    public StopRule()
    {
    }

    /// <summary>The most iterations (server updates).</summary>
    public int MaxIterations { get; init; } = 10_000;

    /// <summary>The most uplink information bits, setup included; null for no limit.</summary>
    public long? MaxUplinkBits { get; init; }

    /// <summary>Stop once ‖x̂_t − x*‖/‖x̂_0 − x*‖ ≤ this (needs a referee that knows x*); null for no target.</summary>
    public double? TargetRelativeError { get; init; }

    /// <summary>Stop once the relative error has not reached a new minimum for this many iterations (needs a referee).</summary>
    public int? StallWindow { get; init; }

    /// <summary>The run has diverged once its relative error exceeds this factor (or the iterate is not finite).</summary>
    public double DivergenceFactor { get; init; } = 1e8;

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

        if (!(DivergenceFactor > 1))
        {
            Guard.Throw($"the divergence factor must exceed 1, got {DivergenceFactor}.");
        }
    }

    /// <summary>The criteria this rule sets, in the order they are checked.</summary>
    public IReadOnlyList<IStopCriterion> Criteria()
    {
        Validate();
        var criteria = new List<IStopCriterion> { new DivergenceCriterion(DivergenceFactor) };
        if (TargetRelativeError is { } target)
        {
            criteria.Add(new TargetCriterion(target));
        }

        if (StallWindow is { } window)
        {
            criteria.Add(new StallCriterion(window));
        }

        criteria.Add(new IterationCriterion(MaxIterations));
        if (MaxUplinkBits is { } bits)
        {
            criteria.Add(new BitBudgetCriterion(bits));
        }

        return criteria;
    }

    /// <summary>Whether some criterion needs a referee that knows x*.</summary>
    public bool NeedsReferee => TargetRelativeError is not null || StallWindow is not null;
}
