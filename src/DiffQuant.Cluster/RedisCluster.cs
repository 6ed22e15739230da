using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DiffQuant.Cluster;

/// <summary>A client of a cluster whose membership is in Redis (`dq silo --cluster redis://…` on each machine).</summary>
public sealed class RedisCluster : IClusterConnection
{
    private readonly IHost _client;

    private RedisCluster(IHost client) => _client = client;

    public IGrainFactory Grains => _client.Services.GetRequiredService<IClusterClient>();

    public int? ReservedSiloPort => null;

    /// <summary>Connects to the cluster at <paramref name="address"/>; a clear error when Redis or every gateway is away.</summary>
    public static async Task<RedisCluster> Connect(ClusterAddress address, TimeSpan timeout)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(client =>
        {
            client.UseRedisClustering(address.RedisConfiguration);
            client.Configure<Orleans.Configuration.ClusterOptions>(o => (o.ServiceId, o.ClusterId) = (SiloSettings.ServiceId, SiloSettings.ClusterId));
        });
        var host = builder.Build();
        try
        {
            using var connect = new CancellationTokenSource(timeout);
            await host.StartAsync(connect.Token);
            return new RedisCluster(host);
        }
        catch (Exception e) when (e is not DiffQuantException)
        {
            host.Dispose();
            throw new DiffQuantException($"cannot connect to the cluster at {address}: {Reason(e)}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _client.StopAsync(CancellationToken.None);
        _client.Dispose();
    }

    /// <summary>
    /// The innermost message: what went wrong (Redis refused, no gateway answered), without the wrappers or the Redis
    /// client's advice on its own connection settings.
    /// </summary>
    internal static string Reason(Exception e)
    {
        var message = e.GetBaseException().Message;
        var advice = message.IndexOf(" To allow this multiplexer", StringComparison.Ordinal);
        return advice < 0 ? message : message[..advice];
    }
}
