namespace DiffQuant.Cluster;

/// <summary>One silo as the membership table lists it, with the worker grains it holds now.</summary>
public sealed record SiloStatusRow(string Address, string Status, string Host, DateTime Started, int WorkerGrains);

/// <summary>A run in progress: its name, `dq train` or `dq run`, and the silo its server grain is on.</summary>
public sealed record RunStatusRow(string Run, string Command, string ServerSilo);

/// <summary>A running cluster's silos and the runs in progress on it (`dq status`).</summary>
public sealed record ClusterStatus(string Cluster, IReadOnlyList<SiloStatusRow> Silos, IReadOnlyList<RunStatusRow> Runs)
{
    public static async Task<ClusterStatus> Read(IGrainFactory grains, string cluster)
    {
        var management = grains.GetGrain<IManagementGrain>(0);
        var members = await Ask(() => management.GetDetailedHosts(onlyActive: false));
        var workers = (await Ask(management.GetSimpleGrainStatistics))
            .Where(s => s.GrainType == TypeName<WorkerGrain>())
            .GroupBy(s => s.SiloAddress)
            .ToDictionary(g => g.Key, g => g.Sum(s => s.ActivationCount));

        // A server grain lives as long as its run: it deactivates once it has answered the result.
        var servers = await Ask(() => management.GetDetailedGrainStatistics([TypeName<ServerGrain>(), TypeName<RunServerGrain>()]));
        return new ClusterStatus(
            cluster,
            [.. members
                .OrderBy(m => m.SiloAddress)
                .Select(m => new SiloStatusRow(m.SiloAddress.ToString(), m.Status.ToString(), m.HostName, m.StartTime, workers.GetValueOrDefault(m.SiloAddress)))],
            [.. servers
                .Select(s => new RunStatusRow(RunOf(s.GrainId.Key.ToString()!), s.GrainType == TypeName<ServerGrain>() ? "train" : "run", s.SiloAddress.ToString()))
                .OrderBy(r => r.Run, StringComparer.Ordinal)]);
    }

    /// <summary>How Orleans names a grain class in its statistics: "Namespace.Type,Assembly".</summary>
    private static string TypeName<T>() => $"{typeof(T).FullName},{typeof(T).Assembly.GetName().Name}";

    /// <summary>The run a server grain's key names ("RUN/server" or "RUN/server/ATTEMPT").</summary>
    private static string RunOf(string key) => key.IndexOf("/server", StringComparison.Ordinal) is var at and > 0 ? key[..at] : key;

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
