namespace DiffQuant.State;

/// <summary>
/// Where a run's checkpoint lives between processes: a local file (<see cref="CheckpointFile"/>) or a shared store every
/// machine reaches. <see cref="Save"/> replaces the whole checkpoint at once, so a reader sees the old one or the new one.
/// </summary>
public interface ICheckpointStore
{
    /// <summary>Where it is, as users wrote it (for messages).</summary>
    string Path { get; }

    bool Exists { get; }

    void Save(ReadOnlySpan<byte> checkpoint);

    byte[] Load();
}
