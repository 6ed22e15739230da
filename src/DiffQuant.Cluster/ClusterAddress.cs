namespace DiffQuant.Cluster;

/// <summary>
/// Where a cluster's membership table lives, as users write it: <c>redis://HOST:PORT</c> (Redis holds the table, so
/// silos on many machines find each other and clients find their gateways).
/// </summary>
public readonly record struct ClusterAddress(string Host, int Port)
{
    /// <summary>The StackExchange.Redis configuration string: HOST:PORT, failing fast when Redis is away.</summary>
    public string RedisConfiguration => $"{Host}:{Port},abortConnect=true,connectTimeout=5000";

    public override string ToString() => $"redis://{Host}:{Port}";

    public static ClusterAddress Parse(string text)
    {
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme == "redis" && uri.Host.Length > 0 && uri.AbsolutePath is "" or "/" && uri.Query.Length == 0)
        {
            return new ClusterAddress(uri.Host, uri.IsDefaultPort || uri.Port < 0 ? DefaultPort : uri.Port);
        }

        throw new DiffQuantException($"'{text}' is not a Redis address; write redis://HOST:PORT (e.g. redis://10.0.0.5:6379).");
    }

    /// <summary>Redis' own port, taken when the address names none.</summary>
    public const int DefaultPort = 6379;
}
