using System.CommandLine;
using DiffQuant.Cluster;

namespace DiffQuant.Cli;

/// <summary>`--status-port` and `--status-token`: the live status page of `dq train` and of `dq silo` (defined once for both).</summary>
internal sealed class StatusCliOptions(string portDescription)
{
    public Option<int?> Port { get; } = new Option<int?>("--status-port") { Description = portDescription }.Checked(p => OptionChecks.PortOrAny(p ?? 0));

    public Option<string?> Token { get; } = new("--status-token")
    {
        Description = $"Bearer token the status page requires (default: the {StatusPageSettings.TokenVariable} environment variable; none: open).",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(StatusPageSettings.TokenVariable),
    };

    public IEnumerable<Option> All => [Port, Token];

    /// <summary>The page's settings, null without --status-port (an empty token is none).</summary>
    public StatusPageSettings? Settings(ParseResult parse) =>
        parse.GetValue(Port) is { } port ? new StatusPageSettings(port, parse.GetValue(Token) is { Length: > 0 } token ? token : null) : null;
}
