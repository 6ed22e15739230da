using DiffQuant.Running;

namespace DiffQuant.Cluster;

/// <summary>
/// The thin adapter from a grain call to the silo's <see cref="IRunServerHost"/>: the run's loop runs on a thread-pool
/// thread (it waits on its workers' grain calls, which the grain's own scheduler must not do) and tells the caller's
/// observer each iteration.
/// </summary>
[Orleans.Placement.RandomPlacement]
public sealed class RunServerGrain(IGrainFactory grains, ILocalSiloDetails silo, IServiceProvider services) : Grain, IRunServerGrain
{
    public async Task<RunServerAnswer> Run(RunServerSetup setup, IRunProgress? progress)
    {
        try
        {
            return await Task.Run(() => GrainFault.Guard(Where, () =>
            {
                try
                {
                    return Serve(setup, progress);
                }
                catch (WorkerLost lost)
                {
                    throw new GrainFault($"{Where}: {lost.Message}") { WorkerLost = true, Silo = lost.Silo?.ToParsableString() };
                }
            }));
        }
        finally
        {
            // The run is over: `dq status` lists active server grains as runs in progress.
            DeactivateOnIdle();
        }
    }

    private RunServerAnswer Serve(RunServerSetup setup, IRunProgress? progress)
    {
        var host = services.GetService(typeof(IRunServerHost)) as IRunServerHost
            ?? throw new GrainFault($"{Where}: this silo cannot run `dq run`'s server; start it with `dq silo`.");
        using var wire = new WireMeter();
        var placement = new WorkerPlacement(grains, setup.RunId, setup.WorkerTimeout, setup.ReservedSiloPort) { ServerSilo = silo.SiloAddress };
        var workers = 0;
        var resume = setup.Checkpoint is { } snapshot ? new RunCheckpoint(setup.Errors!.Length - 1, snapshot, setup.Errors) : null;
        var report = host.Serve(
            setup.Arguments,
            s =>
            {
                ClusterTrainer.EnsureThreads(Interlocked.Increment(ref workers));
                return placement.Place(s.Index, s);
            },
            progress is null ? null : progress.Progress,
            resume,
            setup.CheckpointEvery,
            progress is null ? null : c => progress.Checkpoint(c.Iteration, c.Snapshot, c.Errors));
        return new RunServerAnswer { Report = report, Silo = silo.SiloAddress.ToParsableString(), WireBytesSent = wire.SentBytes, WireBytesReceived = wire.ReceivedBytes };
    }

    private string Where => $"run server grain '{this.GetPrimaryKeyString()}'";
}
