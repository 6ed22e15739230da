using System.Collections.Concurrent;

namespace DiffQuant.Cluster;

/// <summary>
/// The longest reply each worker grain may send, by the grain's key, in the process that receives the replies (the
/// server's silo): set when a session binds a <see cref="RemoteWorker"/> to its link (<see cref="DiffQuant.Transport.Link.LargestUplinkBytes"/>),
/// read by <see cref="UplinkMessageCodec"/> before it reads a reply's body. An entry lives as long as the object that
/// set it (held weakly), so a long-lived silo keeps only the limits of the runs it still serves. Keys are unique per
/// placement, so one table serves every silo of a process.
/// </summary>
public static class UplinkLimits
{
    private static readonly ConcurrentDictionary<string, (long Bytes, WeakReference Owner)> Limits = new();
    private static int _sweepAt = 64;

    /// <summary>Replies of grain <paramref name="link"/> may hold up to <paramref name="bytes"/> payload bytes while <paramref name="owner"/> lives.</summary>
    public static void Set(string link, long bytes, object owner)
    {
        Limits[link] = (bytes, new WeakReference(owner));
        if (Limits.Count >= Volatile.Read(ref _sweepAt))
        {
            foreach (var entry in Limits.Where(e => !e.Value.Owner.IsAlive))
            {
                Limits.TryRemove(entry);
            }

            Volatile.Write(ref _sweepAt, Math.Max(64, 2 * Limits.Count));
        }
    }

    /// <summary>Why a reply of <paramref name="bytes"/> payload bytes from grain <paramref name="link"/> is refused unread; null when it is within its link's limit.</summary>
    public static string? Refusal(string link, long bytes) =>
        !Limits.TryGetValue(link, out var limit) || !limit.Owner.IsAlive
            ? $"a reply of {bytes} bytes from worker grain '{link}', which no link of this process answers over, was refused unread."
            : bytes > limit.Bytes
                ? $"a reply of {bytes} bytes from worker grain '{link}' exceeds its link's longest message ({limit.Bytes} bytes) and was refused unread."
                : null;
}
