using System.Net;

namespace DiffQuant.Cluster;

/// <summary>
/// Where one silo of a loopback cluster listens: its silo-to-silo port, its client gateway port, and the primary silo
/// every silo joins (localhost clustering, Orleans' development membership; everything binds to 127.0.0.1).
/// </summary>
public readonly record struct SiloSettings(int SiloPort, int GatewayPort, int PrimarySiloPort)
{
    /// <summary>The id every DiffQuant silo and client shares, so a cluster does not mix with another Orleans service.</summary>
    public const string ServiceId = "diffquant";

    public const string ClusterId = "diffquant-local";

    /// <summary>Between liveness probes of a loopback cluster's silos, and each probe's timeout.</summary>
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);

    public IPEndPoint PrimaryEndpoint => new(IPAddress.Loopback, PrimarySiloPort);
}
