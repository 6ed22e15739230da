using DiffQuant.Methods;
using DiffQuant.Running;
using DiffQuant.Transport;

namespace DiffQuant.Learning.Training;

/// <summary>The server of a training run: the core's server with the model it holds.</summary>
public interface ITrainingServer : IServer
{
    /// <summary>w as binary32.</summary>
    ReadOnlySpan<float> Model { get; }
}

/// <summary>A worker of a training run, with the losses of its mini-batches (for curves; never sent).</summary>
public interface ITrainingWorker : IWorker
{
    /// <summary>Σ of its mini-batch losses so far.</summary>
    double LossSum { get; }

    /// <summary>The number of losses in <see cref="LossSum"/>.</summary>
    long LossCount { get; }
}

/// <summary>
/// A built training run: the session, its server, workers and links, and the updates an epoch makes (one per
/// synchronous round; one per asynchronous arrival, N/batch of them an epoch).
/// </summary>
public sealed record TrainingSession(Session Session, ITrainingServer Server, IReadOnlyList<ITrainingWorker> Workers, IReadOnlyList<Link> Links, int UpdatesPerEpoch);
