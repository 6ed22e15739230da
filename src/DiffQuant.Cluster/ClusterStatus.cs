namespace DiffQuant.Cluster;

/// <summary>One silo as the membership table lists it, with the worker grains it holds now.</summary>
public sealed record SiloStatusRow(string Address, string Status, string Host, DateTime Started, int WorkerGrains);

/// <summary>A running cluster's silos (`dq status`).</summary>
public sealed record ClusterStatus(string Cluster, IReadOnlyList<SiloStatusRow> Silos)
{
    public static async Task<ClusterStatus> Read(IGrainFactory grains, string cluster)
    {
        var management = grains.GetGrain<IManagementGrain>(0);
        var members = await Ask(() => management.GetDetailedHosts(onlyActive: false));
        // Orleans names a grain class "Namespace.Type,Assembly" in its statistics.
        var workerType = $"{typeof(WorkerGrain).FullName},{typeof(WorkerGrain).Assembly.GetName().Name}";
        var workers = (await Ask(management.GetSimpleGrainStatistics))
            .Where(s => s.GrainType == workerType)
            .GroupBy(s => s.SiloAddress)
            .ToDictionary(g => g.Key, g => g.Sum(s => s.ActivationCount));
        return new ClusterStatus(cluster, [.. members
            .OrderBy(m => m.SiloAddress)
            .Select(m => new SiloStatusRow(m.SiloAddress.ToString(), m.Status.ToString(), m.HostName, m.StartTime, workers.GetValueOrDefault(m.SiloAddress)))]);
    }

    /// <summary>Tries of a membership question, and how long each may take.</summary>
    private const int Attempts = 3;

    internal static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Asks the management grain, again when an answer does not come in time: the first request to a silo that has just
    /// started can go unanswered (seen over TLS on a fresh silo), while the next one is answered at once.
    /// </summary>
    private static async Task<T> Ask<T>(Func<Task<T>> question)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await question().WaitAsync(AttemptTimeout);
            }
            catch (TimeoutException) when (attempt < Attempts)
            {
                // Ask again.
            }
            catch (TimeoutException)
            {
                throw new DiffQuantException($"the cluster's membership did not answer {Attempts} requests of {AttemptTimeout.TotalSeconds:G4} s each.");
            }
        }
    }
}
