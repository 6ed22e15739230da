using DiffQuant.Running;
using Orleans.Runtime.Placement;

namespace DiffQuant.Cluster;

/// <summary>
/// `dq run` on a cluster: its server as a grain on a silo (off a loopback cluster's primary while others exist), which
/// places the worker grains (off its own silo while others exist) and runs the in-process server against them; this
/// process submits the run, hears its progress and its checkpoints (every <see cref="RecoveryOptions.CheckpointEvery"/>
/// iterations: the session's state, workers' included, and the errors so far), and receives its report. When the
/// server's silo dies, or the server loses a worker, it starts a new server grain from the last checkpoint (off the
/// dead silo), which places the workers afresh; the report is the uninterrupted run's.
/// </summary>
public static class ClusterRunner
{
    /// <param name="arguments">The command's arguments without the cluster options (the server and the workers re-read them).</param>
    /// <param name="progress">Hears (t, relative error) after each iteration (once each, also across recoveries); null: nobody listens.</param>
    /// <param name="log">Hears where the server runs, and its losses.</param>
    /// <param name="placed">Hears the silo of each server started (<see cref="SiloAddress.ToParsableString"/>).</param>
    /// <param name="resume">A checkpoint to continue from (a `--checkpoint` store's).</param>
    /// <param name="saved">Hears each newer checkpoint (to write it to a store), one at a time.</param>
    public static RunServerAnswer Run(IGrainFactory grains, string runId, int? reservedSiloPort, IReadOnlyList<string> arguments, RecoveryOptions recovery, Action<int, double>? progress, TextWriter? log, Action<string>? placed = null, RunCheckpoint? resume = null, Action<RunCheckpoint>? saved = null)
    {
        recovery.Validate();
        var placement = new WorkerPlacement(grains, runId, recovery.WorkerTimeout, reservedSiloPort);
        var observer = new Observer(progress, resume, saved);
        var reference = grains.CreateObjectReference<IRunProgress>(observer);
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                var silo = placement.Choose(0);
                log?.WriteLine($"server on silo {silo.ToParsableString()}");
                placed?.Invoke(silo.ToParsableString());
                var latest = observer.Latest;
                var setup = new RunServerSetup
                {
                    RunId = $"{runId}/{attempt}",
                    Arguments = [.. arguments],
                    WorkerTimeout = recovery.WorkerTimeout,
                    ReservedSiloPort = reservedSiloPort,
                    CheckpointEvery = recovery.CheckpointEvery,
                    Checkpoint = latest?.Snapshot,
                    Errors = latest?.Errors,
                };
                Task<RunServerAnswer> call;
                RequestContext.Set(IPlacementDirector.PlacementHintKey, silo);
                try
                {
                    call = grains.GetGrain<IRunServerGrain>($"{runId}/server/{attempt}").Run(setup, reference);
                }
                finally
                {
                    RequestContext.Remove(IPlacementDirector.PlacementHintKey);
                }

                try
                {
                    return Await(call, silo, placement, recovery.WorkerTimeout) with { ServerRecoveries = attempt };
                }
                catch (ServerLost lost) when (attempt < recovery.MaxRecoveries)
                {
                    placement.Suspect(lost.Silo!);
                    log?.WriteLine($"{lost.Message}; starting a new server from the checkpoint of iteration {observer.Latest?.Iteration ?? 0}");
                }
                catch (GrainFault fault) when (fault.WorkerLost && attempt < recovery.MaxRecoveries)
                {
                    if (fault.Silo is { } dead)
                    {
                        placement.Suspect(SiloAddress.FromParsableString(dead));
                    }

                    log?.WriteLine($"{fault.Message}; starting a new server from the checkpoint of iteration {observer.Latest?.Iteration ?? 0}");
                }
            }
        }
        catch (GrainFault e)
        {
            throw new DiffQuantException(e.Message);
        }
        finally
        {
            grains.DeleteObjectReference<IRunProgress>(reference);
            GC.KeepAlive(observer);
        }
    }

    /// <summary>
    /// The server's answer. Its silo's death is a <see cref="ServerLost"/>. Another silo's death (workers the server
    /// will find lost, or the gateway the answer would come by) leaves it <paramref name="patience"/> more to answer.
    /// </summary>
    private static RunServerAnswer Await(Task<RunServerAnswer> call, SiloAddress silo, ISiloLiveness liveness, TimeSpan patience)
    {
        var timeout = TimeSpan.Parse(IRunServerGrain.RunTimeout, System.Globalization.CultureInfo.InvariantCulture);
        SiloAddress? other = null;
        while (true)
        {
            try
            {
                return SiloWatch.Wait(call, other is null ? timeout : patience, liveness, dead => dead.Equals(silo)
                    ? new ServerLost(dead, $"the server's silo {dead} was declared dead")
                    : new OtherSiloDied(dead));
            }
            catch (OtherSiloDied died)
            {
                other = died.Silo;
            }
            catch (TimeoutException) when (other is not null)
            {
                throw new DiffQuantException($"silo {other} was declared dead during the run and the server on {silo} has not answered for {patience.TotalSeconds:G4} s since.");
            }
        }
    }

    private sealed class OtherSiloDied(SiloAddress silo) : Exception
    {
        public SiloAddress Silo => silo;
    }

    /// <summary>Passes each iteration's progress on once (a replacement server makes the iterations after its checkpoint again) and keeps the latest checkpoint.</summary>
    private sealed class Observer(Action<int, double>? progress, RunCheckpoint? resume, Action<RunCheckpoint>? saved) : IRunProgress
    {
        private readonly Lock _gate = new();
        private readonly Lock _saving = new();
        private RunCheckpoint? _latest = resume;
        private int _reported = resume?.Iteration ?? 0;

        public RunCheckpoint? Latest
        {
            get
            {
                lock (_gate)
                {
                    return _latest;
                }
            }
        }

        public void Progress(int iteration, double relativeError)
        {
            lock (_gate)
            {
                if (iteration <= _reported)
                {
                    return;
                }

                _reported = iteration;
            }

            progress?.Invoke(iteration, relativeError);
        }

        public void Checkpoint(int iteration, byte[] snapshot, double[] errors)
        {
            var checkpoint = new RunCheckpoint(iteration, snapshot, errors);
            lock (_saving)
            {
                lock (_gate)
                {
                    if (_latest is not null && iteration <= _latest.Iteration)
                    {
                        return;
                    }

                    _latest = checkpoint;
                }

                saved?.Invoke(checkpoint);
            }
        }
    }
}
