using Orleans.Runtime.Placement;

namespace DiffQuant.Cluster;

/// <summary>
/// Places and configures worker grains: worker k goes to the k-th active silo (round-robin over the silos sorted by
/// address, as a placement hint Orleans' random placement honours), skipping the server's silo and then the reserved
/// silo (a loopback cluster's primary, which holds the membership table) while others exist, and any silo suspected
/// after a loss. Each placement
/// gets a fresh grain key, so a re-placed worker never meets a stale activation. After a loss it first waits (up to the
/// timeout) for the cluster's membership to declare the suspected silo dead: until then Orleans still routes directory
/// lookups for new activations to it, and placing fails even on healthy silos.
/// </summary>
public sealed class WorkerPlacement(IGrainFactory grains, string runId, TimeSpan timeout, int? reservedSiloPort = null) : ISiloLiveness
{
    /// <summary>Between looks at the membership while a suspected silo is still listed active.</summary>
    private static readonly TimeSpan VerdictPoll = TimeSpan.FromMilliseconds(250);

    /// <summary>Building a worker may take longer than answering a payload (the worker timeout): it loads its data.</summary>
    private static readonly TimeSpan ConfigureTimeout = TimeSpan.Parse(IWorkerGrain.ConfigureTimeout, System.Globalization.CultureInfo.InvariantCulture);

    private readonly HashSet<SiloAddress> _suspects = [];
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, SiloAddress> _placed = new();
    private readonly Lock _liveness = new();
    private HashSet<SiloAddress> _dead = [];
    private DateTime _livenessAsked = DateTime.MinValue;
    private int _placements;

    /// <summary>The silo each worker was last placed on, by worker index.</summary>
    public IReadOnlyDictionary<int, SiloAddress> Placed => _placed;

    /// <summary>The silo the run's server is on, which workers avoid while other silos exist (null: the server is not a grain).</summary>
    public SiloAddress? ServerSilo { get; init; }

    /// <summary>Worker state moved for checkpoints and restores by the workers this placed.</summary>
    public StateTraffic Traffic { get; } = new();

    /// <summary>Places worker <paramref name="index"/>, configures it with <paramref name="setup"/>, and wraps it.</summary>
    public RemoteWorker Place(int index, WorkerSetup setup)
    {
        var silo = Choose(index);
        var grain = grains.GetGrain<IWorkerGrain>($"{runId}/{index}/{Interlocked.Increment(ref _placements)}");
        RequestContext.Set(IPlacementDirector.PlacementHintKey, silo);
        try
        {
            GrainFault.Await(grain.Configure(setup).WaitAsync(ConfigureTimeout));
        }
        catch (Exception e) when (e is TimeoutException or OrleansException)
        {
            // Not the chosen silo's fault necessarily (another silo's death may be in the way): lost, but no new suspect.
            throw new WorkerLost(index, null, $"it could not be configured on silo {silo}: {e.Message}");
        }
        finally
        {
            RequestContext.Remove(IPlacementDirector.PlacementHintKey);
        }

        _placed[index] = silo;
        return new RemoteWorker(grain, index, silo, timeout, Traffic, this);
    }

    public IReadOnlySet<SiloAddress> KnownDead
    {
        get
        {
            lock (_liveness)
            {
                return _dead;
            }
        }
    }

    public IReadOnlySet<SiloAddress> Dead()
    {
        lock (_liveness)
        {
            if (DateTime.UtcNow - _livenessAsked >= SiloWatch.Check)
            {
                _livenessAsked = DateTime.UtcNow;
                try
                {
                    var hosts = grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: false).WaitAsync(SiloWatch.Check).GetAwaiter().GetResult();
                    _dead = [.. hosts.Where(h => h.Value == SiloStatus.Dead).Select(h => h.Key)];
                }
                catch (Exception e) when (e is OrleansException or TimeoutException)
                {
                    // The membership cannot be asked right now (its grain may be on the dead silo, and calls to it hang
                    // until the silo is declared dead): ask again at the next check.
                }
            }

            return _dead;
        }
    }

    /// <summary>Stops placing workers on <paramref name="silo"/> (it hosted a worker that was lost).</summary>
    public void Suspect(SiloAddress silo) => _suspects.Add(silo);

    /// <summary>The silo for worker (or server) <paramref name="index"/>: round-robin over the healthy silos, off the server's and the reserved one while others exist.</summary>
    public SiloAddress Choose(int index)
    {
        var verdict = DateTime.UtcNow + timeout;
        var active = Active(verdict);
        while ((active is null || active.Any(_suspects.Contains)) && DateTime.UtcNow < verdict)
        {
            Thread.Sleep(VerdictPoll);
            active = Active(verdict);
        }

        if (active is null)
        {
            throw new WorkerLost(index, null, $"the cluster's membership did not answer within {timeout.TotalSeconds:G4} s");
        }

        // Off the server's silo first (so the channel's messages cross the wire as in a deployment), then off the
        // reserved one (whose death ends a loopback cluster); any healthy silo when nothing else is left.
        var healthy = active.Where(s => !_suspects.Contains(s)).ToList();
        var notServer = healthy.Where(s => !s.Equals(ServerSilo)).ToList();
        var candidates = notServer.Where(s => s.Endpoint.Port != reservedSiloPort).ToList() is { Count: > 0 } preferred ? preferred
            : notServer.Count > 0 ? notServer
            : healthy;
        return candidates.Count == 0
            ? throw new DiffQuantException($"no silo is left to place worker {index} on ({active.Count} active, {_suspects.Count} suspected after losses).")
            : candidates[index % candidates.Count];
    }

    /// <summary>
    /// The active silos in address order; null when the membership cannot be asked before <paramref name="deadline"/>
    /// (e.g. the management grain was on a silo that just died, and calls to it hang until the silo is declared dead).
    /// </summary>
    private List<SiloAddress>? Active(DateTime deadline)
    {
        // One request waits at most an attempt's time: the first request to a freshly started cluster can go
        // unanswered, and Choose asks again until the deadline.
        var left = deadline - DateTime.UtcNow;
        var wait = left < ClusterStatus.AttemptTimeout ? left : ClusterStatus.AttemptTimeout;
        try
        {
            return [.. grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true).WaitAsync(wait > TimeSpan.Zero ? wait : TimeSpan.Zero).GetAwaiter().GetResult().Keys.Order()];
        }
        catch (Exception e) when (e is OrleansException or TimeoutException)
        {
            return null;
        }
    }
}
