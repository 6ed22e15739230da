using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DiffQuant.Cluster;

/// <summary>A client of a cluster whose membership is in Redis (`dq silo --cluster redis://…` on each machine).</summary>
public sealed class RedisCluster : IClusterConnection
{
    /// <summary>Tries to reach a gateway before the client gives up, and the pause between them.</summary>
    private const int ConnectAttempts = 3;

    private static readonly TimeSpan ConnectRetryDelay = TimeSpan.FromMilliseconds(500);

    private readonly IHost _client;

    private RedisCluster(IHost client) => _client = client;

    public IGrainFactory Grains => _client.Services.GetRequiredService<IClusterClient>();

    public int? ReservedSiloPort => null;

    /// <summary>
    /// Connects to the cluster at <paramref name="address"/> (over mutual TLS with <paramref name="tls"/>); a clear error
    /// when Redis or every gateway is away, or the silos refuse this client's certificate.
    /// </summary>
    public static async Task<RedisCluster> Connect(ClusterAddress address, TimeSpan timeout, TlsSettings? tls = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(client =>
        {
            client.UseRedisClustering(address.RedisConfiguration);
            if (tls is not null)
            {
                client.UseTls(tls.Configure);
            }

            // A few tries ride out a busy silo; more would only delay the answer when a silo refuses this client (no
            // or another CA's certificate), which Orleans would otherwise retry until the timeout.
            var attempts = 0;
            client.UseConnectionRetryFilter(async (_, cancel) =>
            {
                if (++attempts >= ConnectAttempts)
                {
                    return false;
                }

                await Task.Delay(ConnectRetryDelay, cancel);
                return true;
            });

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
            // Redis answered but lists no silo (none joined, or Redis restarted without persistence and forgot them), or
            // no silo took the connection: the usual cause then is a certificate the silos do not accept.
            var hint = e.GetBaseException() is StackExchange.Redis.RedisConnectionException ? string.Empty
                : e.GetBaseException().Message.Contains("Could not find any gateway", StringComparison.Ordinal)
                    ? " (no silo is registered in that Redis: start `dq silo --cluster` on each machine; a Redis restarted without persistence forgets its silos, which must then be restarted)"
                : tls is null
                    ? " (a silo that requires mutual TLS closes connections without a certificate: give --tls-cert, --tls-key and --tls-ca)"
                    : " (the silos may not trust this certificate: it must be signed by their --tls-ca)";
            throw new DiffQuantException($"cannot connect to the cluster at {address}: {Reason(e)}{hint}");
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
