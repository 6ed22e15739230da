namespace DiffQuant.Cluster;

/// <summary>One silo as the membership table lists it, with the worker grains it holds now.</summary>
public sealed record SiloStatusRow(string Address, string Status, string Host, DateTime Started, int WorkerGrains);

/// <summary>A running cluster's silos (`dq status`).</summary>
public sealed record ClusterStatus(string Cluster, IReadOnlyList<SiloStatusRow> Silos)
{
    public static async Task<ClusterStatus> Read(IGrainFactory grains, string cluster)
    {
        var management = grains.GetGrain<IManagementGrain>(0);
        var members = await management.GetDetailedHosts(onlyActive: false);
        // Orleans names a grain class "Namespace.Type,Assembly" in its statistics.
        var workerType = $"{typeof(WorkerGrain).FullName},{typeof(WorkerGrain).Assembly.GetName().Name}";
        var workers = (await management.GetSimpleGrainStatistics())
            .Where(s => s.GrainType == workerType)
            .GroupBy(s => s.SiloAddress)
            .ToDictionary(g => g.Key, g => g.Sum(s => s.ActivationCount));
        return new ClusterStatus(cluster, [.. members
            .OrderBy(m => m.SiloAddress)
            .Select(m => new SiloStatusRow(m.SiloAddress.ToString(), m.Status.ToString(), m.HostName, m.StartTime, workers.GetValueOrDefault(m.SiloAddress)))]);
    }
}
