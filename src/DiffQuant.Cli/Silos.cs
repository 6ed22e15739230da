using DiffQuant.Cluster;

namespace DiffQuant.Cli;

/// <summary>
/// `--silos N` and `--cluster redis://…` of `dq run` and `dq train`: either N `dq silo` processes of this very program
/// on loopback, started before the body and stopped after it, or a client of a running cluster whose membership is in
/// Redis; with the bytes Orleans moved meanwhile.
/// </summary>
internal static class Silos
{
    /// <summary>How long a silo may take to print its ready line, or the client to connect.</summary>
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    /// <param name="silos">Loopback silos to start; null with <paramref name="cluster"/>.</param>
    /// <param name="cluster">A running cluster to join instead; null with <paramref name="silos"/>.</param>
    /// <param name="status">Status pages the loopback silos serve (null: none).</param>
    public static (T Result, long SentBytes, long ReceivedBytes) Run<T>(int? silos, ClusterAddress? cluster, TlsSettings? tls, TextWriter? log, StatusPageSettings? status, Func<IClusterConnection, T> body)
    {
        if (silos is not null == cluster is not null)
        {
            throw new DiffQuantException("give either --silos N (loopback silos this command starts) or --cluster redis://HOST:PORT (a running cluster), not both.");
        }

        return Task.Run(async () =>
        {
            using var wire = new WireMeter();
            await using IClusterConnection connection = cluster is { } address
                ? await Connect(address, tls, log)
                : await Start(silos!.Value, log, status, tls);
            var result = await Task.Run(() => body(connection));
            return (result, wire.SentBytes, wire.ReceivedBytes);
        }).GetAwaiter().GetResult();
    }

    /// <summary>Parses `--cluster`, or null when it was not given.</summary>
    public static ClusterAddress? Address(string? text) => text is null ? null : ClusterAddress.Parse(text);

    public static async Task<RedisCluster> Connect(ClusterAddress address, TlsSettings? tls, TextWriter? log)
    {
        log?.WriteLine($"connecting to the cluster at {address}{(tls is null ? string.Empty : " over mutual TLS")}");
        return await RedisCluster.Connect(address, StartTimeout, tls);
    }

    /// <summary>
    /// The arguments a command was given without the named options (and their values): what its worker grains re-parse
    /// to build themselves exactly as the in-process command would.
    /// </summary>
    public static string[] ArgumentsWithout(System.CommandLine.ParseResult parse, params string[] options)
    {
        var tokens = parse.Tokens.Where(t => t.Type != System.CommandLine.Parsing.TokenType.Command).Select(t => t.Value).ToList();
        foreach (var option in options)
        {
            var at = tokens.IndexOf(option);
            if (at >= 0)
            {
                tokens.RemoveRange(at, Math.Min(2, tokens.Count - at));
            }
        }

        return [.. tokens];
    }

    private static async Task<LocalCluster> Start(int count, TextWriter? log, StatusPageSettings? status, TlsSettings? tls)
    {
        var program = Environment.ProcessPath ?? throw new DiffQuantException("cannot find this program to start silos with.");
        string[] siloCommand = Path.GetFileNameWithoutExtension(program) == "dotnet"
            ? [typeof(Silos).Assembly.Location, "silo"]
            : ["silo"];
        log?.WriteLine($"starting {count} silo processes on loopback{(tls is null ? string.Empty : " with mutual TLS")}");
        return await LocalCluster.Start(count, program, siloCommand, StartTimeout, status, tls);
    }
}
