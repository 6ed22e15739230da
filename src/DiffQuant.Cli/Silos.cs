using DiffQuant.Cluster;

namespace DiffQuant.Cli;

/// <summary>
/// `--silos N` of `dq run` and `dq train`: N `dq silo` processes of this very program on loopback, started before the
/// body and stopped after it, with the bytes Orleans moved meanwhile.
/// </summary>
internal static class Silos
{
    /// <summary>How long a silo may take to print its ready line, or the client to connect.</summary>
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    public static (T Result, long SentBytes, long ReceivedBytes) Run<T>(int count, TextWriter? log, Func<LocalCluster, T> body)
    {
        var program = Environment.ProcessPath ?? throw new DiffQuantException("cannot find this program to start silos with.");
        string[] siloCommand = Path.GetFileNameWithoutExtension(program) == "dotnet"
            ? [typeof(Silos).Assembly.Location, "silo"]
            : ["silo"];
        log?.WriteLine($"starting {count} silo processes on loopback");
        return Task.Run(async () =>
        {
            using var wire = new WireMeter();
            await using var cluster = await LocalCluster.Start(count, program, siloCommand, StartTimeout);
            var result = await Task.Run(() => body(cluster));
            return (result, wire.SentBytes, wire.ReceivedBytes);
        }).GetAwaiter().GetResult();
    }

    /// <summary>
    /// The arguments a command was given without <c>--silos N</c>: what its worker grains re-parse to build themselves
    /// exactly as the in-process command would.
    /// </summary>
    public static string[] ArgumentsWithout(System.CommandLine.ParseResult parse, string option)
    {
        var tokens = parse.Tokens.Where(t => t.Type != System.CommandLine.Parsing.TokenType.Command).Select(t => t.Value).ToList();
        var at = tokens.IndexOf(option);
        if (at >= 0)
        {
            tokens.RemoveRange(at, Math.Min(2, tokens.Count - at));
        }

        return [.. tokens];
    }
}
