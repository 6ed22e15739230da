using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace DiffQuant.Cluster;

/// <summary>
/// One silo process: hosts server and worker grains until it is stopped, and, when its settings ask for one, the status
/// page of the runs whose servers it hosts (ASP.NET Core beside Orleans in the same process).
/// </summary>
public static class SiloHost
{
    /// <summary>The line a silo prints on standard output once it has joined the cluster (what a launcher waits for).</summary>
    public const string ReadyLine = "dq silo ready";

    /// <param name="workers">What builds the grains' workers (null: training workers only).</param>
    public static async Task Run(SiloSettings settings, TextWriter output, CancellationToken stop, IWorkerBuilder? workers = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(workers ?? TrainingWorkerBuilder.Instance);
        if (workers is IRunServerHost runs)
        {
            builder.Services.AddSingleton(runs);
        }
        var boards = new StatusBoards();
        builder.Services.AddSingleton(boards);
        using var fatal = new SiloFatalErrors();
        builder.Services.AddSingleton<IFatalErrorHandler>(fatal);
        builder.UseOrleans(silo =>
        {
            if (settings.Tls is { } tls)
            {
                silo.UseTls(tls.Configure);
            }

            if (settings.Redis is { } redis)
            {
                silo.UseRedisClustering(redis.RedisConfiguration);
                silo.ConfigureEndpoints(settings.Address ?? IPAddress.Loopback, settings.SiloPort, settings.GatewayPort, listenOnAnyHostAddress: false);
                silo.Configure<Orleans.Configuration.ClusterOptions>(o => (o.ServiceId, o.ClusterId) = (SiloSettings.ServiceId, SiloSettings.ClusterId));
                return;
            }

            silo.UseLocalhostClustering(settings.SiloPort, settings.GatewayPort, settings.PrimaryEndpoint, SiloSettings.ServiceId, SiloSettings.ClusterId);

            // On loopback a missed probe means a dead process, not a slow network: declare it dead in seconds, not the
            // default's tens of seconds, so that a lost worker's re-placement does not wait on stale membership.
            silo.Configure<ClusterMembershipOptions>(o => (o.ProbeTimeout, o.NumMissedProbesLimit) = (SiloSettings.ProbeTimeout, 2));
        });
        using var host = builder.Build();

        // Before joining: a page that cannot listen stops the silo with the reason, having disturbed no cluster.
        await using var page = settings.Status is { } status ? await StartPage(boards, status, settings.Address, output) : null;
        using var starting = CancellationTokenSource.CreateLinkedTokenSource(stop, fatal.Stopped);
        try
        {
            await host.StartAsync(starting.Token);
        }
        catch (OperationCanceledException) when (fatal.Reason is { } reason)
        {
            throw new DiffQuantException($"this silo must stop: {reason}");
        }
        catch (Exception e) when (e is not (DiffQuantException or OperationCanceledException))
        {
            throw new DiffQuantException(settings.Redis is { } redis
                ? $"the silo could not join the cluster at {redis}: {RedisCluster.Reason(e)}"
                : $"the silo on port {settings.SiloPort} could not start: {RedisCluster.Reason(e)}");
        }

        await output.WriteLineAsync(ReadyLine);
        await output.FlushAsync(stop);

        // The host's console lifetime takes SIGTERM (and keeps the process alive for the host to stop), so the silo
        // stops on the host's stopping signal as well as on the caller's.
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(stop, lifetime.ApplicationStopping, fatal.Stopped);
        try
        {
            await Task.Delay(Timeout.Infinite, stopping.Token);
        }
        catch (OperationCanceledException)
        {
            // Stopping is the normal end of a silo.
        }

        // A graceful stop tells the membership it is leaving; with the membership store gone that cannot finish, so it
        // is bounded and the silo leaves anyway (the others then find it dead by probing).
        using var bounded = new CancellationTokenSource(SiloSettings.StopTimeout);
        try
        {
            await host.StopAsync(bounded.Token).WaitAsync(SiloSettings.StopTimeout * 2);
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException)
        {
            await output.WriteLineAsync($"dq silo: stopped without leaving the cluster gracefully ({e.Message})");
        }

        if (fatal.Reason is { } why)
        {
            throw new DiffQuantException($"this silo must stop: {why}");
        }
    }

    /// <summary>The status page at the silo's own address (a failure to listen stops the silo with the reason).</summary>
    private static async Task<StatusServer> StartPage(StatusBoards boards, StatusPageSettings status, IPAddress? address, TextWriter output)
    {
        var page = await StatusServer.Start(boards, status.Port, status.Token, address);
        await output.WriteLineAsync($"dq silo: status page at {page.Address}{(status.Token is null ? string.Empty : " (bearer token required)")}");
        return page;
    }
}
