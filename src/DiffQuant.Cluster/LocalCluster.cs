using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DiffQuant.Cluster;

/// <summary>
/// N silo processes on loopback (`dq silo …` children of this process) and a client connected to their gateways:
/// what `dq train --silos N` runs on. Disposing it disconnects and stops the silos.
/// </summary>
public sealed class LocalCluster : IClusterConnection
{
    private readonly List<Process> _silos = [];
    private readonly List<SiloSettings> _settings = [];
    private IHost? _client;

    private LocalCluster()
    {
    }

    public IGrainFactory Grains => _client?.Services.GetRequiredService<IClusterClient>() ?? throw new InvalidOperationException("the cluster has not started.");

    public int Silos => _silos.Count;

    public int? ReservedSiloPort => PrimarySiloPort;

    /// <summary>The silo port of the primary silo (silo 0), which holds the membership table: losing it ends the cluster.</summary>
    public int PrimarySiloPort => _settings[0].SiloPort;

    /// <summary>The silo-to-silo port of silo <paramref name="index"/> (how Orleans addresses it).</summary>
    public int SiloPort(int index) => _settings[index].SiloPort;

    /// <summary>The index of the silo listening on <paramref name="siloPort"/> (how a <see cref="SiloAddress"/> names it).</summary>
    public int IndexOf(int siloPort) => _settings.FindIndex(s => s.SiloPort == siloPort) is var i and >= 0
        ? i
        : throw new ArgumentException($"no silo of this cluster listens on port {siloPort}.", nameof(siloPort));

    /// <summary>Kills silo <paramref name="index"/>'s process outright (SIGKILL: no goodbye to the cluster) and waits for it to exit.</summary>
    public async Task Kill(int index)
    {
        _silos[index].Kill(entireProcessTree: true);
        await _silos[index].WaitForExitAsync();
    }

    /// <summary>
    /// Starts <paramref name="silos"/> silo processes with <paramref name="siloCommand"/> (the program and the arguments
    /// before the silo options; each silo also gets <c>--exit-with</c> this process, so none outlives it), waits until each prints <see cref="SiloHost.ReadyLine"/>, and connects a client.
    /// With <paramref name="status"/>, silo i serves its status page on port <see cref="StatusPageSettings.Port"/> + i,
    /// or each on any free port with port 0 (the server's silo shows the run; its token goes through the environment).
    /// With <paramref name="tls"/>, every silo and the client present that certificate and accept only its CA's peers.
    /// </summary>
    public static async Task<LocalCluster> Start(int silos, string program, IReadOnlyList<string> siloCommand, TimeSpan timeout, StatusPageSettings? status = null, TlsSettings? tls = null)
    {
        if (silos < 1)
        {
            throw new DiffQuantException($"--silos must be at least 1, got {silos}.");
        }

        if (status is { } page && page.Port + silos - 1 > IPEndPoint.MaxPort)
        {
            throw new DiffQuantException($"--status-port {page.Port} leaves no room for {silos} silos' pages (ports {page.Port}..{page.Port + silos - 1}); give one at most {IPEndPoint.MaxPort - silos + 1}.");
        }

        var cluster = new LocalCluster();
        try
        {
            var ports = FreePorts(2 * silos);
            var settings = Enumerable.Range(0, silos).Select(i => new SiloSettings(ports[2 * i], ports[(2 * i) + 1], ports[0], Tls: tls, Status: status is { } s ? s with { Port = s.Port == 0 ? 0 : s.Port + i } : null)).ToList();
            cluster._settings.AddRange(settings);
            foreach (var s in settings)
            {
                await cluster.StartSilo(program, siloCommand, s, timeout);
            }

            var builder = Host.CreateApplicationBuilder();
            builder.Logging.ClearProviders();
            builder.UseOrleansClient(client =>
            {
                client.UseLocalhostClustering([.. settings.Select(s => s.GatewayPort)], SiloSettings.ServiceId, SiloSettings.ClusterId);
                if (tls is not null)
                {
                    client.UseTls(tls.Configure);
                }
            });
            cluster._client = builder.Build();
            using var connect = new CancellationTokenSource(timeout);
            await cluster._client.StartAsync(connect.Token);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_client is not null)
        {
            await _client.StopAsync(CancellationToken.None);
            _client.Dispose();
        }

        foreach (var silo in _silos)
        {
            if (!silo.HasExited)
            {
                silo.Kill(entireProcessTree: true);
                await silo.WaitForExitAsync();
            }

            silo.Dispose();
        }
    }

    private async Task StartSilo(string program, IReadOnlyList<string> siloCommand, SiloSettings settings, TimeSpan timeout) =>
        _silos.Add(await SiloProcess.Start(
            program,
            [.. siloCommand, "--silo-port", $"{settings.SiloPort}", "--gateway-port", $"{settings.GatewayPort}", "--primary-port", $"{settings.PrimarySiloPort}", "--exit-with", $"{Environment.ProcessId}", .. settings.Status is { } page ? ["--status-port", $"{page.Port}"] : Array.Empty<string>(), .. settings.Tls?.Arguments ?? []],
            SiloHost.ReadyLine,
            timeout,
            new Dictionary<string, string?> { [StatusPageSettings.TokenVariable] = settings.Status?.Token }));

    /// <summary>Distinct free loopback ports, each found by binding port 0 (all held until every one is chosen).</summary>
    public static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        try
        {
            listeners.ForEach(l => l.Start());
            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            listeners.ForEach(l => l.Stop());
        }
    }
}
