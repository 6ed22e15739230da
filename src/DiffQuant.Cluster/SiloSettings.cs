using System.Net;

namespace DiffQuant.Cluster;

/// <summary>
/// Where one silo listens and how it finds the others: its silo-to-silo port and client gateway port on
/// <see cref="Address"/> (127.0.0.1 unless a public address is given explicitly), and either the primary silo every silo
/// joins (localhost clustering, Orleans' development membership) or the Redis that holds the membership table; with
/// <see cref="Tls"/>, every connection is mutual TLS; with <see cref="Status"/>, it serves the status page of the runs
/// whose servers it hosts.
/// </summary>
public readonly record struct SiloSettings(int SiloPort, int GatewayPort, int PrimarySiloPort, ClusterAddress? Redis = null, IPAddress? Address = null, TlsSettings? Tls = null, StatusPageSettings? Status = null)
{
    /// <summary>The id every DiffQuant silo and client shares, so a cluster does not mix with another Orleans service.</summary>
    public const string ServiceId = "diffquant";

    public const string ClusterId = "diffquant-local";

    /// <summary>Between liveness probes of a loopback cluster's silos, and each probe's timeout.</summary>
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);

    /// <summary>How long a stopping silo tries to leave the cluster gracefully before it leaves anyway.</summary>
    public static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    public IPEndPoint PrimaryEndpoint => new(IPAddress.Loopback, PrimarySiloPort);
}
