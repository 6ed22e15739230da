namespace DiffQuant.Cluster;

/// <summary>
/// Bytes of worker state that crossed the cluster for checkpoints and restores (snapshots fetched from worker grains
/// and sent back to them): runtime traffic beside the channel's information bits, counted so that the bytes measured on
/// the wire can be told apart.
/// </summary>
public sealed class StateTraffic
{
    private long _bytes;

    public long Bytes => Interlocked.Read(ref _bytes);

    public void Add(long bytes) => Interlocked.Add(ref _bytes, bytes);
}
