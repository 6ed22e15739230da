using DiffQuant.State;

namespace DiffQuant.Running;

/// <summary>
/// A `dq run` in progress: its session's snapshot after iteration t (server, workers, link meters) and the relative
/// errors of iterations 0..t, so that a run continued from it reports the whole run.
/// </summary>
public sealed record RunCheckpoint(int Iteration, byte[] Snapshot, double[] Errors)
{
    private const string Tag = "dq-run";

    /// <summary>The checkpoint as checksummed bytes, tagged with the run it belongs to (<paramref name="run"/>: its arguments).</summary>
    public byte[] ToBytes(string run)
    {
        var writer = new SnapshotWriter(Tag);
        writer.Write(run);
        writer.Write(Iteration);
        writer.Write(Snapshot);
        writer.Write(Errors);
        return writer.ToArray();
    }

    /// <summary>Reads a checkpoint of <paramref name="run"/>; a torn one, or another run's, is refused with <paramref name="where"/> named.</summary>
    public static RunCheckpoint Read(ReadOnlySpan<byte> bytes, string run, string where)
    {
        try
        {
            var reader = new SnapshotReader(bytes, Tag);
            if (reader.ReadString() != run)
            {
                throw new DiffQuantException("it belongs to another run (other arguments)");
            }

            var iteration = reader.ReadInt32();
            var snapshot = reader.ReadBytes();
            var errors = new double[reader.ReadInt32()];
            for (var i = 0; i < errors.Length; i++)
            {
                errors[i] = reader.ReadDouble();
            }

            reader.End();
            return new RunCheckpoint(iteration, snapshot, errors);
        }
        catch (DiffQuantException e)
        {
            throw new DiffQuantException($"the checkpoint '{where}' was not used and is left as it was: {e.Message.TrimEnd('.')}.");
        }
    }
}
