using DiffQuant.State;
using StackExchange.Redis;

namespace DiffQuant.Cluster;

/// <summary>
/// A checkpoint kept in Redis under one key (<c>redis://HOST:PORT/KEY</c>), so a server restarted on any machine resumes
/// it. One SET replaces the whole value atomically; the snapshot's own checksum and tag still refuse a torn or foreign
/// one. Redis away is a clear error, never a silently skipped checkpoint.
/// </summary>
public sealed class RedisCheckpointStore : ICheckpointStore, IDisposable
{
    private readonly ConnectionMultiplexer _redis;
    private readonly RedisKey _key;

    private RedisCheckpointStore(ConnectionMultiplexer redis, string path, string key) => (_redis, Path, _key) = (redis, path, key);

    public string Path { get; }

    public bool Exists => Call(db => db.KeyExists(_key));

    /// <summary>Parses <c>redis://HOST:PORT/KEY</c> and connects; a clear error when the address is malformed or Redis is away.</summary>
    public static RedisCheckpointStore Open(string text)
    {
        var slash = text.IndexOf('/', "redis://".Length);
        if (!text.StartsWith("redis://", StringComparison.Ordinal) || slash < 0 || slash == text.Length - 1)
        {
            throw new DiffQuantException($"'{text}' is not a Redis checkpoint; write redis://HOST:PORT/KEY.");
        }

        var address = ClusterAddress.Parse(text[..slash]);
        try
        {
            return new RedisCheckpointStore(ConnectionMultiplexer.Connect(address.RedisConfiguration), text, text[(slash + 1)..]);
        }
        catch (RedisConnectionException e)
        {
            throw new DiffQuantException($"cannot reach the checkpoint store {text}: {RedisCluster.Reason(e)}");
        }
    }

    public void Save(ReadOnlySpan<byte> checkpoint)
    {
        var value = checkpoint.ToArray();
        Call(db => db.StringSet(_key, value));
    }

    public byte[] Load() => Call(db => (byte[]?)db.StringGet(_key)) ?? throw new DiffQuantException($"the checkpoint {Path} is gone.");

    public void Dispose() => _redis.Dispose();

    private T Call<T>(Func<IDatabase, T> call)
    {
        try
        {
            return call(_redis.GetDatabase());
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            throw new DiffQuantException($"the checkpoint store {Path} failed: {RedisCluster.Reason(e)}");
        }
    }
}
