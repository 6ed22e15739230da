namespace DiffQuant.State;

/// <summary>
/// A checkpoint on disk, replaced atomically: the new bytes go to a sibling temporary file that is flushed to the device
/// and then renamed over the old one, so a crash leaves either the previous checkpoint or the new one, never a torn
/// mix. Snapshots carry a checksum and a tag, so a torn or foreign file is still refused when it is read.
/// </summary>
public sealed class CheckpointFile(string path) : ICheckpointStore
{
    public string Path { get; } = System.IO.Path.GetFullPath(path);

    public bool Exists => File.Exists(Path);

    public void Save(ReadOnlySpan<byte> checkpoint)
    {
        var temporary = $"{Path}.{Environment.ProcessId}.tmp";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                stream.Write(checkpoint);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, Path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }

            throw new DiffQuantException($"cannot write the checkpoint '{Path}': {e.Message}");
        }
    }

    public byte[] Load()
    {
        try
        {
            return File.ReadAllBytes(Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DiffQuantException($"cannot read the checkpoint '{Path}': {e.Message}");
        }
    }
}
