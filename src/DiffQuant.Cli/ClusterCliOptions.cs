using System.CommandLine;

namespace DiffQuant.Cli;

/// <summary>The options of `dq run` and `dq train` that put their workers on a cluster (defined once for both).</summary>
internal sealed class ClusterCliOptions
{
    public Option<int?> Silos { get; } = new Option<int?>("--silos") { Description = "Run the workers as grains on this many silo processes on loopback (started and stopped by this command)." }
        .Checked(n => OptionChecks.Positive(n ?? 1));

    public Option<string?> Cluster { get; } = new Option<string?>("--cluster") { Description = "Run the workers as grains on a running cluster whose membership is in Redis: redis://HOST:PORT." }
        .Checked(c => Cli.Silos.Address(c));

    public TlsCliOptions Tls { get; } = new();

    public IEnumerable<Option> All => [Silos, Cluster, .. Tls.All];

    /// <summary>Whether the run goes to a cluster at all.</summary>
    public bool Given(ParseResult parse) => parse.GetValue(Silos) is not null || parse.GetValue(Cluster) is not null;

    /// <summary>The command's own arguments without the cluster options: what worker grains re-parse.</summary>
    public string[] WorkerArguments(ParseResult parse) => Cli.Silos.ArgumentsWithout(parse, "--silos", "--cluster", "--tls-cert", "--tls-key", "--tls-ca");

    /// <summary>Refuses TLS options without a cluster to secure (before any work, so they are never silently ignored).</summary>
    public void Validate(ParseResult parse)
    {
        if (!Given(parse) && Tls.All.Any(o => parse.GetResult(o) is not null))
        {
            throw new DiffQuantException("--tls-cert, --tls-key and --tls-ca secure the traffic of --silos or a --cluster; an in-process run has none.");
        }
    }

    /// <param name="status">Status pages for loopback silos to serve (null: none).</param>
    public (T Result, long SentBytes, long ReceivedBytes) Run<T>(ParseResult parse, TextWriter? log, DiffQuant.Cluster.StatusPageSettings? status, Func<DiffQuant.Cluster.IClusterConnection, T> body)
    {
        Validate(parse);
        var tls = Tls.Settings(parse);
        return Cli.Silos.Run(parse.GetValue(Silos), Cli.Silos.Address(parse.GetValue(Cluster)), tls, log, status, body);
    }
}
