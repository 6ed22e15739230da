using DiffQuant.Running;

namespace DiffQuant.Cluster;

/// <summary>
/// Runs `dq run`'s server on a silo from the command's own arguments (what `dq silo` registers; a silo without one
/// refuses `dq run`'s server grain). The workers are the grains <c>place</c> puts on the cluster.
/// </summary>
public interface IRunServerHost
{
    /// <summary>
    /// The run's report as JSON (`dq run --json`'s document), with <paramref name="progress"/> hearing (t, relative
    /// error) after each iteration and <paramref name="checkpoint"/> the run's state every
    /// <paramref name="checkpointEvery"/> iterations; a run given <paramref name="resume"/> continues from it.
    /// </summary>
    string Serve(IReadOnlyList<string> arguments, Func<WorkerSetup, RemoteWorker> place, Action<int, double>? progress, RunCheckpoint? resume = null, int checkpointEvery = 0, Action<RunCheckpoint>? checkpoint = null);
}

