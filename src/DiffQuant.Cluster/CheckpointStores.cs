using DiffQuant.State;

namespace DiffQuant.Cluster;

/// <summary>Opens a checkpoint store from its text: <c>redis://HOST:PORT/KEY</c> or a file path.</summary>
public static class CheckpointStores
{
    /// <summary>The store <paramref name="text"/> names; dispose it when done (a Redis store holds a connection).</summary>
    public static ICheckpointStore Open(string text) =>
        text.StartsWith("redis://", StringComparison.Ordinal) ? RedisCheckpointStore.Open(text) : new CheckpointFile(text);
}
