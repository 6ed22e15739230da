namespace DiffQuant.Learning.Training;

/// <summary>The order in which an asynchronous run's server takes its workers' gradients.</summary>
public enum ArrivalOrder
{
    /// <summary>Simulated from the seed (speeds 1 to <see cref="TrainOptions.Spread"/>, τ): the same on every transport.</summary>
    Simulated,

    /// <summary>As the gradients actually finish (under τ), recorded in <see cref="TrainResult.Arrivals"/>.</summary>
    Live,

    /// <summary>A recorded order replayed exactly (given to the run beside its options).</summary>
    Replay,
}
