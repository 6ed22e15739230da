using System.CommandLine;
using DiffQuant.Cluster;

namespace DiffQuant.Cli;

/// <summary>`--tls-cert`, `--tls-key` and `--tls-ca`: mutual TLS for a silo or a client of a `--cluster` (all three or none).</summary>
internal sealed class TlsCliOptions
{
    public Option<string?> Certificate { get; } = new("--tls-cert") { Description = "This end's certificate (PEM) for mutual TLS on the cluster; needs --tls-key and --tls-ca." };

    public Option<string?> Key { get; } = new("--tls-key") { Description = "The private key (PEM) of --tls-cert." };

    public Option<string?> Authority { get; } = new("--tls-ca") { Description = "The CA certificate (PEM) every other silo and client must be signed by." };

    public IEnumerable<Option> All => [Certificate, Key, Authority];

    /// <summary>The TLS settings, null when none of the three is given; a clear error when only some are.</summary>
    public TlsSettings? Settings(ParseResult parse)
    {
        string?[] given = [parse.GetValue(Certificate), parse.GetValue(Key), parse.GetValue(Authority)];
        if (given.All(g => g is null))
        {
            return null;
        }

        if (given.Any(g => g is null))
        {
            throw new DiffQuantException("mutual TLS needs all of --tls-cert, --tls-key and --tls-ca.");
        }

        return TlsSettings.Load(given[0]!, given[1]!, given[2]!);
    }
}
