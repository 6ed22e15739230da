namespace DiffQuant.Running;

/// <summary>What a stop criterion sees before each round.</summary>
/// <param name="Iterations">t, the updates applied.</param>
/// <param name="RelativeError">‖x̂_t − x*‖/‖x̂_0 − x*‖, NaN without a referee.</param>
/// <param name="SinceBest">Iterations since the error last reached a new minimum.</param>
/// <param name="UplinkBits">Uplink information bits so far, setup included.</param>
/// <param name="NextRoundBits">The most uplink information bits the next round can add.</param>
/// <param name="IterateFinite">Whether every coordinate of x̂_t is finite.</param>
public readonly record struct RunProgress(int Iterations, double RelativeError, int SinceBest, long UplinkBits, long NextRoundBits, bool IterateFinite);

/// <summary>One reason to stop; criteria compose by being checked in turn.</summary>
public interface IStopCriterion
{
    /// <summary>The exit reason if the run should stop now, else null.</summary>
    ExitReason? Check(in RunProgress progress);
}

/// <summary>Stops when x̂_t is not finite or its relative error exceeds a factor (default 1e8).</summary>
public sealed record DivergenceCriterion(double Factor) : IStopCriterion
{
    public ExitReason? Check(in RunProgress progress) =>
        !progress.IterateFinite || progress.RelativeError > Factor ? ExitReason.Diverged : null;
}

/// <summary>Stops once the relative error is at most the target.</summary>
public sealed record TargetCriterion(double Target) : IStopCriterion
{
    public ExitReason? Check(in RunProgress progress) => progress.RelativeError <= Target ? ExitReason.TargetReached : null;
}

/// <summary>Stops when the error has not improved for a window of iterations.</summary>
public sealed record StallCriterion(int Window) : IStopCriterion
{
    public ExitReason? Check(in RunProgress progress) => progress.SinceBest >= Window ? ExitReason.Stalled : null;
}

/// <summary>Stops at an iteration budget.</summary>
public sealed record IterationCriterion(int MaxIterations) : IStopCriterion
{
    public ExitReason? Check(in RunProgress progress) => progress.Iterations >= MaxIterations ? ExitReason.IterationBudget : null;
}

/// <summary>Stops before a round whose messages could exceed the uplink bit budget.</summary>
public sealed record BitBudgetCriterion(long MaxUplinkBits) : IStopCriterion
{
    public ExitReason? Check(in RunProgress progress) =>
        progress.UplinkBits + progress.NextRoundBits > MaxUplinkBits ? ExitReason.BitBudget : null;
}
