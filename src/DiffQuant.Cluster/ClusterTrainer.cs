using System.Text.Json;
using DiffQuant.Learning.Data;
using DiffQuant.Learning.Training;
using Orleans.Runtime.Placement;

namespace DiffQuant.Cluster;

/// <summary>
/// Distributed training with the server and the workers as grains. Each worker grain loads its shard from the data
/// spec itself; the server grain runs the in-process run's server, links and session against them, so bit counts and
/// results are the same as <see cref="Trainer.Run"/>'s. It checkpoints every few updates; when a worker is lost it
/// re-places the workers on healthy silos (the lost ones' shards reload there) and resumes every worker and itself from
/// the last checkpoint (<see cref="CheckpointedTraining"/>): error memories come back as they were then. The submitting
/// process drives the server grain from checkpoint to checkpoint and keeps the latest; when the server's silo dies it
/// starts a new server grain on another silo from that checkpoint, which re-places the workers.
/// </summary>
public static class ClusterTrainer
{
    /// <summary>The most work between two progress reports of a cluster run (each is one call to the server grain).</summary>
    public static readonly TimeSpan ReportTime = TimeSpan.FromSeconds(0.5);

    /// <param name="runId">Names the run's grains.</param>
    /// <param name="store">Where the server also writes its checkpoints (a file path or redis://…/KEY every silo can reach); one already there is resumed.</param>
    /// <param name="log">Hears resumptions, losses and recoveries.</param>
    /// <param name="placed">Hears where the server and the workers are after each stretch.</param>
    /// <param name="reportEvery">The most updates between two reports (progress comes back at least every <see cref="ReportTime"/> of work, and at checkpoints).</param>
    /// <param name="cluster">What status pages call the cluster.</param>
    /// <param name="replay">The recorded arrival order of <see cref="ArrivalOrder.Replay"/>.</param>
    public static Task<TrainResult> Run(IGrainFactory grains, string runId, int? reservedSiloPort, string dataSpec, TrainOptions options, RecoveryOptions recovery, string? store, Action<TrainProgress>? progress = null, TextWriter? log = null, Action<string, IReadOnlyDictionary<int, string>>? placed = null, int reportEvery = int.MaxValue, string cluster = "cluster", IReadOnlyList<int>? replay = null)
    {
        recovery.Validate();
        var serverSetup = new ServerSetup
        {
            Options = ClusterOptions.Format(options),
            Data = dataSpec,
            CheckpointEvery = recovery.CheckpointEvery,
            WorkerTimeout = recovery.WorkerTimeout,
            MaxRecoveries = recovery.MaxRecoveries,
            Store = store,
            ReservedSiloPort = reservedSiloPort,
            Run = runId,
            Cluster = cluster,
            Replay = replay?.ToArray(),
        };
        var placement = new WorkerPlacement(grains, runId, recovery.WorkerTimeout, reservedSiloPort);
        return Task.Run(() =>
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            byte[]? checkpoint = null;
            var (checkpointStep, sent, received, returned) = (-1, 0L, 0L, 0L);

            // Updates a lost server had reported past the checkpoint its successor resumes from: made again.
            var (highest, redone) = (0, 0);
            double? setupSeconds = null;
            string? page = null;
            for (var attempt = 0; ; attempt++)
            {
                ServerStretch? last = null;
                var silo = placement.Choose(0);
                var server = grains.GetGrain<IServerGrain>($"{runId}/server/{attempt}");
                var calls = new ServerLine(silo, placement, recovery.WorkerTimeout);
                log?.WriteLine($"server on silo {silo.ToParsableString()}");
                try
                {
                    var attemptSetup = serverSetup with { RunId = $"{runId}/{attempt}", Elapsed = clock.Elapsed };
                    RequestContext.Set(IPlacementDirector.PlacementHintKey, silo);
                    try
                    {
                        while (!calls.TryCall(() => server.Start(attemptSetup, checkpoint), IWorkerGrain.ConfigureTimeout, out _))
                        {
                        }
                    }
                    finally
                    {
                        RequestContext.Remove(IPlacementDirector.PlacementHintKey);
                    }

                    // Setup: everything before the first update (the server loading its test data, placing the workers, their shards loading).
                    setupSeconds ??= clock.Elapsed.TotalSeconds;

                    // Reports are numbered per server; a stretch whose answer was lost is reported again by the next.
                    long acknowledged = 0;
                    while (true)
                    {
                        if (!calls.TryCall(() => server.Advance(reportEvery, ReportTime, acknowledged, checkpointStep), IServerGrain.AdvanceTimeout, out var stretch))
                        {
                            continue;
                        }

                        last = stretch;
                        placed?.Invoke(stretch.Silo, stretch.Placement);
                        if (stretch.StatusPage is { } shown && shown != page)
                        {
                            page = shown;
                            log?.WriteLine($"status page at {page} (served by the server's silo)");
                        }

                        foreach (var report in stretch.Reports.Where(r => r.Sequence > acknowledged))
                        {
                            if (report.Line is { } line)
                            {
                                log?.WriteLine(line);
                            }
                            else
                            {
                                var step = JsonSerializer.Deserialize<TrainProgress>(report.Progress!);
                                highest = Math.Max(highest, step.Step);
                                progress?.Invoke(step);
                            }

                            acknowledged = report.Sequence;
                        }

                        if (stretch.Checkpoint is { } newer)
                        {
                            checkpoint = newer;
                            returned += newer.Length;
                        }

                        checkpointStep = stretch.CheckpointStep;

                        if (stretch.Result is { } result)
                        {
                            var finished = JsonSerializer.Deserialize<TrainResult>(result)!;
                            return finished with
                            {
                                WallSeconds = clock.Elapsed.TotalSeconds,
                                SetupSeconds = setupSeconds ?? 0,
                                ServerRecoveries = attempt,
                                StepsRedone = finished.StepsRedone + redone,
                                WireBytesSent = sent + stretch.WireBytesSent,
                                WireBytesReceived = received + stretch.WireBytesReceived,
                                CheckpointBytesReturned = returned,
                            };
                        }
                    }
                }
                catch (ServerLost lost) when (attempt < recovery.MaxRecoveries)
                {
                    // The lost server's silo measured its bytes up to its last report; the rest died with it.
                    (sent, received) = (sent + (last?.WireBytesSent ?? 0), received + (last?.WireBytesReceived ?? 0));
                    if (lost.Silo is { } dead)
                    {
                        placement.Suspect(dead);
                    }

                    (redone, highest) = (redone + Math.Max(0, highest - Math.Max(checkpointStep, 0)), Math.Max(checkpointStep, 0));
                    log?.WriteLine($"{lost.Message}; starting a new server from the checkpoint of update {Math.Max(checkpointStep, 0)}");
                }
            }
        });
    }

    /// <summary>The server's side of a run: the checkpointed loop over worker grains placed by <paramref name="placement"/>.</summary>
    /// <param name="data">The data the experimenter evaluates the server's model on (the protocol never reads it).</param>
    /// <param name="resumeFrom">The checkpoint a replacement server continues from.</param>
    /// <param name="replay">The recorded arrival order of <see cref="ArrivalOrder.Replay"/>.</param>
    public static CheckpointedTraining Server(WorkerPlacement placement, string dataSpec, DataSplit data, TrainOptions options, RecoveryOptions recovery, TextWriter? log, byte[]? resumeFrom, IReadOnlyList<int>? replay = null)
    {
        // The K workers of a round are waited for at once (one thread each: they compute elsewhere); those blocked
        // threads come from the pool Orleans answers on, so the pool starts with room for them.
        options = options with { Threads = options.Workers };
        EnsureThreads(options.Workers);
        var setup = new WorkerSetup { Options = ClusterOptions.Format(options), Data = dataSpec };
        var workers = new RemoteWorker?[options.Workers];
        return new CheckpointedTraining(
            () => new TrainingRun(data, options, (k, _) => workers[k] ??= placement.Place(k, setup with { Index = k }), replay),
            recovery.CheckpointEvery,
            recovery.File,
            e => e is WorkerLost lost && Forget(lost, workers, placement),
            recovery.MaxRecoveries,
            log,
            resumeFrom);
    }

    /// <summary>
    /// Calls to one server grain on <paramref name="silo"/>. Its silo's death (declared by the membership) is a
    /// <see cref="ServerLost"/>. Another silo's death answers false, to call again: the answer may have been on its way
    /// through that silo as the gateway and would never come (the server keeps its reports until acknowledged). A call
    /// that fails in transport (e.g. sent to a dead gateway) is tried again every second for <paramref name="patience"/>
    /// before the server counts as lost: a dead gateway says nothing about the server's silo.
    /// </summary>
    private sealed class ServerLine(SiloAddress silo, ISiloLiveness liveness, TimeSpan patience)
    {
        private DateTime? _failingSince;

        public bool TryCall<T>(Func<Task<T>> call, string timeout, out T answer)
        {
            answer = default!;
            try
            {
                answer = SiloWatch.Wait(call(), TimeSpan.Parse(timeout, System.Globalization.CultureInfo.InvariantCulture), liveness, dead =>
                    dead.Equals(silo) ? new ServerLost(dead, $"the server's silo {dead} was declared dead") : new OtherSiloDied());
                _failingSince = null;
                return true;
            }
            catch (OtherSiloDied)
            {
                return false;
            }
            catch (GrainFault e) when (!e.Unconfigured)
            {
                throw new DiffQuantException(e.Message);
            }
            catch (GrainFault e)
            {
                // Activated afresh on a live silo (its grain directory entry was lost with another silo): nobody to suspect.
                throw new ServerLost(null, $"the server lost its run: {e.Message}");
            }
            catch (TimeoutException e)
            {
                throw new ServerLost(silo, $"the server on silo {silo} did not answer: {e.Message}");
            }
            catch (Exception e) when (e is OrleansException or OperationCanceledException)
            {
                var since = _failingSince ??= DateTime.UtcNow;
                if (liveness.Dead().Contains(silo))
                {
                    throw new ServerLost(silo, $"the server's silo {silo} was declared dead");
                }

                if (DateTime.UtcNow - since >= patience)
                {
                    throw new ServerLost(silo, $"the server on silo {silo} did not answer for {patience.TotalSeconds:G4} s: {e.Message}");
                }

                Thread.Sleep(SiloWatch.Check);
                return false;
            }
        }
    }

    /// <summary>A silo other than the server's died while a call to the server was outstanding.</summary>
    private sealed class OtherSiloDied : Exception
    {
    }

    /// <summary>Raises the thread pool's minimum so that <paramref name="blocked"/> waiting threads never starve the pool's other work.</summary>
    internal static void EnsureThreads(int blocked)
    {
        ThreadPool.GetMinThreads(out var workers, out var io);
        var wanted = blocked + (2 * Environment.ProcessorCount) + 4;
        if (workers < wanted)
        {
            ThreadPool.SetMinThreads(wanted, io);
        }
    }

    /// <summary>
    /// Suspects the lost worker's silo and forgets every worker, so the rebuild places them all afresh: a dead silo takes
    /// its part of Orleans' grain directory with it, and a surviving worker whose entry was there would later be
    /// activated anew, empty. The survivors' silos still hold their shards (<see cref="LatestCache{T}"/>), so only the lost
    /// workers' shards load again.
    /// </summary>
    private static bool Forget(WorkerLost lost, RemoteWorker?[] workers, WorkerPlacement placement)
    {
        if (lost.Silo is { } silo)
        {
            placement.Suspect(silo);
        }

        Array.Clear(workers);
        return true;
    }
}
