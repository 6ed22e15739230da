namespace DiffQuant.Running;

/// <summary>Why a run ended.</summary>
public enum ExitReason
{
    /// <summary>The relative error reached the target.</summary>
    TargetReached,

    /// <summary>The iteration budget ran out.</summary>
    IterationBudget,

    /// <summary>Another message would exceed the uplink bit budget.</summary>
    BitBudget,

    /// <summary>The error has not improved for a whole stall window (machine precision reached, or no progress).</summary>
    Stalled,

    /// <summary>The worst-case range schedule under- or overflowed double precision.</summary>
    RangeExhausted,

    /// <summary>The iterate is no longer finite.</summary>
    Diverged,
}
