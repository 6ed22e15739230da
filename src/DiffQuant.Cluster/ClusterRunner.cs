using Orleans.Runtime.Placement;

namespace DiffQuant.Cluster;

/// <summary>
/// `dq run` on a cluster: its server as a grain on a silo (off a loopback cluster's primary while others exist), which
/// places the worker grains (off its own silo while others exist) and runs the in-process server against them; this
/// process only submits the run, hears its progress and receives its report. `dq run` keeps no checkpoints: a run whose
/// server's silo dies fails at once with the reason (`dq train` survives it).
/// </summary>
public static class ClusterRunner
{
    /// <param name="arguments">The command's arguments without the cluster options (the server and the workers re-read them).</param>
    /// <param name="progress">Hears (t, relative error) after each iteration; null: nobody listens.</param>
    /// <param name="log">Hears where the server runs.</param>
    public static RunServerAnswer Run(IGrainFactory grains, string runId, int? reservedSiloPort, IReadOnlyList<string> arguments, TimeSpan workerTimeout, Action<int, double>? progress, TextWriter? log)
    {
        var placement = new WorkerPlacement(grains, runId, workerTimeout, reservedSiloPort);
        var silo = placement.Choose(0);
        log?.WriteLine($"server on silo {silo.ToParsableString()}");
        var server = grains.GetGrain<IRunServerGrain>($"{runId}/server");
        var observer = progress is null ? null : new ProgressObserver(progress);
        var reference = observer is null ? null : grains.CreateObjectReference<IRunProgress>(observer);
        try
        {
            Task<RunServerAnswer> call;
            RequestContext.Set(IPlacementDirector.PlacementHintKey, silo);
            try
            {
                call = server.Run(new RunServerSetup { RunId = runId, Arguments = [.. arguments], WorkerTimeout = workerTimeout, ReservedSiloPort = reservedSiloPort }, reference);
            }
            finally
            {
                RequestContext.Remove(IPlacementDirector.PlacementHintKey);
            }

            return Await(call, silo, placement, workerTimeout);
        }
        catch (GrainFault e)
        {
            throw new DiffQuantException(e.Message);
        }
        finally
        {
            if (reference is not null)
            {
                grains.DeleteObjectReference<IRunProgress>(reference);
            }

            GC.KeepAlive(observer);
        }
    }

    /// <summary>
    /// The server's answer. Its silo's death fails the run at once. Another silo's death (workers the server will find
    /// lost, or the gateway the answer would come by) leaves it <paramref name="patience"/> more to answer.
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
                    ? new DiffQuantException($"the server's silo {dead} was declared dead; `dq run` keeps no checkpoints: run it again (`dq train` resumes from its checkpoints)")
                    : new OtherSiloDied(dead));
            }
            catch (OtherSiloDied died)
            {
                other = died.Silo;
            }
            catch (TimeoutException) when (other is not null)
            {
                throw new DiffQuantException($"silo {other} was declared dead during the run and the server on {silo} has not answered for {patience.TotalSeconds:G4} s since; `dq run` keeps no checkpoints: run it again.");
            }
        }
    }

    private sealed class OtherSiloDied(SiloAddress silo) : Exception
    {
        public SiloAddress Silo => silo;
    }

    private sealed class ProgressObserver(Action<int, double> progress) : IRunProgress
    {
        public void Progress(int iteration, double relativeError) => progress(iteration, relativeError);
    }
}
